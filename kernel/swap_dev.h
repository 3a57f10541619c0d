// SPDX-License-Identifier: MIT
// The swap disk (swap_dev.c): attach the second virtio disk, if any, to
// the swap pager at boot.
#ifndef KERNEL_SWAP_DEV_H
#define KERNEL_SWAP_DEV_H

void swap_dev_init(void);

#endif
