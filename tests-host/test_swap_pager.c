// SPDX-License-Identifier: MIT
// Tests of kernel/vm/swap_pager.c and of anonymous paging in vm_pageout.c
// and vm_fault.c, over the fake swap device (host_swapdev.h): clustered
// page-out, read-around page-in, the swap copy kept while a page is clean
// and dropped when it is written, freed or moved; collapse carrying
// swapped pages over; injected I/O failures; wired pages never written;
// and swap back to zero when everything is gone.
#include "swaptest.h"

TestSuite(swap_pager, .init = setup, .fini = teardown);

Test(swap_pager, pageout_clusters_and_fault_reads_around)
{
  map_anon(0, 32);
  fill(0, 0, 32, 1);
  cr_assert_geq(vm_pageout_reclaim(32), 32);
  cr_assert_eq(front(0)->type, OBJT_SWAP, "not swap-backed after page-out");
  cr_assert_eq(swap_used(), 32);
  cr_assert_lt(host_swapdev.writes, 32 / 4, "%d write requests for 32 pages",
               host_swapdev.writes);
  cr_assert_eq(host_swapdev.max_count, SWAP_CLUSTER_MAX);
  for (int i = 0; i < 32; i++)
    cr_assert_not(resident(front(0), (vm_pindex_t)i), "page %d resident", i);
  verify(0, 0, 32, 1);
  cr_assert_eq(host_swapdev.pages_read, 32);
  cr_assert_lt(host_swapdev.reads, 32 / 4, "no read-around: %d reads",
               host_swapdev.reads);
  vmtest_check_map(map_of(0));
}

// Page-out writes aligned clusters, whatever page the scan meets first:
// page 5, advised away, heads the inactive queue, and its cluster is
// still pages 0..15, not 5..20 (which would leave 0..4 and 21..31 for two
// more, shorter writes).
Test(swap_pager, pageout_clusters_are_aligned)
{
  map_anon(0, 32);
  fill(0, 0, 32, 2);
  cr_assert_eq(vm_map_madvise(map_of(0), VA(5), VA(6), VM_BEHAV_DONTNEED),
               KERN_SUCCESS);
  cr_assert_geq(vm_pageout_reclaim(32), 32);
  cr_assert_eq(host_swapdev.pages_written, 32);
  cr_assert_eq(host_swapdev.writes, 2, "%d writes for two aligned clusters",
               host_swapdev.writes);
  verify(0, 0, 32, 2);
}

// A fault on a swapped page reads its whole aligned cluster in one
// request -- what page-out wrote together -- and maps the pages read
// (read-only), so a scan over them does not fault again.
Test(swap_pager, fault_reads_and_maps_the_aligned_cluster)
{
  struct pmap *pmap = map_of(0)->pmap;

  map_anon(0, 32);
  fill(0, 0, 32, 3);
  cr_assert_geq(vm_pageout_reclaim(32), 32);
  host_swapdev.reads = host_swapdev.pages_read = 0;
  verify(0, 3, 1, 3);
  cr_assert_eq(host_swapdev.reads, 1);
  cr_assert_eq(host_swapdev.pages_read, SWAP_CLUSTER_MAX,
               "read %d pages, not the cluster", host_swapdev.pages_read);
  for (int i = 0; i < 32; i++) {
    cr_assert_eq(resident(front(0), (vm_pindex_t)i), i < SWAP_CLUSTER_MAX,
                 "page %d", i);
    cr_assert_eq(host_pmap_lookup(pmap, VA(i), NULL, NULL, NULL),
                 i < SWAP_CLUSTER_MAX, "page %d mapped or not", i);
  }
  verify(0, 0, 32, 3);
  cr_assert_eq(host_swapdev.reads, 2);
}

Test(swap_pager, clean_page_with_swap_copy_goes_without_a_write)
{
  map_anon(0, 8);
  fill(0, 0, 8, 2);
  vm_pageout_reclaim(8);
  int writes = host_swapdev.writes;
  verify(0, 0, 8, 2);                 // read back: clean, copy kept
  cr_assert_eq(swap_used(), 8);
  cr_assert_geq(vm_pageout_reclaim(8), 8);
  cr_assert_eq(host_swapdev.writes, writes, "clean pages written again");
  verify(0, 0, 8, 2);
}

Test(swap_pager, rewritten_page_gets_a_new_copy_and_frees_the_old)
{
  map_anon(0, 8);
  fill(0, 0, 8, 3);
  vm_pageout_reclaim(8);
  verify(0, 0, 8, 3);
  fill(0, 0, 8, 4);                   // every copy on swap is stale now
  cr_assert_geq(vm_pageout_reclaim(8), 8);
  cr_assert_eq(swap_used(), 8, "old blocks kept: %lu used",
               (unsigned long)swap_used());
  verify(0, 0, 8, 4);
}

Test(swap_pager, failed_write_leaves_the_page_dirty_and_resident)
{
  struct vm_page *m;

  map_anon(0, 4);
  fill(0, 0, 4, 5);
  host_swapdev.fail_writes = -1;
  cr_assert_eq(vm_pageout_reclaim(4), 0);
  cr_assert_eq(swap_used(), 0, "blocks of a failed write kept");
  struct vm_object *obj = front(0);
  for (int i = 0; i < 4; i++) {
    mtx_lock(&obj->lock);
    m = vm_object_page_lookup(obj, (vm_pindex_t)i);
    cr_assert(m != NULL && (m->flags & PG_DIRTY) != 0 &&
              (m->flags & PG_BUSY) == 0, "page %d lost or clean", i);
    mtx_unlock(&obj->lock);
  }
  verify(0, 0, 4, 5);
  host_swapdev.fail_writes = 0;       // the next try succeeds
  cr_assert_geq(vm_pageout_reclaim(4), 4);
  verify(0, 0, 4, 5);
}

Test(swap_pager, failed_read_fails_the_fault)
{
  map_anon(0, 4);
  fill(0, 0, 4, 6);
  vm_pageout_reclaim(4);
  host_swapdev.fail_reads = -1;
  cr_assert_eq(vm_fault(map_of(0), VA(2), VM_PROT_READ, 0), KERN_FAILURE);
  cr_assert_not(resident(front(0), 2));
  host_swapdev.fail_reads = 0;
  verify(0, 0, 4, 6);                 // nothing was lost
}

Test(swap_pager, unmapping_and_madv_free_release_swap)
{
  map_anon(0, 16);
  fill(0, 0, 16, 7);
  vm_pageout_reclaim(16);
  cr_assert_eq(swap_used(), 16);
  cr_assert_eq(vm_map_madvise(map_of(0), VA(0), VA(8), VM_BEHAV_FREE),
               KERN_SUCCESS);
  cr_assert_eq(swap_used(), 8);
  cr_assert_eq(vmtest_get(map_of(0), VA(3)), 0, "MADV_FREE'd page not zero");
  verify(0, 8, 8, 7);
  cr_assert_eq(vm_map_remove(map_of(0), VA(8), VA(16)), KERN_SUCCESS);
  cr_assert_eq(swap_used(), 0);
}

Test(swap_pager, wired_pages_are_never_written)
{
  map_anon(0, 16);
  fill(0, 0, 16, 8);
  cr_assert_eq(vm_map_wire(map_of(0), VA(0), VA(8), VM_MAP_WIRE_USER),
               KERN_SUCCESS);
  vm_pageout_reclaim(16);
  cr_assert_eq(host_swapdev.pages_written, 8);
  for (int i = 0; i < 8; i++)
    cr_assert(resident(front(0), (vm_pindex_t)i), "wired page %d gone", i);
  verify(0, 0, 16, 8);
  cr_assert_eq(vm_map_unwire(map_of(0), VA(0), VA(8), VM_MAP_WIRE_USER),
               KERN_SUCCESS);
}

// Parent and child share the pages copy-on-write; each writes some; all
// goes to swap, so both the shadows and their backing object hold swap.
// When the child exits, the parent's object absorbs the backing object:
// the swapped pages must come along, and the ones the parent has itself
// be freed.
Test(swap_pager, collapse_carries_swapped_pages_from_both_objects)
{
  map_anon(0, 16);
  fill(0, 0, 16, 9);
  vms[1] = vmspace_fork(vms[0]);
  cr_assert_not_null(vms[1]);
  fill(0, 0, 4, 10);                  // the parent's own pages 0..3
  fill(1, 4, 4, 11);                  // the child's own pages 4..7
  while (vm_pageout_reclaim(64) > 0)
    ;
  cr_assert_eq(swap_used(), 16 + 4 + 4);
  cr_assert_gt(front(0)->swap_count, 0);
  cr_assert_gt(front(0)->backing_object->swap_count, 0);
  vmspace_free(vms[1]);
  vms[1] = NULL;
  cr_assert_null(front(0)->backing_object, "no collapse");
  cr_assert_eq(swap_used(), 16, "%lu blocks after collapse",
               (unsigned long)swap_used());
  verify(0, 0, 4, 10);
  verify(0, 4, 12, 9);
  vmtest_check_object_tree(front(0));
}

// Fork copies an anonymous object that is also mapped shared at once
// (vmspace.c): the pages of it on swap must be read in and copied too,
// not taken for zeros.
Test(swap_pager, eager_fork_copy_reads_swapped_pages)
{
  map_anon(0, 8);
  cr_assert_eq(vm_map_inherit(map_of(0), VA(0), VA(8), VM_INHERIT_SHARE),
               KERN_SUCCESS);
  fill(0, 0, 8, 14);
  vms[1] = vmspace_fork(vms[0]);            // shares the object
  cr_assert_not_null(vms[1]);
  cr_assert_eq(vm_map_inherit(map_of(0), VA(0), VA(8), VM_INHERIT_COPY),
               KERN_SUCCESS);
  while (vm_pageout_reclaim(64) > 0)
    ;
  cr_assert_eq(swap_used(), 8);
  vms[2] = vmspace_fork(vms[0]);            // copies it now
  cr_assert_not_null(vms[2]);
  verify(2, 0, 8, 14);
  verify(1, 0, 8, 14);
}

// Another thread's write fault on page 0, run while page 1's page-out has
// dropped the object's lock: it reads page 0 in and frees its swap block.
static void write_page0(void)
{
  fill(0, 0, 1, 16);
}

// Pages 0 and 1 share a metadata chunk. Page 0's block is the chunk's
// only one when page 1 goes out; a write fault on page 0 during that I/O
// empties the chunk, and the page-out must still record page 1's block
// (make check panicked: "swap_meta_set: no chunk").
Test(swap_pager, pageout_survives_its_chunk_emptied_during_the_write)
{
  map_anon(0, 2);
  fill(0, 0, 2, 15);
  vm_pageout_reclaim(2);
  verify(0, 0, 1, 15);                // page 0 back, clean, block kept
  fill(0, 1, 1, 15);                  // page 1 dirty, its block freed
  cr_assert_eq(swap_used(), 1);
  host_swapdev.during_io = write_page0;
  while (vm_pageout_reclaim(2) > 0)
    ;
  cr_assert_null(host_swapdev.during_io, "page 1 was not written");
  verify(0, 0, 1, 16);
  verify(0, 1, 1, 15);
  vmtest_check_object_tree(front(0));
}

// Another thread's page-out of page 2 that fails, run during page 0's.
static void failed_pageout_of_page2(void)
{
  host_swapdev.fail_writes = 1;
  cr_assert_eq(vm_pageout_reclaim(1), 0);
}

// A failed page-out prunes the object's empty chunks; one that another
// page-out of the same object made for its write in flight must stay.
Test(swap_pager, failed_pageout_leaves_the_chunk_of_one_in_flight)
{
  map_anon(0, 3);
  fill(0, 0, 1, 17);
  fill(0, 2, 1, 17);                  // page 1 never touched: two clusters
  host_swapdev.during_io = failed_pageout_of_page2;
  vm_pageout_reclaim(1);
  cr_assert_null(host_swapdev.during_io, "nothing was written");
  cr_assert_eq(swap_used(), 1);
  while (vm_pageout_reclaim(2) > 0)
    ;
  cr_assert_eq(swap_used(), 2);
  verify(0, 0, 1, 17);
  verify(0, 2, 1, 17);
  vmtest_check_object_tree(front(0));
}

static int queue_of(int p, int i)
{
  struct vm_object *obj = front(p);
  struct vm_page *m;
  int q;

  mtx_lock(&obj->lock);
  m = vm_object_page_lookup(obj, (vm_pindex_t)i);
  q = m == NULL ? -1 : m->queue;
  mtx_unlock(&obj->lock);
  return q;
}

// vm_pageout_age over every active page, those still waiting in a hart's
// batch of activations too (the daemon's pass flushes them first).
static size_t age_all(size_t budget)
{
  vm_page_pqbatch_drain_all();
  return vm_pageout_age(budget);
}

// The daemon's aging: a page used since the last look stays active (its
// referenced bit cleared as read), one unused goes to the inactive queue.
Test(swap_pager, aging_keeps_referenced_pages_active)
{
  map_anon(0, 8);
  fill(0, 0, 8, 15);
  age_all(64);                        // all were used: all stay, bits cleared
  for (int i = 0; i < 8; i++)
    cr_assert_eq(queue_of(0, i), PQ_ACTIVE, "page %d left the active queue", i);
  verify(0, 0, 4, 15);              // pages 0..3 used again
  cr_assert_gt(age_all(64), 0);
  for (int i = 0; i < 4; i++)
    cr_assert_eq(queue_of(0, i), PQ_ACTIVE, "used page %d deactivated", i);
  cr_assert_eq(queue_of(0, 4), PQ_INACTIVE, "unused page 4 still active");
}

// A pass with memory short: unused pages go to swap, the ones in use
// stay; MADV_DONTNEED'd pages go first even though they were used.
Test(swap_pager, daemon_pass_takes_unused_and_dontneed_pages_first)
{
  map_anon(0, 16);
  fill(0, 0, 16, 16);
  age_all(64);                        // clear the bits of the writes
  cr_assert_eq(vm_map_madvise(map_of(0), VA(12), VA(16), VM_BEHAV_DONTNEED),
               KERN_SUCCESS);
  verify(0, 0, 4, 16);              // 0..3 in use; 12..15 used, then advised
  vmtest_hog_all(8);
  size_t freed = vm_pageout_pass(false);
  vmtest_hog_release();
  cr_assert_gt(freed, 0);
  for (int i = 0; i < 4; i++)
    cr_assert(resident(front(0), (vm_pindex_t)i), "page %d in use was taken", i);
  for (int i = 12; i < 16; i++)
    cr_assert_not(resident(front(0), (vm_pindex_t)i), "DONTNEED page %d kept", i);
  verify(0, 0, 16, 16);
}

// A pass with memory short and every page on the active queue: only the
// aging can give the reclaim something to take, the unused pages.
Test(swap_pager, daemon_pass_ages_unused_active_pages_out)
{
  map_anon(0, 16);
  fill(0, 0, 16, 19);
  age_all(64);                        // all were used: all stay, bits cleared
  for (int i = 0; i < 16; i++)
    cr_assert_eq(queue_of(0, i), PQ_ACTIVE, "page %d left the active queue", i);
  vmtest_hog_all(8);
  size_t freed = vm_pageout_pass(false);
  vmtest_hog_release();
  cr_assert_gt(freed, 0, "a pass over unused active pages freed nothing");
  verify(0, 0, 16, 19);             // the pages paged out read back
}

static struct vmmap_entry describe_first(int p)
{
  struct vmmap_entry e;
  vm_offset_t next = 0;

  cr_assert_geq(vm_map_describe(map_of(p), &next, &e, 1, NULL), 1);
  return e;
}

// vmmap's SWP column: the pages a read would bring back from swap, each
// counted once down the chain; a copy on swap in the front object hides
// the backing object's, resident or not, as it hides it from a read.
Test(swap_pager, vmmap_counts_swapped_pages_once)
{
  struct vmmap_entry e;

  map_anon(0, 16);
  fill(0, 0, 16, 18);
  while (vm_pageout_reclaim(64) > 0)
    ;
  e = describe_first(0);
  cr_assert(e.resident == 0 && e.swapped == 16, "%u resident, %lu swapped",
            e.resident, e.swapped);
  verify(0, 0, 1, 18);                // page 0 back (and its read-around)
  e = describe_first(0);
  cr_assert(e.resident > 0 && e.resident + e.swapped == 16,
            "%u resident + %lu swapped", e.resident, e.swapped);
  vms[1] = vmspace_fork(vms[0]);
  cr_assert_not_null(vms[1]);
  fill(0, 8, 4, 19);                  // the parent's own copies of 8..11
  while (vm_pageout_reclaim(64) > 0)
    ;
  e = describe_first(0);              // 4 in the front, 12 below
  cr_assert(e.resident == 0 && e.swapped == 16, "%u resident, %lu swapped",
            e.resident, e.swapped);
  verify(1, 0, 16, 18);               // the child reads them all in below
  e = describe_first(0);              // the front's 8..11 still on swap
  cr_assert(e.resident == 12 && e.swapped == 4, "%u resident, %lu swapped",
            e.resident, e.swapped);
  e = describe_first(1);
  cr_assert(e.resident == 16 && e.swapped == 0, "%u resident, %lu swapped",
            e.resident, e.swapped);
}

// With swap almost full (under 1/32 of it free), a page read back gives up
// its copy and comes back dirty, until more than 1/16 of swap is free
// again: swap then holds only what RAM does not, so a process reading its
// memory round and round cannot keep the daemon freeing clean pages for
// ever while RAM and swap are full (swap_pager.c, "Swap almost full").
Test(swap_pager, almost_full_swap_drops_the_copies_of_pages_read_back)
{
  struct vm_object *obj;
  int used, dirty = 0;

  map_anon(0, 250);                   // of 256 blocks: 6 left free
  fill(0, 0, 250, 5);
  while (vm_pageout_reclaim(64) > 0)
    ;
  cr_assert_eq(swap_used(), 250);
  cr_assert(swap_pager_almost_full());
  verify(0, 0, 1, 5);                 // reads pages 0..15 back
  used = (int)swap_used();
  cr_assert_eq(used, 256 - 256 / 16 - 1, "%d blocks in use: copies kept",
               used);
  cr_assert(!swap_pager_almost_full(), "no hysteresis");
  obj = front(0);
  mtx_lock(&obj->lock);
  for (vm_pindex_t i = 0; i < SWAP_CLUSTER_MAX; i++) {
    struct vm_page *m = vm_object_page_lookup(obj, i);
    cr_assert_not_null(m, "page %lu not read around", (unsigned long)i);
    cr_assert_eq(swap_pager_lookup(obj, i) == SWAPBLK_NONE,
                 (m->flags & PG_DIRTY) != 0, "page %lu", (unsigned long)i);
    dirty += (m->flags & PG_DIRTY) != 0;
  }
  mtx_unlock(&obj->lock);
  cr_assert_eq(dirty, 256 / 16 + 1 - 6);
  verify(0, 16, 1, 5);                // not almost full: the copies stay
  cr_assert_eq((int)swap_used(), used);
  while (vm_pageout_reclaim(64) > 0)  // the dirty pages written again
    ;
  cr_assert_eq(swap_used(), 250);
  verify(0, 0, 250, 5);
}

// swap_pager_free_range finds the range's first chunk by a search, not a
// walk from the first: ranges that start inside a chunk, cross chunks,
// run to the end (end 0), or lie past every chunk free exactly their own
// blocks.
Test(swap_pager, free_range_frees_exactly_the_range)
{
  static const vm_pindex_t ranges[][2] = {
    { 13, 37 }, { 40, 41 }, { 63, 64 }, { 75, 0 }, { 200, 300 }, { 0, 2 },
  };
  bool kept[80];
  struct vm_object *obj;
  int left = 80;

  map_anon(0, 80);
  fill(0, 0, 80, 9);
  while (vm_pageout_reclaim(64) > 0)
    ;
  cr_assert_eq(swap_used(), 80);
  obj = front(0);
  for (int i = 0; i < 80; i++)
    kept[i] = true;
  for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
    vm_pindex_t s = ranges[r][0], e = ranges[r][1];
    mtx_lock(&obj->lock);
    swap_pager_free_range(obj, s, e);
    for (vm_pindex_t i = s; i < (e == 0 ? 80 : MIN(e, 80)); i++) {
      left -= kept[i];
      kept[i] = false;
    }
    for (vm_pindex_t i = 0; i < 80; i++)
      cr_assert_eq(swap_pager_lookup(obj, i) != SWAPBLK_NONE, kept[i],
                   "after [%lu, %lu): page %lu", (unsigned long)s,
                   (unsigned long)e, (unsigned long)i);
    mtx_unlock(&obj->lock);
    cr_assert_eq((int)swap_used(), left);
  }
}

// A disk that fails every write costs a sweep one request, not one per
// cluster: the pages stay dirty and resident, and the sweep ends without
// trying the rest. The next sweep tries again, and then writes them all.
Test(swap_pager, a_failing_disk_gets_one_write_a_sweep)
{
  int writes;

  map_anon(0, 4 * SWAP_CLUSTER_MAX);
  fill(0, 0, 4 * SWAP_CLUSTER_MAX, 6);
  host_swapdev.fail_writes = -1;
  writes = host_swapdev.writes;
  cr_assert_eq(vm_pageout_reclaim(4 * SWAP_CLUSTER_MAX), 0);
  cr_assert_eq(host_swapdev.writes - writes, 1, "%d writes in one sweep",
               host_swapdev.writes - writes);
  cr_assert_eq(swap_used(), 0, "blocks of a failed write kept");
  cr_assert_eq(vm_pageout_reclaim(4 * SWAP_CLUSTER_MAX), 0);
  cr_assert_eq(host_swapdev.writes - writes, 2, "the next sweep did not try");
  host_swapdev.fail_writes = 0;
  cr_assert_geq(vm_pageout_reclaim(4 * SWAP_CLUSTER_MAX),
                4 * SWAP_CLUSTER_MAX);
  cr_assert_eq(swap_used(), 4 * SWAP_CLUSTER_MAX);
  verify(0, 0, 4 * SWAP_CLUSTER_MAX, 6);
}

// Kernel memory out, as it is when the daemon runs hardest: a page-out
// still finds metadata for its blocks (the chunks kept aside), so memory
// never paged out before can go to swap. Without them every cluster failed
// for its chunk, a pass freed nothing with swap empty, and the OOM rule
// killed a process.
Test(swap_pager, pageout_works_with_kernel_memory_out)
{
  map_anon(0, 4 * SWAP_CLUSTER_MAX);
  fill(0, 0, 4 * SWAP_CLUSTER_MAX, 7);
  host_kmem_fail_after(0);
  size_t freed = vm_pageout_reclaim(4 * SWAP_CLUSTER_MAX);
  host_kmem_fail_after(-1);
  cr_assert_geq(freed, 4 * SWAP_CLUSTER_MAX, "%zu pages freed", freed);
  cr_assert_eq(swap_used(), 4 * SWAP_CLUSTER_MAX);
  verify(0, 0, 4 * SWAP_CLUSTER_MAX, 7);
}
