// SPDX-License-Identifier: MIT
// Host tests of kernel/vm/vm_object.c and vm_object_range.c: the page
// index, references and termination, shadows, and the range operations
// (page_remove, page_clean, madvise, coalesce). Collapse and bypass are in
// test_vm_object_chain.c; the helpers both use are in objtest.h.
// Every test ends in the strict teardown: all pages free, no object, kmem
// object or pmap left alive.
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "host_fakepager.h"
#include "host_kmem.h"
#include "host_panic.h"
#include "host_pmap.h"
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vmtest.h"

#define NPAGES 4096

static size_t free_at_boot;

static void setup(void)
{
  vmtest_boot(NPAGES);
  host_fakepager_install(0, 0);   // file objects in every test: empty files
  free_at_boot = vm_page_free_count();
}

static void teardown(void)
{
  cr_assert_eq(vm_object_count(), 0, "%zu objects leaked", vm_object_count());
  cr_assert_eq(vm_page_free_count(), free_at_boot, "pages leaked");
  vmtest_teardown_strict();
}

TestSuite(vm_object, .init = setup, .fini = teardown);

#include "objtest.h"

// ---------------------------------------------------------------------------
// Allocation, references, termination.

Test(vm_object, allocate_sets_defaults)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 7);
  struct vm_object *vobj = vm_object_allocate(OBJT_VNODE, 3);

  cr_assert_not_null(obj);
  cr_assert_eq(obj->size, 7);
  cr_assert_eq(obj->ref_count, 1);
  cr_assert_eq(obj->flags, OBJ_ANON | OBJ_ONEMAPPING);
  cr_assert_eq(obj->magic, VM_OBJECT_MAGIC);
  cr_assert_null(obj->backing_object);
  cr_assert_eq(obj->resident_count, 0);
  cr_assert_eq(vobj->flags & OBJ_ANON, 0);
  cr_assert_neq(obj->id, vobj->id);
  cr_assert_eq(vm_object_count(), 2);
  vm_object_check(obj);
  vm_object_check(vobj);
  vm_object_deallocate(obj);
  vm_object_deallocate(vobj);
}

Test(vm_object, allocate_fails_cleanly_without_kernel_memory)
{
  host_kmem_fail_after(0);
  cr_assert_null(vm_object_allocate(OBJT_DEFAULT, 1));
  host_kmem_fail_after(-1);
  cr_assert_eq(vm_object_count(), 0);
}

Test(vm_object, reference_and_deallocate_count)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  vm_object_reference(obj);
  vm_object_reference(obj);
  cr_assert_eq(obj->ref_count, 3);
  vm_object_deallocate(obj);
  vm_object_deallocate(obj);
  cr_assert_eq(obj->ref_count, 1);
  cr_assert_eq(vm_object_count(), 1);
  vm_object_deallocate(obj);
  cr_assert_eq(vm_object_count(), 0);
}

Test(vm_object, last_deallocate_frees_pages)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 64);

  for (vm_pindex_t i = 0; i < 64; i += 2)
    page_at(obj, i, (uint8_t)i);
  cr_assert_eq(obj->resident_count, 32);
  cr_assert_eq(vm_page_free_count(), free_at_boot - 32);
  vm_object_deallocate(obj);
  cr_assert_eq(vm_page_free_count(), free_at_boot);
}

Test(vm_object, termination_unmaps_pages)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);
  struct pmap *pmap = pmap_create();

  for (vm_pindex_t i = 0; i < 4; i++) {
    struct vm_page *m = page_at(obj, i, 1);
    cr_assert_eq(pmap_enter(pmap, 0x10000 + ptoa(i), m, VM_PROT_RW, 0),
                 KERN_SUCCESS);
  }
  cr_assert_eq(host_pmap_count(pmap), 4);
  vm_object_deallocate(obj);
  cr_assert_eq(host_pmap_count(pmap), 0);
  pmap_destroy(pmap);
}

Test(vm_object, deallocate_without_reference_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  expect_panic("vm_object_deallocate: object * has no reference");
  obj->ref_count = 0;          // as after one deallocate too many
  vm_object_deallocate(obj);
}

Test(vm_object, deallocate_of_shadowed_object_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);
  struct vm_object *front = obj;

  expect_panic("vm_object_terminate: object * still has shadows");
  shadow(&front, 0, 1);
  vm_object_deallocate(obj);   // the reference was the shadow's, not ours
}

Test(vm_object, checker_catches_pageout_references_without_a_user,
     .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  expect_panic("vm_object_check: object * has 1 pageout references of 1");
  obj->pageout_refs = 1;       // the pageout code's would be the last
  vm_object_check(obj);
}

Test(vm_object, reference_of_dead_object_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  expect_panic("vm_object_reference: object * is dead");
  obj->ref_count = 0;
  vm_object_reference(obj);
}

Test(vm_object, wired_page_at_termination_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);
  struct vm_page *m = page_at(obj, 0, 1);

  expect_panic("vm_object_terminate: object * has a wired or busy page");
  mtx_lock(&obj->lock);
  vm_page_wire(m);
  mtx_unlock(&obj->lock);
  vm_object_deallocate(obj);
}

// ---------------------------------------------------------------------------
// The page index.

Test(vm_object, lookup_ge_next_walk_in_order)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 100);
  static const vm_pindex_t idx[] = { 50, 3, 99, 10, 0, 11, 70 };
  struct vm_page *m;
  vm_pindex_t prev = 0;
  int n = 0;

  for (size_t i = 0; i < nitems(idx); i++)
    page_at(obj, idx[i], (uint8_t)idx[i]);
  mtx_lock(&obj->lock);
  cr_assert_eq(page_tag(vm_object_page_lookup(obj, 11)), 11);
  cr_assert_null(vm_object_page_lookup(obj, 12));
  cr_assert_eq(vm_object_page_ge(obj, 12)->pindex, 50);
  cr_assert_eq(vm_object_page_ge(obj, 50)->pindex, 50);
  cr_assert_eq(vm_object_page_ge(obj, 0)->pindex, 0);
  cr_assert_null(vm_object_page_ge(obj, 100));
  for (m = vm_object_page_ge(obj, 0); m != NULL;
       m = vm_object_page_next(obj, m), n++) {
    cr_assert(n == 0 || m->pindex > prev);
    prev = m->pindex;
  }
  mtx_unlock(&obj->lock);
  cr_assert_eq(n, (int)nitems(idx));
  cr_assert_eq(obj->resident_count, nitems(idx));
  vm_object_check(obj);
  vm_object_deallocate(obj);
}

Test(vm_object, lookup_requires_the_lock, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  expect_panic("vm_object_page_lookup: mutex vm_object not owned");
  vm_object_page_lookup(obj, 0);
}

Test(vm_object, insert_of_duplicate_index_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);

  expect_panic("vm_object_page_insert: object * already has page");
  page_at(obj, 2, 0);
  page_at(obj, 2, 0);
}

Test(vm_object, page_free_unlinks_from_object)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);
  struct vm_page *m = page_at(obj, 1, 0);

  page_at(obj, 2, 0);
  mtx_lock(&obj->lock);
  vm_page_free(m);
  cr_assert_null(vm_object_page_lookup(obj, 1));
  mtx_unlock(&obj->lock);
  cr_assert_eq(obj->resident_count, 1);
  vm_object_check(obj);
  vm_object_deallocate(obj);
}

// Thousands of random inserts and removes against a bitmap model.
Test(vm_object, random_index_matches_model)
{
  enum { RANGE = 3000, STEPS = 20000 };
  static struct vm_page *model[RANGE];
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, RANGE);
  struct vm_page *m;
  size_t live = 0;

  for (int step = 0; step < STEPS; step++) {
    vm_pindex_t i = vmtest_rand_below(RANGE);
    mtx_lock(&obj->lock);
    if (model[i] == NULL && live < NPAGES / 2) {
      model[i] = vm_page_alloc(obj, i, VM_ALLOC_NOBUSY);
      cr_assert_not_null(model[i]);
      live++;
    } else if (model[i] != NULL) {
      vm_page_free(model[i]);
      model[i] = NULL;
      live--;
    }
    cr_assert_eq(vm_object_page_lookup(obj, i), model[i]);
    vm_pindex_t j = vmtest_rand_below(RANGE), k = j;
    while (k < RANGE && model[k] == NULL)
      k++;
    m = vm_object_page_ge(obj, j);
    cr_assert_eq(m, k < RANGE ? model[k] : NULL, "ge(%llu)",
                 (unsigned long long)j);
    mtx_unlock(&obj->lock);
    cr_assert_eq(obj->resident_count, live);
    if (step % 1000 == 0)
      vm_object_check(obj);
  }
  vm_object_check(obj);
  vm_object_deallocate(obj);
}

Test(vm_object, rename_moves_page_between_objects)
{
  struct vm_object *a = vm_object_allocate(OBJT_DEFAULT, 8);
  struct vm_object *b = vm_object_allocate(OBJT_DEFAULT, 8);
  struct vm_page *m = page_at(a, 5, 0x55);

  mtx_lock(&a->lock);
  mtx_lock(&b->lock);
  vm_object_page_rename(m, b, 2);
  cr_assert_null(vm_object_page_lookup(a, 5));
  cr_assert_eq(vm_object_page_lookup(b, 2), m);
  mtx_unlock(&b->lock);
  mtx_unlock(&a->lock);
  cr_assert_eq(m->object, b);
  cr_assert_eq(m->pindex, 2);
  cr_assert(m->flags & PG_DIRTY);
  cr_assert_eq(a->resident_count, 0);
  cr_assert_eq(b->resident_count, 1);
  vm_object_check(a);
  vm_object_check(b);
  vm_object_deallocate(a);
  vm_object_deallocate(b);
}

Test(vm_object, rename_within_one_object)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 8);
  struct vm_page *m = page_at(obj, 0, 1);

  page_at(obj, 3, 3);
  mtx_lock(&obj->lock);
  vm_object_page_rename(m, obj, 7);
  mtx_unlock(&obj->lock);
  cr_assert_eq(lookup(obj, 7), m);
  cr_assert_null(lookup(obj, 0));
  vm_object_check(obj);
  vm_object_deallocate(obj);
}

// ---------------------------------------------------------------------------
// Shadows.

Test(vm_object, shadow_of_nothing_is_a_fresh_object)
{
  struct vm_object *obj = NULL;
  vm_ooffset_t off = ptoa(3);

  cr_assert_eq(vm_object_shadow(&obj, &off, ptoa(4)), KERN_SUCCESS);
  cr_assert_not_null(obj);
  cr_assert_null(obj->backing_object);
  cr_assert_eq(off, 0);
  cr_assert_eq(obj->size, 4);
  vm_object_deallocate(obj);
}

Test(vm_object, shadow_links_backing_object)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 16);
  struct vm_object *obj = base;

  shadow(&obj, 4, 8);
  cr_assert_neq(obj, base);
  cr_assert_eq(obj->backing_object, base);
  cr_assert_eq(obj->backing_offset, ptoa(4));
  cr_assert_eq(obj->size, 8);
  cr_assert_eq(obj->flags, OBJ_ANON | OBJ_ONEMAPPING);
  cr_assert_eq(base->shadow_count, 1);
  cr_assert_eq(base->ref_count, 1);       // the caller's, moved to the shadow
  cr_assert_eq(base->flags & OBJ_ONEMAPPING, 0);
  cr_assert_eq(vm_object_shadow_depth(obj), 2);
  vmtest_check_object_tree(base);
  vm_object_deallocate(obj);              // the whole chain goes
}

Test(vm_object, shadow_fails_cleanly_without_kernel_memory)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4), *orig = obj;
  vm_ooffset_t off = PAGE_SIZE;

  host_kmem_fail_after(0);
  cr_assert_eq(vm_object_shadow(&obj, &off, ptoa(2)), KERN_RESOURCE_SHORTAGE);
  host_kmem_fail_after(-1);
  cr_assert_eq(obj, orig);
  cr_assert_eq(off, PAGE_SIZE);
  cr_assert_eq(obj->shadow_count, 0);
  vm_object_deallocate(obj);
}

Test(vm_object, lookups_go_down_the_chain_adding_offsets)
{
  struct vm_object *bottom = vm_object_allocate(OBJT_DEFAULT, 32);
  struct vm_object *mid, *top, *where;

  for (vm_pindex_t i = 0; i < 32; i++)
    page_at(bottom, i, (uint8_t)(100 + i));
  mid = bottom;
  shadow(&mid, 2, 20);                     // mid[i] = bottom[i + 2]
  page_at(mid, 1, 1);
  top = mid;
  shadow(&top, 3, 10);                     // top[i] = mid[i + 3]
  page_at(top, 0, 2);
  cr_assert_eq(chain_read(top, 0), 2);
  cr_assert_eq(chain_read(top, 1), 100 + 1 + 3 + 2);
  cr_assert_eq(chain_lookup(top, 1, &where)->pindex, 6);
  cr_assert_eq(where, bottom);
  cr_assert_eq(chain_read(mid, 1), 1);
  cr_assert_eq(vm_object_shadow_depth(top), 3);
  vmtest_check_object_tree(bottom);
  vm_object_deallocate(top);
}

Test(vm_object, shadow_depth_works_with_lock_held)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  shadow(&obj, 0, 1);
  mtx_lock(&obj->lock);
  cr_assert_eq(vm_object_shadow_depth(obj), 2);
  cr_assert(mtx_owned(&obj->lock));
  mtx_unlock(&obj->lock);
  vm_object_deallocate(obj);
}

// ---------------------------------------------------------------------------
// Range operations.

Test(vm_object, page_remove_frees_a_range)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 10);

  for (vm_pindex_t i = 0; i < 10; i++)
    page_at(obj, i, 0);
  page_remove(obj, 3, 7, 0);
  cr_assert_eq(obj->resident_count, 6);
  for (vm_pindex_t i = 0; i < 10; i++)
    cr_assert_eq(lookup(obj, i) == NULL, i >= 3 && i < 7);
  page_remove(obj, 8, 0, 0);               // end 0: to the end
  cr_assert_eq(obj->resident_count, 4);
  cr_assert_not_null(lookup(obj, 7));
  vm_object_check(obj);
  vm_object_deallocate(obj);
  cr_assert_eq(vm_page_free_count(), free_at_boot);
}

Test(vm_object, page_remove_unmaps_first)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 2);
  struct pmap *pmap = pmap_create();

  pmap_enter(pmap, 0x20000, page_at(obj, 0, 0), VM_PROT_READ, 0);
  pmap_enter(pmap, 0x21000, page_at(obj, 1, 0), VM_PROT_READ, 0);
  page_remove(obj, 0, 1, 0);
  cr_assert_eq(host_pmap_count(pmap), 1);
  cr_assert(host_pmap_lookup(pmap, 0x21000, NULL, NULL, NULL));
  vm_object_deallocate(obj);
  pmap_destroy(pmap);
}

Test(vm_object, page_remove_skips_wired_pages_when_told)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);
  struct vm_page *w;

  for (vm_pindex_t i = 0; i < 4; i++)
    page_at(obj, i, 0);
  w = lookup(obj, 2);
  mtx_lock(&obj->lock);
  vm_page_wire(w);
  vm_object_page_remove(obj, 0, 0, OBJPR_NOTWIRED);
  cr_assert_eq(vm_object_page_lookup(obj, 2), w);
  cr_assert_eq(obj->resident_count, 1);
  vm_page_unwire(w, false);
  mtx_unlock(&obj->lock);
  vm_object_deallocate(obj);
}

Test(vm_object, page_remove_of_wired_page_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);
  struct vm_page *m = page_at(obj, 1, 0);

  expect_panic("vm_object_page_remove: object * page * is wired");
  mtx_lock(&obj->lock);
  vm_page_wire(m);
  vm_object_page_remove(obj, 0, 0, 0);
}

Test(vm_object, page_remove_cleanonly_keeps_dirty_pages)
{
  struct vm_object *obj = vm_object_allocate(OBJT_VNODE, 4);
  struct pmap *pmap = pmap_create();
  struct vm_page *d = page_at(obj, 0, 0), *w = page_at(obj, 1, 0);
  vm_prot_t prot;

  page_at(obj, 2, 0);
  vm_page_dirty(d);
  pmap_enter(pmap, 0x30000, w, VM_PROT_RW, 0);
  cr_assert(host_pmap_access(pmap, 0x30000, VM_PROT_WRITE));
  page_remove(obj, 0, 0, OBJPR_CLEANONLY);
  cr_assert_eq(lookup(obj, 0), d);
  cr_assert_eq(lookup(obj, 1), w);
  cr_assert_null(lookup(obj, 2));
  cr_assert(host_pmap_lookup(pmap, 0x30000, NULL, &prot, NULL));
  cr_assert_eq(prot & VM_PROT_WRITE, 0);
  vm_object_deallocate(obj);
  pmap_destroy(pmap);
}

Test(vm_object, madvise_dontneed_deactivates_unwired_pages)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 6);
  struct vm_page *w;

  for (vm_pindex_t i = 0; i < 6; i++)
    page_at(obj, i, (uint8_t)i);
  w = lookup(obj, 2);
  mtx_lock(&obj->lock);
  vm_page_wire(w);
  mtx_unlock(&obj->lock);
  madvise(obj, 1, 5, VM_BEHAV_DONTNEED);
  for (vm_pindex_t i = 0; i < 6; i++) {
    struct vm_page *m = lookup(obj, i);
    cr_assert_eq(page_tag(m), i, "contents kept");
    cr_assert_eq(m->queue == PQ_INACTIVE, i >= 1 && i < 5 && i != 2);
  }
  mtx_lock(&obj->lock);
  vm_page_unwire(w, false);
  mtx_unlock(&obj->lock);
  vm_object_deallocate(obj);
}

Test(vm_object, madvise_free_discards_private_pages)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 6);
  struct vm_page *w;

  for (vm_pindex_t i = 0; i < 6; i++)
    page_at(obj, i, 1);
  w = lookup(obj, 3);
  mtx_lock(&obj->lock);
  vm_page_wire(w);
  mtx_unlock(&obj->lock);
  madvise(obj, 2, 0, VM_BEHAV_FREE);
  cr_assert_eq(obj->resident_count, 3);
  cr_assert_eq(lookup(obj, 3), w);
  cr_assert_not_null(lookup(obj, 1));
  mtx_lock(&obj->lock);
  vm_page_unwire(w, false);
  mtx_unlock(&obj->lock);
  vm_object_deallocate(obj);
}

Test(vm_object, madvise_free_keeps_shared_or_backed_pages)
{
  struct vm_object *shared = vm_object_allocate(OBJT_DEFAULT, 2);
  struct vm_object *front = shared;

  page_at(shared, 0, 1);
  vm_object_reference(shared);
  madvise(shared, 0, 0, VM_BEHAV_FREE);    // two references
  cr_assert_eq(shared->resident_count, 1);
  shadow(&front, 0, 2);
  page_at(front, 0, 2);
  madvise(front, 0, 0, VM_BEHAV_FREE);     // would uncover older data
  cr_assert_eq(chain_read(front, 0), 2);
  madvise(shared, 0, 0, VM_BEHAV_FREE);    // has a shadow
  cr_assert_eq(shared->resident_count, 1);
  vm_object_deallocate(front);
  vm_object_deallocate(shared);
}

Test(vm_object, coalesce_grows_a_private_object)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 6);

  cr_assert(vm_object_coalesce(NULL, 0, PAGE_SIZE, PAGE_SIZE));
  page_at(obj, 5, 9);                      // left over past the mapping
  cr_assert(vm_object_coalesce(obj, 0, ptoa(4), ptoa(4)));
  cr_assert_eq(obj->size, 8);
  cr_assert_null(lookup(obj, 5), "a stale page must not reappear");
  vm_object_check(obj);
  vm_object_deallocate(obj);
}

Test(vm_object, coalesce_refuses_shared_or_backed_objects)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 4);
  struct vm_object *obj = base;

  page_at(base, 0, 1);                     // shows through any shadow
  vm_object_reference(base);
  cr_assert_not(vm_object_coalesce(base, 0, ptoa(4), ptoa(1)));
  shadow(&obj, 0, 4);
  cr_assert_not(vm_object_coalesce(obj, 0, ptoa(4), ptoa(1)));
  cr_assert_eq(obj->size, 4);
  vm_object_deallocate(obj);
  vm_object_deallocate(base);
  obj = vm_object_allocate(OBJT_VNODE, 1);
  cr_assert_not(vm_object_coalesce(obj, 0, PAGE_SIZE, PAGE_SIZE));
  vm_object_deallocate(obj);
}

// ---------------------------------------------------------------------------
// page_clean through the fake file pager, which records every run it is
// given (host_fakepager.h; the setup installed it, its counts are zero).

// A file object with pages 0..9, dirty at 1 2 3 5 8 and (through a
// written mapping at 0x40000) 9.
static struct vm_object *dirty_file(struct pmap *pmap)
{
  struct vm_object *obj;
  static const vm_pindex_t dirty[] = { 1, 2, 3, 5, 8 };

  obj = vm_object_allocate(OBJT_VNODE, 10);
  for (vm_pindex_t i = 0; i < 10; i++)
    page_at(obj, i, 0);
  for (size_t i = 0; i < nitems(dirty); i++)
    vm_page_dirty(lookup(obj, dirty[i]));
  pmap_enter(pmap, 0x40000, lookup(obj, 9), VM_PROT_RW, 0);
  cr_assert(host_pmap_access(pmap, 0x40000, VM_PROT_WRITE));
  return obj;
}

static int clean(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end)
{
  int rv;

  mtx_lock(&obj->lock);
  rv = vm_object_page_clean(obj, start, end, true);
  mtx_unlock(&obj->lock);
  return rv;
}

Test(vm_object, page_clean_writes_exactly_the_dirty_runs)
{
  struct pmap *pmap = pmap_create();
  struct vm_object *obj = dirty_file(pmap);
  vm_prot_t prot;

  cr_assert_eq(clean(obj, 0, 0), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 3);
  cr_assert_eq(host_fakepager.put_first[0], 1);
  cr_assert_eq(host_fakepager.put_count[0], 3);
  cr_assert_eq(host_fakepager.put_first[1], 5);
  cr_assert_eq(host_fakepager.put_count[1], 1);
  cr_assert_eq(host_fakepager.put_first[2], 8);
  cr_assert_eq(host_fakepager.put_count[2], 2);
  for (vm_pindex_t i = 0; i < 10; i++)
    cr_assert_eq(lookup(obj, i)->flags & (PG_DIRTY | PG_BUSY), 0);
  cr_assert(host_pmap_lookup(pmap, 0x40000, NULL, &prot, NULL));
  cr_assert_eq(prot & VM_PROT_WRITE, 0, "write access removed");
  cr_assert_eq(clean(obj, 0, 0), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 3, "nothing left to write");
  vm_object_deallocate(obj);
  cr_assert_eq(host_fakepager.dealloc, 1);
  pmap_destroy(pmap);
}

Test(vm_object, page_clean_respects_the_range)
{
  struct pmap *pmap = pmap_create();
  struct vm_object *obj = dirty_file(pmap);

  cr_assert_eq(clean(obj, 2, 6), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 2);
  cr_assert_eq(host_fakepager.put_first[0], 2);
  cr_assert_eq(host_fakepager.put_count[0], 2);
  cr_assert_eq(host_fakepager.put_first[1], 5);
  cr_assert(lookup(obj, 1)->flags & PG_DIRTY);
  cr_assert(lookup(obj, 8)->flags & PG_DIRTY);
  pmap_remove(pmap, 0x40000, 0x41000);
  vm_object_deallocate(obj);              // termination writes the rest
  cr_assert_eq(host_fakepager.putpages, 4);
  pmap_destroy(pmap);
}

Test(vm_object, page_clean_error_keeps_pages_dirty)
{
  struct pmap *pmap = pmap_create();
  struct vm_object *obj = dirty_file(pmap);

  host_fakepager.put_fail = true;
  cr_assert_eq(clean(obj, 0, 4), KERN_MEMORY_ERROR);
  cr_assert(lookup(obj, 2)->flags & PG_DIRTY);
  cr_assert_eq(lookup(obj, 2)->flags & PG_BUSY, 0);
  host_fakepager.put_fail = false;
  pmap_remove(pmap, 0x40000, 0x41000);
  vm_object_deallocate(obj);
  pmap_destroy(pmap);
}

// A full store is told apart from an I/O error (msync says ENOSPC, not
// EIO), and the pages stay dirty just the same.
Test(vm_object, page_clean_reports_a_full_store_and_keeps_pages_dirty)
{
  struct pmap *pmap = pmap_create();
  struct vm_object *obj = dirty_file(pmap);

  host_fakepager.put_fail = true;
  host_fakepager.put_error = VM_PAGER_NOSPACE;
  cr_assert_eq(clean(obj, 0, 0), KERN_NO_SPACE);
  cr_assert(lookup(obj, 2)->flags & PG_DIRTY);
  cr_assert(lookup(obj, 8)->flags & PG_DIRTY, "every run was tried");
  cr_assert_eq(host_fakepager.putpages, 3);
  host_fakepager.put_fail = false;
  cr_assert_eq(clean(obj, 0, 0), KERN_SUCCESS);
  cr_assert_eq(lookup(obj, 2)->flags & PG_DIRTY, 0);
  pmap_remove(pmap, 0x40000, 0x41000);
  vm_object_deallocate(obj);
  pmap_destroy(pmap);
}

// Termination cannot keep a page it failed to write: nobody holds the
// object any more. It tries once, then frees every page all the same (the
// pager reports the loss) and releases the pager; nothing leaks.
Test(vm_object, termination_frees_pages_it_could_not_write)
{
  struct pmap *pmap = pmap_create();
  struct vm_object *obj = dirty_file(pmap);
  size_t objects = vm_object_count();

  pmap_remove(pmap, 0x40000, 0x41000);
  host_fakepager.put_fail = true;
  host_fakepager.put_error = VM_PAGER_NOSPACE;
  vm_object_deallocate(obj);
  cr_assert_eq(host_fakepager.putpages, 3, "each dirty run tried once");
  cr_assert_eq(host_fakepager.dealloc, 1);
  cr_assert_eq(vm_object_count(), objects - 1);
  pmap_destroy(pmap);
}

Test(vm_object, page_clean_of_anonymous_object_does_nothing)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 2);

  vm_page_dirty(page_at(obj, 0, 0));
  cr_assert_eq(clean(obj, 0, 0), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 0);
  vm_object_deallocate(obj);
}

// ---------------------------------------------------------------------------
// The checker catches corruption.

Test(vm_object, check_catches_a_wrong_resident_count, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 2);

  expect_panic("vm_object_check: object * pages, count");
  page_at(obj, 0, 0);
  obj->resident_count++;
  vm_object_check(obj);
}

Test(vm_object, check_catches_a_wrong_shadow_count, .signal = SIGABRT)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 2);
  struct vm_object *obj = base;

  expect_panic("vm_object_check: object * shadows, count");
  shadow(&obj, 0, 2);
  base->shadow_count = 2;
  vm_object_check(base);
}

Test(vm_object, check_catches_a_page_past_the_end, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 2);

  expect_panic("vm_object_check: object * beyond size");
  page_at(obj, 1, 0);
  obj->size = 1;
  vm_object_check(obj);
}

Test(vm_object, check_catches_a_foreign_page, .signal = SIGABRT)
{
  struct vm_object *a = vm_object_allocate(OBJT_DEFAULT, 2);
  struct vm_object *b = vm_object_allocate(OBJT_DEFAULT, 2);

  expect_panic("vm_object_check: page * names another owner");
  page_at(a, 0, 0)->object = b;
  vm_object_check(a);
}

Test(vm_object, check_catches_a_dead_backing_object, .signal = SIGABRT)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 2);
  struct vm_object *obj = base;

  expect_panic("vm_object_check: object * has a bad backing object");
  shadow(&obj, 0, 2);
  base->magic = 0;
  vm_object_check(obj);
}
