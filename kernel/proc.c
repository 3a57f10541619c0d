// SPDX-License-Identifier: MIT
// Processes and the scheduler.
//
// proc[] is a fixed table. allocproc takes an UNUSED slot, marks it USED
// and gives it a kernel stack from kstack_alloc(); the trap frame sits at
// the stack's top and the first switch to the process lands in forkret,
// which returns to user mode. exit releases files, directory and address
// space at once and leaves a ZOMBIE holding only its slot and kernel stack;
// the parent's wait frees those.
//
// Each hart runs scheduler() (sched.c): take a RUNNABLE process from its
// run queue (or another hart's), switch its pmap in, swtch to it; when it
// gives the hart back (sched), switch to kernel_pmap, so a pmap is active
// only on harts running its process. setrunnable() queues a process.
//
// Locking (see proc.h): wait_lock before any p->lock. A process switching
// away holds its own p->lock across swtch; the scheduler releases it, so no
// other hart can pick the process before it is off its stack.
#include "file.h"
#include "fs.h"
#include "kstack.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "machdep.h"
#include "printf.h"
#include "proc.h"
#include "uaccess.h"
#include "vm/pmap.h"
#include "vm/vm_pageout.h"
#include "vm/vmspace.h"

struct proc proc[NPROC];
struct proc *initproc;
static int nextpid = 1;
static struct mtx pid_lock;
static struct mtx wait_lock;        // parent pointers; before p->lock

void proc_init(void)
{
  mtx_init(&pid_lock, "nextpid");
  mtx_init(&wait_lock, "wait");
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    mtx_init(&p->lock, "proc");
    p->state = UNUSED;
  }
  sched_init();
}

struct proc *myproc(void)
{
  push_off();
  struct proc *p = mycpu()->proc;
  pop_off();
  return p;
}

static int allocpid(void)
{
  mtx_lock(&pid_lock);
  int pid = nextpid++;
  mtx_unlock(&pid_lock);
  return pid;
}

static void proc_default_limits(struct proc *p)
{
  for (int i = 0; i < RLIM_NLIMITS; i++)
    p->rlim[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
  p->rlim[RLIMIT_MEMLOCK].rlim_cur = 16UL << 20;
}

static void forkret(void);

// Claim an UNUSED slot and give it a kernel stack. Returns the process in
// state USED (no lock held: nobody else touches a USED slot), or NULL when
// the table is full or memory is short.
static struct proc *allocproc(void)
{
  struct proc *p;

  for (p = proc; p < &proc[NPROC]; p++) {
    mtx_lock(&p->lock);
    if (p->state == UNUSED)
      break;
    mtx_unlock(&p->lock);
  }
  if (p == &proc[NPROC])
    return NULL;
  p->state = USED;
  p->pid = allocpid();
  mtx_unlock(&p->lock);

  p->kstack = kstack_alloc();       // may sleep: no spin lock held
  if (p->kstack == 0) {
    mtx_lock(&p->lock);
    p->state = UNUSED;
    mtx_unlock(&p->lock);
    return NULL;
  }
  p->tf = (struct trapframe *)((p->kstack - sizeof(struct trapframe)) & ~15UL);
  memset(p->tf, 0, sizeof(*p->tf));
  md_context_init(&p->context, forkret, (uint64_t)p->tf);
  p->onfault = 0;
  p->exiting = 0;
  p->killed = 0;
  p->xstate = 0;
  p->vm = NULL;
  p->cwd = NULL;
  p->text = NULL;
  p->kfn = NULL;
  memset(p->ofile, 0, sizeof(p->ofile));
  proc_default_limits(p);
  return p;
}

// Undo allocproc for a process that never ran (fork failed part way).
static void freeproc(struct proc *p)
{
  vm_offset_t top = p->kstack;
  p->kstack = 0;
  p->tf = NULL;
  mtx_lock(&p->lock);
  p->pid = 0;
  p->state = UNUSED;
  mtx_unlock(&p->lock);
  kstack_free(top);
}

// The first process runs a tiny program (initcode.S) that execs /init.
// Its page is an ordinary anonymous mapping filled through the VM.
#define INITCODE_VA 0x1000UL
extern const char initcode[], initcode_end[];

void userinit(void)
{
  struct proc *p = allocproc();
  vm_offset_t va = INITCODE_VA;
  size_t len = initcode_end - initcode;

  KASSERT(p != NULL, ("userinit: no process"));
  KASSERT(len <= PAGE_SIZE, ("userinit: initcode too big"));
  initproc = p;
  p->vm = vmspace_alloc(PAGE_SIZE, MAXUVA);
  KASSERT(p->vm != NULL, ("userinit: no vmspace"));
  if (vm_map_find(&p->vm->vm_map, NULL, 0, &va, PAGE_SIZE, VMFS_NO_SPACE,
                  VM_PROT_ALL, VM_PROT_ALL, MAP_COPY_ON_WRITE) != KERN_SUCCESS ||
      vmspace_copyout(p->vm, va, initcode, len) != 0)
    panic("userinit: cannot map initcode");
  // The stack is the rest of the page; initcode takes no arguments.
  md_exec_setregs(p->tf, va, va + PAGE_SIZE, 0, 0);
  safestrcpy(p->name, "initcode", sizeof(p->name));
  mtx_lock(&p->lock);
  p->cpu = 0;
  setrunnable(p);
  mtx_unlock(&p->lock);
}

// A kernel thread's first instructions: leave the scheduler's lock and
// run its body for good.
static void kthread_entry(void)
{
  struct proc *p = myproc();

  mtx_unlock(&p->lock);
  p->kfn();
  panic("kthread_entry: %s returned", p->name);
}

void kthread_start(const char *name, void (*fn)(void))
{
  struct proc *p = allocproc();

  KASSERT(p != NULL, ("kthread_start: no process for %s", name));
  p->kfn = fn;
  md_context_init(&p->context, kthread_entry, (uint64_t)p->tf);
  safestrcpy(p->name, name, sizeof(p->name));
  mtx_lock(&p->lock);
  setrunnable(p);
  mtx_unlock(&p->lock);
}

// A new process's first instructions in the kernel: leave the scheduler's
// lock and return to user mode. The first process mounts the root first
// (it needs process context: disk reads sleep).
static void forkret(void)
{
  static bool first = true;
  struct proc *p = myproc();

  mtx_unlock(&p->lock);
  if (first) {
    first = false;
    fsinit(ROOTDEV);
    p->cwd = namei("/");
  }
  usertrapret();
}

// Create a child: a copy-on-write copy of the address space (vmspace_fork
// follows each entry's inheritance), the same registers except that its
// fork returns 0, the same files, directory and limits. Returns the child's pid, -EAGAIN
// when the process table is full, -ENOMEM when memory is short.
int fork(void)
{
  struct proc *p = myproc();
  struct proc *np = allocproc();
  int tries = VM_RECLAIM_TRIES;

  if (np == NULL)
    return -EAGAIN;
  while ((np->vm = vmspace_fork(p->vm)) == NULL && vm_pageout_retry(&tries))
    ;
  if (np->vm == NULL) {
    freeproc(np);
    return -ENOMEM;
  }
  *np->tf = *p->tf;
  md_fork_child_return(np->tf);
  for (int i = 0; i < NOFILE; i++)
    if (p->ofile[i])
      np->ofile[i] = filedup(p->ofile[i]);
  np->cwd = p->cwd ? idup(p->cwd) : NULL;
  np->text = p->text ? itext_dup(p->text) : NULL;   // runs the same program
  memcpy(np->rlim, p->rlim, sizeof(np->rlim));
  safestrcpy(np->name, p->name, sizeof(np->name));
  int pid = np->pid;

  mtx_lock(&wait_lock);
  np->parent = p;
  mtx_unlock(&wait_lock);
  mtx_lock(&np->lock);
  np->cpu = cpuid();                // where it will most likely run first
  setrunnable(np);
  mtx_unlock(&np->lock);
  return pid;
}

// Give p's children to init. Caller holds wait_lock.
static void reparent(struct proc *p)
{
  MTX_ASSERT_OWNED(&wait_lock);
  for (struct proc *pp = proc; pp < &proc[NPROC]; pp++) {
    if (pp->parent == p) {
      pp->parent = initproc;
      wakeup(initproc);
    }
  }
}

// Release what the process owns except its slot and kernel stack. The
// address space goes last, after this hart has switched to kernel_pmap.
static void exit_release(struct proc *p)
{
  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd]) {
      fileclose(p->ofile[fd]);
      p->ofile[fd] = NULL;
    }
  }
  begin_op();
  if (p->cwd)
    iput(p->cwd);
  if (p->text)
    itext_release(p->text);       // its file may be written again
  end_op();
  p->cwd = NULL;
  p->text = NULL;
  struct vmspace *vm = p->vm;
  // Under p->lock: vmmap_grab takes its reference on p->vm under it, so it
  // never sees the vmspace we are about to free.
  mtx_lock(&p->lock);
  p->vm = NULL;                     // the scheduler now activates kernel_pmap
  pmap_activate(kernel_pmap);
  mtx_unlock(&p->lock);
  if (vm)
    vmspace_free(vm);
}

void exit(int status)
{
  struct proc *p = myproc();

  if (p == initproc)
    panic("exit: init exiting (status %d)", status);
  exit_release(p);

  p->exiting = 1;                   // the parent we wake may run here
  mtx_lock(&wait_lock);
  reparent(p);
  wakeup(p->parent);
  mtx_lock(&p->lock);
  p->xstate = status;
  p->state = ZOMBIE;
  mtx_unlock(&wait_lock);
  sched();
  panic("exit: zombie ran");
}

// Reap zombie child pp (its lock and wait_lock held; both released here).
// Returns its pid after storing its status at user address addr (if not 0).
static int wait_reap(struct proc *pp, uint64_t addr)
{
  int pid = pp->pid, xstate = pp->xstate;
  vm_offset_t top = pp->kstack;

  pp->kstack = 0;
  pp->tf = NULL;
  pp->parent = NULL;
  pp->pid = 0;
  pp->name[0] = 0;
  pp->killed = 0;
  pp->state = UNUSED;
  mtx_unlock(&pp->lock);
  mtx_unlock(&wait_lock);
  kstack_free(top);
  // The child is gone even if the status cannot be stored.
  if (addr != 0 && copyout(addr, &xstate, sizeof(xstate)) < 0)
    return -EFAULT;
  return pid;
}

// Wait for a child to exit; store its status at user address addr (if not
// 0). Returns its pid, -ECHILD without children, -EINTR if killed.
int wait(uint64_t addr)
{
  struct proc *p = myproc();

  mtx_lock(&wait_lock);
  for (;;) {
    bool havekids = false;
    for (struct proc *pp = proc; pp < &proc[NPROC]; pp++) {
      if (pp->parent != p)
        continue;
      havekids = true;
      mtx_lock(&pp->lock);
      if (pp->state == ZOMBIE)
        return wait_reap(pp, addr);
      mtx_unlock(&pp->lock);
    }
    if (!havekids || killed(p)) {
      mtx_unlock(&wait_lock);
      return havekids ? -EINTR : -ECHILD;
    }
    sleep(p, &wait_lock);
  }
}

// Switch to this hart's scheduler. The caller holds only p->lock and has
// already changed p->state. intena belongs to this thread, not the hart.
void sched(void)
{
  struct proc *p = myproc();

  KASSERT(mtx_owned(&p->lock), ("sched: p->lock not held"));
  KASSERT(mycpu()->noff == 1, ("sched: %d locks held", mycpu()->noff));
  KASSERT(p->state != RUNNING, ("sched: running"));
  KASSERT(!intr_get(), ("sched: interruptible"));
  int intena = mycpu()->intena;
  swtch(&p->context, &mycpu()->context);
  mycpu()->intena = intena;
}

void yield(void)
{
  struct proc *p = myproc();
  mtx_lock(&p->lock);
  setrunnable(p);                   // to the back of this hart's queue
  sched();
  mtx_unlock(&p->lock);
}

// Mark process pid killed; it exits at its next return to user mode (or
// wakes from a sleep that checks killed()). 0, -ESRCH, or -EPERM for init,
// which nobody may kill (docs/semantics.md).
int kill(int pid)
{
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    mtx_lock(&p->lock);
    if (p->pid == pid && p->state != UNUSED && p->state != ZOMBIE) {
      if (p == initproc || p->kfn != NULL) {   // init must never exit
        mtx_unlock(&p->lock);                   // (see exit()), nor may a
        return -EPERM;                          // kernel thread
      }
      p->killed = 1;
      if (p->state == SLEEPING)
        setrunnable(p);
      mtx_unlock(&p->lock);
      return 0;
    }
    mtx_unlock(&p->lock);
  }
  return -ESRCH;
}

void setkilled(struct proc *p)
{
  mtx_lock(&p->lock);
  p->killed = 1;
  mtx_unlock(&p->lock);
}

int killed(struct proc *p)
{
  mtx_lock(&p->lock);
  int k = p->killed;
  mtx_unlock(&p->lock);
  return k;
}

// ^P: list the processes. No locks, so a wedged machine can still answer.
void procdump(void)
{
  static const char *states[] = {
    [UNUSED] = "unused", [USED] = "used", [SLEEPING] = "sleep",
    [RUNNABLE] = "runble", [RUNNING] = "run", [ZOMBIE] = "zombie",
  };
  printf("\n");
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    if (p->state == UNUSED)
      continue;
    printf("%d %s %s\n", p->pid, states[p->state], p->name);
  }
}
