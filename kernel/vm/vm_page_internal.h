// SPDX-License-Identifier: MIT
// The page layer's state, shared by its three parts: vm_page.c (the buddy
// allocator, the per-hart caches), vm_page_queue.c (the queues and the
// per-hart batches of activations) and vm_page_check.c (the checker that
// walks them). Nothing outside those files includes this; the module
// comments of vm_page.c and vm_page_queue.c describe the structures and
// their locks.
#ifndef VM_VM_PAGE_INTERNAL_H
#define VM_VM_PAGE_INTERNAL_H

#include "lib/list.h"
#include "lib/lock.h"
#include "vm/vm_page.h"

#define VM_PAGE_ORDER_NONE  0xff     // not the head of a free block
#define VM_PAGE_ORDER_PCPU  0xfe     // free, in a hart's cache
#define VM_PAGE_NQUEUES     (PQ_LAUNDRY + 1)

// A hart's cache of free pages. Locks: (h) the cache's own lock; (a)
// atomic.
struct vm_page_pcpu {
  struct mtx lock;
  struct list_node pages;             // (h) most recently freed first
  size_t count;                       // (h) pages in the list; (a) to read
} __attribute__((aligned(64)));       // a cache line each: no false sharing

// A hart's batch of activations: pages (PQ_PENDING) bound for the active
// tail, oldest first. Never full between operations: the activation that
// fills it flushes it. Locks: (b) the batch's own lock; (a) atomic.
#define VM_PQBATCH_MAX      16
struct vm_page_pqbatch {
  struct mtx lock;
  int n;                              // (b) pages in it; (a) to read
  struct vm_page *pages[VM_PQBATCH_MAX]; // (b)
} __attribute__((aligned(64)));

extern struct mtx vm_page_lock;                        // the free lock
extern struct vm_page *vm_page_array;                  // (c)
extern size_t vm_page_array_size;                      // (c) pages
extern paddr_t vm_page_base;                           // (c) phys of array[0]
extern struct list_node vm_page_freeq[VM_NFREEORDER];  // (q) heads by order
extern size_t vm_page_nfree;                           // (q) free pages in
                                                       //     the buddy lists
extern struct list_node vm_page_queues[VM_PAGE_NQUEUES]; // (q) by PQ_*
extern size_t vm_page_qlen[VM_PAGE_NQUEUES];           // (q)
extern struct vm_page_pcpu vm_page_pcpu[VM_PAGE_NCACHE];
extern struct vm_page_pqbatch vm_page_pqbatch[VM_PAGE_NCACHE];

// Empty queues and batches, for vm_page_startup.
void vm_page_queue_startup(void);

// m's index in the page array; m must be in it.
static inline size_t vm_page_index(const struct vm_page *m)
{
  KASSERT(m >= vm_page_array && m < vm_page_array + vm_page_array_size,
          ("vm_page_index: %p is not in the page array", m));
  return (size_t)(m - vm_page_array);
}

#endif
