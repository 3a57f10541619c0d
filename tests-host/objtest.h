// SPDX-License-Identifier: MIT
// Helpers shared by the vm_object host tests (test_vm_object.c,
// test_vm_object_chain.c). Pages are allocated straight into objects with
// vm_page_alloc and tagged with a byte written through their kernel
// address, so a test can tell which page a lookup found. chain_read() walks
// a shadow chain as the fault path does and is the reference for "what a
// process would see".
#ifndef OBJTEST_H
#define OBJTEST_H

#include <criterion/criterion.h>
#include <string.h>

#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vmtest.h"

// A page at pindex of obj, not busy, filled with tag.
static inline struct vm_page *page_at(struct vm_object *obj, vm_pindex_t pindex,
                               uint8_t tag)
{
  struct vm_page *m;

  mtx_lock(&obj->lock);
  m = vm_page_alloc(obj, pindex, VM_ALLOC_NOBUSY);
  mtx_unlock(&obj->lock);
  cr_assert_not_null(m, "out of pages");
  memset(pmap_page_kva(m), tag, PAGE_SIZE);
  return m;
}

static inline uint8_t page_tag(struct vm_page *m)
{
  return *(uint8_t *)pmap_page_kva(m);
}

static inline struct vm_page *lookup(struct vm_object *obj, vm_pindex_t pindex)
{
  struct vm_page *m;

  mtx_lock(&obj->lock);
  m = vm_object_page_lookup(obj, pindex);
  mtx_unlock(&obj->lock);
  return m;
}

// Find pindex through obj's chain as a fault would: the page, and in
// *where the object holding it; NULL if no object has it (zero fill).
static inline struct vm_page *chain_lookup(struct vm_object *obj, vm_pindex_t pindex,
                                    struct vm_object **where)
{
  struct vm_object *cur = obj, *next;
  struct vm_page *m;

  mtx_lock(&cur->lock);
  while ((m = vm_object_page_lookup(cur, pindex)) == NULL &&
         (next = cur->backing_object) != NULL) {
    pindex += atop(cur->backing_offset);
    mtx_lock(&next->lock);
    mtx_unlock(&cur->lock);
    cur = next;
  }
  if (where != NULL)
    *where = m != NULL ? cur : NULL;
  mtx_unlock(&cur->lock);
  return m;
}

// The byte a process mapping obj would read at page pindex.
static inline uint8_t chain_read(struct vm_object *obj, vm_pindex_t pindex)
{
  struct vm_page *m = chain_lookup(obj, pindex, NULL);

  return m != NULL ? page_tag(m) : 0;
}

static inline void collapse(struct vm_object *obj)
{
  mtx_lock(&obj->lock);
  vm_object_collapse(obj);
  mtx_unlock(&obj->lock);
}

// A shadow of *objp at offset pages, npages long; *objp becomes it.
static inline void shadow(struct vm_object **objp, vm_pindex_t offset, vm_pindex_t npages)
{
  vm_ooffset_t off = ptoa(offset);

  cr_assert_eq(vm_object_shadow(objp, &off, ptoa(npages)), KERN_SUCCESS);
  cr_assert_eq(off, 0);
}

static inline void page_remove(struct vm_object *obj, vm_pindex_t start,
                        vm_pindex_t end, int flags)
{
  mtx_lock(&obj->lock);
  vm_object_page_remove(obj, start, end, flags);
  mtx_unlock(&obj->lock);
}

static inline void madvise(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end,
                    int advice)
{
  mtx_lock(&obj->lock);
  vm_object_madvise(obj, start, end, advice);
  mtx_unlock(&obj->lock);
}

#endif
