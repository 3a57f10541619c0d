// SPDX-License-Identifier: MIT
// The machine-dependent seam: everything the machine-independent kernel
// (kernel/*.c outside arch/) needs from the machine, in one header. No
// other file outside kernel/arch includes an arch header, except main.c,
// which wires the machine's boot steps together (docs/architecture.md).
// A port supplies these names; kernel/arch/riscv is the only one today.
//
// From the arch headers below:
//   struct trapframe, struct context   register sets (frame.h); MI code
//                                      stores them and passes them to the
//                                      hooks, never reads a register
//   MAXUVA                             first address no user page can have
//                                      (vmparam.h; user ABI)
//   intr_on/off/get, md_cpu_self       this hart (cpufunc.h)
//   md_clock                           the clock, platform.timebase_freq Hz
//   PHYS_TO_DMAP, DMAP_TO_PHYS,        the kernel's view of physical memory
//   kvtophys, KVA_START, KVA_END       and its own map (memlayout.h)
//   pmap_activate, kernel_map          (pmap_md.h)
#ifndef KERNEL_MACHDEP_H
#define KERNEL_MACHDEP_H

#include "arch/riscv/cpufunc.h"
#include "arch/riscv/frame.h"
#include "arch/riscv/memlayout.h"
#include "arch/riscv/pmap_md.h"
#include "arch/riscv/vmparam.h"
#include "lib/types.h"

// --- system calls (arch/riscv/machdep.c) ---------------------------------
// The call number, argument n (0..5) and the result register of a system
// call trapped into tf. The result is >= 0 or a negative errno; the user
// stub turns the latter into errno.
uint64_t md_syscall_num(const struct trapframe *tf);
uint64_t md_syscall_arg(const struct trapframe *tf, int n);
void md_set_retval(struct trapframe *tf, uint64_t v);

// --- new images and new processes ----------------------------------------
// Start a fresh image at entry with stack pointer sp (16-byte aligned) and
// main's arguments argc, argv (exec, and userinit with 0, 0).
void md_exec_setregs(struct trapframe *tf, uint64_t entry, uint64_t sp,
                     uint64_t argc, uint64_t argv);

// A forked child's frame (a copy of its parent's) returns 0 from fork.
void md_fork_child_return(struct trapframe *tf);

// Make ctx, once swtch()ed to, run fn on the kernel stack whose top is sp.
void md_context_init(struct context *ctx, void (*fn)(void), uint64_t sp);

// Return to user mode with the current process's trap frame (trap.c).
__attribute__((noreturn)) void usertrapret(void);

// --- harts (arch/riscv/trap.c, machdep.c) ---------------------------------
// Program this hart's timer for the earlier of its next tick and its kick
// deadline (struct cpu). Interrupts off.
void md_timer_update(void);
// Wake cpus[cpu] from md_idle with an inter-processor interrupt.
void md_cpu_wake(int cpu);
// Wait for an interrupt (wfi). Returns when one is pending, even with
// interrupts off; the caller turns them on to take it.
void md_idle(void);
// Sleep for good: every interrupt off, so nothing wakes this hart and it
// costs the host nothing (a hart maxcpus leaves unused, kernel/main.c).
__attribute__((noreturn)) void md_park(void);

// --- the machine as a whole -----------------------------------------------
// Write one byte to the firmware console (before the UART is set up).
void md_console_putc(int c);

// Print the return addresses of the calling frames, innermost first, as
// "backtrace: 0x... 0x..." (panic; addr2line -e kernel/kernel turns them
// into lines).
void md_backtrace(void);

// Power off; on QEMU, exit with a failure status when failure != 0.
__attribute__((noreturn)) void md_halt(int failure);

#endif
