// SPDX-License-Identifier: MIT
// Host tests of the map's structure (kernel/vm/vm_map.c and the range
// operations of vm_map_ops.c): insertion and its errors, free-space search,
// MAP_FIXED, deletion, clipping and merging, protection, inheritance,
// kernel-memory failure injection and misuse. The parts that
// reach pages and the fault path (advice, lookup, stacks, wiring) are in
// test_vm_map_wire.c, msync and write-back in test_vm_map_sync.c.
//
// Each test gets a fresh map over [MIN_VA, MAX_VA) with its own host pmap
// (maptest.h). Addresses are written as page numbers, P(n). The teardown
// checks the map against the pmap (vmtest_check_map), removes everything
// and requires that no page, object, entry or pmap leaked.
#include <criterion/criterion.h>
#include <signal.h>

#include "host_kmem.h"
#include "host_panic.h"
#include "host_pmap.h"
#include "maptest.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vmtest.h"

#define NPAGES  1024

static void setup(void)
{
  maptest_setup(NPAGES);
}

TestSuite(vm_map, .init = setup, .fini = maptest_teardown);

// ---------------------------------------------------------------------------
// Insertion.

Test(vm_map, insert_one_entry)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(map.nentries, 1);
  cr_assert_eq(map.size, 4 * PAGE_SIZE);
  struct vm_map_entry e = entry_at(P(12));
  cr_assert_eq(e.start, P(10));
  cr_assert_eq(e.end, P(14));
  cr_assert_eq(e.protection, VM_PROT_RW);
  cr_assert_eq(e.inheritance, VM_INHERIT_COPY);
  cr_assert(e.eflags & MAP_ENTRY_COW);
  cr_assert_null(e.object);
  check();
}

Test(vm_map, insert_rejects_overlap)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(anon(10, 4), KERN_NO_SPACE);     // same range
  cr_assert_eq(anon(8, 3), KERN_NO_SPACE);      // straddles the start
  cr_assert_eq(anon(13, 3), KERN_NO_SPACE);     // straddles the end
  cr_assert_eq(anon(11, 1), KERN_NO_SPACE);     // inside
  cr_assert_eq(anon(5, 20), KERN_NO_SPACE);     // covers it
  cr_assert_eq(map.nentries, 1);
  cr_assert_eq(map.size, 4 * PAGE_SIZE);
  check();
}

Test(vm_map, insert_rejects_out_of_range)
{
  vm_map_lock(&map);
  cr_assert_eq(vm_map_insert(&map, NULL, 0, MIN_VA - PAGE_SIZE, MIN_VA + PAGE_SIZE,
                             VM_PROT_RW, VM_PROT_ALL, 0), KERN_INVALID_ADDRESS);
  cr_assert_eq(vm_map_insert(&map, NULL, 0, MAX_VA - PAGE_SIZE, MAX_VA + PAGE_SIZE,
                             VM_PROT_RW, VM_PROT_ALL, 0), KERN_INVALID_ADDRESS);
  cr_assert_eq(vm_map_insert(&map, NULL, 0, MAX_VA - PAGE_SIZE, MAX_VA,
                             VM_PROT_RW, VM_PROT_ALL, 0), KERN_SUCCESS);
  vm_map_unlock(&map);
  cr_assert_eq(map.nentries, 1);
  check();
}

Test(vm_map, insert_adjacent_anonymous_merges)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(anon(14, 2), KERN_SUCCESS);
  cr_assert_eq(anon(6, 4), KERN_SUCCESS);
  cr_assert_eq(map.nentries, 1);
  cr_assert_eq(entry_at(P(6)).end, P(16));
  check();
}

Test(vm_map, insert_different_attributes_do_not_merge)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 14, 2, VM_PROT_READ, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 16, 2, VM_PROT_READ,
                      MAP_COPY_ON_WRITE | MAP_INHERIT_SHARE), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 18, 2, VM_PROT_READ,
                      MAP_COPY_ON_WRITE | MAP_INHERIT_SHARE | MAP_NOMERGE),
               KERN_SUCCESS);
  cr_assert_eq(map.nentries, 4);
  check();
}

Test(vm_map, insert_same_object_contiguous_merges)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 8);

  vm_object_reference(obj);
  cr_assert_eq(insert(obj, 0, 10, 4, VM_PROT_RW, 0), KERN_SUCCESS);
  cr_assert_eq(insert(obj, 4 * PAGE_SIZE, 14, 4, VM_PROT_RW, 0), KERN_SUCCESS);
  cr_assert_eq(map.nentries, 1);
  cr_assert_eq(obj->ref_count, 1, "the merged entry holds one reference");
  check();
}

Test(vm_map, insert_same_object_gap_in_offsets_does_not_merge)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 16);

  vm_object_reference(obj);
  cr_assert_eq(insert(obj, 0, 10, 4, VM_PROT_RW, 0), KERN_SUCCESS);
  cr_assert_eq(insert(obj, 8 * PAGE_SIZE, 14, 4, VM_PROT_RW, 0), KERN_SUCCESS);
  cr_assert_eq(map.nentries, 2);
  cr_assert_eq(obj->ref_count, 2);
  check();
}

Test(vm_map, insert_private_object_needs_copy)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);

  cr_assert_eq(insert(obj, 0, 10, 4, VM_PROT_RW, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  struct vm_map_entry e = entry_at(P(10));
  cr_assert_eq(e.eflags & (MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY),
               MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY);
  check();
}

Test(vm_map, insert_coalesces_a_growing_heap)
{
  cr_assert_eq(anon(10, 2), KERN_SUCCESS);
  touch(P(10), VM_PROT_WRITE);                 // the entry gets an object
  struct vm_object *obj = entry_at(P(10)).object;
  cr_assert_not_null(obj);
  for (int i = 0; i < 5; i++)
    cr_assert_eq(anon(12 + i, 1), KERN_SUCCESS);
  cr_assert_eq(map.nentries, 1, "heap growth must stay one entry");
  cr_assert_eq(entry_at(P(16)).object, obj);
  touch(P(16), VM_PROT_WRITE);
  check();
}

Test(vm_map, insert_guard_is_not_counted_in_size)
{
  cr_assert_eq(insert(NULL, 0, 10, 4, VM_PROT_NONE, MAP_CREATE_GUARD),
               KERN_SUCCESS);
  cr_assert_eq(map.nentries, 1);
  cr_assert_eq(map.size, 0);
  cr_assert_eq(vmtest_access(&map, P(10), VM_PROT_READ), KERN_INVALID_ADDRESS);
  check();
}

Test(vm_map, insert_unaligned_panics, .signal = SIGABRT)
{
  expect_panic("vm_map_insert: bad range");
  vm_map_lock(&map);
  vm_map_insert(&map, NULL, 0, P(1) + 1, P(3), VM_PROT_RW, VM_PROT_ALL, 0);
}

Test(vm_map, insert_prot_beyond_max_panics, .signal = SIGABRT)
{
  expect_panic("vm_map_insert: prot * beyond max");
  vm_map_lock(&map);
  vm_map_insert(&map, NULL, 0, P(1), P(3), VM_PROT_RW, VM_PROT_READ, 0);
}

Test(vm_map, insert_without_lock_panics, .signal = SIGABRT)
{
  expect_panic("vm_map_insert_reserved: vm_map not exclusively locked");
  vm_map_insert(&map, NULL, 0, P(1), P(3), VM_PROT_RW, VM_PROT_ALL, 0);
}

// ---------------------------------------------------------------------------
// Free space.

Test(vm_map, find_takes_a_free_hint)
{
  vm_offset_t addr = P(100);

  cr_assert_eq(find(&addr, 4), KERN_SUCCESS);
  cr_assert_eq(addr, P(100));
  check();
}

Test(vm_map, find_moves_past_a_taken_hint)
{
  vm_offset_t addr = P(11);

  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(find(&addr, 4), KERN_SUCCESS);
  cr_assert_eq(addr, P(14));
  check();
}

Test(vm_map, find_skips_holes_too_small)
{
  vm_offset_t addr = P(0);

  // Holes of 1, 2 and 3 pages between entries, then a big one.
  cr_assert_eq(anon(0, 1), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 2, 1, VM_PROT_READ, 0), KERN_SUCCESS);
  cr_assert_eq(anon(5, 1), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 9, 1, VM_PROT_READ, 0), KERN_SUCCESS);
  cr_assert_eq(find(&addr, 3), KERN_SUCCESS);
  cr_assert_eq(addr, P(6), "lowest fit is the three-page hole");
  addr = P(0);
  cr_assert_eq(find(&addr, 4), KERN_SUCCESS);
  cr_assert_eq(addr, P(10));
  addr = P(0);
  cr_assert_eq(find(&addr, 1), KERN_SUCCESS);
  cr_assert_eq(addr, P(1));
  check();
}

Test(vm_map, find_hint_below_min_is_clamped)
{
  vm_offset_t addr = 0;

  cr_assert_eq(find(&addr, 2), KERN_SUCCESS);
  cr_assert_eq(addr, MIN_VA);
  check();
}

Test(vm_map, find_reports_no_space)
{
  vm_offset_t addr = MIN_VA;
  vm_size_t all = MAX_VA - MIN_VA;

  cr_assert_eq(vm_map_find(&map, NULL, 0, &addr, all + PAGE_SIZE,
                           VMFS_ANY_SPACE, VM_PROT_RW, VM_PROT_ALL, 0),
               KERN_NO_SPACE);
  cr_assert_eq(anon(1000, 1), KERN_SUCCESS);
  addr = MIN_VA;
  cr_assert_eq(vm_map_find(&map, NULL, 0, &addr, all, VMFS_ANY_SPACE,
                           VM_PROT_RW, VM_PROT_ALL, 0), KERN_NO_SPACE);
  addr = P(1001);
  cr_assert_eq(vm_map_find(&map, NULL, 0, &addr, MAX_VA - P(1001),
                           VMFS_ANY_SPACE, VM_PROT_RW, VM_PROT_ALL, 0),
               KERN_SUCCESS, "a fit that ends exactly at the map's end");
  cr_assert_eq(addr, P(1001));
  cr_assert_eq(map.nentries, 2);
  check();
}

Test(vm_map, find_exact_address)
{
  vm_offset_t addr = P(20);

  cr_assert_eq(anon(20, 1), KERN_SUCCESS);
  cr_assert_eq(vm_map_find(&map, NULL, 0, &addr, PAGE_SIZE, VMFS_NO_SPACE,
                           VM_PROT_RW, VM_PROT_ALL, 0), KERN_NO_SPACE);
  addr = P(22);
  cr_assert_eq(vm_map_find(&map, NULL, 0, &addr, PAGE_SIZE, VMFS_NO_SPACE,
                           VM_PROT_RW, VM_PROT_ALL, 0), KERN_SUCCESS);
  cr_assert_eq(addr, P(22));
  check();
}

// The lowest fit by brute force over the entries, for comparison.
static vm_offset_t brute_fit(vm_offset_t start, vm_size_t len)
{
  vm_offset_t cur = start < MIN_VA ? MIN_VA : start;
  struct vm_map_entry *e;

  for (e = vm_map_entry_first(&map); e != NULL; e = vm_map_entry_next(e)) {
    if (e->end <= cur)
      continue;
    if (e->start >= cur && e->start - cur >= len)
      return cur;
    cur = e->end > cur ? e->end : cur;
  }
  return MAX_VA - cur >= len ? cur : 0;
}

Test(vm_map, findspace_matches_brute_force_over_many_holes)
{
  // 2000 single-page entries with random holes of 0..7 pages.
  int page = 0;
  for (int i = 0; i < 2000; i++) {
    page += (int)vmtest_rand_below(8);
    cr_assert_eq(insert(NULL, 0, page, 1, VM_PROT_READ, MAP_NOMERGE),
                 KERN_SUCCESS);
    page++;
  }
  check();
  vm_map_lock_read(&map);
  for (int i = 0; i < 3000; i++) {
    vm_offset_t start = P(vmtest_rand_below((uint64_t)page + 10));
    vm_size_t len = (1 + vmtest_rand_below(9)) * PAGE_SIZE;
    vm_offset_t got = 0, want = brute_fit(start, len);
    int rv = vm_map_findspace(&map, start, len, &got);
    cr_assert_eq(rv, want != 0 ? KERN_SUCCESS : KERN_NO_SPACE);
    cr_assert_eq(got, want, "start %#lx len %#lx: got %#lx want %#lx",
                 (unsigned long)start, (unsigned long)len,
                 (unsigned long)got, (unsigned long)want);
  }
  vm_map_unlock_read(&map);
}

// Lookup and the lowest fit must use the tree, not walk the entries in
// order: 30,000 entries with one-page holes, then 200,000 lookups and
// 200,000 searches for two free pages (which only the space after the last
// entry holds). O(log n) each, this takes well under a second with ASan;
// a walk through the entries costs about 6e9 steps and times out.
Test(vm_map, lookup_and_findspace_are_logarithmic, .timeout = 20)
{
  const int n = 30000;
  struct vm_map_entry *entry;
  vm_offset_t got;

  vm_check_level = 0;                 // an O(n) check per insert: O(n^2)
  for (int i = 0; i < n; i++)
    cr_assert_eq(insert(NULL, 0, 2 * i, 1, VM_PROT_READ, MAP_NOMERGE),
                 KERN_SUCCESS);
  vm_check_level = 1;
  check();
  vm_map_lock_read(&map);
  for (int i = 0; i < 200000; i++) {
    int page = (int)vmtest_rand_below(2 * n);
    bool in = vm_map_lookup_entry(&map, P(page), &entry);
    cr_assert_eq(in, page % 2 == 0, "page %d", page);
    cr_assert_eq(entry->start, P(page & ~1));
    cr_assert_eq(vm_map_findspace(&map, P(page), 2 * PAGE_SIZE, &got),
                 KERN_SUCCESS);
    cr_assert_eq(got, P(2 * n - 1));
  }
  vm_map_unlock_read(&map);
}

// ---------------------------------------------------------------------------
// MAP_FIXED.

Test(vm_map, fixed_replaces_what_is_there)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 16, 4, VM_PROT_READ, 0), KERN_SUCCESS);
  touch(P(12), VM_PROT_WRITE);
  touch(P(13), VM_PROT_WRITE);
  cr_assert_eq(vm_map_fixed(&map, NULL, 0, P(12), 6 * PAGE_SIZE, VM_PROT_READ,
                            VM_PROT_ALL, MAP_NOMERGE), KERN_SUCCESS);
  cr_assert_eq(map.nentries, 3);
  cr_assert_eq(entry_at(P(11)).end, P(12));
  cr_assert_eq(entry_at(P(12)).end, P(18));
  cr_assert_eq(entry_at(P(18)).start, P(18));
  cr_assert_not(mapped_in_pmap(P(12), NULL), "old pages must be unmapped");
  cr_assert_eq(vm_page_free_count(), free_at_boot, "old pages freed");
  check();
}

Test(vm_map, fixed_excl_over_a_mapping_changes_nothing)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  touch(P(11), VM_PROT_WRITE);
  cr_assert_eq(vm_map_fixed(&map, NULL, 0, P(8), 3 * PAGE_SIZE, VM_PROT_READ,
                            VM_PROT_ALL, MAP_CHECK_EXCL), KERN_NO_SPACE);
  cr_assert_eq(map.nentries, 1);
  cr_assert_eq(entry_at(P(10)).start, P(10));
  cr_assert_eq(entry_at(P(10)).protection, VM_PROT_RW);
  cr_assert(mapped_in_pmap(P(11), NULL));
  cr_assert_eq(vm_map_fixed(&map, NULL, 0, P(20), 3 * PAGE_SIZE, VM_PROT_READ,
                            VM_PROT_ALL, MAP_CHECK_EXCL), KERN_SUCCESS);
  check();
}

Test(vm_map, fixed_rejects_bad_ranges)
{
  cr_assert_eq(vm_map_fixed(&map, NULL, 0, MIN_VA - PAGE_SIZE, 2 * PAGE_SIZE,
                            VM_PROT_READ, VM_PROT_ALL, 0), KERN_INVALID_ADDRESS);
  cr_assert_eq(vm_map_fixed(&map, NULL, 0, MAX_VA - PAGE_SIZE, 2 * PAGE_SIZE,
                            VM_PROT_READ, VM_PROT_ALL, 0), KERN_INVALID_ADDRESS);
  cr_assert_eq(vm_map_fixed(&map, NULL, 0, P(4), (vm_size_t)0 - PAGE_SIZE,
                            VM_PROT_READ, VM_PROT_ALL, 0), KERN_INVALID_ADDRESS);
  cr_assert_eq(map.nentries, 0);
}

// ---------------------------------------------------------------------------
// Deletion.

Test(vm_map, delete_middle_splits_entry)
{
  cr_assert_eq(anon(10, 10), KERN_SUCCESS);
  for (int i = 10; i < 20; i++)
    touch(P(i), VM_PROT_WRITE);
  cr_assert_eq(vm_map_remove(&map, P(13), P(15)), KERN_SUCCESS);
  cr_assert_eq(map.nentries, 2);
  cr_assert_eq(map.size, 8 * PAGE_SIZE);
  cr_assert_eq(entry_at(P(12)).end, P(13));
  cr_assert_eq(entry_at(P(15)).start, P(15));
  cr_assert_eq(entry_at(P(12)).object, entry_at(P(15)).object,
               "both halves share the object");
  cr_assert_not(mapped_in_pmap(P(13), NULL));
  cr_assert(mapped_in_pmap(P(15), NULL));
  cr_assert_eq(vm_page_free_count(), free_at_boot - 8,
               "the middle pages are freed at once");
  check();
}

Test(vm_map, delete_across_holes)
{
  cr_assert_eq(anon(10, 2), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 14, 2, VM_PROT_READ, 0), KERN_SUCCESS);
  cr_assert_eq(anon(20, 2), KERN_SUCCESS);
  cr_assert_eq(vm_map_remove(&map, P(11), P(21)), KERN_SUCCESS);
  cr_assert_eq(map.nentries, 2);
  cr_assert_eq(entry_at(P(10)).end, P(11));
  cr_assert_eq(entry_at(P(21)).start, P(21));
  cr_assert_eq(vm_map_remove(&map, P(30), P(40)), KERN_SUCCESS, "all hole");
  check();
}

Test(vm_map, delete_everything_frees_everything)
{
  for (int i = 0; i < 10; i++) {
    cr_assert_eq(insert(NULL, 0, 10 * i, 5, VM_PROT_RW, MAP_COPY_ON_WRITE),
                 KERN_SUCCESS);
    touch(P(10 * i + 1), VM_PROT_WRITE);
  }
  cr_assert_eq(vm_map_remove(&map, MIN_VA, MAX_VA), KERN_SUCCESS);
  cr_assert_eq(map.nentries, 0);
  cr_assert_eq(map.size, 0);
  cr_assert_eq(host_pmap_count(map.pmap), 0);
  cr_assert_eq(vm_object_count(), 0);
  cr_assert_eq(vm_page_free_count(), free_at_boot);
}

Test(vm_map, delete_requires_exclusive_lock, .signal = SIGABRT)
{
  expect_panic("vm_map_delete: vm_map not exclusively locked");
  vm_map_lock_read(&map);
  vm_map_delete(&map, P(0), P(1));
}

// ---------------------------------------------------------------------------
// Clipping and merging, through protection and inheritance.

Test(vm_map, protect_middle_clips_and_restoring_merges)
{
  cr_assert_eq(anon(10, 10), KERN_SUCCESS);
  touch(P(12), VM_PROT_WRITE);
  cr_assert_eq(vm_map_protect(&map, P(12), P(14), VM_PROT_READ, false),
               KERN_SUCCESS);
  cr_assert_eq(map.nentries, 3);
  cr_assert_eq(entry_at(P(12)).protection, VM_PROT_READ);
  cr_assert_eq(entry_at(P(14)).protection, VM_PROT_RW);
  check();
  cr_assert_eq(vm_map_protect(&map, P(12), P(14), VM_PROT_RW, false),
               KERN_SUCCESS);
  cr_assert_eq(map.nentries, 1, "identical neighbours merge back");
  cr_assert_eq(entry_at(P(10)).end, P(20));
  check();
}

Test(vm_map, inherit_clips_and_merges)
{
  cr_assert_eq(anon(10, 10), KERN_SUCCESS);
  cr_assert_eq(vm_map_inherit(&map, P(15), P(20), VM_INHERIT_NONE),
               KERN_SUCCESS);
  cr_assert_eq(map.nentries, 2);
  cr_assert_eq(entry_at(P(15)).inheritance, VM_INHERIT_NONE);
  cr_assert_eq(entry_at(P(14)).inheritance, VM_INHERIT_COPY);
  cr_assert_eq(vm_map_inherit(&map, P(10), P(20), VM_INHERIT_ZERO),
               KERN_SUCCESS);
  cr_assert_eq(map.nentries, 1);
  check();
}

Test(vm_map, inherit_rejects_bad_value_and_holes)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(vm_map_inherit(&map, P(10), P(12), 7), KERN_INVALID_ARGUMENT);
  cr_assert_eq(vm_map_inherit(&map, P(12), P(16), VM_INHERIT_SHARE),
               KERN_INVALID_ADDRESS);
  cr_assert_eq(map.nentries, 1);
  cr_assert_eq(entry_at(P(12)).inheritance, VM_INHERIT_COPY);
  check();
}

Test(vm_map, clip_shares_the_object_and_keeps_offsets)
{
  cr_assert_eq(anon(10, 6), KERN_SUCCESS);
  touch(P(10), VM_PROT_WRITE);
  touch(P(15), VM_PROT_WRITE);
  struct vm_object *obj = entry_at(P(10)).object;
  cr_assert_eq(vm_map_inherit(&map, P(12), P(14), VM_INHERIT_SHARE),
               KERN_SUCCESS);
  cr_assert_eq(map.nentries, 3);
  cr_assert_eq(obj->ref_count, 3);
  cr_assert_eq(entry_at(P(12)).offset, 2 * PAGE_SIZE);
  cr_assert_eq(entry_at(P(14)).offset, 4 * PAGE_SIZE);
  cr_assert_eq(vm_map_inherit(&map, P(12), P(14), VM_INHERIT_COPY),
               KERN_SUCCESS);
  cr_assert_eq(obj->ref_count, 1);
  check();
}

// ---------------------------------------------------------------------------
// Protection.

Test(vm_map, protect_lowering_write_protects_pmap)
{
  vm_prot_t prot;

  cr_assert_eq(anon(10, 2), KERN_SUCCESS);
  touch(P(10), VM_PROT_WRITE);
  cr_assert(mapped_in_pmap(P(10), &prot) && (prot & VM_PROT_WRITE));
  cr_assert_eq(vm_map_protect(&map, P(10), P(12), VM_PROT_READ, false),
               KERN_SUCCESS);
  cr_assert(mapped_in_pmap(P(10), &prot));
  cr_assert_eq(prot & VM_PROT_WRITE, 0);
  cr_assert_eq(vmtest_access(&map, P(10), VM_PROT_WRITE),
               KERN_PROTECTION_FAILURE);
  cr_assert_eq(vm_map_protect(&map, P(10), P(12), VM_PROT_NONE, false),
               KERN_SUCCESS);
  cr_assert_not(mapped_in_pmap(P(10), NULL));
  check();
}

Test(vm_map, protect_beyond_max_changes_nothing)
{
  cr_assert_eq(insert(NULL, 0, 10, 4, VM_PROT_READ, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 14, 4, VM_PROT_READ, MAP_NOMERGE),
               KERN_SUCCESS);
  cr_assert_eq(vm_map_protect(&map, P(14), P(18), VM_PROT_READ, true),
               KERN_SUCCESS);                    // max of the second: READ
  cr_assert_eq(vm_map_protect(&map, P(12), P(16), VM_PROT_RW, false),
               KERN_PROTECTION_FAILURE);
  cr_assert_eq(map.nentries, 2, "no clip happened");
  cr_assert_eq(entry_at(P(12)).protection, VM_PROT_READ,
               "the allowed part was not changed either");
  check();
}

Test(vm_map, protect_hole_changes_nothing)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(anon(15, 4), KERN_SUCCESS);
  cr_assert_eq(vm_map_protect(&map, P(12), P(17), VM_PROT_READ, false),
               KERN_INVALID_ADDRESS);
  cr_assert_eq(map.nentries, 2);
  cr_assert_eq(entry_at(P(12)).protection, VM_PROT_RW);
  cr_assert_eq(entry_at(P(16)).protection, VM_PROT_RW);
  check();
}

Test(vm_map, protect_set_max_lowers_and_clamps)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(vm_map_protect(&map, P(10), P(14), VM_PROT_READ, true),
               KERN_SUCCESS);
  struct vm_map_entry e = entry_at(P(10));
  cr_assert_eq(e.max_protection, VM_PROT_READ);
  cr_assert_eq(e.protection, VM_PROT_READ);
  cr_assert_eq(vm_map_protect(&map, P(10), P(14), VM_PROT_RW, false),
               KERN_PROTECTION_FAILURE);
  check();
}

Test(vm_map, protect_adding_write_to_cow_leaves_pmap_readonly)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);
  vm_prot_t prot;

  // A private mapping of an object someone else holds: NEEDS_COPY.
  vm_object_reference(obj);
  cr_assert_eq(insert(obj, 0, 10, 4, VM_PROT_READ, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  touch(P(10), VM_PROT_READ);
  cr_assert_eq(vm_map_protect(&map, P(10), P(14), VM_PROT_RW, false),
               KERN_SUCCESS);
  cr_assert(mapped_in_pmap(P(10), &prot));
  cr_assert_eq(prot & VM_PROT_WRITE, 0, "still shared: not writable");
  check();
  touch(P(10), VM_PROT_WRITE);                 // copies into a shadow
  cr_assert_neq(entry_at(P(10)).object, obj);
  cr_assert_eq(entry_at(P(10)).eflags & MAP_ENTRY_NEEDS_COPY, 0);
  check();
  vm_object_deallocate(obj);
}

Test(vm_map, protect_over_a_guard_is_a_hole)
{
  cr_assert_eq(insert(NULL, 0, 10, 4, VM_PROT_NONE, MAP_CREATE_GUARD),
               KERN_SUCCESS);
  cr_assert_eq(vm_map_protect(&map, P(10), P(12), VM_PROT_READ, false),
               KERN_INVALID_ADDRESS);
  cr_assert_eq(entry_at(P(10)).protection, VM_PROT_NONE);
  check();
}

// ---------------------------------------------------------------------------
// Kernel memory, checker.

Test(vm_map, kmem_failure_on_insert_changes_nothing)
{
  host_kmem_fail_after(0);
  cr_assert_eq(anon(10, 4), KERN_RESOURCE_SHORTAGE);
  host_kmem_fail_after(-1);
  cr_assert_eq(map.nentries, 0);
  cr_assert_eq(map.size, 0);
}

Test(vm_map, kmem_failure_on_clip_changes_nothing)
{
  cr_assert_eq(anon(10, 10), KERN_SUCCESS);
  touch(P(12), VM_PROT_WRITE);
  host_kmem_fail_after(1);      // the first of two clips' entries only
  cr_assert_eq(vm_map_protect(&map, P(12), P(14), VM_PROT_READ, false),
               KERN_RESOURCE_SHORTAGE);
  cr_assert_eq(vm_map_remove(&map, P(12), P(14)), KERN_RESOURCE_SHORTAGE);
  cr_assert_eq(vm_map_fixed(&map, NULL, 0, P(12), PAGE_SIZE, VM_PROT_READ,
                            VM_PROT_ALL, 0), KERN_RESOURCE_SHORTAGE);
  cr_assert_eq(vm_map_inherit(&map, P(11), P(12), VM_INHERIT_NONE),
               KERN_RESOURCE_SHORTAGE);
  host_kmem_fail_after(-1);
  cr_assert_eq(map.nentries, 1);
  cr_assert_eq(entry_at(P(12)).protection, VM_PROT_RW);
  cr_assert(mapped_in_pmap(P(12), NULL));
  check();
}

Test(vm_map, kmem_failure_without_clips_still_deletes)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  host_kmem_fail_after(0);
  cr_assert_eq(vm_map_remove(&map, P(10), P(14)), KERN_SUCCESS,
               "removing whole entries needs no memory");
  host_kmem_fail_after(-1);
  cr_assert_eq(map.nentries, 0);
}

Test(vm_map, check_catches_overlap, .signal = SIGABRT)
{
  struct vm_map_entry *e;

  expect_panic("vm_map_check: * overlaps or is out of order");
  cr_assert_eq(anon(10, 2), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 12, 2, VM_PROT_READ, 0), KERN_SUCCESS);
  vm_map_lock(&map);
  vm_map_lookup_entry(&map, P(10), &e);
  e->end = P(13);              // corrupt: now overlaps its neighbour
  vm_map_check(&map);
}

Test(vm_map, check_catches_stale_max_free, .signal = SIGABRT)
{
  struct vm_map_entry *e;

  expect_panic("vm_map_check: max_free * should be");
  cr_assert_eq(anon(10, 2), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 20, 2, VM_PROT_READ, 0), KERN_SUCCESS);
  vm_map_lock(&map);
  vm_map_lookup_entry(&map, P(10), &e);
  e->max_free += PAGE_SIZE;
  vm_map_check(&map);
}

Test(vm_map, check_catches_mergeable_neighbours, .signal = SIGABRT)
{
  struct vm_map_entry *e;

  expect_panic("vm_map_check: mergeable neighbours");
  cr_assert_eq(anon(10, 2), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 12, 2, VM_PROT_READ, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  vm_map_lock(&map);
  vm_map_lookup_entry(&map, P(12), &e);
  e->protection = VM_PROT_RW;
  vm_map_check(&map);
}
