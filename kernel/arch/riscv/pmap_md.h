// SPDX-License-Identifier: MIT
// The machine-dependent side of the pmap (kernel/arch/riscv/pmap.c): what
// boot code and the scheduler call that the machine-independent VM never
// does. kernel/vm/pmap.h is the rest of the interface.
//
// Boot order on hart 0: fdt parsing (platform), pmap_bootstrap, then
// kernel_map_init (kernel/kstack.c) once vm_map_startup has run, then
// kstack_alloc for the first process. Every other hart calls
// pmap_init_hart before it enables interrupts.
#ifndef RISCV_PMAP_MD_H
#define RISCV_PMAP_MD_H

#include "lib/types.h"

struct pmap;
struct vm_map;

// Build the kernel page table (direct map of RAM and of the device region
// [0, 1 GiB), the kernel image at KERNBASE, empty tables for kernel_map),
// switch this hart to it, probe the ASID bits, place the vm_page array in
// RAM after kernel_end_pa and give the rest of RAM to vm_page_startup.
// Called once, by hart 0, after the device tree has filled `platform`.
void pmap_bootstrap(paddr_t kernel_end_pa);

// Load the kernel page table on this hart (every hart but the boot one,
// which pmap_bootstrap switches itself).
void pmap_init_hart(void);

// Make pm the address space of this hart (kernel_pmap for kernel threads).
// Call with interrupts off, at a context switch; user pmaps must be
// activated before returning to user mode.
void pmap_activate(struct pmap *pm);

// The kernel's own map over [KVA_START, KVA_END), backed by kernel_pmap:
// kernel stacks and their guard pages (kernel/kstack.c owns both).
extern struct vm_map kernel_map;
void kernel_map_init(void);

#endif
