// SPDX-License-Identifier: MIT
// The kernel's swap device: the second virtio-blk disk, handed to the
// machine-independent swap pager (kernel/vm/swap_pager.h) as its block
// device. Block n of swap is page n of the disk.
//
// Interface: swap_dev_init() once at boot, after virtio_blk_init; without
// a second disk it only says so, and anonymous memory stays in RAM.
//
// Locking: none of its own. io is called with no spin lock held and sleeps
// in the driver until the request is done.
#include "swap_dev.h"

#include "lib/kassert.h"
#include "printf.h"
#include "virtio.h"
#include "vm/swap_pager.h"
#include "vm/vm_page.h"

CTASSERT(SWAP_CLUSTER_MAX <= VIRTIO_BLK_SWAP_MAX);

static int swap_dev_io(const struct swap_device *dev, swblk_t blk,
                       struct vm_page **ma, int count, bool write)
{
  uint64_t pa[SWAP_CLUSTER_MAX];

  (void)dev;
  KASSERT(count > 0 && count <= SWAP_CLUSTER_MAX,
          ("swap_dev_io: %d pages", count));
  for (int i = 0; i < count; i++)
    pa[i] = VM_PAGE_TO_PHYS(ma[i]);
  return virtio_blk_swap_rw((uint64_t)blk * PAGE_SIZE, pa, count, write);
}

static struct swap_device swap_dev = {
  .name = "virtio",
  .io = swap_dev_io,
};

void swap_dev_init(void)
{
  uint64_t size = virtio_blk_swap_size();

  if (size < PAGE_SIZE) {
    printf("swap: none (anonymous memory stays in RAM)\n");
    return;
  }
  swap_dev.nblocks = size / PAGE_SIZE;
  if (!swap_pager_startup(&swap_dev)) {
    printf("swap: no memory for the map of %lu blocks; not used\n",
           (unsigned long)swap_dev.nblocks);
    return;
  }
  printf("swap: %lu KiB on the second virtio disk\n",
         (unsigned long)(swap_dev.nblocks * (PAGE_SIZE / 1024)));
}
