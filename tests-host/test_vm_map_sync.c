// SPDX-License-Identifier: MIT
// Host tests of msync and write-back (kernel/vm/vm_map_advise.c): vm_map_sync,
// which msync calls on a range that must be mapped, and vm_map_writeback,
// which munmap and exit call on any range before they drop a file mapping.
// Both write the dirty pages of shared file mappings through the object's
// pager and leave anonymous memory and private copies of file pages alone.
//
// Files are objects of the fake pager (host_fakepager.h): page i of the
// file reads as bytes of value i, and every run written is recorded, so a
// test can say exactly which pages reached the file. The fixture is
// maptest.h's. A range that ends inside an entry once made the walk loop
// for ever, so the tests of such ranges have a timeout: a hang fails.
#include <criterion/criterion.h>

#include "host_fakepager.h"
#include "host_pmap.h"
#include "maptest.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vmtest.h"

#define NPAGES  256
#define USER    (VM_MAP_WIRE_USER | VM_MAP_WIRE_NOHOLES)

static void setup(void)
{
  maptest_setup(NPAGES);
}

TestSuite(vm_map_sync, .init = setup, .fini = maptest_teardown);

// ---------------------------------------------------------------------------
// Helpers.

// putpages call n wrote count pages from file page first.
static void assert_put(int n, vm_pindex_t first, int count)
{
  cr_assert(n < host_fakepager.putpages && n < HOST_FAKEPAGER_RUNS,
            "no record of putpages call %d", n);
  cr_assert_eq(host_fakepager.put_first[n], first,
               "call %d wrote from page %llu, expected %llu", n,
               (unsigned long long)host_fakepager.put_first[n],
               (unsigned long long)first);
  cr_assert_eq(host_fakepager.put_count[n], count,
               "call %d wrote %d pages, expected %d", n,
               host_fakepager.put_count[n], count);
}

// A 4-page file mapped shared at P(10), every page in dirty[] written.
static struct vm_object *dirty_shared_file(const int *dirty, int ndirty)
{
  struct vm_object *obj = host_fakepager_file(4, 0, 4);

  cr_assert_eq(insert(obj, 0, 10, 4, VM_PROT_RW, MAP_INHERIT_SHARE),
               KERN_SUCCESS);
  for (int i = 0; i < ndirty; i++)
    poke(P(10 + dirty[i]), 'd');
  return obj;
}

// ---------------------------------------------------------------------------
// vm_map_sync.

Test(vm_map_sync, sync_rejects_holes_and_invalidating_wired_pages)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(vm_map_sync(&map, P(10), P(16), true, false),
               KERN_INVALID_ADDRESS);
  cr_assert_eq(vm_map_sync(&map, P(10), P(14), true, false), KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(11), USER), KERN_SUCCESS);
  cr_assert_eq(vm_map_sync(&map, P(10), P(14), true, true),
               KERN_INVALID_ARGUMENT);
  cr_assert_eq(vm_map_sync(&map, P(11), P(14), true, true), KERN_SUCCESS);
}

Test(vm_map_sync, sync_writes_back_shared_file_pages)
{
  static const int dirty[] = { 1, 2 };
  struct vm_object *obj = dirty_shared_file(dirty, 2);

  cr_assert_eq(vm_map_sync(&map, P(10), P(14), true, false), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.pages_put, 2);
  cr_assert_eq(vm_map_sync(&map, P(10), P(14), true, true), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.pages_put, 2, "nothing dirty any more");
  cr_assert_eq(host_pmap_count(map.pmap), 0, "invalidate unmapped them");
  cr_assert_eq(obj->resident_count, 0, "and dropped the clean pages");
  cr_assert_eq(peek(P(12)), 2, "read back from the file");
  vmtest_check_map(&map);
}

Test(vm_map_sync, sync_leaves_private_copies_alone)
{
  struct vm_object *obj = host_fakepager_file(4, 0, 4);

  cr_assert_eq(insert(obj, 0, 10, 4, VM_PROT_RW, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  poke(P(11), 'p');
  cr_assert_eq(vm_map_sync(&map, P(10), P(14), true, true), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.pages_put, 0);
  cr_assert_eq(peek(P(11)), 'p', "the private copy survives");
  vmtest_check_map(&map);
}

// Regression: a range that ends inside an entry. The walk went on from the
// range's end, which that entry still contains, and found it again.
Test(vm_map_sync, sync_of_the_first_page_writes_only_it, .timeout = 10)
{
  static const int dirty[] = { 0, 1, 2, 3 };

  dirty_shared_file(dirty, 4);
  cr_assert_eq(vm_map_sync(&map, P(10), P(11), true, false), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 1);
  assert_put(0, 0, 1);
  cr_assert_eq(vm_map_sync(&map, P(10), P(14), true, false), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 2);
  assert_put(1, 1, 3);                     // the rest was left dirty
  check();
}

Test(vm_map_sync, sync_of_a_middle_page_writes_only_it, .timeout = 10)
{
  static const int dirty[] = { 0, 2, 3 };

  dirty_shared_file(dirty, 3);
  cr_assert_eq(vm_map_sync(&map, P(12), P(13), true, false), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 1);
  assert_put(0, 2, 1);
  cr_assert_eq(vm_map_sync(&map, P(11), P(13), false, false), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 1, "pages 1 and 2 are clean now");
  cr_assert_eq(vm_map_sync(&map, P(10), P(14), true, false), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.pages_put, 3);
  assert_put(1, 0, 1);
  assert_put(2, 3, 1);
  check();
}

// A failed write is reported and leaves the page dirty for the next try.
Test(vm_map_sync, sync_reports_a_write_error_and_keeps_the_page_dirty)
{
  static const int dirty[] = { 1 };

  dirty_shared_file(dirty, 1);
  host_fakepager.put_fail = true;
  cr_assert_eq(vm_map_sync(&map, P(10), P(14), true, false),
               KERN_MEMORY_ERROR);
  cr_assert_eq(vm_map_writeback(&map, P(10), P(14)), KERN_MEMORY_ERROR);
  host_fakepager.put_fail = false;
  cr_assert_eq(vm_map_sync(&map, P(10), P(14), true, false), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 3);
  assert_put(2, 1, 1);
  cr_assert_eq(vm_map_sync(&map, P(10), P(14), true, false), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 3, "written at last");
  check();
}

// A full store reaches msync as KERN_NO_SPACE (ENOSPC), not as a generic
// failure, from vm_map_sync and vm_map_writeback alike; the page stays
// dirty until there is room.
Test(vm_map_sync, sync_reports_a_full_store_as_no_space)
{
  static const int dirty[] = { 2 };
  struct vm_object *obj = dirty_shared_file(dirty, 1);

  host_fakepager.put_fail = true;
  host_fakepager.put_error = VM_PAGER_NOSPACE;
  cr_assert_eq(vm_map_sync(&map, P(10), P(14), true, false), KERN_NO_SPACE);
  cr_assert_eq(vm_map_writeback(&map, P(10), P(14)), KERN_NO_SPACE);
  mtx_lock(&obj->lock);
  cr_assert(vm_object_page_lookup(obj, 2)->flags & PG_DIRTY);
  mtx_unlock(&obj->lock);
  cr_assert_eq(peek(P(12)), 'd', "the data is still there");
  host_fakepager.put_fail = false;
  cr_assert_eq(vm_map_sync(&map, P(10), P(14), true, false), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 3);
  check();
}

// ---------------------------------------------------------------------------
// vm_map_writeback.

// Holes around everything; P(10..12) anonymous and written; P(14..18) a
// file shared, written at pages 1 and 3; P(20..24) another file private,
// written at page 1 (a private copy in an anonymous shadow).
static void writeback_layout(void)
{
  struct vm_object *shared, *copied;

  host_fakepager_install(4, 0);
  shared = host_fakepager_object(4);
  copied = host_fakepager_object(4);
  cr_assert_eq(anon(10, 2), KERN_SUCCESS);
  cr_assert_eq(insert(shared, 0, 14, 4, VM_PROT_RW, MAP_INHERIT_SHARE),
               KERN_SUCCESS);
  cr_assert_eq(insert(copied, 0, 20, 4, VM_PROT_RW, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  poke(P(10), 'a');
  poke(P(11), 'a');
  poke(P(15), 's');
  poke(P(17), 's');
  poke(P(21), 'p');
  cr_assert_neq(entry_at(P(21)).object, copied, "the write made a shadow");
  check();
}

Test(vm_map_sync, writeback_writes_exactly_the_dirty_shared_file_pages,
     .timeout = 10)
{
  writeback_layout();
  cr_assert_eq(vm_map_writeback(&map, P(0), P(10)), KERN_SUCCESS,
               "a range of holes only");
  cr_assert_eq(host_fakepager.putpages, 0);
  cr_assert_eq(vm_map_writeback(&map, P(0), P(30)), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 2);
  cr_assert_eq(host_fakepager.pages_put, 2);
  assert_put(0, 1, 1);
  assert_put(1, 3, 1);
  cr_assert_eq(vm_map_writeback(&map, P(0), P(30)), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.pages_put, 2, "nothing dirty any more");
  cr_assert(mapped_in_pmap(P(15), NULL), "write-back does not unmap");
  cr_assert_eq(peek(P(15)), 's');
  cr_assert_eq(peek(P(21)), 'p', "the private copy survives");
  cr_assert_eq(peek(P(22)), 2, "the private file's page 2, unchanged");
  cr_assert_eq(peek(P(11)), 'a');
  check();
}

Test(vm_map_sync, writeback_of_a_range_ending_inside_an_entry, .timeout = 10)
{
  writeback_layout();
  cr_assert_eq(vm_map_writeback(&map, P(12), P(16)), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 1);
  assert_put(0, 1, 1);
  cr_assert_eq(vm_map_writeback(&map, P(16), P(22)), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 2);
  assert_put(1, 3, 1);
  // Write-back took write access away: the next store faults and makes
  // the page dirty again.
  poke(P(15), 't');
  cr_assert_eq(vm_map_writeback(&map, P(15), P(16)), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.putpages, 3);
  assert_put(2, 1, 1);
  check();
}
