// SPDX-License-Identifier: MIT
// The memory system calls of SEMANTICS.md, machine-independent: argument
// checks, calls into the map, and the translation of KERN_* codes to errno.
// The kernel's syscall layer (kernel/sysmem.c) fetches arguments, turns a
// file descriptor into an object, and calls these; each returns 0 or a
// negative errno.
#ifndef VM_VM_MMAP_H
#define VM_VM_MMAP_H

#include "vm/vm.h"

struct vmspace;

// Translate a KERN_* code into a positive errno.
int vm_kern_to_errno(int kern);

// sbrk(n): move the break of vm by n bytes (either sign). Growth reserves
// zero-fill memory lazily (wired at once under MCL_FUTURE); shrinking frees
// the pages. *oldbrk gets the previous break. -ENOMEM past datalim (bytes
// of heap) or into another mapping.
int vm_sbrk(struct vmspace *vm, long n, uint64_t datalim, vm_offset_t *oldbrk);

#endif
