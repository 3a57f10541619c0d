// SPDX-License-Identifier: MIT
// The fake swap device of the host tests (host_swapdev.h).
#include "host_swapdev.h"

#include <stdlib.h>
#include <string.h>

#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/swap_pager.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"

struct host_swapdev host_swapdev;
static struct swap_device host_swapdev_dev;

// Is this request's failure injected? Counts one down.
static bool host_swapdev_fails(int *n)
{
  if (*n == 0)
    return false;
  if (*n > 0)
    (*n)--;
  return true;
}

// The pages of a request: busy, of an object whose lock is held (a start)
// or not (io, which sleeps).
static void host_swapdev_check(const struct swap_device *dev, swblk_t blk,
                               struct vm_page **ma, int count, bool locked)
{
  KASSERT(dev == &host_swapdev_dev && count > 0 &&
          count <= SWAP_CLUSTER_MAX &&
          blk + (uint64_t)count <= host_swapdev.nblocks,
          ("host_swapdev: blocks %u+%d out of range", blk, count));
  for (int i = 0; i < count; i++)
    KASSERT((ma[i]->flags & PG_BUSY) != 0 && ma[i]->object != NULL &&
            mtx_owned(&ma[i]->object->lock) == locked,
            ("host_swapdev: page %d not busy or its object %slocked", i,
             locked ? "not " : ""));
}

// Move the contents of count pages ma[] to (write) or from blocks blk...
static void host_swapdev_copy(swblk_t blk, struct vm_page **ma, int count,
                              bool write)
{
  for (int i = 0; i < count; i++) {
    uint8_t *disk = host_swapdev.store + (size_t)(blk + i) * PAGE_SIZE;
    uint8_t *mem = pmap_page_kva(ma[i]);
    if (write)
      memcpy(disk, mem, PAGE_SIZE);
    else
      memcpy(mem, disk, PAGE_SIZE);
  }
}

static int host_swapdev_io(const struct swap_device *dev, swblk_t blk,
                           struct vm_page **ma, int count, bool write)
{
  host_swapdev_check(dev, blk, ma, count, false);
  if (host_swapdev.during_io != NULL) {
    void (*hook)(void) = host_swapdev.during_io;
    host_swapdev.during_io = NULL;
    hook();
  }
  host_swapdev.last_blk = blk;
  host_swapdev.last_count = count;
  if (count > host_swapdev.max_count)
    host_swapdev.max_count = count;
  if (write) {
    host_swapdev.writes++;
    if (host_swapdev_fails(&host_swapdev.fail_writes))
      return -1;
    host_swapdev.pages_written += count;
  } else {
    host_swapdev.reads++;
    if (host_swapdev_fails(&host_swapdev.fail_reads))
      return -1;
    host_swapdev.pages_read += count;
  }
  host_swapdev_copy(blk, ma, count, write);
  return 0;
}

// The reads started and not yet finished, oldest first.
#define HOST_SWAPDEV_QUEUE 16
static struct host_swapdev_req {
  swblk_t blk;
  struct vm_page *ma[SWAP_CLUSTER_MAX];
  int count;
  swap_done_fn *done;
  void *arg;
} host_swapdev_queue[HOST_SWAPDEV_QUEUE];

static int host_swapdev_read_start(const struct swap_device *dev, swblk_t blk,
                                   struct vm_page **ma, int count,
                                   swap_done_fn *done, void *arg)
{
  struct host_swapdev_req *r;

  host_swapdev_check(dev, blk, ma, count, true);
  if (host_swapdev_fails(&host_swapdev.refuse_starts) ||
      host_swapdev.pending == HOST_SWAPDEV_QUEUE)
    return -1;
  r = &host_swapdev_queue[host_swapdev.pending++];
  *r = (struct host_swapdev_req){ blk, { NULL }, count, done, arg };
  memcpy(r->ma, ma, (size_t)count * sizeof(ma[0]));
  host_swapdev.starts++;
  return 0;
}

int host_swapdev_finish_reads(void)
{
  int n = host_swapdev.pending;

  for (int k = 0; k < n; k++) {
    struct host_swapdev_req *r = &host_swapdev_queue[k];
    bool ok;
    for (int i = 0; i < r->count; i++)
      KASSERT((r->ma[i]->flags & PG_BUSY) != 0,
              ("host_swapdev_finish_reads: page %d not busy in flight", i));
    host_swapdev.reads++;
    ok = !host_swapdev_fails(&host_swapdev.fail_reads);
    if (ok) {
      host_swapdev.pages_read += r->count;
      host_swapdev_copy(r->blk, r->ma, r->count, false);
    }
    r->done(r->arg, ok);
  }
  host_swapdev.pending = 0;
  return n;
}

void host_swapdev_async(bool on)
{
  host_swapdev_dev.read_start = on ? host_swapdev_read_start : NULL;
}

void host_swapdev_attach(uint64_t nblocks)
{
  memset(&host_swapdev, 0, sizeof(host_swapdev));
  host_swapdev.nblocks = nblocks;
  host_swapdev.store = calloc(nblocks, PAGE_SIZE);
  KASSERT(host_swapdev.store != NULL, ("host_swapdev_attach: no memory"));
  // Junk, so a read of a block never written shows.
  memset(host_swapdev.store, 0xa5, nblocks * PAGE_SIZE);
  host_swapdev_dev = (struct swap_device){
    .name = "host", .nblocks = nblocks, .io = host_swapdev_io,
  };
  KASSERT(swap_pager_startup(&host_swapdev_dev),
          ("host_swapdev_attach: swap_pager_startup failed"));
}

void host_swapdev_detach(void)
{
  KASSERT(host_swapdev.pending == 0,
          ("host_swapdev_detach: %d reads in flight", host_swapdev.pending));
  swap_pager_shutdown();
  free(host_swapdev.store);
  host_swapdev.store = NULL;
}
