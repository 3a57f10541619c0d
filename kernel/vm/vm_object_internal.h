// SPDX-License-Identifier: MIT
// Helpers shared by the two halves of the object module, vm_object.c (life
// cycle, shadow chains) and vm_object_range.c (range operations). Nothing
// outside those two files includes this.
#ifndef VM_VM_OBJECT_INTERNAL_H
#define VM_VM_OBJECT_INTERNAL_H

#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"

// The reference count; written atomically (see vm_object.c's module comment).
static inline int32_t vm_object_refs(const struct vm_object *obj)
{
  return __atomic_load_n(&obj->ref_count, __ATOMIC_ACQUIRE);
}

// Sleep until m is not busy, then lock obj again. m may be gone afterwards.
static inline void vm_object_busy_wait(struct vm_object *obj, struct vm_page *m)
{
  vm_page_busy_sleep(m);
  mtx_lock(&obj->lock);
}

// Is m dirty? Moves the pmap's modified bit into PG_DIRTY.
static inline bool vm_object_page_test_dirty(struct vm_page *m)
{
  if ((m->flags & PG_DIRTY) == 0 && pmap_is_modified(m))
    vm_page_dirty(m);
  return (m->flags & PG_DIRTY) != 0;
}

static inline bool vm_object_in_range(const struct vm_page *m, vm_pindex_t end)
{
  return m != NULL && (end == 0 || m->pindex < end);
}

#endif
