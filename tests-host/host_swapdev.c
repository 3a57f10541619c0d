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

static int host_swapdev_io(const struct swap_device *dev, swblk_t blk,
                           struct vm_page **ma, int count, bool write)
{
  KASSERT(dev == &host_swapdev_dev && count > 0 &&
          blk + (uint64_t)count <= host_swapdev.nblocks,
          ("host_swapdev_io: blocks %u+%d out of range", blk, count));
  for (int i = 0; i < count; i++)
    KASSERT((ma[i]->flags & PG_BUSY) != 0 && ma[i]->object != NULL &&
            !mtx_owned(&ma[i]->object->lock),
            ("host_swapdev_io: page %d not busy or its object locked", i));
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
  for (int i = 0; i < count; i++) {
    uint8_t *disk = host_swapdev.store + (size_t)(blk + i) * PAGE_SIZE;
    uint8_t *mem = pmap_page_kva(ma[i]);
    if (write)
      memcpy(disk, mem, PAGE_SIZE);
    else
      memcpy(mem, disk, PAGE_SIZE);
  }
  return 0;
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
  swap_pager_shutdown();
  free(host_swapdev.store);
  host_swapdev.store = NULL;
}
