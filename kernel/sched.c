// SPDX-License-Identifier: MIT
// The scheduler: one run queue per hart, affinity, stealing, and waking
// idle harts only when work would otherwise wait (docs/scheduling.md).
//
// A RUNNABLE process sits in exactly one hart's run queue (FIFO) until a
// scheduler takes it out to run it; setrunnable() is the only way in.
// Where it goes:
//   - to this hart if it runs no process (a device interrupt taken while
//     idle) or its process is exiting (the parent woken by exit): the
//     hart is free or about to be, and waking another costs more;
//   - to the hart it last ran on (p->cpu; a forked child: its parent's
//     hart), when that is an idle hart, or this hart with nothing queued
//     yet: its caches and TLB entries may still be there, and in the
//     common hand-offs (fork then wait, a pipe writer then its reader)
//     this hart is about to block and will run it next -- but only the
//     first process queued here gets that turn;
//   - else to an idle hart, if there is one, which is woken by an IPI;
//   - else to its last hart anyway, where it waits its turn.
// A process left on this hart's queue behind a running one would wait for
// the next tick if this hart does not block soon, so setrunnable arms a
// short "kick" timer (KICK_US); when it fires with the queue still full,
// sched_kick wakes one idle hart per waiting process, and each steals.
// The kick costs no timer write in the common case: arming it programs
// the timer only when the deadline programmed (cpu->timer_at) is later,
// and the scheduler disarms it by clearing kick_at alone, leaving at most
// one early timer interrupt that finds nothing to do. In QEMU every
// stimecmp write takes its global lock; two per fork made fork + wait
// about 10% slower at CPUS=3 (docs/scheduling.md, "The timer").
// A hart whose queue is empty steals the oldest process of another's
// before it goes idle, and idle harts sleep in wfi. Nothing here is needed
// for correctness but the queues: every hart still takes its timer tick,
// so a lost IPI costs at most a tick.
//
// Locking: c->rq.lock protects one queue and is a leaf (taken under
// p->lock by setrunnable; never two at once). The scheduler takes a
// process out of a queue, drops the queue lock, then takes p->lock: the
// process may still be on its way off another hart's stack (it holds its
// p->lock across swtch), and the lock makes us wait for that.
#include "cpu.h"
#include "machdep.h"
#include "platform.h"
#include "printf.h"
#include "proc.h"
#include "vm/pmap.h"
#include "vm/vmspace.h"

// How long a process may wait behind a running one on its hart before an
// idle hart is woken to take it: far longer than a fork's return to user
// mode and the parent's call of wait (a few us on hardware; in QEMU on a
// busy host the hart's thread may lose the host CPU for a millisecond or
// two in between), a fifth of a tick.
#define KICK_US 2000

struct sched_stats sched_stats;

void sched_init(void)
{
  for (int i = 0; i < NCPU; i++)
    mtx_init(&cpus[i].rq.lock, "runq");
}

static void runq_put(struct cpu *c, struct proc *p)
{
  mtx_lock(&c->rq.lock);
  p->rq_next = NULL;
  if (c->rq.tail)
    c->rq.tail->rq_next = p;
  else
    c->rq.head = p;
  c->rq.tail = p;
  c->rq.len++;
  mtx_unlock(&c->rq.lock);
}

static struct proc *runq_take(struct cpu *c)
{
  mtx_lock(&c->rq.lock);
  struct proc *p = c->rq.head;
  if (p) {
    c->rq.head = p->rq_next;
    if (c->rq.head == NULL)
      c->rq.tail = NULL;
    c->rq.len--;
    p->rq_next = NULL;
  }
  mtx_unlock(&c->rq.lock);
  return p;
}

// Claim idle hart c for one runnable process: true if it was idle and we
// are the one to wake it.
static bool claim_idle(struct cpu *c)
{
  int one = 1;
  return __atomic_compare_exchange_n(&c->idle, &one, 0, false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static struct cpu *find_idle(struct cpu *self)
{
  for (int i = 1; i < ncpu; i++) {
    struct cpu *c = &cpus[(self->id + i) % ncpu];
    if (__atomic_load_n(&c->idle, __ATOMIC_SEQ_CST))
      return c;
  }
  return NULL;
}

// Would p, queued on c, wait for a tick there? On another hart, unless
// that hart is idle. On this one, when a process is already queued here:
// even if the running process blocks soon, that one runs first. (The
// queue's length is read unlocked: a hint.)
static bool would_wait(struct cpu *c, struct cpu *self, struct proc *p)
{
  if (c != self)
    return !__atomic_load_n(&c->idle, __ATOMIC_SEQ_CST);
  return self->proc != p && __atomic_load_n(&c->rq.len, __ATOMIC_RELAXED) > 0;
}

// Make p RUNNABLE and queue it where it will run soonest (see the top of
// the file). Caller holds p->lock; p is not in any queue.
void setrunnable(struct proc *p)
{
  struct cpu *self = mycpu();       // stable: p->lock keeps interrupts off
  struct cpu *c = &cpus[p->cpu];

  MTX_ASSERT_OWNED(&p->lock);
  KASSERT(p->state == SLEEPING || p->state == USED ||
          (p->state == RUNNING && p == self->proc),
          ("setrunnable: pid %d in state %d", p->pid, p->state));
  p->state = RUNNABLE;
  bool exiting = self->proc != NULL && self->proc->exiting;
  if (self->proc == NULL || exiting) {
    c = self;
  } else if (would_wait(c, self, p)) {
    struct cpu *idle = find_idle(self);
    if (idle)
      c = idle;
  }
  runq_put(c, p);
  // Wake c only after p is in its queue, or it could find nothing.
  if (c != self) {
    if (claim_idle(c)) {
      md_cpu_wake(c->id);
      __atomic_fetch_add(&sched_stats.ipis, 1, __ATOMIC_RELAXED);
    }
  } else if (self->proc != NULL && self->proc != p && !exiting &&
             self->kick_at == 0 && find_idle(self) != NULL) {
    uint64_t hz = platform_timebase_freq();
    self->kick_at = md_clock() + KICK_US * hz / 1000000;
    if (self->kick_at < self->timer_at)
      md_timer_update();
  }
}

// This hart's kick timer fired: wake one idle hart for each process still
// waiting in our queue; they steal. Called from the timer interrupt.
void sched_kick(void)
{
  struct cpu *self = mycpu();
  int waiting = self->rq.len;       // a hint: stealing re-checks
  struct cpu *c;

  while (waiting-- > 0 && (c = find_idle(self)) != NULL) {
    if (claim_idle(c)) {
      md_cpu_wake(c->id);
      __atomic_fetch_add(&sched_stats.kicks, 1, __ATOMIC_RELAXED);
    }
  }
}

// Take the oldest process of another hart's queue, looking at the harts
// after ours in turn, so thieves spread out.
static struct proc *steal(struct cpu *self)
{
  for (int i = 1; i < ncpu; i++) {
    struct cpu *c = &cpus[(self->id + i) % ncpu];
    if (c->rq.len == 0)             // unlocked peek; runq_take decides
      continue;
    struct proc *p = runq_take(c);
    if (p) {
      __atomic_fetch_add(&sched_stats.steals, 1, __ATOMIC_RELAXED);
      return p;
    }
  }
  return NULL;
}

// Run p (just taken from a queue) on this hart until it gives the hart
// back through sched().
static void run(struct cpu *c, struct proc *p)
{
  mtx_lock(&p->lock);
  KASSERT(p->state == RUNNABLE, ("scheduler: pid %d queued but state %d",
                                 p->pid, p->state));
  p->state = RUNNING;
  p->cpu = c->id;
  c->proc = p;
  pmap_activate(p->vm ? vmspace_pmap(p->vm) : kernel_pmap);
  swtch(&c->context, &p->context);
  pmap_activate(kernel_pmap);
  c->proc = NULL;
  mtx_unlock(&p->lock);
}

// Is there anything to run or steal? Our own queue is read under its lock:
// a waker queues under it before it looks at c->idle, so either we see
// its process here or it sees c->idle set and wakes us.
static bool work_anywhere(struct cpu *c)
{
  mtx_lock(&c->rq.lock);
  bool mine = c->rq.head != NULL;
  mtx_unlock(&c->rq.lock);
  for (int i = 0; i < ncpu && !mine; i++)
    if (__atomic_load_n(&cpus[i].rq.len, __ATOMIC_RELAXED) != 0)
      return true;
  return mine;
}

// Nothing to run: say so, look once more, and sleep until an interrupt.
// wfi returns on a pending interrupt even with interrupts off, so an IPI
// that lands before it is not lost; intr_on then takes it.
static void idle(struct cpu *c)
{
  __atomic_store_n(&c->idle, 1, __ATOMIC_SEQ_CST);
  if (!work_anywhere(c))
    md_idle();
  __atomic_store_n(&c->idle, 0, __ATOMIC_SEQ_CST);
  intr_on();                        // take the interrupt that woke us
  intr_off();
}

// Per-hart scheduler loop; never returns.
void scheduler(void)
{
  struct cpu *c = mycpu();

  c->proc = NULL;
  for (;;) {
    intr_on();                      // let devices in between processes
    intr_off();
    struct proc *p = runq_take(c);
    if (p == NULL)
      p = steal(c);
    if (c->kick_at != 0 && c->rq.len == 0)
      c->kick_at = 0;               // nobody left waiting: see the top
    if (p)
      run(c, p);
    else
      idle(c);
  }
}
