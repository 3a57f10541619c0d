// SPDX-License-Identifier: MIT
// The paging queues (vm_page.h): activating, deactivating and laundering
// pages, taking them off the queues, wiring, and the per-hart batches of
// activations in front of the active queue.
//
// Paging queues: each is a list, oldest at the head. Activating or
// deactivating a page appends it at the tail; MADV_DONTNEED puts its
// pages at the head of the inactive queue (vm_page_deactivate_noreuse),
// where the pageout scan (vm_pageout.c) looks first. Wired pages sit on
// no queue.
//
// Per-hart batches of activations (FreeBSD batches its queue operations
// per CPU too). Almost every page a fault maps is new, on no queue, and
// bound for the active tail; taking the queue lock for each one makes
// that lock the one every faulting hart meets. So such a page is parked
// in its hart's batch, a short array, with queue PQ_PENDING ("on its way
// to the active queue") and batch_cpu naming the hart. A full batch is
// flushed: all its pages go to the active tail, in the order they came,
// under one acquisition of the queue lock. Only that move (an owned page
// on no queue -> active tail) is batched; a page already queued, a
// deactivation, the laundry, wired pages and pages without an owner go
// straight to the queues.
//
// A pending page counts as active (vm_page_queue_count) but sits on no
// list, so the pageout scan cannot see it: the daemon's pass and
// vm_pageout_reclaim first flush every batch (vm_page_pqbatch_drain_all).
// Whoever wants a pending page elsewhere -- off every queue to free or
// wire it, or on another queue -- first takes it out of its batch
// (vm_page_pqbatch_cancel); if a flush got there first, the page is on
// the active queue by then and leaves it the usual way.
//
// Locking. (q) vm_page_lock: the queues, their counts, and the queue
// field of a page on one. An owned page changes queues only with its
// object lock (o) held too, so its owner may read the field under (o)
// alone; the owner of a queued page changes only under (q) too, since the
// pageout scan, holding (q) alone, trusts the owner it reads
// (vm_object_page_rename). (b) a batch's own lock: the batch and the
// queue field of the pages in it. A page enters a batch only from its
// owner (o and b held) and leaves it under b: cancelled by its owner (o
// and b), or flushed to the active queue by anyone (b and q), without
// the object lock. So an owner that reads PQ_PENDING under (o) may find
// PQ_ACTIVE once it holds b, but never anything else: nobody but it can
// batch the page again. batch_cpu is written by the adder (o and b), so
// it is stable under (o). Lock order: object lock -> batch lock ->
// vm_page_lock; nobody holds two batch locks but vm_page_check.
#include "lib/lock.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_page_internal.h"

// Pages vm_page_dequeue_range takes off their queues per acquisition of
// the queue lock.
#define VM_PAGE_DEQUEUE_BATCH 32

struct list_node vm_page_queues[VM_PAGE_NQUEUES];
size_t vm_page_qlen[VM_PAGE_NQUEUES];
struct vm_page_pqbatch vm_page_pqbatch[VM_PAGE_NCACHE];

void vm_page_queue_startup(void)
{
  for (int q = 0; q < VM_PAGE_NQUEUES; q++) {
    list_init(&vm_page_queues[q]);
    vm_page_qlen[q] = 0;
  }
  for (int i = 0; i < VM_PAGE_NCACHE; i++) {
    mtx_init(&vm_page_pqbatch[i].lock, "vm page batch");
    vm_page_pqbatch[i].n = 0;
  }
}

// Owners read m->queue under (o) alone while a flush may write it.
static void vm_page_set_queue(struct vm_page *m, int q)
{
  __atomic_store_n(&m->queue, (uint8_t)q, __ATOMIC_RELAXED);
}

// VMCHECK: m, about to leave or just put on a paging queue: a queue the
// count says is not empty, linked both ways to its neighbours, owned by a
// live object or by nobody.
static void vm_page_check_queued(struct vm_page *m)
{
  vm_page_index(m);
  KASSERT(m->queue >= PQ_ACTIVE && m->queue <= PQ_LAUNDRY &&
          vm_page_qlen[m->queue] > 0 && m->plinks.next->prev == &m->plinks &&
          m->plinks.prev->next == &m->plinks,
          ("vm_page_check: page %p badly linked on queue %d", m, m->queue));
  KASSERT(m->object == NULL || m->object->magic == VM_OBJECT_MAGIC,
          ("vm_page_check: queued page %p has a dead owner", m));
}

// Put m, on no list, at the tail (or, with head, the head) of queue q
// (PQ_ACTIVE..PQ_LAUNDRY). Its queue field goes straight from whatever
// it said (PQ_NONE, or PQ_PENDING for a flush) to q. Lock held.
static void vm_page_insert_locked(struct vm_page *m, int q, bool head)
{
  MTX_ASSERT_OWNED(&vm_page_lock);
  KASSERT(m->wire_count == 0, ("vm_page_requeue: page %p is wired", m));
  if (head)
    list_insert_head(&vm_page_queues[q], &m->plinks);
  else
    list_insert_tail(&vm_page_queues[q], &m->plinks);
  vm_page_qlen[q]++;
  vm_page_set_queue(m, q);
  if (vm_check_level > 0)
    vm_page_check_queued(m);
}

// Move m to the tail (or, with head, the head) of queue q
// (PQ_ACTIVE..PQ_LAUNDRY), or off every queue (PQ_NONE). m is not in a
// batch. Lock held.
static void vm_page_requeue_locked(struct vm_page *m, int q, bool head)
{
  MTX_ASSERT_OWNED(&vm_page_lock);
  KASSERT(m->queue != PQ_FREE && m->queue != PQ_PENDING,
          ("vm_page_requeue: page %p is free or batched (%d)", m, m->queue));
  if (m->queue != PQ_NONE) {
    if (vm_check_level > 0)
      vm_page_check_queued(m);
    list_remove(&m->plinks);
    vm_page_qlen[m->queue]--;
  }
  // Straight to the new value: the pageout scan rotates a page under (q)
  // alone, and its owner must never see it on no queue meanwhile.
  if (q == PQ_NONE)
    vm_page_set_queue(m, PQ_NONE);
  else
    vm_page_insert_locked(m, q, head);
}

// ---------------------------------------------------------------------------
// The per-hart batches.

// The count is read without the lock by vm_page_pqbatch_pending and
// vm_page_pqbatch_drain_all.
static void vm_page_pqbatch_set_n(struct vm_page_pqbatch *b, int n)
{
  __atomic_store_n(&b->n, n, __ATOMIC_RELAXED);
}

// Move every page of batch b to the active tail, under one acquisition
// of the queue lock. b's lock held.
static void vm_page_pqbatch_flush_locked(struct vm_page_pqbatch *b)
{
  MTX_ASSERT_OWNED(&b->lock);
  if (b->n == 0)
    return;
  mtx_lock(&vm_page_lock);
  for (int i = 0; i < b->n; i++) {
    struct vm_page *m = b->pages[i];
    KASSERT(m->queue == PQ_PENDING && &vm_page_pqbatch[m->batch_cpu] == b,
            ("vm_page_pqbatch_flush: page %p has queue %d, hart %d", m,
             m->queue, m->batch_cpu));
    vm_page_insert_locked(m, PQ_ACTIVE, false);
  }
  mtx_unlock(&vm_page_lock);
  vm_page_pqbatch_set_n(b, 0);
}

// Send m (owned, unwired) to the active tail through this hart's batch,
// if it is new (on no queue) or already on its way there. Returns false,
// having done nothing, if it is on a real queue. (o) held.
static bool vm_page_pqbatch_add(struct vm_page *m)
{
  struct vm_page_pqbatch *b;
  int q = vm_page_queue_of(m), id;

  if (q == PQ_PENDING)
    return true;
  if (q != PQ_NONE)
    return false;
  // The thread may move to another hart after cpuid(); it then uses the
  // old hart's batch under that batch's lock, which is merely slower.
  id = cpuid();
  KASSERT(id >= 0 && id < VM_PAGE_NCACHE,
          ("vm_page_pqbatch_add: hart %d has no batch", id));
  b = &vm_page_pqbatch[id];
  mtx_lock(&b->lock);
  m->batch_cpu = (uint8_t)id;
  vm_page_set_queue(m, PQ_PENDING);
  b->pages[b->n] = m;
  vm_page_pqbatch_set_n(b, b->n + 1);
  if (b->n == VM_PQBATCH_MAX)
    vm_page_pqbatch_flush_locked(b);
  mtx_unlock(&b->lock);
  return true;
}

// Take m out of its batch if it is pending: afterwards it is on no queue,
// or, when a flush came first, on the active queue. Either stays so under
// (o), which the caller holds.
static void vm_page_pqbatch_cancel(struct vm_page *m)
{
  struct vm_page_pqbatch *b;
  int i;

  if (vm_page_queue_of(m) != PQ_PENDING)
    return;
  KASSERT(m->batch_cpu < VM_PAGE_NCACHE,
          ("vm_page_pqbatch_cancel: page %p in batch %d", m, m->batch_cpu));
  b = &vm_page_pqbatch[m->batch_cpu];
  mtx_lock(&b->lock);
  if (m->queue == PQ_PENDING) {
    for (i = 0; i < b->n && b->pages[i] != m; i++)
      ;
    KASSERT(i < b->n, ("vm_page_pqbatch_cancel: pending page %p is not in "
                       "hart %d's batch", m, m->batch_cpu));
    // Close the gap, keeping the others in the order they came.
    for (; i + 1 < b->n; i++)
      b->pages[i] = b->pages[i + 1];
    vm_page_pqbatch_set_n(b, b->n - 1);
    vm_page_set_queue(m, PQ_NONE);
  }
  mtx_unlock(&b->lock);
}

// One batch at a time: no hart ever holds two batch locks. A batch that
// looks empty is skipped; pages added after the look are activations
// newer than this call.
void vm_page_pqbatch_drain_all(void)
{
  for (int i = 0; i < VM_PAGE_NCACHE; i++) {
    struct vm_page_pqbatch *b = &vm_page_pqbatch[i];
    if (__atomic_load_n(&b->n, __ATOMIC_RELAXED) == 0)
      continue;
    mtx_lock(&b->lock);
    vm_page_pqbatch_flush_locked(b);
    mtx_unlock(&b->lock);
  }
}

// Pages waiting in the batches, read without their locks.
static size_t vm_page_pqbatch_pending(void)
{
  size_t n = 0;

  for (int i = 0; i < VM_PAGE_NCACHE; i++)
    n += (size_t)__atomic_load_n(&vm_page_pqbatch[i].n, __ATOMIC_RELAXED);
  return n;
}

// ---------------------------------------------------------------------------
// Queue operations.

// Queue m on q unless it is wired (wired pages stay off the queues). The
// owner's lock keeps the queue an owned page is on stable for its holder,
// but for the flush of a pending page to the active queue.
static void vm_page_enqueue(struct vm_page *m, int q, bool head)
{
  if (m->object != NULL)
    MTX_ASSERT_OWNED(&m->object->lock);
  if (vm_page_wired(m))
    return;
  if (q == PQ_ACTIVE && !head && m->object != NULL && vm_page_pqbatch_add(m))
    return;
  vm_page_pqbatch_cancel(m);
  mtx_lock(&vm_page_lock);
  vm_page_requeue_locked(m, q, head);
  mtx_unlock(&vm_page_lock);
}

void vm_page_activate(struct vm_page *m)
{
  vm_page_enqueue(m, PQ_ACTIVE, false);
}

void vm_page_deactivate(struct vm_page *m)
{
  vm_page_enqueue(m, PQ_INACTIVE, false);
}

// At the head, so the last page advised is the first reclaimed: the scan
// takes DONTNEED'd pages before anything that merely aged.
void vm_page_deactivate_noreuse(struct vm_page *m)
{
  vm_page_enqueue(m, PQ_INACTIVE, true);
}

void vm_page_launder(struct vm_page *m)
{
  vm_page_enqueue(m, PQ_LAUNDRY, false);
}

// A page on no queue stays there without the queue lock (its owner's lock
// or, unowned, its allocator keeps it so: vm_page.h), so freeing or wiring
// it need not take the lock at all; a pending page costs its batch's lock.
void vm_page_dequeue(struct vm_page *m)
{
  if (m->object != NULL)
    MTX_ASSERT_OWNED(&m->object->lock);
  vm_page_pqbatch_cancel(m);
  if (vm_page_queue_of(m) == PQ_NONE)
    return;
  mtx_lock(&vm_page_lock);
  vm_page_requeue_locked(m, PQ_NONE, false);
  mtx_unlock(&vm_page_lock);
}

// vm_page_dequeue of the n pages of ma under one acquisition of the lock.
static void vm_page_dequeue_batch(struct vm_page **ma, int n)
{
  if (n == 0)
    return;
  mtx_lock(&vm_page_lock);
  for (int i = 0; i < n; i++)
    vm_page_requeue_locked(ma[i], PQ_NONE, false);
  mtx_unlock(&vm_page_lock);
}

// Once off a queue, an owned page stays off without the queue lock (only
// its owner, who holds the object lock here, may queue it again).
// A busy page's holder may requeue it when done; the caller will then
// dequeue it one at a time, as vm_page_free does.
void vm_page_dequeue_range(struct vm_object *obj, vm_pindex_t start,
                           vm_pindex_t end)
{
  struct vm_page *ma[VM_PAGE_DEQUEUE_BATCH], *m;
  int n = 0;

  MTX_ASSERT_OWNED(&obj->lock);
  for (m = vm_object_page_ge(obj, start); m != NULL && (end == 0 ||
       m->pindex < end); m = vm_object_page_next(obj, m)) {
    if ((m->flags & PG_BUSY) != 0)
      continue;
    vm_page_pqbatch_cancel(m);
    if (vm_page_queue_of(m) == PQ_NONE)
      continue;
    ma[n++] = m;
    if (n == VM_PAGE_DEQUEUE_BATCH) {
      vm_page_dequeue_batch(ma, n);
      n = 0;
    }
  }
  vm_page_dequeue_batch(ma, n);
}

void vm_page_queue_lock(void)
{
  mtx_lock(&vm_page_lock);
}

void vm_page_queue_unlock(void)
{
  mtx_unlock(&vm_page_lock);
}

bool vm_page_queue_owned(void)
{
  return mtx_owned(&vm_page_lock);
}

struct vm_page *vm_page_queue_first_locked(int q)
{
  struct list_node *l;

  MTX_ASSERT_OWNED(&vm_page_lock);
  KASSERT(q >= PQ_ACTIVE && q <= PQ_LAUNDRY,
          ("vm_page_queue_first_locked: bad queue %d", q));
  l = list_first(&vm_page_queues[q]);
  return l != NULL ? container_of(l, struct vm_page, plinks) : NULL;
}

void vm_page_queue_rotate_locked(struct vm_page *m)
{
  KASSERT(m->queue >= PQ_ACTIVE && m->queue <= PQ_LAUNDRY,
          ("vm_page_queue_rotate_locked: page %p is on no queue", m));
  vm_page_requeue_locked(m, m->queue, false);
}

void vm_page_wire(struct vm_page *m)
{
  if (m->object != NULL)
    MTX_ASSERT_OWNED(&m->object->lock);
  KASSERT(m->queue != PQ_FREE, ("vm_page_wire: page %p is free", m));
  KASSERT(m->wire_count < UINT32_MAX, ("vm_page_wire: page %p overflow", m));
  // Off the queue (or out of its batch) first: the pageout scan looks at
  // queued pages with only the queue lock, and a queued page must never
  // look wired to it, nor a flush find a wired page in its batch.
  if (m->wire_count == 0) {
    vm_page_dequeue(m);
    VM_CNT_INC(v_wire_count);
  }
  m->wire_count++;
}

void vm_page_unwire(struct vm_page *m, bool deactivate)
{
  if (m->object != NULL)
    MTX_ASSERT_OWNED(&m->object->lock);
  KASSERT(m->wire_count > 0, ("vm_page_unwire: page %p not wired", m));
  if (--m->wire_count > 0)
    return;
  __atomic_fetch_sub(&vm_cnt.v_wire_count, 1, __ATOMIC_RELAXED);
  vm_page_enqueue(m, deactivate ? PQ_INACTIVE : PQ_ACTIVE, false);
}

// The active count takes in the pages on their way there: vmstat, the
// daemon's aging and the tests see the same figure, flushed or not.
size_t vm_page_queue_count(int queue)
{
  size_t n;

  KASSERT(queue == PQ_FREE || (queue >= PQ_ACTIVE && queue <= PQ_LAUNDRY),
          ("vm_page_queue_count: bad queue %d", queue));
  if (queue == PQ_FREE)
    return vm_page_free_count();
  n = __atomic_load_n(&vm_page_qlen[queue], __ATOMIC_RELAXED);
  if (queue == PQ_ACTIVE)
    n += vm_page_pqbatch_pending();
  return n;
}

struct vm_page *vm_page_inactive_first(void)
{
  struct vm_page *m;

  mtx_lock(&vm_page_lock);
  m = vm_page_queue_first_locked(PQ_INACTIVE);
  mtx_unlock(&vm_page_lock);
  return m;
}
