// SPDX-License-Identifier: MIT
// Per-hart state. cpus[] is indexed by a dense cpu index 0..ncpu-1; the
// boot hart is always index 0, whatever its hart id, and the others follow
// in device-tree order. SBI and the PLIC speak hart ids (cpus[i].hartid).
//
// While in the kernel, each hart keeps its &cpus[i] at hand (md_cpu_self);
// a thread that sleeps may wake on another hart, so never cache mycpu()
// across a point where the thread can be switched out.
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include "lib/lock.h"
#include "lib/types.h"
#include "machdep.h"
#include "param.h"

struct proc;

// A hart's queue of RUNNABLE processes, oldest first (sched.c).
struct runq {
  struct mtx lock;
  struct proc *head, *tail;   // linked through p->rq_next
  int len;                    // (lock; read unlocked as a hint)
};

// Locks: (h) touched only by this hart, with interrupts off; (c) constant
// once the hart is started; (a) atomic.
struct cpu {
  struct proc *proc;          // (h) the process running here, or NULL
  struct context context;     // (h) swtch() here to enter the scheduler
  int noff;                   // (h) depth of push_off() nesting
  int intena;                 // (h) were interrupts on before the first push_off?
  int id;                     // (c) index in cpus[]
  uint32_t hartid;            // (c) the SBI / PLIC hart id
  int plic_context;           // (c) PLIC context of its S-mode external irq
  volatile int started;       // (a) set once the hart runs its scheduler
  struct runq rq;             // processes waiting to run here
  int idle;                   // (a) 1: nothing to run, asleep or about to be
  uint64_t tick_at;           // (h) clock value of this hart's next tick
  uint64_t kick_at;           // (h) clock value at which to wake an idle
                              //     hart for our queue (sched.c), 0: none
  uint64_t timer_at;          // (h) the timer deadline last programmed,
                              //     never later than tick_at or kick_at
};

// What the scheduler did, since boot (sched.c; vmstat reports them).
struct sched_stats {
  uint64_t ipis;              // idle harts woken by setrunnable
  uint64_t kicks;             // idle harts woken by a kick timer
  uint64_t steals;            // processes taken from another hart's queue
};
extern struct sched_stats sched_stats;

extern struct cpu cpus[NCPU];
extern int ncpu;              // harts in use (<= NCPU)

// This hart's struct cpu and index. Interrupts should be off (or the
// caller must accept that the answer may be stale after a switch).
struct cpu *mycpu(void);
int cpuid(void);

// Interrupt disabling that nests: push_off/pop_off pairs, interrupts come
// back on only at the outermost pop_off, and only if they were on.
void push_off(void);
void pop_off(void);

#endif
