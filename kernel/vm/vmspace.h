// SPDX-License-Identifier: MIT
// Address spaces: what a process owns. A vmspace is a vm_map plus the pmap
// that caches its translations, a reference count (threads and the kernel
// may hold it while using it), and the layout a process needs (heap break).
//
// vmspace_fork gives the child each parent entry according to its
// inheritance: SHARE maps the same object, COPY makes a copy-on-write copy
// (the parent's range is write-protected and both entries marked
// NEEDS_COPY; wired private pages are copied at once), NONE leaves a hole,
// ZERO gives fresh zero-fill memory. The child is never wired. Its cost is
// proportional to the entries and the pages mapped, not to memory size.
#ifndef VM_VMSPACE_H
#define VM_VMSPACE_H

#include "vm/vm_map.h"

struct vmspace {
  struct vm_map vm_map;          // the map; its pmap is vm_map.pmap
  int32_t vm_refcnt;             // (a)
  vm_offset_t vm_daddr;          // (m) start of the heap
  vm_offset_t vm_break;          // (m) current break: heap is [daddr, break)
  vm_offset_t vm_maxsaddr;       // (m) lowest address the stack may reach
};

// A new, empty address space covering [min, max), or NULL when out of
// memory.
struct vmspace *vmspace_alloc(vm_offset_t min, vm_offset_t max);

void vmspace_ref(struct vmspace *vm);
// Drop a reference; the last one removes every mapping and frees all.
void vmspace_free(struct vmspace *vm);

// A child address space for fork, or NULL when out of memory (the parent is
// unchanged but may have had entries shadowed, which is harmless). Takes
// the parent's map lock.
struct vmspace *vmspace_fork(struct vmspace *parent);

static inline struct pmap *vmspace_pmap(struct vmspace *vm)
{
  return vm->vm_map.pmap;
}

// Pages resident in / wired into this address space's pmap.
size_t vmspace_resident_count(struct vmspace *vm);
size_t vmspace_wired_count(struct vmspace *vm);
// Pages of anonymous memory, resident or on swap, in the front objects of
// this address space's entries: the out-of-memory rule's size. Takes the
// map's read lock and each object's lock.
size_t vmspace_anon_count(struct vmspace *vm);

#endif
