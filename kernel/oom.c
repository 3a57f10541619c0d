// SPDX-License-Identifier: MIT
// The out-of-memory killer (vm_pageout.h: vm_oom_kill), called by the
// pageout daemon when RAM and swap are full and nothing can be reclaimed.
//
// The rule: kill the process with the most anonymous memory, resident or
// on swap (vmspace_anon_count), and say so on the console:
//
//   out of memory: killed pid 7 (hog)
//
// Never init (it must not exit; it is not a candidate at all), never a
// kernel thread, never a process already killed or exiting. One victim at
// a time: while the last one has not finished exiting its memory is still
// coming back, so the caller is told to wait (true) after sleeping a clock
// tick, and nobody else dies meanwhile.
//
// Worked example: 64 MiB of RAM, no swap; sh (pid 2, 40 pages of
// anonymous memory), usertests (pid 3, 60 pages) and its child hog (pid 4,
// 15 000 pages, still growing). The hog's fault finds no page, the daemon
// frees the clean file pages it can (programs' text, read() cache), two
// passes then free nothing, and the hog, largest by far, is killed. Its
// fault is retried after each pass until it notices it was killed; its
// memory comes back at exit, and sh and usertests never noticed.
//
// Locking: each p->lock only to read or set its fields; the sizes are
// measured with a reference on the vmspace and no process lock held.
#include "lib/kassert.h"
#include "lib/string.h"
#include "printf.h"
#include "proc.h"
#include "vm/vm_pageout.h"
#include "vm/vmspace.h"

static int oom_victim;                // pid of the last victim, 0 if none

// Is pid still alive (not yet a zombie: a zombie's memory is gone)?
static bool oom_alive(int pid)
{
  bool alive = false;

  for (struct proc *p = proc; p < &proc[NPROC] && !alive; p++) {
    mtx_lock(&p->lock);
    alive = p->pid == pid && p->state != UNUSED && p->state != ZOMBIE;
    mtx_unlock(&p->lock);
  }
  return alive;
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

// The largest candidate, or NULL.
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

// Wait one clock tick.
static void oom_tick(void)
{
  mtx_lock(&tickslock);
  sleep(&ticks, &tickslock);
  mtx_unlock(&tickslock);
}

bool vm_oom_kill(void)
{
  char name[sizeof(proc[0].name)];
  struct proc *p;
  int pid;

  if (oom_victim != 0 && oom_alive(oom_victim)) {
    oom_tick();
    return true;
  }
  oom_victim = 0;
  if ((p = oom_choose()) == NULL)
    return false;
  mtx_lock(&p->lock);
  pid = p->pid;
  if (p->state == UNUSED || p->state == ZOMBIE) {
    mtx_unlock(&p->lock);
    return true;                      // it went by itself: memory is back
  }
  p->killed = 1;
  if (p->state == SLEEPING)
    p->state = RUNNABLE;
  memmove(name, p->name, sizeof(name));
  mtx_unlock(&p->lock);
  name[sizeof(name) - 1] = '\0';
  printf("out of memory: killed pid %d (%s)\n", pid, name);
  oom_victim = pid;
  return true;
}
