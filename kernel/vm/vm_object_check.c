// SPDX-License-Identifier: MIT
// vm_object_check: a memory object's invariant checker (the invariants are
// listed at the top of vm_object.c). It walks the object's pages and its
// shadow list, so it runs in tests, and in the kernel at every shadow,
// collapse and bypass when vm_check_level is on (vm.h); it panics with the
// first invariant that fails.
//
// Locking: takes obj's lock unless the caller holds it; reads the backing
// object, which obj's reference keeps alive, without its lock.
#include "lib/lock.h"
#include "vm/swap_pager.h"
#include "vm/vm_object.h"
#include "vm/vm_object_internal.h"
#include "vm/vm_page.h"

typedef unsigned long long ull;         // for printing pindexes

static void vm_object_check_pages(struct vm_object *obj)
{
  struct avl_node *n;
  struct vm_page *m, *prev = NULL;
  size_t count;

  count = avl_check(&obj->memq);
  KASSERT(count == obj->resident_count,
          ("vm_object_check: object %u has %lu pages, count %u", obj->id,
           (unsigned long)count, obj->resident_count));
  for (n = avl_first(&obj->memq); n != NULL; n = avl_next(n)) {
    m = container_of(n, struct vm_page, onode);
    KASSERT(m->object == obj, ("vm_object_check: page %p in object %u "
                               "names another owner", (void *)m, obj->id));
    KASSERT(prev == NULL || prev->pindex < m->pindex,
            ("vm_object_check: object %u pages out of order at %llu",
             obj->id, (ull)m->pindex));
    KASSERT((obj->flags & OBJ_ANON) == 0 || m->pindex < obj->size,
            ("vm_object_check: object %u page %llu beyond size %llu",
             obj->id, (ull)m->pindex, (ull)obj->size));
    prev = m;
  }
}

static void vm_object_check_shadows(struct vm_object *obj)
{
  struct list_node *ln;
  struct vm_object *shadow;
  int32_t count = 0;

  list_for_each(ln, &obj->shadows) {
    shadow = container_of(ln, struct vm_object, shadow_link);
    KASSERT(shadow->magic == VM_OBJECT_MAGIC &&
            shadow->backing_object == obj,
            ("vm_object_check: object %u has a bad shadow %p", obj->id,
             (void *)shadow));
    count++;
  }
  KASSERT(count == obj->shadow_count,
          ("vm_object_check: object %u has %d shadows, count %d", obj->id,
           count, obj->shadow_count));
  KASSERT(vm_object_refs(obj) >= count,
          ("vm_object_check: object %u has %d references, %d shadows",
           obj->id, vm_object_refs(obj), count));
  KASSERT(count == 0 || (obj->flags & OBJ_ONEMAPPING) == 0,
          ("vm_object_check: object %u is ONEMAPPING with %d shadows",
           obj->id, count));
}

// The backing object cannot die under obj's lock (obj holds a reference),
// so it is read without its own lock; vm_object_check of the backing
// object itself checks its shadow list.
static void vm_object_check_backing(struct vm_object *obj)
{
  struct vm_object *backing = obj->backing_object;

  KASSERT(backing != NULL || obj->backing_offset == 0,
          ("vm_object_check: object %u has an offset but no backing", obj->id));
  KASSERT(backing == NULL ||
          (backing->magic == VM_OBJECT_MAGIC && vm_object_refs(backing) > 0 &&
           (backing->flags & OBJ_DEAD) == 0 && backing->shadow_count > 0 &&
           page_aligned(obj->backing_offset)),
          ("vm_object_check: object %u has a bad backing object", obj->id));
}

void vm_object_check(struct vm_object *obj)
{
  bool held;

  KASSERT(obj != NULL && obj->magic == VM_OBJECT_MAGIC,
          ("vm_object_check: %p is not a live object", (void *)obj));
  held = mtx_owned(&obj->lock);
  if (!held)
    mtx_lock(&obj->lock);
  KASSERT(obj->type < OBJT_DEAD && (obj->flags & OBJ_DEAD) == 0 &&
          (vm_object_refs(obj) > 0) != ((obj->flags & OBJ_CACHED) != 0),
          ("vm_object_check: object %u type %u flags 0x%x refs %d", obj->id,
           obj->type, obj->flags, vm_object_refs(obj)));
  // The pageout code's references are among the count, never all of it.
  KASSERT(obj->pageout_refs >= 0 &&
          (obj->pageout_refs == 0 || obj->pageout_refs < vm_object_refs(obj)),
          ("vm_object_check: object %u has %d pageout references of %d",
           obj->id, obj->pageout_refs, vm_object_refs(obj)));
  vm_object_check_pages(obj);
  vm_object_check_shadows(obj);
  vm_object_check_backing(obj);
  swap_pager_check(obj);
  if (!held)
    mtx_unlock(&obj->lock);
}
