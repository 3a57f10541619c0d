// SPDX-License-Identifier: MIT
// usertests groups "fault" (bad memory accesses kill the process with
// status -1: NULL, kernel addresses, read-only text, non-executable data,
// the stack guard), "oom" (a process touching more memory than exists is
// killed once even the page cache has been reclaimed, and the system
// survives) and "nproc" (fork until EAGAIN).
#include "user/usertests/ut.h"

#define STACK_FRAME 1024

typedef void (*fault_fn)(void);

// A data page holding `ret` (c.jr ra = 0x8082): runs only if data is
// executable.
static uint16_t fault_ret_insn[PGSIZE / 2] __attribute__((aligned(PGSIZE))) =
    { 0x8082 };

static void
child_access(void *arg)
{
  uintptr_t how = (uintptr_t)arg;

  switch (how) {
  case 0: exit(*(volatile int *)0); break;
  case 1: *(volatile int *)0 = 1; break;
  case 2: ((fault_fn)0)(); break;
  case 3: *(volatile char *)(uintptr_t)child_access = 0; break;
  case 4: ((fault_fn)(uintptr_t)fault_ret_insn)(); break;
  case 5: exit(*(volatile int *)0xffffffc000000000UL); break;
  case 6: exit(*(volatile int *)0xffffffff80200000UL); break;
  case 7: exit(*(volatile int *)MAXUVA); break;
  case 8: exit(*(volatile int *)(MAXUVA - 8)); break;
  case 9: *(volatile int *)(MAXUVA - 2 * PGSIZE) = 1; break;   // xv6's TRAPFRAME
  case 10: *(volatile int *)(MAXUVA - 4 * PGSIZE) = 1; break;
  }
  exit(0);
}

static int
t_bad_access(void)
{
  static const char *what[] = {
    "NULL read", "NULL write", "NULL call", "write to text",
    "call into data", "read of the direct map", "read of kernel text",
    "read at MAXUVA", "read just below MAXUVA", "write to xv6's TRAPFRAME",
    "write four pages below MAXUVA",
  };
  int st;

  for (uintptr_t i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
    st = tl_fork_wait(child_access, (void *)i);
    TL_CHECK(st == -1, "%s: status %d, want -1", what[i], st);
  }
  return 0;
}

// Each level holds a STACK_FRAME-byte frame the compiler cannot drop.
static int
fault_recurse(int depth)
{
  volatile char frame[STACK_FRAME];

  frame[0] = (char)depth;
  frame[STACK_FRAME - 1] = (char)depth;
  if (depth == 0)
    return frame[0];
  return fault_recurse(depth - 1) + frame[STACK_FRAME - 1];
}

static void
child_recurse(void *arg)
{
  fault_recurse((int)(uintptr_t)arg);
}

static int
t_stack_growth(void)
{
  int st = tl_fork_wait(child_recurse, (void *)(uintptr_t)2048);

  TL_CHECK(st == 0, "2 MiB of stack: status %d", st);
  return 0;
}

static int
t_stack_guard(void)
{
  int st = tl_fork_wait(child_recurse, (void *)(uintptr_t)(16 * 1024));

  TL_CHECK(st == -1, "16 MiB of stack: status %d, want -1", st);
  return 0;
}

void
ut_fault(void)
{
  tl_run("bad_access", t_bad_access);
  tl_run("stack_growth", t_stack_growth);
  tl_run("stack_guard", t_stack_guard);
}

// ---------------------------------------------------------------------------

#define OOM_CHUNK_PAGES 16384   // 64 MiB per sbrk (sbrk takes an int)

// Grow the heap lazily past all of RAM and swap, touching every page as
// it goes (with `make qemu`'s swap disk the hog fills swap first: slower,
// same end).
static void
child_oom(void *arg)
{
  struct vmstats vs;
  unsigned long pages, done, n;
  char *a;

  (void)arg;
  TL_CHILD_CHECK(vmstat(&vs) == 0);
  pages = vs.total + vs.swap_total + 1024;
  for (done = 0; done < pages; done += n) {
    n = pages - done < OOM_CHUNK_PAGES ? pages - done : OOM_CHUNK_PAGES;
    a = sbrk((int)(n * PGSIZE));
    TL_CHILD_CHECK(a != (char *)-1);
    for (unsigned long i = 0; i < n; i++)
      a[i * PGSIZE] = 1;
  }
  exit(1);   // more pages than exist, yet alive
}

static void
child_nothing(void *arg)
{
  (void)arg;
}

static int
t_oom(void)
{
  int st = tl_fork_wait(child_oom, NULL);

  TL_CHECK(st == -1, "memory hog: status %d, want -1", st);
  st = tl_fork_wait(child_nothing, NULL);
  TL_CHECK(st == 0, "fork after the hog: status %d", st);
  return 0;
}

// Two hogs at once: both die, the system survives.
static int
t_oom_two(void)
{
  int pid[2], st;

  for (int i = 0; i < 2; i++) {
    pid[i] = fork();
    TL_CHECK(pid[i] >= 0, "fork: %s", strerror(errno));
    if (pid[i] == 0) {
      child_oom(NULL);
      exit(1);
    }
  }
  for (int i = 0; i < 2; i++) {
    TL_CHECK(wait(&st) > 0, "wait: %s", strerror(errno));
    TL_CHECK(st == -1, "hog %d: status %d", i, st);
  }
  return 0;
}

// Reclaim racing text faults: processes running one program each free
// clean cached pages (the program's own text among them) over and over
// while making system calls, so each return to user mode may fetch from
// a text page just freed, while the others fault on the same page. Each
// fault must read the page back in. A pager that marked the page valid
// without the object's lock lost that flag to a waiter's PG_WANTED, and
// the fault failed: "segmentation fault at ... (execute)". Timing
// decides, so it races for a few seconds (at CPUS=1 it rarely fails).
// This group's leak check drops the clean cache anyway (oom).
#define RACE_PROCS 4
#define RACE_TICKS 300          // 3 s

static int
t_text_reclaim_race(void)
{
  int end = uptime() + RACE_TICKS, st, bad = 0;

  for (int k = 0; k < RACE_PROCS; k++) {
    int pid = fork();
    TL_CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
      for (int i = 0; uptime() < end; i++) {
        if (i % 7 == 0)
          vmreclaim(100);
        getpid();
      }
      exit(0);
    }
  }
  for (int k = 0; k < RACE_PROCS; k++) {
    TL_CHECK(wait(&st) > 0, "wait: %s", strerror(errno));
    if (st != 0)
      bad++;
  }
  TL_CHECK(bad == 0, "%d of %d racers died (exit status %d)", bad,
           RACE_PROCS, st);
  return 0;
}

void
ut_oom(void)
{
  tl_run("hog", t_oom);
  tl_run("two_hogs", t_oom_two);
  tl_run("text_reclaim_race", t_text_reclaim_race);
}

// ---------------------------------------------------------------------------

static int
t_nproc(void)
{
  int n1, n2, st;

  n1 = ut_fork_all();
  TL_CHECK(n1 > 0 && errno == EAGAIN, "forked %d, then errno %d (want EAGAIN)",
           n1, errno);
  n2 = ut_fork_all();
  TL_CHECK(n2 == n1, "second run forked %d, first %d: slots leaked", n2, n1);
  st = tl_fork_wait(child_nothing, NULL);
  TL_CHECK(st == 0, "fork afterwards: status %d", st);
  return 0;
}

void
ut_nproc(void)
{
  tl_run("fork_until_eagain", t_nproc);
}
