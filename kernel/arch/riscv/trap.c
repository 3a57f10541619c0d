// SPDX-License-Identifier: MIT
// Trap handling (entry and exit in trapvec.S).
//
// From user mode (usertrap): ecall -> syscall(); device interrupts -> the
// PLIC's claimed source's driver; the timer -> a tick and a yield; a page
// fault -> vm_fault on the process's map (growing a stack entry first
// when the address lies in its growth area). A fault that cannot be
// resolved, or any other exception, kills the process with one console
// line naming it, and it exits with status -1.
//
// From the kernel (kerneltrap): interrupts as above; a page fault is legal
// only inside a uaccess copy (its recovery hook set) on a user address:
// it is resolved like a user fault, and when that fails the copy resumes
// at its hook and returns -EFAULT. Anything else panics.
//
// The timer: every hart takes a tick every 1/TICK_HZ s (cpu->tick_at);
// only cpu 0 advances ticks, by the number of 1/TICK_HZ periods of the
// clock that have passed, so uptime() keeps to the clock when a timer
// interrupt comes late (a busy host, a long interrupts-off section)
// instead of falling behind by every delay. The same timer also serves the
// scheduler's kick deadline (cpu->kick_at, sched.c), which does not yield.
// Where the device tree lists the Sstc extension the kernel writes
// stimecmp itself; otherwise it asks SBI (the TIME extension), a trap into
// the firmware each time.
#include "arch/riscv/cpufunc.h"
#include "arch/riscv/plic.h"
#include "arch/riscv/riscv.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/trap.h"
#include "console.h"
#include "lib/errno.h"
#include "platform.h"
#include "printf.h"
#include "proc.h"
#include "sys.h"
#include "uaccess.h"
#include "virtio.h"
#include "vm/vm_fault.h"
#include "vm/vm_mmap.h"
#include "vm/vmspace.h"

uint64_t ticks;
struct mtx tickslock;
static uint64_t next_tick;            // (tickslock) clock value of tick ticks+1

enum intr_kind { INTR_NONE, INTR_DEVICE, INTR_TIMER };

static uint64_t tick_interval(void)
{
  return platform_timebase_freq() / TICK_HZ;
}

// Ask for a timer interrupt at the earlier of this hart's tick and kick,
// and remember it (cpu->timer_at: sched.c skips a write when the deadline
// programmed comes first anyway). Writing a later stimecmp (or SBI
// set_timer) also clears a pending one.
void md_timer_update(void)
{
  struct cpu *c = mycpu();
  uint64_t when = c->tick_at;

  if (c->kick_at != 0 && c->kick_at < when)
    when = c->kick_at;
  c->timer_at = when;
  if (platform.has_sstc)
    csr_write(0x14d, when);         // stimecmp, by number: binutils may not
                                    // know its name
  else
    sbi_set_timer(when);
}

void trap_init_hart(void)
{
  if (cpuid() == 0) {
    mtx_init(&tickslock, "ticks");
    next_tick = r_time() + tick_interval();
  }
  w_stvec((uint64_t)trapvec);
  w_sscratch(0);
  w_sie(r_sie() | SIE_SEIE | SIE_STIE | SIE_SSIE);
  // Let user programs read the time CSR (rdtime): it is what they time
  // themselves with (user/bench). OpenSBI already sets scounteren to
  // CY|TM|IR, but that is the firmware's choice, not a promise; the other
  // counters we leave as we found them.
  csr_set(scounteren, SCOUNTEREN_TM);
  mycpu()->tick_at = r_time() + tick_interval();
  mycpu()->kick_at = 0;
  md_timer_update();
}

// The timer fired: a tick (true: the caller yields), a kick, or both.
static bool clock_intr(void)
{
  struct cpu *c = mycpu();
  uint64_t now = r_time();
  bool tick = now >= c->tick_at;

  if (tick && c->id == 0) {
    mtx_lock(&tickslock);
    while (now >= next_tick) {
      ticks++;
      next_tick += tick_interval();
    }
    wakeup(&ticks);
    mtx_unlock(&tickslock);
  }
  if (tick)
    c->tick_at = now + tick_interval();
  if (c->kick_at != 0 && now >= c->kick_at) {
    c->kick_at = 0;
    sched_kick();
  }
  md_timer_update();
  return tick;
}

// Handle an interrupt, if scause says it is one.
static enum intr_kind dev_intr(uint64_t scause)
{
  if (!(scause & SCAUSE_INTR))
    return INTR_NONE;
  switch (scause & ~SCAUSE_INTR) {
  case IRQ_S_EXT: {
    int irq = plic_claim();
    if (irq != 0 && irq == platform.uart_irq)
      uart_intr();
    else if (irq != 0)
      (void)virtio_blk_intr(irq);
    if (irq != 0)
      plic_complete(irq);
    return INTR_DEVICE;
  }
  case IRQ_S_TIMER:
    return clock_intr() ? INTR_TIMER : INTR_DEVICE;
  case IRQ_S_SOFT:
    csr_clear(sip, SIE_SSIE);
    return INTR_DEVICE;
  default:
    return INTR_NONE;
  }
}

static vm_prot_t fault_type(uint64_t scause)
{
  if (scause == EXC_INST_PAGE_FAULT)
    return VM_PROT_EXECUTE;
  return scause == EXC_STORE_PAGE_FAULT ? VM_PROT_WRITE : VM_PROT_READ;
}

static bool is_page_fault(uint64_t scause)
{
  return scause == EXC_INST_PAGE_FAULT || scause == EXC_LOAD_PAGE_FAULT ||
         scause == EXC_STORE_PAGE_FAULT;
}

// Resolve a fault at user address va in p's map. Returns a KERN_* code.
// A stack that cannot grow (out of its reservation, or under MCL_FUTURE
// past the wiring limits) leaves the first fault's KERN_INVALID_ADDRESS:
// a stack overflow.
static int trap_vm_fault(struct proc *p, uint64_t va, vm_prot_t type)
{
  if (p->vm == NULL || va >= MAXUVA)
    return KERN_INVALID_ADDRESS;
  return vm_fault_user(p->vm, va, type, p->rlim[RLIMIT_MEMLOCK].rlim_cur);
}

static const char *fault_access(vm_prot_t type)
{
  return type == VM_PROT_EXECUTE ? "execute" :
         type == VM_PROT_WRITE ? "write" : "read";
}

// An exception in user mode that is not a system call: fault it in, or
// mark the process killed after printing why. va is stval as read at trap
// entry (interrupts are on now: a yield would let other traps change it).
static void user_exception(struct proc *p, uint64_t scause, uint64_t va)
{
  const char *what;

  if (is_page_fault(scause)) {
    vm_prot_t type = fault_type(scause);
    int rc = trap_vm_fault(p, va, type);
    if (rc == KERN_SUCCESS)
      return;
    if (rc == KERN_RESOURCE_SHORTAGE && killed(p))
      return;                 // killed while it waited: it exits, no more to say
    if (rc == KERN_RESOURCE_SHORTAGE && p == initproc)
      return;                 // init must not exit: fault again, wait again
    // docs/semantics.md allows only two words here; a fault that found no free
    // page is reported as a segmentation fault and says why after it.
    what = rc == KERN_OUT_OF_BOUNDS ? "bus error" : "segmentation fault";
    printf("pid %d (%s): %s at 0x%lx (%s)%s\n", p->pid, p->name, what, va,
           fault_access(type),
           rc == KERN_RESOURCE_SHORTAGE ? ": out of memory" : "");
  } else if (scause == EXC_LOAD_ACCESS || scause == EXC_STORE_ACCESS ||
             scause == EXC_INST_ACCESS) {
    printf("pid %d (%s): segmentation fault at 0x%lx (%s)\n", p->pid, p->name,
           va, scause == EXC_STORE_ACCESS ? "write" :
           scause == EXC_INST_ACCESS ? "execute" : "read");
  } else if (scause == EXC_LOAD_MISALIGNED || scause == EXC_STORE_MISALIGNED ||
             scause == EXC_INST_MISALIGNED) {
    printf("pid %d (%s): bus error at 0x%lx (%s)\n", p->pid, p->name, va,
           scause == EXC_STORE_MISALIGNED ? "write" :
           scause == EXC_INST_MISALIGNED ? "execute" : "read");
  } else {
    printf("pid %d (%s): %s at pc 0x%lx (scause %lu)\n", p->pid, p->name,
           scause == EXC_ILLEGAL_INST ? "illegal instruction" : "exception",
           p->tf->epc, scause);
  }
  setkilled(p);
}

// Called from trapvec with the user registers saved in tf.
__attribute__((noreturn)) void usertrap(struct trapframe *tf)
{
  struct proc *p = myproc();
  uint64_t scause = r_scause();
  uint64_t stval = r_stval();
  enum intr_kind which = INTR_NONE;

  KASSERT((r_sstatus() & SSTATUS_SPP) == 0, ("usertrap: not from user mode"));
  KASSERT(p != NULL && p->tf == tf, ("usertrap: no process"));
  if (scause == EXC_ECALL_U) {
    if (killed(p))
      exit(-1);
    tf->epc += 4;
    intr_on();
    syscall();
  } else if ((which = dev_intr(scause)) == INTR_NONE) {
    intr_on();
    user_exception(p, scause, stval);
  }
  if (killed(p))
    exit(-1);
  if (which == INTR_TIMER)
    yield();
  usertrapret();
}

void usertrapret(void)
{
  struct proc *p = myproc();
  struct trapframe *tf = p->tf;
  uint64_t x;

  intr_off();
  tf->kernel_sp = (uint64_t)tf;
  tf->kernel_tp = (uint64_t)mycpu();
  w_sepc(tf->epc);
  x = r_sstatus();
  x &= ~(SSTATUS_SPP | SSTATUS_SUM);
  x |= SSTATUS_SPIE;
  w_sstatus(x);
  w_sscratch((uint64_t)tf);
  trapret_user(tf);
}

// A page fault in the kernel. Legal only inside a uaccess copy: resolve it
// (interrupts on again if the copy ran with them on, since vm_fault may
// sleep) or send the copy to its recovery hook via *sepc.
static void kernel_page_fault(uint64_t scause, uint64_t sstatus, uint64_t *sepc)
{
  struct proc *p = myproc();
  uintptr_t hook = uaccess_onfault();
  uint64_t va = r_stval();
  int rc;

  if (hook == 0 || va >= MAXUVA)
    panic("kerneltrap: page fault at 0x%lx (%s) pc 0x%lx scause %lu",
          va, fault_access(fault_type(scause)), *sepc, scause);
  if (sstatus & SSTATUS_SPIE)
    intr_on();
  rc = trap_vm_fault(p, va, fault_type(scause));
  intr_off();
  if (rc != KERN_SUCCESS)
    *sepc = hook;
}

// Called from trapvec on the current kernel stack.
void kerneltrap(void)
{
  uint64_t sepc = r_sepc();
  uint64_t sstatus = r_sstatus();
  uint64_t scause = r_scause();
  enum intr_kind which = INTR_NONE;

  KASSERT(sstatus & SSTATUS_SPP, ("kerneltrap: not from supervisor mode"));
  KASSERT(!intr_get(), ("kerneltrap: interrupts enabled"));
  if (is_page_fault(scause))
    kernel_page_fault(scause, sstatus, &sepc);
  else if ((which = dev_intr(scause)) == INTR_NONE)
    panic("kerneltrap: scause %lu sepc 0x%lx stval 0x%lx", scause, sepc,
          r_stval());
  if (which == INTR_TIMER && myproc() != NULL && myproc()->state == RUNNING)
    yield();
  // yield() and vm_fault() may have trapped again: restore what sret needs.
  w_sepc(sepc);
  w_sstatus(sstatus);
}
