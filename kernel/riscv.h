// SPDX-License-Identifier: MIT
// xv6's kernel/riscv.h, for user programs only: the page-size names and the
// stack-pointer reader that xv6's usertests and the MIT lab tests include it
// for. The kernel never includes it; its RISC-V definitions are in
// kernel/arch/riscv/riscv.h.
#ifndef KERNEL_RISCV_H
#define KERNEL_RISCV_H

#include "kernel/types.h"
#include "kernel/arch/riscv/vmparam.h"

#ifndef PGSIZE
#define PGSIZE 4096
#endif
#define PGSHIFT 12
#define PGROUNDUP(sz)  (((sz) + PGSIZE - 1) & ~(uint64)(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(uint64)(PGSIZE - 1))
#ifndef MAXVA
#define MAXVA MAXUVA     // one past the highest user address
#endif

static inline uint64
r_sp(void)
{
  uint64 x;

  __asm__ volatile("mv %0, sp" : "=r"(x));
  return x;
}

#endif
