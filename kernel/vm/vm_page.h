// SPDX-License-Identifier: MIT
// The physical page layer: one struct vm_page per page of RAM handed to the
// VM at start-up.
//
// Free pages live in buddy lists by order 0..VM_NFREEORDER-1; a free block
// of order k is 2^k pages aligned to its size in the page array. Allocation
// splits a larger block when the wanted order is empty, freeing coalesces a
// block with its buddy while the buddy is free and of the same order.
//
// Single free pages also sit in short per-hart caches in front of the
// buddy lists (vm_page.c); they are free pages all the same, counted by
// vm_page_free_count and reached by any allocation that needs them.
//
// An allocated page belongs to at most one object (object, pindex) and sits
// on at most one paging queue (active, inactive, laundry) unless wired.
// Wired pages are on no queue and are never reclaimed.
//
// A page activated for the first time may wait a little in its hart's
// batch of activations (PQ_PENDING) before it reaches the active queue:
// it counts as active all the same (vm_page_queue.c).
//
// Locking: identity, flags and wire_count are protected by the owning
// object's lock (pages without an object are private to their owner);
// queue membership and the free lists by the page queue lock, which this
// module takes itself (a leaf lock), a hart's cache of free pages by that
// cache's own lock (h), and a hart's batch of activations by the batch's
// lock (b); both come before the page queue lock. Two rules tie the locks
// together so that the pageout scan (vm_pageout.c) can start from a queue,
// where it holds only the queue lock: the owner of a page that is on a queue
// changes only under the queue lock as well (vm_page_free dequeues before
// unlinking, vm_object_page_rename switches owners under it), and the
// queue an owned page is on changes only under its object lock as well
// (under the queue lock alone a page may only move within its queue).
#ifndef VM_VM_PAGE_H
#define VM_VM_PAGE_H

#include "lib/avl.h"
#include "lib/list.h"
#include "vm/vm.h"

struct vm_object;

#define VM_NFREEORDER   11            // blocks of 1 .. 1024 pages (4 MiB)
#define VM_PAGE_NCACHE  8             // per-hart caches: harts 0 .. 7 (the
                                      // kernel asserts NCPU fits)

// Queues.
#define PQ_NONE         0             // allocated, on no queue (e.g. wired)
#define PQ_FREE         1             // in a buddy list
#define PQ_ACTIVE       2             // recently used
#define PQ_INACTIVE     3             // reclaim candidates, clean first
#define PQ_LAUNDRY      4             // dirty reclaim candidates
#define PQ_PENDING      5             // in a hart's batch, on its way to
                                      // the active tail (vm_page_queue.c)

// Flags (o).
#define PG_BUSY         0x0001        // I/O or exclusive use in progress
#define PG_WANTED       0x0002        // someone sleeps until not busy
#define PG_DIRTY        0x0004        // differs from the pager's copy
#define PG_ZERO         0x0008        // known to be all zeros
#define PG_REFERENCED   0x0010        // software referenced bit
#define PG_VALID        0x0020        // contents valid (pager filled it)
#define PG_NOFREE       0x0040        // page-table or other kernel page
#define PG_READAHEAD    0x0080        // first page of an asynchronous read;
                                      // its fault reads the next cluster
                                      // (swap_pager_ra.c)

// Machine-dependent per-page state, opaque to MI code: the pmap's list of
// the mappings of this page (pv entries), a count of them, a generation
// that moves with every change of the list, and the pmap's own bits.
struct vm_page_md {
  struct list_node pv_list;           // (p) pv entries mapping this page
  uint32_t pv_count;                  // (p)
  uint32_t pv_gen;                    // (p)
  uint32_t pv_flags;                  // (p) pmap's own bits
};

struct vm_page {
  struct list_node plinks;            // (q) free list or paging queue link
  struct avl_node onode;              // (o) node in the object's page tree
  struct vm_object *object;           // (o) owner, NULL if none; (q) too
                                      //     while on a queue
  vm_pindex_t pindex;                 // (o) index in the owner
  paddr_t phys_addr;                  // (c) physical address
  uint32_t wire_count;                // (o) wirings; > 0 keeps it resident
  uint16_t flags;                     // (o) PG_*
  uint8_t queue;                      // (q) PQ_*; (o) too when owned;
                                      //     (b) while PQ_PENDING
  uint8_t order;                      // (q) buddy order while PQ_FREE;
                                      //     (h) in a hart's cache
  uint8_t batch_cpu;                  // (o) and (b): the hart whose batch
                                      //     holds it while PQ_PENDING
  struct vm_page_md md;               // (p) machine-dependent
};

// Start-up: take npages of RAM starting at base (page aligned). array holds
// one struct vm_page per page and must lie outside that RAM (or the caller
// must have excluded its pages). All pages start free.
void vm_page_startup(struct vm_page *array, paddr_t base, size_t npages);

// Allocation flags.
#define VM_ALLOC_NORMAL  0x00
#define VM_ALLOC_ZERO    0x01        // contents zeroed (skipped if PG_ZERO)
#define VM_ALLOC_WIRED   0x02        // returned wired, on no queue
#define VM_ALLOC_NOBUSY  0x04        // not left busy

// Allocate a page and, if obj is not NULL, insert it at pindex (the caller
// holds obj's lock and there must be no page there). Returned busy unless
// VM_ALLOC_NOBUSY, on no queue. NULL when no page is free: the caller may
// reclaim and retry, or fail with KERN_RESOURCE_SHORTAGE.
struct vm_page *vm_page_alloc(struct vm_object *obj, vm_pindex_t pindex,
                              int flags);

// Free a page: remove it from its object and queue, junk-fill it (a
// tripwire for use-after-free) and put it in this hart's cache of free
// pages. It must not be mapped (pmap_page_protect(m, VM_PROT_NONE) first)
// nor wired.
void vm_page_free(struct vm_page *m);

// Return the free pages of every hart's cache to the buddy lists. The
// allocator does it itself when the buddy lists run dry; the host tests do
// it before they look at the buddy lists, so a test sees them whole.
void vm_page_pcpu_drain_all(void);

// Contiguous blocks of 2^order pages without an object, for kernel memory
// (stacks, zone slabs, page tables), straight from the buddy lists (the
// harts' caches are drained first if no block is free there). NULL when
// no block is free.
struct vm_page *vm_page_alloc_contig(int order);
void vm_page_free_contig(struct vm_page *m, int order);

// Flush every hart's batch of activations to the active queue, so that
// the pageout scan, which walks the queues alone, sees every page.
void vm_page_pqbatch_drain_all(void);

// Wiring. Wiring takes a page off its queue; the last unwire puts it on the
// active queue (or inactive when deactivate is set). Object lock held.
void vm_page_wire(struct vm_page *m);
void vm_page_unwire(struct vm_page *m, bool deactivate);

// Queues. Each moves the page (unless wired) to the named queue's tail;
// the owner's lock is held. vm_page_deactivate_noreuse puts the page at
// the head of the inactive queue instead, first in line for reclaim
// (MADV_DONTNEED). An owned page on no queue that is activated reaches the
// active tail through its hart's batch (PQ_PENDING meanwhile).
void vm_page_activate(struct vm_page *m);
void vm_page_deactivate(struct vm_page *m);
void vm_page_deactivate_noreuse(struct vm_page *m);
void vm_page_launder(struct vm_page *m);
void vm_page_dequeue(struct vm_page *m);
// Take the pages of obj at indexes [start, end) (end 0: no limit) off
// their queues, a batch of pages per acquisition of the queue lock, before
// a caller frees them all (munmap, an object's teardown: vm_page_free
// would take the lock once per page). Busy pages are left alone. obj's
// lock is held.
void vm_page_dequeue_range(struct vm_object *obj, vm_pindex_t start,
                           vm_pindex_t end);

// The page queue lock itself, for the pageout scan, which walks a queue
// from its head, and for vm_object_page_rename (see Locking above).
void vm_page_queue_lock(void);
void vm_page_queue_unlock(void);
bool vm_page_queue_owned(void);
// The page at the head of queue q (PQ_ACTIVE..PQ_LAUNDRY), or NULL.
struct vm_page *vm_page_queue_first_locked(int q);
// Move m to the tail of the queue it is on. The queue lock is enough: m
// stays on the same queue.
void vm_page_queue_rotate_locked(struct vm_page *m);

// Busy protocol. Object lock held. vm_page_busy_sleep releases the object
// lock, waits until the page is not busy, and returns with the lock NOT held
// (the caller must look the page up again: it may be gone).
void vm_page_xbusy(struct vm_page *m);
void vm_page_xunbusy(struct vm_page *m);
void vm_page_busy_sleep(struct vm_page *m);

// The queue m is on, read under its owner's lock alone: a flush may move
// a PQ_PENDING page to PQ_ACTIVE meanwhile, and nothing else can change.
static inline int vm_page_queue_of(const struct vm_page *m)
{
  return __atomic_load_n(&m->queue, __ATOMIC_RELAXED);
}

// Is m active, or on its way to the active queue? Owner's lock held.
static inline bool vm_page_active(const struct vm_page *m)
{
  int q = vm_page_queue_of(m);

  return q == PQ_ACTIVE || q == PQ_PENDING;
}

static inline void vm_page_dirty(struct vm_page *m) { m->flags |= PG_DIRTY; }
static inline bool vm_page_wired(const struct vm_page *m) { return m->wire_count > 0; }

// Physical address <-> page.
static inline paddr_t VM_PAGE_TO_PHYS(const struct vm_page *m) { return m->phys_addr; }
struct vm_page *PHYS_TO_VM_PAGE(paddr_t pa);   // NULL if not managed RAM

// Counts (pages).
size_t vm_page_free_count(void);
size_t vm_page_total_count(void);
size_t vm_page_queue_count(int queue);          // PQ_ACTIVE, ...

// The head of the inactive queue: the next page the pageout scan looks at.
struct vm_page *vm_page_inactive_first(void);

// Check the buddy lists and queue counts against the page array (panics).
void vm_page_check(void);

#endif
