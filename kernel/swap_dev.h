// SPDX-License-Identifier: MIT
// The swap disk (swap_dev.c): attach the second virtio disk, if any, to
// the swap pager at boot.
#ifndef KERNEL_SWAP_DEV_H
#define KERNEL_SWAP_DEV_H

#include "lib/types.h"

void swap_dev_init(void);

// The disk's raw sequential rate, for make bench to compare paging with:
// swap_dev_measure writes SWAP_DEV_MEASURE_PAGES pages at the start of
// the disk, then rewrites them three times and reads them three times, in
// requests as large as the swap pager's (SWAP_CLUSTER_MAX pages): the
// figures are the median rewrite and read. It needs process context
// (the I/O sleeps) and a swap disk nothing is on yet: the first process
// calls it once, before running any user code. swap_dev_rate gives the
// result in ns per page (0: not measured, no swap disk).
#define SWAP_DEV_MEASURE_PAGES 1024
void swap_dev_measure(void);
void swap_dev_rate(uint64_t *write_ns, uint64_t *read_ns);

#endif
