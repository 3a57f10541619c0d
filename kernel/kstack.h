// SPDX-License-Identifier: MIT
// Kernel stacks: KSTACK_PAGES wired pages in kernel_map with an unmapped
// guard page below, so running off the bottom faults instead of silently
// overwriting whatever lies there.
#ifndef KERNEL_KSTACK_H
#define KERNEL_KSTACK_H

#include "lib/types.h"

#define KSTACK_PAGES  4
#define KSTACK_SIZE   (KSTACK_PAGES * 4096UL)

// A new stack: returns its top (the first address above it), or 0 when
// memory or kernel address space is short. May sleep (kernel_map's lock).
vm_offset_t kstack_alloc(void);

// Free a stack kstack_alloc returned, by its top. Nothing may run on it.
void kstack_free(vm_offset_t top);

#endif
