// SPDX-License-Identifier: MIT
// Helpers shared by the parts of the object module, vm_object.c (life
// cycle, shadow chains), vm_object_page.c (the page index) and
// vm_object_range.c (range operations). Nothing outside them includes
// this.
#ifndef VM_VM_OBJECT_INTERNAL_H
#define VM_VM_OBJECT_INTERNAL_H

#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"

// The page of a node of an object's memq (NULL for NULL).
static inline struct vm_page *vm_object_node_page(struct avl_node *n)
{
  return n == NULL ? NULL : container_of(n, struct vm_page, onode);
}

// Defined in vm_object.c.

// The reference count, read atomically (see vm_object.c's module comment).
int32_t vm_object_refs(const struct vm_object *obj);
// Sleep until m is not busy, then lock obj again. m may be gone afterwards.
void vm_object_busy_wait(struct vm_object *obj, struct vm_page *m);
// Is m dirty? Moves the pmap's modified bit into PG_DIRTY.
bool vm_object_page_test_dirty(struct vm_page *m);
// Is m a page at an index below end (end 0: no limit)?
bool vm_object_in_range(const struct vm_page *m, vm_pindex_t end);

#endif
