// SPDX-License-Identifier: MIT
// Host stand-in for kernel/arch/riscv/memlayout.h when the Sv39 pmap is
// compiled for the host tests (tests-host/sv39/sv39.mk puts this folder
// first on the include path). Physical memory is a host buffer and a
// page's physical address is its host address, so the "direct map" is the
// identity. The virtual layout constants are the machine's.
#ifndef RISCV_MEMLAYOUT_H
#define RISCV_MEMLAYOUT_H

#include <stdint.h>

#define RAM_BASE      0x80000000UL
#define DMAP_BASE     0xffffffc000000000UL
#define DMAP_SIZE     0x2000000000UL
#define KVA_START     0xffffffe000000000UL
#define KVA_END       0xffffffff00000000UL
#define KERNBASE      0xffffffff80000000UL

static inline void *PHYS_TO_DMAP(uint64_t pa) { return (void *)(uintptr_t)pa; }
static inline uint64_t DMAP_TO_PHYS(const void *va) { return (uint64_t)(uintptr_t)va; }

#endif
