// SPDX-License-Identifier: MIT
// vm_page_check: the page layer's invariant checker. It walks the buddy
// lists, every hart's cache of free pages, the paging queues and every
// hart's batch of activations, then
// takes a census of the whole page array that must agree with them, and
// panics with the first invariant that fails (the invariants are those of
// vm_page.c's module comment). It costs a walk of every page, so it runs
// in the host tests and under VMCHECK, never on a hot path.
//
// Locking: takes every cache's lock, then every batch's, in index order,
// then the free lock. Nobody else holds two cache locks or two batch
// locks, nor a cache lock and a batch lock together, so the order cannot
// deadlock.
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_page_internal.h"

// Check the free block with head m on list order: aligned, inside the
// array, every page free and unowned, and not mergeable with its buddy.
// Returns its size in pages.
static size_t vm_page_check_block(struct vm_page *m, int order)
{
  size_t idx = vm_page_index(m), n = (size_t)1 << order, bidx;

  KASSERT(m->queue == PQ_FREE && m->order == order,
          ("vm_page_check: head %p on list %d has queue %d order %d", m, order,
           m->queue, m->order));
  KASSERT((idx & (n - 1)) == 0 && idx + n <= vm_page_array_size,
          ("vm_page_check: block at %zu of order %d misaligned", idx, order));
  for (size_t i = 0; i < n; i++) {
    KASSERT(m[i].queue == PQ_FREE && (i == 0 || m[i].order == VM_PAGE_ORDER_NONE),
            ("vm_page_check: page %zu inside free block %zu overlaps", idx + i,
             idx));
    KASSERT(m[i].object == NULL && m[i].wire_count == 0 &&
            !pmap_page_is_mapped(&m[i]),
            ("vm_page_check: free page %zu in use", idx + i));
  }
  bidx = idx ^ n;
  KASSERT(order == VM_NFREEORDER - 1 || bidx + n > vm_page_array_size ||
          vm_page_array[bidx].queue != PQ_FREE ||
          vm_page_array[bidx].order != order,
          ("vm_page_check: free buddies %zu and %zu of order %d not merged",
           idx, bidx, order));
  return n;
}

// Check queue q's list: membership fields and count.
static void vm_page_check_queue(int q)
{
  struct list_node *l;
  size_t n = 0;

  list_for_each(l, &vm_page_queues[q]) {
    struct vm_page *m = container_of(l, struct vm_page, plinks);
    vm_page_index(m);
    KASSERT(m->queue == q && m->wire_count == 0,
            ("vm_page_check: page %p on queue %d has queue %d, wired %u", m, q,
             m->queue, m->wire_count));
    n++;
  }
  KASSERT(n == vm_page_qlen[q], ("vm_page_check: queue %d holds %zu pages, "
                                 "count says %zu", q, n, vm_page_qlen[q]));
}

// Check hart cache c: every page free, unowned, unmapped, marked as
// cached, and as many as the count says. Returns the count.
static size_t vm_page_check_pcpu(struct vm_page_pcpu *c)
{
  struct list_node *l;
  size_t n = 0;

  list_for_each(l, &c->pages) {
    struct vm_page *m = container_of(l, struct vm_page, plinks);
    vm_page_index(m);
    KASSERT(m->queue == PQ_FREE && m->order == VM_PAGE_ORDER_PCPU,
            ("vm_page_check: cached page %p has queue %d order %d", m,
             m->queue, m->order));
    KASSERT(m->object == NULL && m->wire_count == 0 && !pmap_page_is_mapped(m),
            ("vm_page_check: cached page %p in use", m));
    n++;
  }
  KASSERT(n == c->count, ("vm_page_check: a hart cache holds %zu pages, "
                          "count says %zu", n, c->count));
  return n;
}

// Check hart id's batch of activations: not full, every page pending
// there, owned by a live object, unwired, and listed once. Returns how
// many it holds. A page listed in two batches fails the batch_cpu test in
// one of them; one pending in no batch fails the census.
static size_t vm_page_check_pqbatch(int id)
{
  struct vm_page_pqbatch *b = &vm_page_pqbatch[id];

  KASSERT(b->n >= 0 && b->n < VM_PQBATCH_MAX,
          ("vm_page_check: hart %d's batch holds %d pages", id, b->n));
  for (int i = 0; i < b->n; i++) {
    struct vm_page *m = b->pages[i];
    vm_page_index(m);
    KASSERT(m->queue == PQ_PENDING && m->batch_cpu == id,
            ("vm_page_check: page %p in hart %d's batch has queue %d, hart "
             "%d", m, id, m->queue, m->batch_cpu));
    KASSERT(m->object != NULL && m->object->magic == VM_OBJECT_MAGIC &&
            m->wire_count == 0,
            ("vm_page_check: pending page %p unowned or wired", m));
    for (int j = 0; j < i; j++)
      KASSERT(b->pages[j] != m, ("vm_page_check: page %p twice in hart %d's "
                                 "batch", m, id));
  }
  return (size_t)b->n;
}

// A census of the page array that must agree with the lists: listed_free
// pages in the buddy lists, cached in the harts' caches, pending in their
// batches.
static void vm_page_check_census(size_t listed_free, size_t cached,
                                 size_t pending)
{
  size_t nfree = 0, ncached = 0, nwired = 0, nq[PQ_PENDING + 1] = { 0 };

  for (size_t i = 0; i < vm_page_array_size; i++) {
    struct vm_page *m = &vm_page_array[i];
    KASSERT(m->queue <= PQ_PENDING, ("vm_page_check: page %zu has queue "
                                         "%d", i, m->queue));
    KASSERT(m->phys_addr == vm_page_base + ptoa(i),
            ("vm_page_check: page %zu has the wrong address", i));
    nq[m->queue]++;
    if (m->queue == PQ_FREE)
      nfree++;
    if (m->queue == PQ_FREE && m->order == VM_PAGE_ORDER_PCPU)
      ncached++;
    if (m->wire_count > 0)
      nwired++;
  }
  KASSERT(nfree == listed_free + cached && listed_free == vm_page_nfree &&
          ncached == cached,
          ("vm_page_check: %zu pages marked free (%zu cached), %zu listed, "
           "count %zu, %zu in hart caches", nfree, ncached, listed_free,
           vm_page_nfree, cached));
  for (int q = PQ_ACTIVE; q <= PQ_LAUNDRY; q++)
    KASSERT(nq[q] == vm_page_qlen[q], ("vm_page_check: %zu pages say queue "
                                       "%d, it holds %zu", nq[q], q,
                                       vm_page_qlen[q]));
  KASSERT(nq[PQ_PENDING] == pending, ("vm_page_check: %zu pages say "
                                      "pending, the batches hold %zu",
                                      nq[PQ_PENDING], pending));
  KASSERT(nwired == vm_cnt.v_wire_count,
          ("vm_page_check: %zu wired pages, v_wire_count %lu", nwired,
           (unsigned long)vm_cnt.v_wire_count));
}

void vm_page_check(void)
{
  struct list_node *l;
  size_t listed = 0, cached = 0, pending = 0;

  for (int i = 0; i < VM_PAGE_NCACHE; i++)
    mtx_lock(&vm_page_pcpu[i].lock);
  for (int i = 0; i < VM_PAGE_NCACHE; i++)
    mtx_lock(&vm_page_pqbatch[i].lock);
  mtx_lock(&vm_page_lock);
  for (int i = 0; i < VM_PAGE_NCACHE; i++) {
    cached += vm_page_check_pcpu(&vm_page_pcpu[i]);
    pending += vm_page_check_pqbatch(i);
  }
  for (int k = 0; k < VM_NFREEORDER; k++)
    list_for_each(l, &vm_page_freeq[k])
      listed += vm_page_check_block(container_of(l, struct vm_page, plinks), k);
  for (int q = PQ_ACTIVE; q <= PQ_LAUNDRY; q++)
    vm_page_check_queue(q);
  vm_page_check_census(listed, cached, pending);
  mtx_unlock(&vm_page_lock);
  for (int i = VM_PAGE_NCACHE - 1; i >= 0; i--)
    mtx_unlock(&vm_page_pqbatch[i].lock);
  for (int i = VM_PAGE_NCACHE - 1; i >= 0; i--)
    mtx_unlock(&vm_page_pcpu[i].lock);
}
