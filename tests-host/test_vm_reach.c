// SPDX-License-Identifier: MIT
// Host tests of docs/semantics.md's "memory is freed when nothing can reach
// it": shrinking the heap or unmapping a range frees the pages that no
// other mapping or shadow can reach, whether or not the process forked
// (vm_map.c, vm_map_entry_delete), and the shadow chains of a process
// that keeps forking stay short while it lives (vm_object.c, collapse).
// Pages that another process can still reach are never freed: every test
// reads them back through that process.
//
// Free-page counts are exact: the host pmap takes no pages from the VM,
// so every page counted here is a page of user memory.
#include <criterion/criterion.h>
#include <string.h>

#include "lib/errno.h"
#include "spacetest.h"
#include "vm/vm_map.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vmspace.h"

#define NPAGES 1024

static void setup(void)
{
  vmtest_boot(NPAGES);
}

TestSuite(vm_reach, .init = setup, .fini = spacetest_teardown);

// A process whose heap starts (empty) at VA(0).
static void heap(int i)
{
  space(i);
  vs[i]->vm_daddr = VA(0);
  vs[i]->vm_break = VA(0);
}

static void brk_by(int i, long n)
{
  vm_offset_t old;

  cr_assert_eq(vm_sbrk(vs[i], n, ~0UL, RLIM_INFINITY, &old), 0);
}

// Page page of space i, one byte (vmtest_put / vmtest_get).
static void put(int i, int page, uint8_t v) { vmtest_put(M(i), VA(page), v); }
static uint8_t get(int i, int page) { return vmtest_get(M(i), VA(page)); }

static void put_all(int i, int first, int n, uint8_t v)
{
  for (int p = first; p < first + n; p++)
    put(i, p, (uint8_t)(v + p));
}

static void check_all(int i, int first, int n, uint8_t v)
{
  for (int p = first; p < first + n; p++)
    cr_assert_eq(get(i, p), (uint8_t)(v + p), "process %d page %d", i, p);
}

static void unmap(int i, int first, int n)
{
  cr_assert_eq(vm_map_remove(M(i), VA(first), VA(first + n)), KERN_SUCCESS);
}

static int depth(int i, int page)
{
  struct vm_map_entry *e;
  struct vm_object *obj;

  vm_map_lock_read(M(i));
  cr_assert(vm_map_lookup_entry(M(i), VA(page), &e));
  obj = e->object;
  vm_map_unlock_read(M(i));
  return obj == NULL ? 0 : vm_object_shadow_depth(obj);
}

// --- the heap after fork (MIT cowtest "simple", scaled down) --------------

// Grow, fill, fork, let the child exit, shrink: every page comes back. The
// heap already holds a page written before (as a program's heap does), so
// the shrink clips the heap entry, which still maps the object the child
// shared (NEEDS_COPY): two entries reference it when the top is deleted.
Test(vm_reach, sbrk_shrink_after_fork_frees_every_page)
{
  enum { N = 256 };
  size_t free0;

  heap(0);
  brk_by(0, PAGE_SIZE);
  put(0, 0, 1);
  for (int round = 0; round < 2; round++) {
    free0 = vm_page_free_count();
    brk_by(0, N * PAGE_SIZE);
    put_all(0, 1, N, 1);
    fork_into(1, 0);
    drop(1);
    brk_by(0, -(long)(N * PAGE_SIZE));
    cr_assert_eq(vm_page_free_count(), free0, "round %d: %zu pages kept",
                 round, free0 - vm_page_free_count());
    cr_assert_eq(get(0, 0), 1);
  }
}

// Only part of the heap goes, after the child wrote (the parent did not,
// so its entry still maps the object it shared with the child).
Test(vm_reach, sbrk_partial_shrink_after_fork_frees_the_cut)
{
  enum { N = 64, CUT = 24 };
  size_t free0;

  heap(0);
  brk_by(0, N * PAGE_SIZE);
  put_all(0, 0, N, 1);
  fork_into(1, 0);
  put_all(1, 0, N, 7);
  drop(1);
  free0 = vm_page_free_count();
  brk_by(0, -(long)(CUT * PAGE_SIZE));
  cr_assert_eq(vm_page_free_count(), free0 + CUT);
  check_all(0, 0, N - CUT, 1);
}

// Shrinking while the child still lives: the parent's own copies of the
// cut go at once, the originals it shared when the child exits. Its object
// then absorbs the shared one, but not past the new top: the shrink cut
// the object's size, so those originals are freed, not moved up into a
// range nothing maps.
Test(vm_reach, sbrk_shrink_before_the_child_exits)
{
  enum { N = 16, CUT = 8 };
  size_t free0;

  heap(0);
  brk_by(0, N * PAGE_SIZE);
  put_all(0, 0, N, 1);
  fork_into(1, 0);
  put_all(0, 0, N, 2);
  free0 = vm_page_free_count();
  brk_by(0, -(long)(CUT * PAGE_SIZE));
  cr_assert_eq(vm_page_free_count(), free0 + CUT);
  check_all(1, 0, N, 1);
  drop(1);
  cr_assert_eq(vm_page_free_count(), free0 + CUT + N, "%zu pages kept",
               free0 + CUT + N - vm_page_free_count());
  check_all(0, 0, N - CUT, 2);
}

// --- munmap after fork -------------------------------------------------------

Test(vm_reach, munmap_middle_after_fork_frees_it)
{
  enum { N = 16 };
  size_t free0;

  heap(0);
  brk_by(0, N * PAGE_SIZE);
  put_all(0, 0, N, 3);
  fork_into(1, 0);
  drop(1);
  free0 = vm_page_free_count();
  unmap(0, 4, 6);
  cr_assert_eq(vm_page_free_count(), free0 + 6);
  unmap(0, 12, 4);
  cr_assert_eq(vm_page_free_count(), free0 + 10);
  check_all(0, 0, 4, 3);
  check_all(0, 10, 2, 3);
  unmap(0, 0, N);
  cr_assert_eq(vm_page_free_count(), free0 + N);
}

// The parent's entry was clipped in three while the child lived, so after
// the child exits three entries of one map still reference the object:
// each covers its own pages, and unmapping one frees exactly those.
Test(vm_reach, munmap_of_a_clipped_piece_after_the_child_exits)
{
  enum { N = 12 };
  size_t free0;

  heap(0);
  brk_by(0, N * PAGE_SIZE);
  put_all(0, 0, N, 5);
  fork_into(1, 0);
  cr_assert_eq(vm_map_protect(M(0), VA(4), VA(8), VM_PROT_READ, false),
               KERN_SUCCESS);
  drop(1);
  free0 = vm_page_free_count();
  unmap(0, 8, 4);
  cr_assert_eq(vm_page_free_count(), free0 + 4, "%zu pages kept",
               free0 + 4 - vm_page_free_count());
  unmap(0, 5, 2);
  cr_assert_eq(vm_page_free_count(), free0 + 6);
  check_all(0, 0, 5, 5);
  check_all(0, 7, 1, 5);
}

// --- never free what another process can reach ----------------------------------
//
// Guards for the rule above: an unmapping that freed too much would fail
// these (they pass with the old rule, which freed too little).

Test(vm_reach, unmap_keeps_what_the_child_still_maps)
{
  enum { N = 16 };
  size_t free0;

  heap(0);
  brk_by(0, N * PAGE_SIZE);
  put_all(0, 0, N, 11);
  fork_into(1, 0);
  free0 = vm_page_free_count();
  unmap(0, 4, 4);
  brk_by(0, -(long)(4 * PAGE_SIZE));
  cr_assert_eq(vm_page_free_count(), free0, "the child's pages were freed");
  check_all(1, 0, N, 11);
  put_all(1, 0, N, 12);          // and the child's copies work as before
  check_all(0, 0, 4, 11);
  check_all(0, 8, 4, 11);
}

Test(vm_reach, unmap_keeps_what_a_shared_mapping_still_maps)
{
  enum { N = 8 };

  heap(0);
  brk_by(0, N * PAGE_SIZE);
  put_all(0, 0, N, 21);
  cr_assert_eq(vm_map_inherit(M(0), VA(0), VA(N), VM_INHERIT_SHARE),
               KERN_SUCCESS);
  fork_into(1, 0);
  unmap(0, 2, 3);
  check_all(1, 0, N, 21);
  put(1, 3, 99);
  cr_assert_eq(get(0, 5), 26);
  drop(1);
  check_all(0, 5, 3, 21);
}

// The other side of the fork still looks through the object (a shadow of
// it), not through an entry.
Test(vm_reach, unmap_keeps_what_a_shadow_still_sees)
{
  enum { N = 8 };
  size_t free0;

  heap(0);
  brk_by(0, N * PAGE_SIZE);
  put_all(0, 0, N, 31);
  fork_into(1, 0);
  put(1, 0, 1);                  // the child now reaches the rest via a shadow
  free0 = vm_page_free_count();
  unmap(0, 2, 6);
  cr_assert_eq(vm_page_free_count(), free0);
  check_all(1, 1, N - 1, 31);
  drop(1);
}

// --- chains of a process that keeps forking (issue 10, item 14) --------------

// Each round: the parent writes its region after fork, the child writes
// it, forks a grandchild and writes again; the grandchild and then the
// child exit. Before the fix a bypass stranded one object per round in
// the parent's chain (one reference, held by its only shadow), so after
// 100 rounds the chain was 101 deep and held 100 dead copies.
Test(vm_reach, fork_write_exit_rounds_keep_the_chain_short)
{
  enum { N = 8, ROUNDS = 100 };
  size_t free0;

  heap(0);
  brk_by(0, N * PAGE_SIZE);
  free0 = vm_page_free_count();
  for (int r = 0; r < ROUNDS; r++) {
    fork_into(1, 0);
    put_all(0, 0, N, (uint8_t)r);
    put_all(1, 0, N, 100);
    fork_into(2, 1);
    put_all(1, 0, N, 200);
    check_all(2, 0, N, 100);
    drop(2);
    check_all(1, 0, N, 200);
    drop(1);
    check_all(0, 0, N, (uint8_t)r);
    cr_assert_leq(depth(0, 0), 2, "round %d: depth %d", r, depth(0, 0));
    cr_assert_eq(vm_page_free_count(), free0 - N, "round %d: %zu pages", r,
                 free0 - vm_page_free_count());
  }
}

// A fork that shares (INHERIT_SHARE) an entry still waiting for its copy
// shadows its object first. If the object's only reference is that entry
// (the child it was shared with has exited), the shadow would strand it:
// one reference, held by its only shadow, never collapsed. Alternating
// copy and share forks then grew the chain by one object a round.
Test(vm_reach, share_fork_of_a_sole_owner_adds_no_object)
{
  enum { N = 4, ROUNDS = 20 };

  heap(0);
  brk_by(0, N * PAGE_SIZE);
  put_all(0, 0, N, 1);
  for (int r = 0; r < ROUNDS; r++) {
    cr_assert_eq(vm_map_inherit(M(0), VA(0), VA(N), VM_INHERIT_COPY),
                 KERN_SUCCESS);
    fork_into(1, 0);
    drop(1);
    cr_assert_eq(vm_map_inherit(M(0), VA(0), VA(N), VM_INHERIT_SHARE),
                 KERN_SUCCESS);
    fork_into(1, 0);
    put(1, 0, (uint8_t)r);
    cr_assert_eq(get(0, 0), (uint8_t)r);
    drop(1);
    cr_assert_leq(depth(0, 0), 1, "round %d: depth %d", r, depth(0, 0));
  }
  check_all(0, 1, N - 1, 1);
}
