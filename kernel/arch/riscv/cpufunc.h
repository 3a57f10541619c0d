// SPDX-License-Identifier: MIT
// The few per-hart CPU operations the MI kernel uses (through
// kernel/machdep.h): interrupt enable for this hart, and where this hart's
// struct cpu is. On RISC-V the S-mode interrupt enable is sstatus.SIE and
// the kernel keeps &cpus[i] in tp (entry.S, trapvec.S).
#ifndef RISCV_CPUFUNC_H
#define RISCV_CPUFUNC_H

#include "arch/riscv/riscv.h"

static inline void intr_on(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline int intr_get(void) { return (r_sstatus() & SSTATUS_SIE) != 0; }

// The free-running clock (the time CSR), at platform.timebase_freq Hz.
static inline uint64_t md_clock(void) { return r_time(); }

// This hart's struct cpu, as an address (cpu.h's mycpu() gives it a type).
static inline uintptr_t md_cpu_self(void) { return (uintptr_t)r_tp(); }

#endif
