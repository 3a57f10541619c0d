// SPDX-License-Identifier: MIT
// The kernel's view of memory on QEMU virt under Sv39.
//
// Sv39 translates 39-bit virtual addresses; valid ones are the lower half
// [0, 0x4000000000) -- user space -- and the upper half
// [0xffffffc000000000, 2^64) -- the kernel, shared by every page table:
//
//   0xffffffc000000000  DMAP_BASE: direct map, va = DMAP_BASE + pa, for all
//                       of RAM and the device region [0, 1 GiB)
//   0xffffffe000000000  KVA_START: kernel_map (kernel stacks with guard pages)
//   0xffffffff00000000  KVA_END
//   0xffffffff80000000  KERNBASE: the kernel image, va = KERNBASE + (pa - RAM_BASE)
//                       (linked at 0xffffffff80200000: OpenSBI loads us at
//                       physical 0x80200000)
//
// Physical addresses on QEMU virt (the device tree is authoritative; these
// are the defaults it reports): PLIC 0x0c000000, UART 0x10000000,
// virtio-mmio 0x10001000 + n * 0x1000, RAM from 0x80000000.
#ifndef RISCV_MEMLAYOUT_H
#define RISCV_MEMLAYOUT_H

#define RAM_BASE      0x80000000UL
#define DMAP_BASE     0xffffffc000000000UL
#define DMAP_SIZE     0x2000000000UL          // 128 GiB of physical space
#define KVA_START     0xffffffe000000000UL
#define KVA_END       0xffffffff00000000UL
#define KERNBASE      0xffffffff80000000UL

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline void *PHYS_TO_DMAP(uint64_t pa) { return (void *)(DMAP_BASE + pa); }
static inline uint64_t DMAP_TO_PHYS(const void *va) { return (uint64_t)va - DMAP_BASE; }

// Physical address of a kernel virtual address in the direct map or the
// kernel image (for DMA descriptors and page-table roots).
static inline uint64_t kvtophys(const void *va)
{
  uint64_t v = (uint64_t)va;
  return v >= KERNBASE ? v - KERNBASE + RAM_BASE : v - DMAP_BASE;
}
#endif

#endif
