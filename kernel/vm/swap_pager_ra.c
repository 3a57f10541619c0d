// SPDX-License-Identifier: MIT
// Swap read-ahead: reading the next cluster while the process works on
// this one (swap_pager_readahead, swap_pager.h).
//
// A fault that pages in a swap cluster waits for its read. A process going
// through swapped-out memory in order would wait for every cluster in
// turn, and between two reads the disk would sit idle while the VM does
// its own work: allocate and map the pages, return to user mode, fault
// again. So when a fault sees a sequential pattern (vm_fault.c: the page
// before its cluster is resident, or the entry is MADV_SEQUENTIAL), it also
// starts reading the next two clusters and returns without waiting for
// those reads. Their pages sit in the object busy and invalid until the
// disk's interrupt handler calls swap_ra_done, which makes them valid,
// unbusies them (waking a fault that came for one meanwhile) and puts them
// on the inactive queue. The first page of each read carries PG_READAHEAD,
// and the fault that finds it starts the read two clusters on: a
// sequential reader keeps two clusters read, or being read, ahead of
// itself, so the disk has the next request while it finishes one.
//
// Lifetime: a read in flight holds its object with a pageout reference
// (vm_object.h), which never goes last: a user dropping the object waits
// for it (one disk read), so the interrupt handler never has to terminate
// or collapse an object. The pages are busy meanwhile, and whatever would
// free or move them waits for that (vm_object_page_remove) or leaves them
// alone (collapse, the pageout scan, prefaulting).
//
// Limits: at most SWAP_RA_MAX reads in flight (a static pool), none when
// free memory is low (the pages would push out others still in use) or
// swap almost full (a page read back must then give up its block: the
// synchronous path's work), none on a device without read_start. A failed
// read frees its pages; the fault that wants one reads it again itself,
// and reports the error if there is one.
//
// Locking: a pool slot is claimed and released with atomic operations.
// swap_pager_readahead runs with the object locked; swap_ra_done, in
// interrupt context, takes the object's lock (a spin mutex: no hart is
// interrupted while it holds one).
#include "lib/kassert.h"
#include "lib/lock.h"
#include "vm/swap_pager.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"
#include "vm/vm_pager.h"

#define SWAP_RA_MAX 8

struct swap_ra {
  uint32_t used;                      // (a) 1: the slot is taken
  struct vm_object *obj;              // (slot owner) held by a pageout ref
  struct vm_page *ma[SWAP_CLUSTER_MAX];
  int count;
};

static struct swap_ra swap_ra_pool[SWAP_RA_MAX];

static struct swap_ra *swap_ra_get(void)
{
  for (int i = 0; i < SWAP_RA_MAX; i++)
    if (!__atomic_exchange_n(&swap_ra_pool[i].used, 1, __ATOMIC_ACQUIRE))
      return &swap_ra_pool[i];
  return NULL;
}

static void swap_ra_put(struct swap_ra *ra)
{
  __atomic_store_n(&ra->used, 0, __ATOMIC_RELEASE);
}

// The disk has finished ra's read (interrupt context).
static void swap_ra_done(void *arg, bool ok)
{
  struct swap_ra *ra = arg;
  struct vm_object *obj = ra->obj;

  mtx_lock(&obj->lock);
  for (int i = 0; i < ra->count; i++) {
    struct vm_page *m = ra->ma[i];
    if (!ok) {
      vm_page_free(m);                // wakes a fault waiting for it
      continue;
    }
    m->flags |= PG_VALID;
    vm_page_xunbusy(m);
    vm_page_deactivate(m);            // not used yet: first to go
  }
  if (ok) {
    swap_pager_count_pageins(ra->count);
    VM_CNT_ADD(v_pagein, ra->count);
    VM_CNT_ADD(v_readahead, ra->count);
  }
  // Never the last reference; obj is not touched after the unlock, when
  // a user waiting to drop it may free it.
  vm_object_pageout_release_locked(obj);
  mtx_unlock(&obj->lock);
  swap_ra_put(ra);
}

// How many pages from start on obj (locked) one read can bring in: start
// and the pages after it in the blocks after its (the pager's haspage says
// how many, at most a cluster), up to the first resident one, inside obj.
static int swap_ra_run(struct vm_object *obj, vm_pindex_t start)
{
  int after, n = 0;

  if (!vm_pager_has_page(obj, start, NULL, &after))
    return 0;
  while (n <= after && start + (vm_pindex_t)n < obj->size &&
         vm_object_page_lookup(obj, start + (vm_pindex_t)n) == NULL)
    n++;
  return n;
}

// Give ra's pages back (obj locked): the read was not started.
static void swap_ra_cancel(struct swap_ra *ra)
{
  for (int i = 0; i < ra->count; i++)
    vm_page_free(ra->ma[i]);
  swap_ra_put(ra);
}

static bool swap_ra_allowed(struct vm_object *obj)
{
  const struct swap_device *dev = swap_pager_device();

  return dev != NULL && dev->read_start != NULL && obj->type == OBJT_SWAP &&
         !swap_pager_almost_full() &&
         vm_page_free_count() > 2 * vm_pageout_free_min() + SWAP_CLUSTER_MAX;
}

int swap_pager_readahead(struct vm_object *obj, vm_pindex_t start)
{
  const struct swap_device *dev = swap_pager_device();
  struct swap_ra *ra;
  swblk_t b;
  int n;

  MTX_ASSERT_OWNED(&obj->lock);
  if (!swap_ra_allowed(obj) || obj->swap_count == 0 ||
      (n = swap_ra_run(obj, start)) == 0 || (ra = swap_ra_get()) == NULL)
    return 0;
  b = swap_pager_lookup(obj, start);
  ra->obj = obj;
  for (ra->count = 0; ra->count < n; ra->count++)
    if ((ra->ma[ra->count] = vm_page_alloc(obj, start + (vm_pindex_t)ra->count,
                                           VM_ALLOC_NORMAL)) == NULL)
      break;
  if (ra->count == 0 || !vm_object_pageout_hold(obj)) {
    swap_ra_cancel(ra);
    return 0;
  }
  ra->ma[0]->flags |= PG_READAHEAD;
  n = ra->count;                      // ra belongs to the disk once started
  if (dev->read_start(dev, b, ra->ma, n, swap_ra_done, ra) != 0) {
    vm_object_pageout_release_locked(obj);
    swap_ra_cancel(ra);
    return 0;
  }
  return n;
}
