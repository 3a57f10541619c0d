// SPDX-License-Identifier: MIT
// Host tests of kernel/vm/vm_object.c: the page index, references and
// termination, shadow chains, collapse and bypass, and the range
// operations (page_remove, page_clean, madvise, coalesce).
//
// Pages are allocated straight into objects with vm_page_alloc and tagged
// with a byte written through their kernel address, so a test can tell
// which page a lookup found. chain_read() walks a shadow chain as the
// fault path does and is the reference for "what a process would see".
// Every test ends in the strict teardown: all pages free, no object, kmem
// object or pmap left alive.
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "host_kmem.h"
#include "host_pmap.h"
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vmtest.h"

#define NPAGES 4096

static size_t free_at_boot;

static const struct vm_pager_ops fake_ops;    // the fake file pager, below

static void setup(void)
{
  vmtest_boot(NPAGES);
  vm_pager_register(OBJT_VNODE, &fake_ops);   // file objects in every test
  free_at_boot = vm_page_free_count();
}

static void teardown(void)
{
  cr_assert_eq(vm_object_count(), 0, "%zu objects leaked", vm_object_count());
  cr_assert_eq(vm_page_free_count(), free_at_boot, "pages leaked");
  vmtest_teardown_strict();
}

TestSuite(vm_object, .init = setup, .fini = teardown);

// ---------------------------------------------------------------------------
// Helpers.

// A page at pindex of obj, not busy, filled with tag.
static struct vm_page *page_at(struct vm_object *obj, vm_pindex_t pindex,
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

static uint8_t page_tag(struct vm_page *m)
{
  return *(uint8_t *)pmap_page_kva(m);
}

static struct vm_page *lookup(struct vm_object *obj, vm_pindex_t pindex)
{
  struct vm_page *m;

  mtx_lock(&obj->lock);
  m = vm_object_page_lookup(obj, pindex);
  mtx_unlock(&obj->lock);
  return m;
}

// Find pindex through obj's chain as a fault would: the page, and in
// *where the object holding it; NULL if no object has it (zero fill).
static struct vm_page *chain_lookup(struct vm_object *obj, vm_pindex_t pindex,
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
static uint8_t chain_read(struct vm_object *obj, vm_pindex_t pindex)
{
  struct vm_page *m = chain_lookup(obj, pindex, NULL);

  return m != NULL ? page_tag(m) : 0;
}

static void collapse(struct vm_object *obj)
{
  mtx_lock(&obj->lock);
  vm_object_collapse(obj);
  mtx_unlock(&obj->lock);
}

// A shadow of *objp at offset pages, npages long; *objp becomes it.
static void shadow(struct vm_object **objp, vm_pindex_t offset, vm_pindex_t npages)
{
  vm_ooffset_t off = ptoa(offset);

  cr_assert_eq(vm_object_shadow(objp, &off, ptoa(npages)), KERN_SUCCESS);
  cr_assert_eq(off, 0);
}

static void page_remove(struct vm_object *obj, vm_pindex_t start,
                        vm_pindex_t end, int flags)
{
  mtx_lock(&obj->lock);
  vm_object_page_remove(obj, start, end, flags);
  mtx_unlock(&obj->lock);
}

static void madvise(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end,
                    int advice)
{
  mtx_lock(&obj->lock);
  vm_object_madvise(obj, start, end, advice);
  mtx_unlock(&obj->lock);
}

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

  obj->ref_count = 0;          // as after one deallocate too many
  vm_object_deallocate(obj);
}

Test(vm_object, deallocate_of_shadowed_object_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);
  struct vm_object *front = obj;

  shadow(&front, 0, 1);
  vm_object_deallocate(obj);   // the reference was the shadow's, not ours
}

Test(vm_object, reference_of_dead_object_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  obj->ref_count = 0;
  vm_object_reference(obj);
}

Test(vm_object, wired_page_at_termination_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);
  struct vm_page *m = page_at(obj, 0, 1);

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

  vm_object_page_lookup(obj, 0);
}

Test(vm_object, insert_of_duplicate_index_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);

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
// Collapse and bypass.

Test(vm_object, collapse_moves_window_pages_and_frees_the_rest)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 8);
  struct vm_object *obj = base;

  for (vm_pindex_t i = 0; i < 8; i++)
    page_at(base, i, (uint8_t)(10 + i));
  shadow(&obj, 2, 4);                      // window = base[2..5]
  collapse(obj);
  cr_assert_null(obj->backing_object);
  cr_assert_eq(obj->backing_offset, 0);
  cr_assert_eq(obj->resident_count, 4);
  for (vm_pindex_t i = 0; i < 4; i++)
    cr_assert_eq(page_tag(lookup(obj, i)), 10 + 2 + i);
  cr_assert_eq(vm_object_count(), 1);
  cr_assert_eq(vm_page_free_count(), free_at_boot - 4);
  vm_object_check(obj);
  vm_object_deallocate(obj);
}

Test(vm_object, collapse_keeps_the_front_page)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 4);
  struct vm_object *obj = base;
  struct vm_page *front;

  page_at(base, 1, 0xb);
  page_at(base, 2, 0xc);
  shadow(&obj, 0, 4);
  front = page_at(obj, 1, 0xf);
  collapse(obj);
  cr_assert_eq(lookup(obj, 1), front);
  cr_assert_eq(page_tag(lookup(obj, 1)), 0xf);
  cr_assert_eq(page_tag(lookup(obj, 2)), 0xc);
  cr_assert_eq(obj->resident_count, 2);
  cr_assert_eq(vm_page_free_count(), free_at_boot - 2);
  vm_object_deallocate(obj);
}

Test(vm_object, collapse_takes_over_the_next_backing_object)
{
  struct vm_object *bottom = vm_object_allocate(OBJT_DEFAULT, 16);
  struct vm_object *mid, *obj;

  vm_object_reference(bottom);             // someone else maps it too
  page_at(bottom, 5, 5);
  mid = bottom;
  shadow(&mid, 2, 10);
  page_at(mid, 0, 1);
  obj = mid;
  shadow(&obj, 1, 4);
  collapse(obj);                           // absorbs mid, stops at bottom
  cr_assert_eq(obj->backing_object, bottom);
  cr_assert_eq(obj->backing_offset, ptoa(3));
  cr_assert_eq(bottom->shadow_count, 1);
  cr_assert_eq(bottom->ref_count, 2);
  cr_assert_eq(chain_read(obj, 2), 5);
  cr_assert_eq(obj->resident_count, 0);    // mid's page 0 was outside
  cr_assert_eq(vm_object_count(), 2);
  vmtest_check_object_tree(bottom);
  vm_object_deallocate(obj);
  vm_object_deallocate(bottom);
}

Test(vm_object, collapse_stops_at_a_shared_backing_object)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 4);
  struct vm_object *obj = base;

  page_at(base, 0, 7);
  vm_object_reference(base);
  shadow(&obj, 0, 4);
  collapse(obj);
  cr_assert_eq(obj->backing_object, base);
  cr_assert_eq(base->resident_count, 1);
  cr_assert_eq(base->ref_count, 2);
  vm_object_deallocate(obj);
  cr_assert_eq(vm_object_count(), 1);
  vm_object_deallocate(base);
}

Test(vm_object, collapse_gives_up_on_a_wired_backing_page)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 4);
  struct vm_object *obj = base;
  struct vm_page *m = page_at(base, 0, 7);

  mtx_lock(&base->lock);
  vm_page_wire(m);
  mtx_unlock(&base->lock);
  shadow(&obj, 0, 4);
  collapse(obj);
  cr_assert_eq(obj->backing_object, base);
  cr_assert_eq(m->object, base);
  mtx_lock(&base->lock);
  vm_page_unwire(m, false);
  mtx_unlock(&base->lock);
  collapse(obj);
  cr_assert_null(obj->backing_object);
  cr_assert_eq(m->object, obj);
  vm_object_deallocate(obj);
}

Test(vm_object, collapse_gives_up_on_a_busy_backing_page)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 4);
  struct vm_object *obj = base;
  struct vm_page *m = page_at(base, 3, 7);

  mtx_lock(&base->lock);
  vm_page_xbusy(m);
  mtx_unlock(&base->lock);
  shadow(&obj, 0, 4);
  collapse(obj);
  cr_assert_eq(obj->backing_object, base);
  mtx_lock(&base->lock);
  vm_page_xunbusy(m);
  mtx_unlock(&base->lock);
  vm_object_deallocate(obj);
}

Test(vm_object, bypass_skips_a_fully_covered_shared_backing_object)
{
  struct vm_object *bottom = vm_object_allocate(OBJT_DEFAULT, 8);
  struct vm_object *mid, *obj, *other;

  page_at(bottom, 7, 0x77);
  page_at(bottom, 3, 0x33);                // shows through obj at 1
  mid = bottom;
  shadow(&mid, 0, 8);
  page_at(mid, 2, 0x22);                   // obj's window: mid[2..3]
  page_at(mid, 6, 0x66);                   // outside the window
  vm_object_reference(mid);
  other = mid;
  shadow(&other, 0, 8);                    // mid is shared by two shadows
  obj = mid;
  shadow(&obj, 2, 2);
  page_at(obj, 0, 0xaa);                   // covers mid[2]
  collapse(obj);
  cr_assert_eq(obj->backing_object, bottom);
  cr_assert_eq(obj->backing_offset, ptoa(2));
  cr_assert_eq(mid->ref_count, 1);
  cr_assert_eq(mid->shadow_count, 1);
  cr_assert_eq(bottom->ref_count, 2);
  cr_assert_eq(bottom->shadow_count, 2);
  cr_assert_eq(chain_read(obj, 0), 0xaa);
  cr_assert_eq(chain_read(obj, 1), 0x33);
  cr_assert_eq(chain_read(other, 6), 0x66);
  cr_assert_eq(chain_read(other, 7), 0x77);
  vmtest_check_object_tree(bottom);
  vm_object_deallocate(obj);
  vm_object_deallocate(other);
}

Test(vm_object, no_bypass_while_a_backing_page_shows_through)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 4);
  struct vm_object *obj = base, *other = base;

  page_at(base, 0, 1);
  page_at(base, 1, 2);
  vm_object_reference(base);
  shadow(&other, 0, 4);
  shadow(&obj, 0, 4);
  page_at(obj, 0, 9);                      // base[1] still shows through
  collapse(obj);
  cr_assert_eq(obj->backing_object, base);
  cr_assert_eq(chain_read(obj, 1), 2);
  vm_object_deallocate(obj);
  vm_object_deallocate(other);
}

Test(vm_object, no_bypass_while_a_front_page_is_busy)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 2);
  struct vm_object *obj = base, *other = base;
  struct vm_page *m;

  page_at(base, 0, 1);
  vm_object_reference(base);
  shadow(&other, 0, 2);
  shadow(&obj, 0, 2);
  m = page_at(obj, 0, 2);
  mtx_lock(&obj->lock);
  vm_page_xbusy(m);                        // a fault is still filling it
  vm_object_collapse(obj);
  cr_assert_eq(obj->backing_object, base);
  vm_page_xunbusy(m);
  vm_object_collapse(obj);
  cr_assert_null(obj->backing_object);
  mtx_unlock(&obj->lock);
  vm_object_deallocate(obj);
  vm_object_deallocate(other);
}

// A shadow whose count already reached zero is being terminated by
// another thread; deallocate must leave it alone (its termination drops
// the last reference on the backing object).
Test(vm_object, deallocate_leaves_a_dying_shadow_alone)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 2);
  struct vm_object *obj = base;

  vm_object_reference(base);
  shadow(&obj, 0, 2);
  obj->ref_count = 0;                      // as if mid-termination
  vm_object_deallocate(base);
  cr_assert_eq(obj->backing_object, base);
  cr_assert_eq(base->ref_count, 1);
  obj->ref_count = 1;
  vm_object_deallocate(obj);
}

// The view of every index through obj is the same before and after.
Test(vm_object, collapse_preserves_every_lookup)
{
  enum { N = 64, DEPTH = 6 };
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, N);
  uint8_t before[N];

  for (int d = 0; d < DEPTH; d++) {
    for (int k = 0; k < N / 4; k++) {
      vm_pindex_t i = vmtest_rand_below(N);
      if (lookup(obj, i) == NULL)
        page_at(obj, i, (uint8_t)(d * N + i + 1));
    }
    if (d + 1 < DEPTH)
      shadow(&obj, 0, N);
  }
  for (vm_pindex_t i = 0; i < N; i++)
    before[i] = chain_read(obj, i);
  cr_assert_eq(vm_object_shadow_depth(obj), DEPTH);
  collapse(obj);
  cr_assert_eq(vm_object_shadow_depth(obj), 1);
  for (vm_pindex_t i = 0; i < N; i++)
    cr_assert_eq(chain_read(obj, i), before[i], "index %d", (int)i);
  vm_object_check(obj);
  vm_object_deallocate(obj);
}

// A long chain is torn down by a loop, not by recursion.
Test(vm_object, long_chain_terminates_iteratively)
{
  enum { DEPTH = 3000 };
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 2);

  for (int d = 0; d < DEPTH; d++) {
    if (d % 30 == 0)
      page_at(obj, d % 2, (uint8_t)d);
    shadow(&obj, 0, 2);
  }
  cr_assert_eq(vm_object_shadow_depth(obj), DEPTH + 1);
  cr_assert_eq(vm_object_count(), DEPTH + 1);
  vm_object_deallocate(obj);
}

Test(vm_object, chain_of_100_collapses_to_one)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);

  for (int d = 0; d < 100; d++) {
    page_at(obj, d % 4, (uint8_t)d);       // one page per level
    shadow(&obj, 0, 4);
  }
  cr_assert_eq(vm_object_shadow_depth(obj), 101);
  collapse(obj);
  cr_assert_eq(vm_object_shadow_depth(obj), 1);
  for (vm_pindex_t i = 0; i < 4; i++)
    cr_assert_eq(chain_read(obj, i), 96 + i);   // the newest of each index
  cr_assert_eq(vm_page_free_count(), free_at_boot - 4);
  vm_object_deallocate(obj);
}

Test(vm_object, deallocate_collapses_into_the_sole_shadow)
{
  struct vm_object *parent = vm_object_allocate(OBJT_DEFAULT, 4);
  struct vm_object *child = parent, *base = parent;

  page_at(base, 0, 1);
  page_at(base, 1, 2);
  vm_object_reference(base);               // fork: both entries map base
  shadow(&parent, 0, 4);                   // parent writes
  page_at(parent, 0, 3);
  shadow(&child, 0, 4);                    // child writes
  page_at(child, 1, 4);
  cr_assert_eq(base->shadow_count, 2);
  vm_object_deallocate(child);             // child exits
  cr_assert_null(parent->backing_object);
  cr_assert_eq(vm_object_count(), 1);
  cr_assert_eq(chain_read(parent, 0), 3);
  cr_assert_eq(chain_read(parent, 1), 2);
  cr_assert_eq(vm_page_free_count(), free_at_boot - 2);
  vm_object_deallocate(parent);
}

// Simulated fork/exit cycles: each side writes through its own shadow; one
// side exits at random. The survivor's chain must stay short and its view
// must match a model of what it wrote.
struct sim_proc {
  struct vm_object *obj;
  bool needs_copy;
  uint8_t view[16];
};

static void sim_write(struct sim_proc *p, vm_pindex_t i, uint8_t tag)
{
  struct vm_page *m;

  if (p->needs_copy) {
    shadow(&p->obj, 0, 16);
    p->needs_copy = false;
  }
  m = lookup(p->obj, i);
  if (m == NULL)
    m = page_at(p->obj, i, tag);
  memset(pmap_page_kva(m), tag, PAGE_SIZE);
  p->view[i] = tag;
}

static void sim_check(struct sim_proc *p)
{
  for (vm_pindex_t i = 0; i < 16; i++)
    cr_assert_eq(chain_read(p->obj, i), p->view[i]);
}

Test(vm_object, fork_exit_cycles_keep_chains_short)
{
  struct sim_proc a = { .obj = vm_object_allocate(OBJT_DEFAULT, 16) }, b;
  uint8_t tag = 1;

  for (int cycle = 0; cycle < 300; cycle++) {
    b = a;                                   // fork
    vm_object_reference(a.obj);
    a.needs_copy = b.needs_copy = true;
    for (int w = 0; w < 6; w++) {
      struct sim_proc *p = vmtest_rand_below(2) ? &a : &b;
      sim_write(p, vmtest_rand_below(16), tag++);
      if (tag == 0)
        tag = 1;
    }
    sim_check(&a);
    sim_check(&b);
    if (vmtest_rand_below(2)) {
      vm_object_deallocate(b.obj);           // the child exits
    } else {
      vm_object_deallocate(a.obj);           // the parent exits
      a = b;
    }
    sim_check(&a);
    cr_assert_leq(vm_object_shadow_depth(a.obj), 2, "cycle %d", cycle);
    cr_assert_leq(vm_object_count(), 2);
    vm_object_check(a.obj);
  }
  vm_object_deallocate(a.obj);
}

// Random forks, writes, exits and collapses over up to eight simulated
// address spaces, each compared after every step with a model of what it
// wrote; every live object is checked on the way.
Test(vm_object, random_fork_write_exit_matches_model)
{
  enum { NPROC = 8, STEPS = 4000 };
  static struct sim_proc procs[NPROC];
  static bool live[NPROC];
  uint8_t tag = 1;

  procs[0] = (struct sim_proc){ .obj = vm_object_allocate(OBJT_DEFAULT, 16) };
  live[0] = true;
  for (int step = 0; step < STEPS; step++) {
    int p = (int)vmtest_rand_below(NPROC), q = (int)vmtest_rand_below(NPROC);
    switch (vmtest_rand_below(4)) {
    case 0:                                // p forks into q
      if (!live[p] || live[q])
        break;
      procs[q] = procs[p];
      vm_object_reference(procs[p].obj);
      procs[p].needs_copy = procs[q].needs_copy = live[q] = true;
      break;
    case 1:                                // p exits (the last one stays)
      if (!live[p] || p == 0)
        break;
      vm_object_deallocate(procs[p].obj);
      live[p] = false;
      break;
    case 2:
      if (live[p])
        collapse(procs[p].obj);
      break;
    default:
      if (!live[p])
        break;
      sim_write(&procs[p], vmtest_rand_below(16), tag);
      tag = tag == 255 ? 1 : tag + 1;
      break;
    }
    for (int i = 0; i < NPROC; i++) {
      if (!live[i])
        continue;
      sim_check(&procs[i]);
      vmtest_check_object_tree(procs[i].obj);
    }
  }
  for (int i = 0; i < NPROC; i++)
    if (live[i])
      vm_object_deallocate(procs[i].obj);
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
// page_clean through a fake file pager.

static struct {
  int calls;
  vm_pindex_t first[32];
  int count[32];
  bool fail;
  int deallocs;
} fake;

static int fake_getpages(struct vm_object *obj, struct vm_page **ma, int count,
                         int reqpage)
{
  (void)obj, (void)ma, (void)count, (void)reqpage;
  return VM_PAGER_FAIL;
}

static int fake_putpages(struct vm_object *obj, struct vm_page **ma, int count,
                         bool sync, int *rtvals)
{
  (void)sync;
  cr_assert_lt(fake.calls, 32);
  fake.first[fake.calls] = ma[0]->pindex;
  fake.count[fake.calls++] = count;
  for (int i = 0; i < count; i++) {
    cr_assert_eq(ma[i]->object, obj);
    cr_assert_eq(ma[i]->pindex, ma[0]->pindex + i, "a run of consecutive pages");
    cr_assert(ma[i]->flags & PG_BUSY);
    cr_assert(ma[i]->flags & PG_DIRTY);
    rtvals[i] = fake.fail ? VM_PAGER_ERROR : VM_PAGER_OK;
  }
  return fake.fail ? VM_PAGER_ERROR : VM_PAGER_OK;
}

static bool fake_haspage(struct vm_object *obj, vm_pindex_t pindex, int *before,
                         int *after)
{
  (void)obj, (void)pindex, (void)before, (void)after;
  return false;
}

static void fake_dealloc(struct vm_object *obj)
{
  (void)obj;
  fake.deallocs++;
}

static const struct vm_pager_ops fake_ops = {
  .name = "fake", .getpages = fake_getpages, .putpages = fake_putpages,
  .haspage = fake_haspage, .dealloc = fake_dealloc,
};

// A file object with pages 0..9, dirty at 1 2 3 5 8 and (through a
// written mapping at 0x40000) 9.
static struct vm_object *dirty_file(struct pmap *pmap)
{
  struct vm_object *obj;
  static const vm_pindex_t dirty[] = { 1, 2, 3, 5, 8 };

  vm_pager_register(OBJT_VNODE, &fake_ops);
  memset(&fake, 0, sizeof(fake));
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
  cr_assert_eq(fake.calls, 3);
  cr_assert_eq(fake.first[0], 1);
  cr_assert_eq(fake.count[0], 3);
  cr_assert_eq(fake.first[1], 5);
  cr_assert_eq(fake.count[1], 1);
  cr_assert_eq(fake.first[2], 8);
  cr_assert_eq(fake.count[2], 2);
  for (vm_pindex_t i = 0; i < 10; i++)
    cr_assert_eq(lookup(obj, i)->flags & (PG_DIRTY | PG_BUSY), 0);
  cr_assert(host_pmap_lookup(pmap, 0x40000, NULL, &prot, NULL));
  cr_assert_eq(prot & VM_PROT_WRITE, 0, "write access removed");
  cr_assert_eq(clean(obj, 0, 0), KERN_SUCCESS);
  cr_assert_eq(fake.calls, 3, "nothing left to write");
  vm_object_deallocate(obj);
  cr_assert_eq(fake.deallocs, 1);
  pmap_destroy(pmap);
}

Test(vm_object, page_clean_respects_the_range)
{
  struct pmap *pmap = pmap_create();
  struct vm_object *obj = dirty_file(pmap);

  cr_assert_eq(clean(obj, 2, 6), KERN_SUCCESS);
  cr_assert_eq(fake.calls, 2);
  cr_assert_eq(fake.first[0], 2);
  cr_assert_eq(fake.count[0], 2);
  cr_assert_eq(fake.first[1], 5);
  cr_assert(lookup(obj, 1)->flags & PG_DIRTY);
  cr_assert(lookup(obj, 8)->flags & PG_DIRTY);
  pmap_remove(pmap, 0x40000, 0x41000);
  vm_object_deallocate(obj);              // termination writes the rest
  cr_assert_eq(fake.calls, 4);
  pmap_destroy(pmap);
}

Test(vm_object, page_clean_error_keeps_pages_dirty)
{
  struct pmap *pmap = pmap_create();
  struct vm_object *obj = dirty_file(pmap);

  fake.fail = true;
  cr_assert_eq(clean(obj, 0, 4), KERN_FAILURE);
  cr_assert(lookup(obj, 2)->flags & PG_DIRTY);
  cr_assert_eq(lookup(obj, 2)->flags & PG_BUSY, 0);
  fake.fail = false;
  pmap_remove(pmap, 0x40000, 0x41000);
  vm_object_deallocate(obj);
  pmap_destroy(pmap);
}

Test(vm_object, page_clean_of_anonymous_object_does_nothing)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 2);

  vm_pager_register(OBJT_VNODE, &fake_ops);
  memset(&fake, 0, sizeof(fake));
  vm_page_dirty(page_at(obj, 0, 0));
  cr_assert_eq(clean(obj, 0, 0), KERN_SUCCESS);
  cr_assert_eq(fake.calls, 0);
  vm_object_deallocate(obj);
}

// ---------------------------------------------------------------------------
// The checker catches corruption.

Test(vm_object, check_catches_a_wrong_resident_count, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 2);

  page_at(obj, 0, 0);
  obj->resident_count++;
  vm_object_check(obj);
}

Test(vm_object, check_catches_a_wrong_shadow_count, .signal = SIGABRT)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 2);
  struct vm_object *obj = base;

  shadow(&obj, 0, 2);
  base->shadow_count = 2;
  vm_object_check(base);
}

Test(vm_object, check_catches_a_page_past_the_end, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 2);

  page_at(obj, 1, 0);
  obj->size = 1;
  vm_object_check(obj);
}

Test(vm_object, check_catches_a_foreign_page, .signal = SIGABRT)
{
  struct vm_object *a = vm_object_allocate(OBJT_DEFAULT, 2);
  struct vm_object *b = vm_object_allocate(OBJT_DEFAULT, 2);

  page_at(a, 0, 0)->object = b;
  vm_object_check(a);
}

Test(vm_object, check_catches_a_dead_backing_object, .signal = SIGABRT)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 2);
  struct vm_object *obj = base;

  shadow(&obj, 0, 2);
  base->magic = 0;
  vm_object_check(obj);
}
