// SPDX-License-Identifier: MIT
// Processes: one kernel thread each, a vmspace, open files, a directory.
//
// Life cycle: UNUSED -> USED (allocproc) -> RUNNABLE -> RUNNING <-> SLEEPING
// -> ZOMBIE (exit; memory and files released at once) -> UNUSED (the parent's
// wait frees the kernel stack). A process's kernel stack comes from
// kstack_alloc(); its trap frame sits at the top of that stack.
//
// Locks: p->lock (l) protects the scheduling fields; wait_lock (w) protects
// every parent pointer and must be taken before any p->lock; (q) the lock
// of the run queue the process is in (cpu.h), taken after p->lock. Fields marked
// (t) are private to the process's own thread (or to its creator before it
// first runs).
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include "cpu.h"
#include "lib/lock.h"
#include "param.h"
#include "vm/mman.h"

struct file;
struct inode;
struct vmspace;

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

struct proc {
  struct mtx lock;

  enum procstate state;        // (l)
  void *chan;                  // (l) sleeping on chan if non-zero
  int killed;                  // (l) set by kill(); checked at safe points
  int xstate;                  // (l) exit status for the parent's wait
  int pid;                     // (l)
  int cpu;                     // (l) the hart it last ran on (sched.c)
  int exiting;                 // (t) in exit(): its hart is soon free
  struct proc *rq_next;        // (q) next in its hart's run queue

  struct proc *parent;         // (w)

  struct vmspace *vm;          // (t) the address space; NULL after exit
  vm_offset_t kstack;          // (t) top of the kernel stack
  struct trapframe *tf;        // (t) user registers, at the stack's top
  struct context context;      // (t) swtch() here to run the process
  uintptr_t onfault;           // (t) uaccess recovery pc, 0 when none
  struct file *ofile[NOFILE];  // (t) open files
  struct inode *cwd;           // (t) current directory
  struct inode *text;          // (t) the program's file (exec.c), or NULL
  char name[16];               // (t) for debugging and fault messages
  struct rlimit rlim[RLIM_NLIMITS];  // (t) resource limits
  void (*kfn)(void);           // (t) a kernel thread's body; NULL for a
                               //     user process
};

extern struct proc proc[NPROC];
extern struct proc *initproc;   // the first process, which never exits

struct proc *myproc(void);
int killed(struct proc *p);
void setkilled(struct proc *p);

void proc_init(void);
void userinit(void);
// Start a kernel thread: a process with no address space running fn,
// which never returns, named name. Boot only; panics if it cannot.
void kthread_start(const char *name, void (*fn)(void));
int fork(void);
__attribute__((noreturn)) void exit(int status);
int wait(uint64_t addr);
int kill(int pid);
// The scheduler (sched.c).
void sched_init(void);
void setrunnable(struct proc *p);     // p->lock held; p not RUNNABLE
void sched_kick(void);                // this hart's kick timer fired
__attribute__((noreturn)) void scheduler(void);
void sched(void);
void yield(void);
void procdump(void);

// Context switch (switch.S): save callee-saved registers in old, load new.
void swtch(struct context *old, struct context *new);

// Ticks of the 100 Hz clock since boot, and its lock (sleep(&ticks, ...)).
#define TICK_HZ 100
extern uint64_t ticks;
extern struct mtx tickslock;

// exec.c: replace the current process's image. Returns argc (exec's result
// is main's first argument) or a negative errno with the old image intact.
int exec(char *path, char **argv);

#endif
