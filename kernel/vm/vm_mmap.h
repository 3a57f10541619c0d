// SPDX-License-Identifier: MIT
// The memory system calls of docs/semantics.md, machine-independent: argument
// checks, calls into the map, and the translation of KERN_* codes to errno.
// The kernel's syscall layer (kernel/sysmem.c) fetches arguments, turns a
// file descriptor into an object, and calls these; each returns 0 or a
// negative errno.
#ifndef VM_VM_MMAP_H
#define VM_VM_MMAP_H

#include "vm/mman.h"
#include "vm/vm.h"

struct vmspace;

// Translate a KERN_* code into a positive errno.
int vm_kern_to_errno(int kern);

// sbrk(n): move the break of vm by n bytes (either sign). Growth reserves
// zero-fill memory lazily (wired at once under MCL_FUTURE); shrinking frees
// the pages. *oldbrk gets the previous break. -ENOMEM past datalim (bytes
// of heap) or into another mapping; under MCL_FUTURE -ENOMEM past
// memlock_limit (RLIMIT_MEMLOCK's soft limit, bytes) and -EAGAIN past the
// system-wide wired limit. A refused call leaves the break as it was.
int vm_sbrk(struct vmspace *vm, long n, uint64_t datalim, rlim_t memlock_limit,
            vm_offset_t *oldbrk);

// Grow the stack of vm down to cover va, for a fault there: under
// mlockall(MCL_FUTURE) the growth is wired and must fit memlock_limit and
// the system-wide wired limit. A KERN_* code (a fault path, not a system
// call): anything but KERN_SUCCESS makes the fault a stack overflow, and
// over a limit the stack has not grown. Takes the map lock.
int vm_growstack(struct vmspace *vm, vm_offset_t va, rlim_t memlock_limit);

// A fault of the given type (one VM_PROT_* bit) at user address va in vm,
// from a trap or a kernel copy: vm_fault, and when va misses every entry
// but lies in a stack's growth area, vm_growstack and vm_fault again. The
// one place stack growth is decided. Returns vm_fault's KERN_* code (the
// first one when the stack could not grow). Call with nothing locked.
int vm_fault_user(struct vmspace *vm, vm_offset_t va, vm_prot_t type,
                  rlim_t memlock_limit);

// --- the memory system calls of docs/semantics.md -------------------------
// Each does every argument check of the docs/semantics.md table itself and
// returns 0 (or, for vm_mmap, stores the address in *out) or a negative
// errno. A call that fails with a checking error has changed nothing. Each
// takes the map lock itself; call with nothing locked.

struct vm_object;

// Where mmap looks for room when no usable hint is given (and after the
// hint's neighbourhood is full): well above any heap, below the stack.
#define VM_MMAP_BASE 0x1000000000UL

// The checks of mmap that need neither the map nor the file: len, prot and
// flag bits, MAP_SHARED/MAP_PRIVATE/MAP_ANON/MAP_EXCL combinations, fd and
// off of anonymous mappings, alignment. The syscall layer calls it before
// it looks at fd, so an invalid call is EINVAL whatever fd holds.
int vm_mmap_check(vm_offset_t addr, vm_size_t len, int prot, int flags,
                  long fd, vm_ooffset_t off);

// mmap. obj is NULL for anonymous memory, else the file's object with a
// reference the caller passes in: consumed on success, still the caller's
// on failure. obj_readable / obj_writable are the descriptor's rights.
// memlock_limit is RLIMIT_MEMLOCK's soft limit in bytes (used under
// mlockall(MCL_FUTURE), when the new mapping is wired at once).
int vm_mmap(struct vmspace *vm, vm_offset_t addr, vm_size_t len, int prot,
            int flags, struct vm_object *obj, vm_ooffset_t off,
            bool obj_readable, bool obj_writable, rlim_t memlock_limit,
            vm_offset_t *out);
int vm_munmap(struct vmspace *vm, vm_offset_t addr, vm_size_t len);
// mprotect under mlockall(MCL_FUTURE) wires PROT_NONE memory it makes
// accessible: -ENOMEM past memlock_limit, -EAGAIN past the system-wide
// wired limit, nothing changed.
int vm_mprotect(struct vmspace *vm, vm_offset_t addr, vm_size_t len, int prot,
                rlim_t memlock_limit);
int vm_madvise(struct vmspace *vm, vm_offset_t addr, vm_size_t len, int advice);
int vm_minherit(struct vmspace *vm, vm_offset_t addr, vm_size_t len,
                int inherit);
// mlock / munlock round [addr, addr + len) out to whole pages. Wiring is
// not nested: one munlock undoes any number of mlocks.
int vm_mlock(struct vmspace *vm, vm_offset_t addr, vm_size_t len,
             rlim_t memlock_limit);
int vm_munlock(struct vmspace *vm, vm_offset_t addr, vm_size_t len);
int vm_mlockall(struct vmspace *vm, int flags, rlim_t memlock_limit);
int vm_munlockall(struct vmspace *vm);
// mincore into a kernel buffer: vec[i] gets the MINCORE_* bits of page i
// of [addr, addr + len); vec must hold atop(round_page(len)) bytes. With
// vec NULL only the arguments are checked (EINVAL, ENOMEM for a hole).
int vm_mincore(struct vmspace *vm, vm_offset_t addr, vm_size_t len, char *vec);
int vm_msync(struct vmspace *vm, vm_offset_t addr, vm_size_t len, int flags);

// Is the system-wide wired limit (three quarters of RAM) enough for npages
// more wired pages?
bool vm_wire_limit_ok(size_t npages);

#endif
