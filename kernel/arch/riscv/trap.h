// SPDX-License-Identifier: MIT
// Traps: system calls, device and timer interrupts, page faults.
#ifndef RISCV_TRAP_H
#define RISCV_TRAP_H

#include "lib/types.h"

struct trapframe;

// Each hart: point stvec at trapvec, enable the S-mode interrupt sources
// and arm the first timer tick. Interrupts stay off until the scheduler.
void trap_init_hart(void);

// trapvec.S
void trapvec(void);
__attribute__((noreturn)) void trapret_user(struct trapframe *tf);

#endif
