// SPDX-License-Identifier: MIT
// Tests of swap read-ahead (kernel/vm/swap_pager_ra.c and its triggers in
// vm_fault.c), on the fake swap device in its asynchronous mode: reads are
// queued until host_swapdev_finish_reads() plays the disk's interrupt.
#include "swaptest.h"

TestSuite(swap_readahead, .init = setup, .fini = teardown);

// 80 pages (5 clusters) of process 0, all written, all paged out; the
// device then offers read_start. Returns the object.
#define RA_PAGES 80
static struct vm_object *swapped_out(void)
{
  map_anon(0, RA_PAGES);
  fill(0, 0, RA_PAGES, 11);
  while (vm_pageout_reclaim(64) > 0)
    ;
  cr_assert_eq(swap_used(), RA_PAGES);
  host_swapdev_async(true);
  return front(0);
}

// Page i of obj's flags, or 0 if it is not resident.
static unsigned flags_at(struct vm_object *obj, vm_pindex_t i)
{
  struct vm_page *m;
  unsigned f;

  mtx_lock(&obj->lock);
  m = vm_object_page_lookup(obj, i);
  f = m == NULL ? 0 : m->flags;
  mtx_unlock(&obj->lock);
  return f;
}

// Read clusters 0 and 1 in order: the second, following a resident page,
// starts the reads of clusters 2 and 3 (pages 32..63), left in flight.
static struct vm_object *readahead_in_flight(void)
{
  struct vm_object *obj = swapped_out();

  verify(0, 0, 1, 11);
  cr_assert_eq(host_swapdev.starts, 0, "read ahead with nothing before");
  verify(0, 16, 1, 11);
  cr_assert_eq(host_swapdev.starts, 2);
  cr_assert_eq(host_swapdev.pending, 2);
  return obj;
}

static void disk_finishes(void *chan)
{
  (void)chan;
  host_swapdev_finish_reads();
}

Test(swap_readahead, sequential_reader_keeps_two_clusters_read_ahead)
{
  struct vm_object *obj = readahead_in_flight();

  for (vm_pindex_t i = 32; i < 64; i++)
    cr_assert_eq(flags_at(obj, i) & (PG_BUSY | PG_VALID), PG_BUSY,
                 "page %lu not busy and invalid in flight", (unsigned long)i);
  cr_assert_eq(flags_at(obj, 64), 0);
  cr_assert_eq(obj->pageout_refs, 2, "the reads do not hold their object");
  cr_assert_eq(host_swapdev_finish_reads(), 2);
  cr_assert_eq(obj->pageout_refs, 0);
  cr_assert_eq(flags_at(obj, 32) & (PG_BUSY | PG_VALID | PG_READAHEAD),
               PG_VALID | PG_READAHEAD);
  cr_assert_eq(flags_at(obj, 48) & PG_READAHEAD, PG_READAHEAD);
  cr_assert_eq(flags_at(obj, 47) & (PG_BUSY | PG_VALID), PG_VALID);
  mtx_lock(&obj->lock);
  cr_assert_eq(vm_page_queue_of(vm_object_page_lookup(obj, 40)), PQ_INACTIVE);
  mtx_unlock(&obj->lock);
  verify(0, 32, 1, 11);               // found read: starts cluster 4
  cr_assert_eq(host_swapdev.reads, 4, "page 32 read again");
  cr_assert_eq(host_swapdev.starts, 3);
  cr_assert_eq(flags_at(obj, 32) & PG_READAHEAD, 0, "mark not cleared");
  cr_assert_eq(flags_at(obj, 64) & PG_BUSY, PG_BUSY);
  cr_assert_eq(host_swapdev_finish_reads(), 1);
  verify(0, 0, RA_PAGES, 11);
  cr_assert_eq(host_swapdev.reads, 5, "%d pages in %d reads", RA_PAGES,
               host_swapdev.reads);
  cr_assert_eq(vm_cnt.v_pagein, RA_PAGES);
  cr_assert_eq(host_swapdev.starts, 3, "read ahead past the object");
  // 2 synchronous reads of 16 count 15 each, 3 read-aheads 16 each.
  cr_assert_eq(map_of(0)->stats.readahead, 2 * 15 + 3 * 16,
               "the map counted %lu pages read ahead",
               (unsigned long)map_of(0)->stats.readahead);
}

// mincore: a page being read in is not resident until the read is done.
Test(swap_readahead, mincore_says_a_page_being_read_is_not_resident_yet)
{
  char vec[4];

  readahead_in_flight();
  cr_assert_eq(vm_mincore(vms[0], VA(31), 4 * PAGE_SIZE, vec), 0);
  cr_assert_eq(vec[0] & MINCORE_INCORE, MINCORE_INCORE);
  cr_assert_eq(vec[1] & MINCORE_INCORE, 0, "in flight, yet resident");
  host_swapdev_finish_reads();
  cr_assert_eq(vm_mincore(vms[0], VA(31), 4 * PAGE_SIZE, vec), 0);
  for (int i = 0; i < 4; i++)
    cr_assert_eq(vec[i] & MINCORE_INCORE, MINCORE_INCORE, "page %d", 31 + i);
}

Test(swap_readahead, fault_on_a_page_being_read_ahead_waits_for_it)
{
  readahead_in_flight();
  host_set_sleep_hook(disk_finishes);
  verify(0, 40, 1, 11);
  cr_assert_eq(host_swapdev.pending, 0);
  cr_assert_eq(host_swapdev.reads, 4, "page 40 read on its own");
  verify(0, 32, RA_PAGES - 32, 11);
}

Test(swap_readahead, failed_readahead_leaves_the_pages_to_the_fault)
{
  struct vm_object *obj = readahead_in_flight();

  host_swapdev.fail_reads = 1;        // the first of the two
  host_swapdev_finish_reads();
  for (vm_pindex_t i = 32; i < 48; i++)
    cr_assert_eq(flags_at(obj, i), 0, "page %lu kept", (unsigned long)i);
  cr_assert_eq(flags_at(obj, 48) & PG_VALID, PG_VALID);
  cr_assert_eq(obj->pageout_refs, 0);
  host_set_sleep_hook(disk_finishes);
  verify(0, 32, 16, 11);              // read again, synchronously
  cr_assert_eq(host_swapdev.reads, 5);
  cr_assert_eq(swap_used(), RA_PAGES, "blocks lost with the failed read");
  verify(0, 0, RA_PAGES, 11);
}

Test(swap_readahead, refused_readahead_gives_everything_back)
{
  struct vm_object *obj = swapped_out();
  size_t free_before;

  host_swapdev.refuse_starts = 1;
  verify(0, 0, 1, 11);
  free_before = vm_page_free_count();
  verify(0, 16, 1, 11);
  cr_assert_eq(host_swapdev.starts, 0, "went on after a refusal");
  cr_assert_eq(vm_page_free_count(), free_before - 16, "pages of the "
               "refused read kept");
  cr_assert_eq(flags_at(obj, 32), 0);
  cr_assert_eq(obj->pageout_refs, 0);
  cr_assert_eq(obj->ref_count, 1);
  host_set_sleep_hook(disk_finishes);   // 48.. is read ahead, not refused
  verify(0, 32, RA_PAGES - 32, 11);
}

Test(swap_readahead, unmapping_waits_for_a_readahead_in_flight)
{
  readahead_in_flight();
  host_set_sleep_hook(disk_finishes);
  cr_assert_eq(vm_map_remove(map_of(0), VA(0), VA(RA_PAGES)), KERN_SUCCESS);
  cr_assert_eq(host_swapdev.pending, 0);
  cr_assert_eq(swap_used(), 0);
}

Test(swap_readahead, exit_waits_for_a_readahead_in_flight)
{
  readahead_in_flight();
  host_set_sleep_hook(disk_finishes);
  vmspace_free(vms[0]);
  vms[0] = NULL;
  cr_assert_eq(host_swapdev.pending, 0);
}

// The reads' references are no user's: counted as such, the fork would
// copy all the pages at once (and fail, in the memory of these tests).
Test(swap_readahead, fork_during_a_readahead_sees_the_pages)
{
  struct vm_object *obj;

  readahead_in_flight();
  obj = front(0);
  cr_assert_eq(obj->ref_count, 3, "no reads in flight");
  vms[1] = vmspace_fork(vms[0]);
  cr_assert_not_null(vms[1], "fork took the reads' references for users");
  host_swapdev_finish_reads();
  host_set_sleep_hook(disk_finishes); // the next clusters are read ahead
  verify(1, 0, RA_PAGES, 11);
  fill(0, 32, 16, 12);                // the parent's writes stay its own
  verify(1, 32, 16, 11);
  verify(0, 32, 16, 12);
}

Test(swap_readahead, random_access_reads_nothing_ahead)
{
  swapped_out();
  cr_assert_eq(vm_map_madvise(map_of(0), VA(0), VA(RA_PAGES),
                              VM_BEHAV_RANDOM), KERN_SUCCESS);
  verify(0, 0, 48, 11);
  cr_assert_eq(host_swapdev.starts, 0);
}
