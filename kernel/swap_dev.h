// SPDX-License-Identifier: MIT
// The swap disk (swap_dev.c): attach the second virtio disk, if any, to
// the swap pager at boot.
#ifndef KERNEL_SWAP_DEV_H
#define KERNEL_SWAP_DEV_H

#include "lib/types.h"

void swap_dev_init(void);

// The disk's raw sequential rate, for make bench to set beside paging
// (the swapraw system call): writes npages free blocks of swap, reserved
// from the swap pager as a page-out's are, in requests as large as the
// pager's (SWAP_CLUSTER_MAX pages, from as many distinct pages of RAM),
// then reads them back and frees them. ns[0] and ns[1] get the ns per page
// of the write and of the read. 0, or -ENODEV (no swap disk), -EINVAL
// (npages < 1 or over a quarter of the disk), -ENOMEM (more than half the
// free swap, so that paging meanwhile keeps room; or not in a few runs; or
// no memory), -EIO. Process context: the I/O sleeps.
int swap_dev_time(long npages, uint64_t ns[2]);

#endif
