// SPDX-License-Identifier: MIT
// Tests of the per-hart caches of free pages in kernel/vm/vm_page.c: that
// allocation and freeing go through the cache and touch the free lock once
// per batch, that cached pages count as free, that draining gives the buddy
// lists back their whole blocks, and that no free page is ever out of reach
// because another hart's cache holds it; and that an object's teardown
// takes its pages off the queues a batch per acquisition of the queue lock.
// The host plays several harts with
// host_set_cpuid; the free lock's acquisitions are vm_cnt.v_page_lock's.
#include <criterion/criterion.h>

#include "host_lock.h"
#include "lib/lock.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vmtest.h"

// Two blocks of the largest order.
#define NPAGES (2u << (VM_NFREEORDER - 1))
// The cache's batch and limit, as vm_page.c sets them.
#define BATCH 16
#define LIMIT (2 * BATCH)

static void setup(void)
{
  vmtest_boot(NPAGES);
}

static void teardown(void)
{
  host_set_cpuid(0);
  vmtest_teardown_strict();
}

TestSuite(vm_page_pcpu, .init = setup, .fini = teardown);

static uint64_t free_lock_acquires(void)
{
  return lock_stats_sum(&vm_cnt.v_page_lock).acquires;
}

Test(vm_page_pcpu, alloc_refills_a_batch_at_a_time)
{
  static struct vm_page *pages[2 * BATCH + 1];
  uint64_t before = free_lock_acquires();

  for (size_t i = 0; i < 2 * BATCH + 1; i++) {
    pages[i] = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY);
    cr_assert_not_null(pages[i]);
    // One acquisition for each batch begun: pages 0, BATCH and 2 * BATCH.
    cr_assert_eq(free_lock_acquires() - before, i / BATCH + 1, "page %zu", i);
    cr_assert_eq(vm_page_free_count(), NPAGES - i - 1);
  }
  vm_page_check();
  for (size_t i = 0; i < 2 * BATCH + 1; i++)
    vm_page_free(pages[i]);
  cr_assert_eq(vm_page_free_count(), NPAGES);
}

Test(vm_page_pcpu, free_gives_a_batch_back_past_the_limit)
{
  static struct vm_page *pages[4 * BATCH];
  uint64_t before, drains = 0;

  for (size_t i = 0; i < 4 * BATCH; i++)
    pages[i] = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY);
  // The cache is empty now (4 batches taken, all handed out). It fills up
  // to LIMIT pages, then gives back BATCH every BATCH frees.
  for (size_t i = 0; i < 4 * BATCH; i++) {
    before = free_lock_acquires();
    vm_page_free(pages[i]);
    drains += free_lock_acquires() - before;
    cr_assert_eq(drains, i < LIMIT ? 0 : (i - LIMIT) / BATCH + 1, "free %zu", i);
    cr_assert_eq(vm_page_free_count(), NPAGES - 4 * BATCH + i + 1);
    vm_page_check();
  }
}

Test(vm_page_pcpu, freed_page_comes_back_from_the_cache)
{
  struct vm_page *m = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY);
  uint64_t before;

  vm_page_free(m);
  before = free_lock_acquires();
  cr_assert_eq(vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY), m);
  cr_assert_eq(free_lock_acquires(), before);
  vm_page_free(m);
}

Test(vm_page_pcpu, cached_pages_count_as_free_and_drain_whole)
{
  static struct vm_page *pages[3 * BATCH];

  for (size_t i = 0; i < 3 * BATCH; i++)
    pages[i] = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY);
  // Half freed on hart 1, half on hart 2: both caches hold pages.
  for (size_t i = 0; i < 3 * BATCH; i++) {
    host_set_cpuid(1 + (int)(i % 2));
    vm_page_free(pages[i]);
  }
  cr_assert_eq(vm_page_free_count(), NPAGES);
  vm_page_check();
  vm_page_pcpu_drain_all();
  cr_assert_eq(vm_page_free_count(), NPAGES);
  vm_page_check();
  // Every page is back in the buddy lists and merged: both largest blocks
  // are whole, and nothing is left for a third allocation anywhere.
  struct vm_page *a = vm_page_alloc_contig(VM_NFREEORDER - 1);
  struct vm_page *b = vm_page_alloc_contig(VM_NFREEORDER - 1);
  cr_assert_not_null(a);
  cr_assert_not_null(b);
  cr_assert_eq(vm_page_free_count(), 0);
  cr_assert_null(vm_page_alloc(NULL, 0, 0));
  vm_page_free_contig(a, VM_NFREEORDER - 1);
  vm_page_free_contig(b, VM_NFREEORDER - 1);
}

Test(vm_page_pcpu, contig_drains_the_caches_for_a_block)
{
  struct vm_page *m = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY);
  struct vm_page *a, *b;

  // The rest of m's batch sits in hart 0's cache, m itself in hart 1's:
  // the two largest blocks are whole only with every cached page back.
  host_set_cpuid(1);
  vm_page_free(m);
  host_set_cpuid(0);
  a = vm_page_alloc_contig(VM_NFREEORDER - 1);
  b = vm_page_alloc_contig(VM_NFREEORDER - 1);
  cr_assert_not_null(a);
  cr_assert_not_null(b);
  vm_page_free_contig(a, VM_NFREEORDER - 1);
  vm_page_free_contig(b, VM_NFREEORDER - 1);
}

// The buddy lists are empty and hart 0's cache too; hart 1's cache holds
// the only free pages. Hart 0 must get every one of them, then NULL.
Test(vm_page_pcpu, alloc_drains_another_harts_cache_when_all_else_is_empty)
{
  static struct vm_page *pages[NPAGES];
  const size_t nheld = 5;

  for (size_t i = 0; i < NPAGES; i++) {
    pages[i] = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY);
    cr_assert_not_null(pages[i], "page %zu", i);
  }
  cr_assert_eq(vm_page_free_count(), 0);
  host_set_cpuid(1);
  for (size_t i = 0; i < nheld; i++)
    vm_page_free(pages[i]);
  cr_assert_eq(vm_page_free_count(), nheld);
  host_set_cpuid(0);
  for (size_t i = 0; i < nheld; i++) {
    pages[i] = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY);
    cr_assert_not_null(pages[i], "page %zu of hart 1's cache out of reach", i);
  }
  cr_assert_eq(vm_page_free_count(), 0);
  cr_assert_null(vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY));
  vm_page_check();
  for (size_t i = 0; i < NPAGES; i++)
    vm_page_free(pages[i]);
}

// When the buddy lists run low a refill takes one page, not a batch: the
// last free pages stay where every hart finds them without a drain.
Test(vm_page_pcpu, refills_take_single_pages_when_memory_is_low)
{
  struct vm_page *blocks[VM_NFREEORDER], *single[8];
  uint64_t before;

  // Leave 8 pages in the buddy lists (2048 - 1024 - 512 - ... - 8).
  for (int order = VM_NFREEORDER - 1; order >= 3; order--)
    blocks[order] = vm_page_alloc_contig(order);
  cr_assert_eq(vm_page_free_count(), 8);
  single[0] = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY);
  cr_assert_not_null(single[0]);
  // Hart 1 finds the other 7 in the buddy lists: one acquisition each, no
  // drain of hart 0's cache (which would cost one more).
  host_set_cpuid(1);
  before = free_lock_acquires();
  for (int i = 1; i < 8; i++)
    cr_assert_not_null(single[i] = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY));
  cr_assert_eq(free_lock_acquires() - before, 7);
  cr_assert_eq(vm_page_free_count(), 0);
  for (int i = 0; i < 8; i++)
    vm_page_free(single[i]);
  for (int order = VM_NFREEORDER - 1; order >= 3; order--)
    vm_page_free_contig(blocks[order], order);
}

// An object's teardown takes its pages off the paging queues a batch at a
// time (vm_page_dequeue_range), then frees them into the cache: about one
// acquisition of the free lock per 32 pages, not two per page.
Test(vm_page_pcpu, object_teardown_takes_the_lock_once_per_batch)
{
  const int npages = 4 * 32;
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, npages);
  struct vm_page *m;
  uint64_t before;

  mtx_lock(&obj->lock);
  for (int i = 0; i < npages; i++) {
    m = vm_page_alloc(obj, i, VM_ALLOC_NOBUSY);
    cr_assert_not_null(m);
    vm_page_activate(m);
  }
  mtx_unlock(&obj->lock);
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), npages);
  before = free_lock_acquires();
  vm_object_deallocate(obj);
  // 4 batches off the queue; the frees fill the cache, which gives back
  // a batch of 16 each time it passes 32 pages (at most npages / 16).
  cr_assert_leq(free_lock_acquires() - before, 4 + npages / BATCH);
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), 0);
  cr_assert_eq(vm_page_free_count(), NPAGES);
  vm_page_check();
}

// An object of npages active pages, dirty if asked.
static struct vm_object *object_of_active_pages(int npages, bool dirty)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, npages);

  mtx_lock(&obj->lock);
  for (int i = 0; i < npages; i++) {
    struct vm_page *m = vm_page_alloc(obj, i, VM_ALLOC_NOBUSY);
    cr_assert_not_null(m);
    if (dirty)
      vm_page_dirty(m);
    vm_page_activate(m);
  }
  mtx_unlock(&obj->lock);
  return obj;
}

// munmap's path: removing a range dequeues it a batch at a time too.
Test(vm_page_pcpu, page_remove_takes_the_lock_once_per_batch)
{
  struct vm_object *obj = object_of_active_pages(128, false);
  uint64_t before = free_lock_acquires();

  mtx_lock(&obj->lock);
  vm_object_page_remove(obj, 0, 64, 0);
  mtx_unlock(&obj->lock);
  cr_assert_leq(free_lock_acquires() - before, 2 + 64 / BATCH);
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), 64);
  cr_assert_eq(vm_page_free_count(), NPAGES - 64);
  vm_page_check();
  vm_object_deallocate(obj);
}

// Dirty pages a clean-only removal keeps must stay on their queue (else
// the pageout scan would never see them again).
Test(vm_page_pcpu, clean_only_removal_keeps_dirty_pages_queued)
{
  struct vm_object *obj = object_of_active_pages(40, true);

  mtx_lock(&obj->lock);
  vm_object_page_remove(obj, 0, 0, OBJPR_CLEANONLY);
  mtx_unlock(&obj->lock);
  cr_assert_eq(obj->resident_count, 40);
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), 40);
  vm_page_check();
  vm_object_deallocate(obj);
}
