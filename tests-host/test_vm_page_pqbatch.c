// SPDX-License-Identifier: MIT
// Tests of the per-hart batches of activations in kernel/vm/vm_page_queue.c:
// a new page activated by its owner waits in its hart's batch (PQ_PENDING)
// and a full batch reaches the active queue under one acquisition of the
// queue lock; a pending page freed, wired or moved elsewhere, from any
// hart, leaves its batch first and the counts stay exact; and
// vm_page_check catches a batch that lies. The host plays several harts
// with host_set_cpuid; the queue lock's acquisitions are
// vm_cnt.v_page_lock's. (The pageout scan's flush of the batches is tested
// in test_vm_pageout.c.)
#include <criterion/criterion.h>
#include <signal.h>

#include "host_lock.h"
#include "host_panic.h"
#include "lib/lock.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_page_internal.h"
#include "vmtest.h"

#define NPAGES 256
#define NOBJ   64      // pages of the tests' object

static struct vm_object *obj;
static struct vm_page *pages[NOBJ];

// An object of NOBJ pages, allocated up front so that the tests count only
// the queue lock's acquisitions for the queues.
static void setup(void)
{
  vmtest_boot(NPAGES);
  obj = vm_object_allocate(OBJT_DEFAULT, NOBJ);
  mtx_lock(&obj->lock);
  for (int i = 0; i < NOBJ; i++)
    cr_assert_not_null(pages[i] = vm_page_alloc(obj, i, VM_ALLOC_NOBUSY));
  mtx_unlock(&obj->lock);
}

static void teardown(void)
{
  host_set_cpuid(0);
  if (obj != NULL)
    vm_object_deallocate(obj);
  vmtest_teardown_strict();
}

TestSuite(vm_page_pqbatch, .init = setup, .fini = teardown);

static uint64_t queue_lock_acquires(void)
{
  return lock_stats_sum(&vm_cnt.v_page_lock).acquires;
}

// Activate pages [first, end) of the object on hart id.
static void activate(int id, int first, int end)
{
  host_set_cpuid(id);
  mtx_lock(&obj->lock);
  for (int i = first; i < end; i++)
    vm_page_activate(pages[i]);
  mtx_unlock(&obj->lock);
}

// The active queue, head first, must hold exactly want[0..n).
static void assert_active_queue(struct vm_page **want, int n)
{
  struct list_node *l;
  int i = 0;

  vm_page_queue_lock();
  list_for_each(l, &vm_page_queues[PQ_ACTIVE]) {
    cr_assert_lt(i, n, "more than %d pages on the active queue", n);
    cr_assert_eq(container_of(l, struct vm_page, plinks), want[i],
                 "active queue place %d", i);
    i++;
  }
  vm_page_queue_unlock();
  cr_assert_eq(i, n, "the active queue holds %d pages, not %d", i, n);
  cr_assert_eq(vm_page_qlen[PQ_ACTIVE], (size_t)n);
}

Test(vm_page_pqbatch, a_full_batch_flushes_under_one_acquisition)
{
  uint64_t before = queue_lock_acquires();

  activate(0, 0, VM_PQBATCH_MAX - 1);
  cr_assert_eq(queue_lock_acquires(), before, "a new page took the lock");
  for (int i = 0; i < VM_PQBATCH_MAX - 1; i++)
    cr_assert(pages[i]->queue == PQ_PENDING && pages[i]->batch_cpu == 0,
              "page %d: queue %d", i, pages[i]->queue);
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), VM_PQBATCH_MAX - 1,
               "pending pages count as active");
  vm_page_check();
  before = queue_lock_acquires();
  activate(0, VM_PQBATCH_MAX - 1, VM_PQBATCH_MAX);
  cr_assert_eq(queue_lock_acquires() - before, 1, "not one flush");
  for (int i = 0; i < VM_PQBATCH_MAX; i++)
    cr_assert_eq(pages[i]->queue, PQ_ACTIVE, "page %d", i);
  assert_active_queue(pages, VM_PQBATCH_MAX);   // in the order activated
  vm_page_check();
}

// Activated on hart 0, freed on hart 1 before any flush: the page leaves
// hart 0's batch, the others keep their order, and the counts are exact.
Test(vm_page_pqbatch, pending_page_freed_on_another_hart)
{
  struct vm_page *rest[] = { pages[0], pages[1], pages[3], pages[4] };

  activate(0, 0, 5);
  host_set_cpuid(1);
  mtx_lock(&obj->lock);
  vm_page_free(pages[2]);
  mtx_unlock(&obj->lock);
  pages[2] = NULL;
  cr_assert_eq(vm_page_qlen[PQ_ACTIVE], 0);
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), 4);
  cr_assert_eq(vm_page_pqbatch[0].n, 4);
  vm_page_check();
  vm_page_pqbatch_drain_all();
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), 4);
  assert_active_queue(rest, 4);
  vm_page_check();
}

// A whole batch and more freed from other harts, each page on its own
// hart's turn: nothing is left behind in any batch.
Test(vm_page_pqbatch, pending_pages_of_two_harts_freed_by_a_third)
{
  activate(0, 0, 10);
  activate(1, 10, 30);            // hart 1 flushed 16, holds 4
  cr_assert_eq(vm_page_pqbatch[0].n, 10);
  cr_assert_eq(vm_page_pqbatch[1].n, 4);
  host_set_cpuid(2);
  mtx_lock(&obj->lock);
  for (int i = 0; i < 30; i += 2) {
    vm_page_free(pages[i]);
    pages[i] = NULL;
  }
  mtx_unlock(&obj->lock);
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), 15);
  cr_assert_eq(vm_page_pqbatch[0].n + vm_page_pqbatch[1].n, 7);
  vm_page_check();
}

// Wiring takes a pending page out of its batch: the next flush must not
// put a wired page on the active queue. The last unwire batches it again.
Test(vm_page_pqbatch, wire_cancels_a_pending_page)
{
  struct vm_page *m = pages[0];

  activate(0, 0, 1);
  mtx_lock(&obj->lock);
  vm_page_wire(m);
  mtx_unlock(&obj->lock);
  cr_assert_eq(m->queue, PQ_NONE);
  cr_assert_eq(vm_page_pqbatch[0].n, 0);
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), 0);
  vm_page_check();
  activate(0, 1, 1 + VM_PQBATCH_MAX);       // a flush
  cr_assert_eq(m->queue, PQ_NONE, "the wired page was flushed");
  assert_active_queue(pages + 1, VM_PQBATCH_MAX);
  vm_page_check();
  mtx_lock(&obj->lock);
  vm_page_unwire(m, false);
  mtx_unlock(&obj->lock);
  cr_assert_eq(m->queue, PQ_PENDING);
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), 1 + VM_PQBATCH_MAX);
  vm_page_check();
}

// A pending page sent to another queue leaves its batch for that queue;
// one activated again stays where it is, on its way to the active tail.
Test(vm_page_pqbatch, deactivating_a_pending_page)
{
  uint64_t before;

  activate(0, 0, 3);
  host_set_cpuid(1);
  mtx_lock(&obj->lock);
  vm_page_deactivate(pages[1]);
  before = queue_lock_acquires();
  vm_page_activate(pages[0]);
  mtx_unlock(&obj->lock);
  cr_assert_eq(queue_lock_acquires(), before);
  cr_assert_eq(pages[1]->queue, PQ_INACTIVE);
  cr_assert_eq(vm_page_pqbatch[0].n, 2);
  cr_assert_eq(vm_page_pqbatch[1].n, 0);
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), 2);
  cr_assert_eq(vm_page_queue_count(PQ_INACTIVE), 1);
  vm_page_check();
}

// A flush that came first: the owner finds the page on the active queue
// and takes it off from there.
Test(vm_page_pqbatch, page_flushed_before_its_owner_frees_it)
{
  activate(0, 0, 4);
  host_set_cpuid(1);
  vm_page_pqbatch_drain_all();
  mtx_lock(&obj->lock);
  vm_page_free(pages[3]);
  mtx_unlock(&obj->lock);
  pages[3] = NULL;
  assert_active_queue(pages, 3);
  vm_page_check();
}

// An object's teardown (vm_page_dequeue_range) takes its pending pages
// out of the batches too.
Test(vm_page_pqbatch, object_teardown_empties_the_batches)
{
  activate(0, 0, 7);
  activate(3, 7, 20);
  vm_object_deallocate(obj);
  obj = NULL;
  for (int i = 0; i < VM_PAGE_NCACHE; i++)
    cr_assert_eq(vm_page_pqbatch[i].n, 0, "hart %d", i);
  cr_assert_eq(vm_page_queue_count(PQ_ACTIVE), 0);
  vm_page_check();
}

// ---------------------------------------------------------------------------
// The checker.

Test(vm_page_pqbatch, check_catches_a_page_in_two_batches, .signal = SIGABRT)
{
  struct vm_page_pqbatch *b = &vm_page_pqbatch[1];

  activate(0, 0, 1);
  b->pages[b->n++] = pages[0];
  expect_panic("vm_page_check: page * in hart 1's batch has queue *, hart 0");
  vm_page_check();
}

Test(vm_page_pqbatch, check_catches_a_wrong_batch_cpu, .signal = SIGABRT)
{
  activate(0, 0, 3);
  pages[1]->batch_cpu = 2;
  expect_panic("vm_page_check: page * in hart 0's batch has queue *, hart 2");
  vm_page_check();
}

Test(vm_page_pqbatch, check_catches_a_page_twice_in_a_batch,
     .signal = SIGABRT)
{
  struct vm_page_pqbatch *b = &vm_page_pqbatch[0];

  activate(0, 0, 2);
  b->pages[b->n++] = pages[0];
  expect_panic("vm_page_check: page * twice in hart 0's batch");
  vm_page_check();
}

Test(vm_page_pqbatch, check_catches_a_pending_page_in_no_batch,
     .signal = SIGABRT)
{
  activate(0, 0, 2);
  vm_page_pqbatch[0].n = 1;     // pages[1] forgotten
  expect_panic("vm_page_check: 2 pages say pending, the batches hold 1");
  vm_page_check();
}
