// SPDX-License-Identifier: MIT
// xv6's kernel/memlayout.h, for user programs only: the names xv6's tests
// (usertests, the MIT labs' cowtest) include this file for. The kernel never
// includes it; its own layout is kernel/arch/riscv/memlayout.h.
//
//   KERNBASE, PHYSTOP  where xv6 puts RAM: PHYSTOP - KERNBASE is the 128 MiB
//                      of `make qemu` (the real size is MEM; vmstat tells it).
//                      KERNBASE is also the kernel's own image address, so
//                      a user load from it faults as in xv6.
//   MAXVA              the first address above user space (MAXUVA here).
//   TRAMPOLINE,        xv6's two pages at the top of user space. Here no
//   TRAPFRAME          user mapping ever reaches them either: the stack ends
//                      below TRAPFRAME (kernel/exec.c).
#ifndef KERNEL_MEMLAYOUT_H
#define KERNEL_MEMLAYOUT_H

#include "kernel/arch/riscv/vmparam.h"

#ifndef KERNBASE
#define KERNBASE    0xffffffff80000000UL
#endif
#define PHYSTOP     (KERNBASE + 128 * 1024 * 1024)
#ifndef MAXVA
#define MAXVA       MAXUVA
#endif
#define TRAMPOLINE  (MAXVA - 4096)
#define TRAPFRAME   (TRAMPOLINE - 4096)

#endif
