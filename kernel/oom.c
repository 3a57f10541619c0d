// SPDX-License-Identifier: MIT
// The out-of-memory killer (vm_pageout.h: vm_oom_kill), called by the
// pageout daemon when RAM and swap are full and nothing can be reclaimed.
//
// The rule (SEMANTICS.md, and FreeBSD's): kill the process with the most
// anonymous memory, resident or on swap (vmspace_anon_count), and say so
// on the console:
//
//   out of memory: killed pid 7 (hog)
//
// Children or not: a hog that forked a helper is still the hog. (An
// earlier rule spared every parent while a process with no child could
// go; a hog with a child then outlived a small bystander, killed in its
// place, and the hog's own child after it: swaptests exhaust.two_hogs.)
// The shell and a test suite waiting for a hog are small, so never the
// largest while the hog holds the memory. Never init (it must not exit;
// it is not a candidate at all), never a kernel thread, never a process
// already killed or exiting. One victim at
// a time: while any killed process (by this rule, by a failed fault, by
// kill()) has not finished exiting, its memory is still coming back, so
// the caller is told to wait (true) after sleeping a clock tick, and
// nobody else dies meanwhile. (make check found the need: a hog killed by
// its failed fault was still exiting, and the rule took the suite's own
// process as the next largest.) The wait has a limit, OOM_PATIENCE: a
// killed process can be stuck behind the very process that needs the
// memory -- asleep for a file's write lock (ip->wlock) that a writer
// holds across a user copy that faults and waits for a free page. Both
// would wait forever; after the limit the rule picks again among the
// others (swaptests oom.stuck_victim).
//
// Worked example: 64 MiB of RAM, no swap; sh (pid 2, 40 pages of
// anonymous memory), usertests (pid 3, 60 pages) and its child hog (pid 4,
// 15 000 pages, still growing). The hog's fault finds no page, the daemon
// frees the clean file pages it can (programs' text, read() cache), two
// passes then free (almost) nothing, and the hog, largest by far, is
// killed. Its waiting fault gives up
// at once, as a killed process's does; its memory comes back at exit,
// and sh and usertests never noticed.
//
// Locking: each p->lock only to read or set its fields; the sizes are
// measured with a reference on the vmspace and no process lock held.
#include "lib/kassert.h"
#include "lib/string.h"
#include "printf.h"
#include "proc.h"
#include "vm/vm_pageout.h"
#include "vm/vmspace.h"


// Is a killed process still on its way out with its memory (not yet a
// zombie: a zombie's memory is gone)? Whoever killed it -- this rule, a
// fault that failed, kill() -- its memory is coming back, so nobody else
// should die for it meanwhile.
static bool oom_dying(void)
{
  bool dying = false;

  for (struct proc *p = proc; p < &proc[NPROC] && !dying; p++) {
    mtx_lock(&p->lock);
    dying = p->killed && p->vm != NULL && p->state != UNUSED &&
            p->state != ZOMBIE;
    mtx_unlock(&p->lock);
  }
  return dying;
}

// p's vmspace, referenced, if p may be a victim; else NULL.
static struct vmspace *oom_candidate(struct proc *p)
{
  struct vmspace *vm = NULL;

  mtx_lock(&p->lock);
  if (p->state != UNUSED && p->state != ZOMBIE && p != initproc &&
      p->kfn == NULL && !p->killed && p->vm != NULL) {
    vm = p->vm;
    vmspace_ref(vm);
  }
  mtx_unlock(&p->lock);
  return vm;
}

// The candidate to kill, the largest, or NULL.
static struct proc *oom_choose(void)
{
  struct proc *best = NULL;
  size_t best_size = 0, size;
  struct vmspace *vm;

  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    if ((vm = oom_candidate(p)) == NULL)
      continue;
    size = vmspace_anon_count(vm);
    vmspace_free(vm);
    if (best == NULL || size > best_size) {
      best = p;
      best_size = size;
    }
  }
  return best;
}

#define OOM_PATIENCE (2 * TICK_HZ)   // ticks a dying victim holds back the rule

// Wait one clock tick; returns the clock.
static uint64_t oom_tick(void)
{
  uint64_t now;

  mtx_lock(&tickslock);
  sleep(&ticks, &tickslock);
  now = ticks;
  mtx_unlock(&tickslock);
  return now;
}

// The tick the rule began to wait for a dying victim, 0 when not waiting
// (only the pageout daemon runs the rule, so it needs no lock).
static uint64_t oom_since;

// Should the rule wait for a killed process still on its way out? Yes,
// for up to OOM_PATIENCE ticks since the first wait, or since the last
// victim the rule chose.
static bool oom_patient(void)
{
  uint64_t now;

  if (!oom_dying()) {
    oom_since = 0;
    return false;
  }
  now = oom_tick();
  if (oom_since == 0)
    oom_since = now;
  return now - oom_since < OOM_PATIENCE;
}

bool vm_oom_kill(void)
{
  char name[sizeof(proc[0].name)];
  struct proc *p;
  int pid;

  if (oom_patient())
    return true;
  if ((p = oom_choose()) == NULL)
    return false;
  mtx_lock(&p->lock);
  pid = p->pid;
  if (p->state == UNUSED || p->state == ZOMBIE) {
    mtx_unlock(&p->lock);
    return true;                      // it went by itself: memory is back
  }
  p->killed = 1;
  oom_since = 0;                      // a new wait for this one
  if (p->state == SLEEPING)
    setrunnable(p);
  memmove(name, p->name, sizeof(name));
  mtx_unlock(&p->lock);
  name[sizeof(name) - 1] = '\0';
  printf("out of memory: killed pid %d (%s)\n", pid, name);
  return true;
}

bool vm_oom_caller_killed(void)
{
  struct proc *p = myproc();

  // No lock: the pageout daemon's lock, a leaf, may be held.
  return p != NULL && __atomic_load_n(&p->killed, __ATOMIC_RELAXED) != 0;
}
