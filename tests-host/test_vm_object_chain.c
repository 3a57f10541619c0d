// SPDX-License-Identifier: MIT
// Host tests of shadow-chain maintenance in kernel/vm/vm_object.c: collapse
// (a backing object with one reference is absorbed by its shadow), bypass
// (a shadow that covers its backing object skips it), and simulated
// fork/exit cycles whose chains must stay short. Every test ends in the
// strict teardown: all pages free, no object, kmem object or pmap alive.
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

static void setup(void)
{
  vmtest_boot(NPAGES);
  free_at_boot = vm_page_free_count();
}

static void teardown(void)
{
  cr_assert_eq(vm_object_count(), 0, "%zu objects leaked", vm_object_count());
  cr_assert_eq(vm_page_free_count(), free_at_boot, "pages leaked");
  vmtest_teardown_strict();
}

TestSuite(vm_object_chain, .init = setup, .fini = teardown);

#include "objtest.h"

// ---------------------------------------------------------------------------
// Collapse and bypass.

Test(vm_object_chain, collapse_moves_window_pages_and_frees_the_rest)
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

Test(vm_object_chain, collapse_keeps_the_front_page)
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

Test(vm_object_chain, collapse_takes_over_the_next_backing_object)
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

Test(vm_object_chain, collapse_stops_at_a_shared_backing_object)
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

Test(vm_object_chain, collapse_gives_up_on_a_wired_backing_page)
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

Test(vm_object_chain, collapse_gives_up_on_a_busy_backing_page)
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

Test(vm_object_chain, bypass_skips_a_fully_covered_shared_backing_object)
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
  vm_object_reference(mid);                // and an entry still maps it
  obj = mid;
  shadow(&obj, 2, 2);
  page_at(obj, 0, 0xaa);                   // covers mid[2]
  collapse(obj);
  cr_assert_eq(obj->backing_object, bottom);
  cr_assert_eq(obj->backing_offset, ptoa(2));
  cr_assert_eq(mid->ref_count, 2);
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
  vm_object_deallocate(mid);
}

// The same, but mid's only references are its two shadows: a bypass would
// leave it one reference held by `other`, which nothing would ever collapse
// (issue 10, item 14). obj keeps it until one side lets go; then the
// survivor absorbs it at once.
Test(vm_object_chain, bypass_never_strands_a_backing_object)
{
  struct vm_object *mid = vm_object_allocate(OBJT_DEFAULT, 4);
  struct vm_object *obj, *other;

  page_at(mid, 0, 0x10);
  page_at(mid, 1, 0x11);
  vm_object_reference(mid);
  other = mid;
  shadow(&other, 0, 4);
  obj = mid;
  shadow(&obj, 0, 4);
  page_at(obj, 0, 0xa0);
  page_at(obj, 1, 0xa1);                   // obj covers all of mid
  collapse(obj);
  cr_assert_eq(obj->backing_object, mid);
  cr_assert_eq(mid->ref_count, 2);
  vm_object_deallocate(obj);               // mid: one reference, other's
  cr_assert_null(other->backing_object, "mid was left in other's chain");
  cr_assert_eq(vm_object_count(), 1);
  cr_assert_eq(chain_read(other, 0), 0x10);
  cr_assert_eq(chain_read(other, 1), 0x11);
  cr_assert_eq(vm_page_free_count(), free_at_boot - 2);
  vm_object_deallocate(other);
}

Test(vm_object_chain, no_bypass_while_a_backing_page_shows_through)
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

Test(vm_object_chain, no_bypass_while_a_front_page_is_busy)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 2);
  struct vm_object *obj = base, *other = base;
  struct vm_page *m;

  page_at(base, 0, 1);
  vm_object_reference(base);
  shadow(&other, 0, 2);
  vm_object_reference(base);               // an entry still maps base
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
  vm_object_deallocate(base);
}

// A shadow whose count already reached zero is being terminated by
// another thread; deallocate must leave it alone (its termination drops
// the last reference on the backing object).
Test(vm_object_chain, deallocate_leaves_a_dying_shadow_alone)
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
Test(vm_object_chain, collapse_preserves_every_lookup)
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
Test(vm_object_chain, long_chain_terminates_iteratively)
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

Test(vm_object_chain, chain_of_100_collapses_to_one)
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

Test(vm_object_chain, deallocate_collapses_into_the_sole_shadow)
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

Test(vm_object_chain, fork_exit_cycles_keep_chains_short)
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
Test(vm_object_chain, random_fork_write_exit_matches_model)
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
