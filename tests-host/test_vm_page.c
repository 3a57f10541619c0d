// SPDX-License-Identifier: MIT
// Tests of kernel/vm/vm_page.c: allocation and freeing, exhaustion, the
// buddy allocator's orders, splitting and coalescing, the paging queues,
// wiring, the busy protocol, the junk and zero tripwires, the misuse
// panics, and a randomised model test of the buddy allocator against a
// bitmap of allocated pages.
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "host_panic.h"
#include "host_pmap.h"
#include "vm/pmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vmtest.h"

// Two blocks of the largest order.
#define NPAGES (2u << (VM_NFREEORDER - 1))

static void setup(void)
{
  vmtest_boot(NPAGES);
}

static void teardown(void)
{
  vmtest_teardown_strict();
}

TestSuite(vm_page, .init = setup, .fini = teardown);

static size_t page_index(struct vm_page *m)
{
  return (size_t)(m - vmtest_pages());
}

static bool page_all(struct vm_page *m, uint8_t byte)
{
  const uint8_t *p = pmap_page_kva(m);

  for (size_t i = 0; i < PAGE_SIZE; i++)
    if (p[i] != byte)
      return false;
  return true;
}

Test(vm_page, startup_makes_every_page_free)
{
  cr_assert_eq(vm_page_total_count(), NPAGES);
  cr_assert_eq(vm_page_free_count(), NPAGES);
  cr_assert_eq(vm_page_queue_count(PQ_FREE), NPAGES);
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), 0);
  cr_assert_null(vm_page_inactive_first());
  for (size_t i = 0; i < NPAGES; i++)
    cr_assert_eq(vmtest_pages()[i].queue, PQ_FREE);
  vm_page_check();
}

Test(vm_page, startup_with_odd_size)
{
  vmtest_teardown_strict();
  vmtest_boot(1000);            // 512 + 256 + 128 + 64 + 32 + 8
  cr_assert_eq(vm_page_free_count(), 1000);
  vm_page_check();
  struct vm_page *m = vm_page_alloc_contig(9);
  cr_assert_not_null(m);
  cr_assert_null(vm_page_alloc_contig(9));
  vm_page_free_contig(m, 9);
  vm_page_check();
}

Test(vm_page, alloc_returns_busy_page_on_no_queue)
{
  struct vm_page *m = vm_page_alloc(NULL, 0, VM_ALLOC_NORMAL);

  cr_assert_not_null(m);
  cr_assert_eq(m->queue, PQ_NONE);
  cr_assert(m->flags & PG_BUSY);
  cr_assert_null(m->object);
  cr_assert_eq(m->wire_count, 0);
  cr_assert_eq(vm_page_free_count(), NPAGES - 1);
  vm_page_check();
  vm_page_free(m);
  cr_assert_eq(vm_page_free_count(), NPAGES);
}

Test(vm_page, alloc_nobusy_and_wired)
{
  struct vm_page *m = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY | VM_ALLOC_WIRED);

  cr_assert_eq(m->flags & PG_BUSY, 0);
  cr_assert_eq(m->wire_count, 1);
  cr_assert_eq(vm_cnt.v_wire_count, 1);
  vm_page_check();
  vm_page_unwire(m, false);
  cr_assert_eq(vm_cnt.v_wire_count, 0);
  cr_assert_eq(m->queue, PQ_ACTIVE);
  vm_page_free(m);
}

Test(vm_page, phys_to_page_round_trip)
{
  struct vm_page *m = &vmtest_pages()[77];

  cr_assert_eq(PHYS_TO_VM_PAGE(VM_PAGE_TO_PHYS(m)), m);
  cr_assert_eq(PHYS_TO_VM_PAGE(VM_PAGE_TO_PHYS(m) + 123), m);
  cr_assert_eq(pmap_page_kva(m), (char *)vmtest_mem() + 77 * PAGE_SIZE);
  cr_assert_null(PHYS_TO_VM_PAGE(VM_PAGE_TO_PHYS(vmtest_pages())
                                 - PAGE_SIZE));
  cr_assert_null(PHYS_TO_VM_PAGE(VM_PAGE_TO_PHYS(vmtest_pages())
                                 + ptoa(NPAGES)));
}

Test(vm_page, exhaustion_returns_null_and_recovers)
{
  static struct vm_page *pages[NPAGES];

  for (size_t i = 0; i < NPAGES; i++) {
    pages[i] = vm_page_alloc(NULL, 0, 0);
    cr_assert_not_null(pages[i], "page %zu", i);
  }
  cr_assert_eq(vm_page_free_count(), 0);
  cr_assert_null(vm_page_alloc(NULL, 0, 0));
  cr_assert_null(vm_page_alloc_contig(0));
  vm_page_check();
  for (size_t i = 0; i < NPAGES; i++)
    vm_page_free(pages[i]);
  cr_assert_eq(vm_page_free_count(), NPAGES);
}

Test(vm_page, contig_blocks_are_aligned_to_their_order)
{
  for (int order = 0; order < VM_NFREEORDER; order++) {
    struct vm_page *m = vm_page_alloc_contig(order);
    size_t n = (size_t)1 << order;
    cr_assert_not_null(m, "order %d", order);
    cr_assert_eq(page_index(m) % n, 0, "order %d at %zu", order,
                 page_index(m));
    for (size_t i = 0; i < n; i++)
      cr_assert_neq(m[i].queue, PQ_FREE);
    cr_assert_eq(vm_page_free_count(), NPAGES - n);
    vm_page_check();
    vm_page_free_contig(m, order);
    cr_assert_eq(vm_page_free_count(), NPAGES);
  }
}

Test(vm_page, no_block_larger_than_max_order)
{
  struct vm_page *a = vm_page_alloc_contig(VM_NFREEORDER - 1);
  struct vm_page *b = vm_page_alloc_contig(VM_NFREEORDER - 1);

  cr_assert_not_null(a);
  cr_assert_not_null(b);
  cr_assert_null(vm_page_alloc_contig(0));
  vm_page_free_contig(b, VM_NFREEORDER - 1);
  vm_page_free_contig(a, VM_NFREEORDER - 1);
}

Test(vm_page, split_leaves_buddies_and_free_coalesces_them)
{
  // From the buddy lists themselves: vm_page_alloc would take a batch.
  struct vm_page *m = vm_page_alloc_contig(0);

  // Splitting one max block leaves one free block of each lower order.
  vm_page_check();
  for (int order = 0; order < VM_NFREEORDER - 1; order++) {
    struct vm_page *b = vm_page_alloc_contig(order);
    cr_assert_eq(page_index(b) & ~(((size_t)2 << order) - 1),
                 page_index(m) & ~(((size_t)2 << order) - 1),
                 "order %d came from elsewhere", order);
    vm_page_free_contig(b, order);
  }
  vm_page_free_contig(m, 0);
  // Everything merged again: both max-order blocks are whole.
  m = vm_page_alloc_contig(VM_NFREEORDER - 1);
  cr_assert_not_null(m);
  struct vm_page *m2 = vm_page_alloc_contig(VM_NFREEORDER - 1);
  cr_assert_not_null(m2);
  vm_page_free_contig(m, VM_NFREEORDER - 1);
  vm_page_free_contig(m2, VM_NFREEORDER - 1);
}

Test(vm_page, random_frees_coalesce_back_to_max_order)
{
  static struct vm_page *pages[NPAGES];

  for (size_t i = 0; i < NPAGES; i++)
    pages[i] = vm_page_alloc(NULL, 0, 0);
  for (size_t i = NPAGES - 1; i > 0; i--) {   // Fisher-Yates shuffle
    size_t j = vmtest_rand_below(i + 1);
    struct vm_page *t = pages[i];
    pages[i] = pages[j];
    pages[j] = t;
  }
  for (size_t i = 0; i < NPAGES; i++)
    vm_page_free(pages[i]);
  vm_page_check();
  struct vm_page *a = vm_page_alloc_contig(VM_NFREEORDER - 1);
  struct vm_page *b = vm_page_alloc_contig(VM_NFREEORDER - 1);
  cr_assert_not_null(a, "seed %llu", (unsigned long long)vmtest_seed());
  cr_assert_not_null(b, "seed %llu", (unsigned long long)vmtest_seed());
  vm_page_free_contig(a, VM_NFREEORDER - 1);
  vm_page_free_contig(b, VM_NFREEORDER - 1);
}

Test(vm_page, contig_pages_may_be_freed_one_by_one)
{
  struct vm_page *m = vm_page_alloc_contig(3);

  for (int i = 7; i >= 0; i--)
    vm_page_free(&m[i]);
  vm_page_check();
  cr_assert_eq(vm_page_free_count(), NPAGES);
}

Test(vm_page, free_fills_with_junk)
{
  struct vm_page *m = vm_page_alloc(NULL, 0, 0);

  memset(pmap_page_kva(m), 0x5a, PAGE_SIZE);
  vm_page_free(m);
  cr_assert(page_all(m, 0xdb));
}

Test(vm_page, alloc_zero_zeroes_a_junk_page)
{
  struct vm_page *m = vm_page_alloc(NULL, 0, 0);

  memset(pmap_page_kva(m), 0x5a, PAGE_SIZE);
  vm_page_free(m);
  m = vm_page_alloc(NULL, 0, VM_ALLOC_ZERO);
  cr_assert(page_all(m, 0));
  cr_assert_eq(m->flags & PG_ZERO, 0, "allocated pages never carry PG_ZERO");
  vm_page_free(m);
}

Test(vm_page, pg_zero_page_is_kept_zero_on_free)
{
  struct vm_page *m = vm_page_alloc(NULL, 0, VM_ALLOC_ZERO);

  m->flags |= PG_ZERO;
  vm_page_free(m);
  cr_assert(page_all(m, 0));
  cr_assert(m->flags & PG_ZERO);
  // Allocation takes pages last in, first out: the same page comes back.
  struct vm_page *m2 = vm_page_alloc(NULL, 0, VM_ALLOC_ZERO);
  cr_assert_eq(m2, m);
  cr_assert(page_all(m2, 0));
  vm_page_free(m2);
}

Test(vm_page, pg_zero_on_a_dirty_page_panics, .signal = SIGABRT)
{
  struct vm_page *m = vm_page_alloc(NULL, 0, VM_ALLOC_ZERO);

  expect_panic("vm_page_free: page * marked PG_ZERO has byte");
  ((char *)pmap_page_kva(m))[100] = 1;
  m->flags |= PG_ZERO;
  vm_page_free(m);
}

Test(vm_page, queues_move_pages_and_count_them)
{
  struct vm_page *a = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY);
  struct vm_page *b = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY);

  vm_page_activate(a);
  vm_page_activate(b);
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), 2);
  vm_page_deactivate(b);
  vm_page_deactivate(a);
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), 0);
  cr_assert_eq(vm_page_queue_count(PQ_INACTIVE), 2);
  cr_assert_eq(vm_page_inactive_first(), b, "deactivate appends at the tail");
  vm_page_deactivate(b);        // requeue: b goes behind a
  cr_assert_eq(vm_page_inactive_first(), a);
  vm_page_launder(a);
  cr_assert_eq(a->queue, PQ_LAUNDRY);
  cr_assert_eq(vm_page_queue_count(PQ_LAUNDRY), 1);
  cr_assert_eq(vm_page_inactive_first(), b);
  vm_page_check();
  vm_page_dequeue(b);
  cr_assert_eq(b->queue, PQ_NONE);
  cr_assert_null(vm_page_inactive_first());
  vm_page_free(a);              // freeing takes a page off its queue
  vm_page_free(b);
  cr_assert_eq(vm_page_queue_count(PQ_LAUNDRY), 0);
}

Test(vm_page, wiring_takes_pages_off_queues)
{
  struct vm_page *m = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY);

  vm_page_activate(m);
  vm_page_wire(m);
  vm_page_wire(m);
  cr_assert_eq(m->wire_count, 2);
  cr_assert_eq(m->queue, PQ_NONE);
  cr_assert_eq(vm_cnt.v_wire_count, 1, "a page counts once however wired");
  vm_page_activate(m);
  cr_assert_eq(m->queue, PQ_NONE, "wired pages stay off the queues");
  vm_page_check();
  vm_page_unwire(m, true);
  cr_assert(vm_page_wired(m));
  vm_page_unwire(m, true);
  cr_assert_eq(m->queue, PQ_INACTIVE);
  cr_assert_eq(vm_cnt.v_wire_count, 0);
  vm_page_free(m);
}

Test(vm_page, object_pages_are_inserted_and_unlinked)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 16);

  mtx_lock(&obj->lock);
  struct vm_page *m = vm_page_alloc(obj, 3, 0);
  cr_assert_eq(m->object, obj);
  cr_assert_eq(m->pindex, 3);
  cr_assert_eq(vm_object_page_lookup(obj, 3), m);
  cr_assert_eq(obj->resident_count, 1);
  vm_page_xunbusy(m);
  vm_page_free(m);
  cr_assert_null(vm_object_page_lookup(obj, 3));
  cr_assert_eq(obj->resident_count, 0);
  vm_object_check(obj);
  mtx_unlock(&obj->lock);
  vm_object_deallocate(obj);
}

Test(vm_page, busy_protocol)
{
  struct vm_page *m = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY);

  vm_page_xbusy(m);
  cr_assert(m->flags & PG_BUSY);
  m->flags |= PG_WANTED;
  vm_page_xunbusy(m);
  cr_assert_eq(m->flags & (PG_BUSY | PG_WANTED), 0);
  vm_page_free(m);
}

Test(vm_page, freeing_a_wanted_page_unlinks_it)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  mtx_lock(&obj->lock);
  struct vm_page *m = vm_page_alloc(obj, 0, 0);
  m->flags |= PG_WANTED;        // a sleeper will look it up again
  vm_page_free(m);
  cr_assert_null(vm_object_page_lookup(obj, 0));
  cr_assert_eq(m->flags, 0);
  mtx_unlock(&obj->lock);
  vm_object_deallocate(obj);
}

Test(vm_page, busy_sleep_cannot_block_on_the_host, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  expect_panic("sleep: would block forever on the host");
  mtx_lock(&obj->lock);
  struct vm_page *m = vm_page_alloc(obj, 0, 0);
  vm_page_busy_sleep(m);
}

Test(vm_page, double_free_panics, .signal = SIGABRT)
{
  struct vm_page *m = vm_page_alloc(NULL, 0, 0);

  expect_panic("vm_page_free: page * already free");
  vm_page_free(m);
  vm_page_free(m);
}

Test(vm_page, freeing_a_wired_page_panics, .signal = SIGABRT)
{
  expect_panic("vm_page_free: page * is wired");
  vm_page_free(vm_page_alloc(NULL, 0, VM_ALLOC_WIRED));
}

Test(vm_page, freeing_a_mapped_page_panics, .signal = SIGABRT)
{
  struct vm_page *m = vm_page_alloc(NULL, 0, 0);
  struct pmap *pmap = pmap_create();

  expect_panic("vm_page_free: page * is still mapped");
  cr_assert_eq(pmap_enter(pmap, 0x10000, m, VM_PROT_READ, 0), KERN_SUCCESS);
  vm_page_free(m);
}

Test(vm_page, unwiring_an_unwired_page_panics, .signal = SIGABRT)
{
  expect_panic("vm_page_unwire: page * not wired");
  vm_page_unwire(vm_page_alloc(NULL, 0, 0), false);
}

Test(vm_page, double_busy_panics, .signal = SIGABRT)
{
  expect_panic("vm_page_xbusy: page * already busy");
  vm_page_xbusy(vm_page_alloc(NULL, 0, 0));
}

Test(vm_page, alloc_into_unlocked_object_panics, .signal = SIGABRT)
{
  expect_panic("vm_page_alloc: mutex vm_object not owned");
  vm_page_alloc(vm_object_allocate(OBJT_DEFAULT, 1), 0, 0);
}

Test(vm_page, check_catches_a_lost_free_page, .signal = SIGABRT)
{
  expect_panic("vm_page_check: page * inside free block");
  vmtest_pages()[5].queue = PQ_NONE;
  vm_page_check();
}

Test(vm_page, check_catches_a_wrong_queue_count, .signal = SIGABRT)
{
  struct vm_page *m = vm_page_alloc(NULL, 0, 0);

  expect_panic("vm_page_check: page * on queue * has queue");
  vm_page_activate(m);
  m->queue = PQ_INACTIVE;
  vm_page_check();
}

// The model: alloc[i] is true when page i is allocated. Blocks taken by
// vm_page_alloc_contig are remembered so they can be freed whole.
struct buddy_model {
  bool alloc[NPAGES];
  size_t nalloc;
  struct { struct vm_page *m; int order; } held[NPAGES];
  size_t nheld;
};

// Is there an aligned block of 2^order pages that the model says is free?
// With complete coalescing the allocator must find it.
static bool model_has_free_block(const struct buddy_model *bm, int order)
{
  size_t n = (size_t)1 << order;

  for (size_t base = 0; base < NPAGES; base += n) {
    size_t i;
    for (i = 0; i < n && !bm->alloc[base + i]; i++)
      ;
    if (i == n)
      return true;
  }
  return false;
}

static void model_alloc(struct buddy_model *bm, int order)
{
  bool expect = model_has_free_block(bm, order);
  struct vm_page *m = order == 0 && vmtest_rand_below(2) ?
                      vm_page_alloc(NULL, 0, 0) : vm_page_alloc_contig(order);
  size_t n = (size_t)1 << order;

  cr_assert_eq(m != NULL, expect, "seed %llu: order %d alloc %s",
               (unsigned long long)vmtest_seed(), order, m ? "found" : "failed");
  if (m == NULL)
    return;
  size_t idx = page_index(m);
  cr_assert_eq(idx % n, 0, "seed %llu", (unsigned long long)vmtest_seed());
  for (size_t i = 0; i < n; i++) {
    cr_assert(!bm->alloc[idx + i], "seed %llu: page %zu handed out twice",
              (unsigned long long)vmtest_seed(), idx + i);
    bm->alloc[idx + i] = true;
  }
  bm->nalloc += n;
  bm->held[bm->nheld].m = m;
  bm->held[bm->nheld].order = order;
  bm->nheld++;
}

static void model_free(struct buddy_model *bm)
{
  size_t h = vmtest_rand_below(bm->nheld);
  struct vm_page *m = bm->held[h].m;
  int order = bm->held[h].order;
  size_t n = (size_t)1 << order, idx = page_index(m);

  if (order == 0)
    vm_page_free(m);
  else
    vm_page_free_contig(m, order);
  for (size_t i = 0; i < n; i++)
    bm->alloc[idx + i] = false;
  bm->nalloc -= n;
  bm->held[h] = bm->held[--bm->nheld];
}

Test(vm_page, buddy_allocator_against_bitmap_model)
{
  static struct buddy_model bm;

  for (int step = 0; step < 12000; step++) {
    // Mostly small orders, so the array fills and fragments.
    int order = vmtest_rand_below(4) ? (int)vmtest_rand_below(3)
                                     : (int)vmtest_rand_below(VM_NFREEORDER);
    if (bm.nheld > 0 && vmtest_rand_below(100) < 45)
      model_free(&bm);
    else
      model_alloc(&bm, order);
    cr_assert_eq(vm_page_free_count(), NPAGES - bm.nalloc,
                 "seed %llu step %d", (unsigned long long)vmtest_seed(), step);
    if (step % 16 == 0)
      vm_page_check();
  }
  while (bm.nheld > 0)
    model_free(&bm);
  vm_page_check();
}
