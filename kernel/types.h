// SPDX-License-Identifier: MIT
// Basic types shared by the kernel and user programs. Kept compatible with
// xv6's kernel/types.h so existing xv6 user programs build unchanged.
#ifndef KERNEL_TYPES_H
#define KERNEL_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef unsigned int   uint;
typedef unsigned short ushort;
typedef unsigned char  uchar;

typedef unsigned char  uint8;
typedef unsigned short uint16;
typedef unsigned int   uint32;
typedef unsigned long  uint64;

typedef long off_t;          // file offsets (mmap, lseek)
typedef long ssize_t;

#endif
