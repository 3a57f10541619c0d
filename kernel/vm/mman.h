// SPDX-License-Identifier: MIT
// User-visible constants of the memory system calls (docs/semantics.md). Values
// are FreeBSD's, except the msync flags, which are three distinct bits.
// Included by user/user.h and by kernel/vm/vm_mmap.c.
#ifndef VM_MMAN_H
#define VM_MMAN_H

#define PROT_NONE        0x00
#define PROT_READ        0x01
#define PROT_WRITE       0x02
#define PROT_EXEC        0x04

#define MAP_SHARED       0x0001
#define MAP_PRIVATE      0x0002
#define MAP_FIXED        0x0010
#define MAP_STACK        0x0400
#define MAP_ANON         0x1000
#define MAP_ANONYMOUS    MAP_ANON
#define MAP_EXCL         0x4000

#define INHERIT_SHARE    0
#define INHERIT_COPY     1
#define INHERIT_NONE     2
#define INHERIT_ZERO     3

#define MADV_NORMAL      0
#define MADV_RANDOM      1
#define MADV_SEQUENTIAL  2
#define MADV_WILLNEED    3
#define MADV_DONTNEED    4
#define MADV_FREE        5

#define MCL_CURRENT      0x1
#define MCL_FUTURE       0x2

#define MS_ASYNC         0x1
#define MS_INVALIDATE    0x2
#define MS_SYNC          0x4

#define MINCORE_INCORE     0x1
#define MINCORE_REFERENCED 0x2
#define MINCORE_MODIFIED   0x4

#define RLIMIT_DATA      2
#define RLIMIT_MEMLOCK   6
#define RLIM_NLIMITS     7

typedef unsigned long rlim_t;
#define RLIM_INFINITY    ((rlim_t)0x7fffffffffffffffUL)

struct rlimit {
  rlim_t rlim_cur;   // soft limit
  rlim_t rlim_max;   // hard limit
};

#endif
