// SPDX-License-Identifier: MIT
// The RISC-V side of kernel/machdep.h: where the calling convention puts a
// system call's number, arguments and result, how a new image and a forked
// child start, and the firmware's console and power-off.
//
// The system call ABI (user/usys.S): ecall with the number in a7 and the
// arguments in a0..a5; the result comes back in a0. A new image starts at
// entry with a0 = argc and a1 = argv, like a call of main.
#include "arch/riscv/riscv.h"
#include "arch/riscv/sbi.h"
#include "cpu.h"
#include "kstack.h"
#include "lib/kassert.h"
#include "lib/string.h"
#include "machdep.h"
#include "printf.h"

uint64_t md_syscall_num(const struct trapframe *tf)
{
  return tf->a7;
}

uint64_t md_syscall_arg(const struct trapframe *tf, int n)
{
  switch (n) {
  case 0: return tf->a0;
  case 1: return tf->a1;
  case 2: return tf->a2;
  case 3: return tf->a3;
  case 4: return tf->a4;
  case 5: return tf->a5;
  }
  panic("md_syscall_arg: argument %d", n);
}

void md_set_retval(struct trapframe *tf, uint64_t v)
{
  tf->a0 = v;
}

void md_exec_setregs(struct trapframe *tf, uint64_t entry, uint64_t sp,
                     uint64_t argc, uint64_t argv)
{
  tf->epc = entry;
  tf->sp = sp;
  tf->a0 = argc;
  tf->a1 = argv;
}

void md_fork_child_return(struct trapframe *tf)
{
  tf->a0 = 0;
}

// swtch() "returns" to ra on stack sp; the callee-saved registers start 0.
void md_context_init(struct context *ctx, void (*fn)(void), uint64_t sp)
{
  memset(ctx, 0, sizeof(*ctx));
  ctx->ra = (uint64_t)fn;
  ctx->sp = sp;
}

void md_cpu_wake(int cpu)
{
  sbi_send_ipi_cpus(1UL << cpu);
}

void md_idle(void)
{
  wfi();
}

// wfi wakes on an interrupt pending and enabled in sie, whatever sstatus
// says, so with sie clear and no timer ever set this hart sleeps until the
// machine powers off.
void md_park(void)
{
  intr_off();
  w_sie(0);
  for (;;)
    wfi();
}

void md_console_putc(int c)
{
  sbi_console_putchar(c);
}

// The kernel is built with frame pointers: s0 is the caller's sp at entry,
// with the return address at s0 - 8 and the caller's s0 at s0 - 16. The
// walk stays within KSTACK_SIZE above the first frame (one stack: every
// kernel stack and boot stack is at most that big) and stops at the first
// frame that does not lie above the last; a trap frame is followed too,
// since trapvec leaves the interrupted code's s0 in place.
void md_backtrace(void)
{
  uint64_t fp = (uint64_t)__builtin_frame_address(0);
  uint64_t hi = fp + KSTACK_SIZE;

  printf("backtrace:");
  for (int depth = 0; depth < 24; depth++) {
    if (fp > hi || (fp & 7) != 0)     // frames only rise: see below
      break;
    uint64_t ra = ((uint64_t *)fp)[-1], next = ((uint64_t *)fp)[-2];
    printf(" 0x%lx", ra);
    if (next <= fp)
      break;
    fp = next;
  }
  printf("\n");
}

void md_halt(int failure)
{
  sbi_shutdown(failure);
}
