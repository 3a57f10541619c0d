// SPDX-License-Identifier: MIT
// The RISC-V register sets the MI kernel holds but never reads by name:
// the user registers saved at a trap and the callee-saved registers a
// kernel thread switches with. Only arch/riscv code and the md_* hooks
// (kernel/machdep.h, arch/riscv/machdep.c) look inside them.
#ifndef RISCV_FRAME_H
#define RISCV_FRAME_H

#include "lib/types.h"

// The user registers, saved at every trap from user mode. Laid out as
// x1..x31 then the rest; trapvec.S knows the offsets (TF_* there).
struct trapframe {
  uint64_t ra, sp, gp, tp;            // x1..x4
  uint64_t t0, t1, t2;                // x5..x7
  uint64_t s0, s1;                    // x8, x9
  uint64_t a0, a1, a2, a3, a4, a5, a6, a7;     // x10..x17
  uint64_t s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;  // x18..x27
  uint64_t t3, t4, t5, t6;            // x28..x31
  uint64_t epc;                       // user pc
  uint64_t kernel_sp;                 // stack for the next trap (= tf)
  uint64_t kernel_tp;                 // &cpus[i] of the hart returning to user
};

// Callee-saved registers, saved by swtch() (switch.S) when a thread gives
// up its hart. tp is not saved: it belongs to the hart.
struct context {
  uint64_t ra;
  uint64_t sp;
  uint64_t s[12];
};

#endif
