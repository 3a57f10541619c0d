// SPDX-License-Identifier: MIT
// mmaptests group "fork": each inheritance down to grandchildren, exact
// copy-on-write in both directions (also through read(), mprotect and
// wiring after fork), wired memory at fork, long fork chains, fork of a
// big process, and pages freed by munmap after fork.
#include "user/mmaptests/mt.h"

#define RW (PROT_READ | PROT_WRITE)

// Fork a child that forks a grandchild; both check what they see at m
// against want (or, with want < 0, that m is unmapped: a read kills) and
// write 'c' there. Returns 0 when both behaved.
static int
inherit_check(volatile char *m, int want)
{
  int st, gst;

  if (fork() == 0) {
    if (fork() == 0) {
      if (want < 0)
        (void)*m;
      if (want < 0)
        exit(1);   // still mapped
      TL_CHILD_CHECK(*m == (char)want || (want == 'Z' && *m == 0));
      *m = 'g';
      exit(0);
    }
    wait(&gst);
    if (want < 0)
      exit(gst == -1 ? 0 : 2);
    TL_CHILD_CHECK(gst == 0);
    TL_CHILD_CHECK(want == 'Z' ? *m == 0 : 1);
    *m = 'c';
    exit(0);
  }
  wait(&st);
  return st;
}

static int
t_inherit(void)
{
  char *m = mt_anon(4);
  char *sh = mmap(0, PGSIZE, RW, MAP_SHARED | MAP_ANON, -1, 0);
  int st;

  TL_CHECK(m != MAP_FAILED && sh != MAP_FAILED, "mmap");
  memset(m, 'p', 4 * PGSIZE);
  sh[0] = 'p';
  TL_CHECK(minherit(m + PGSIZE, PGSIZE, INHERIT_SHARE) == 0, "share");
  TL_CHECK(minherit(m + 2 * PGSIZE, PGSIZE, INHERIT_NONE) == 0, "none");
  TL_CHECK(minherit(m + 3 * PGSIZE, PGSIZE, INHERIT_ZERO) == 0, "zero");
  TL_CHECK((st = inherit_check(m, 'p')) == 0, "copy: %d", st);
  TL_CHECK(m[0] == 'p', "copy leaked a child's write");
  TL_CHECK((st = inherit_check(m + PGSIZE, 'p')) == 0, "share: %d", st);
  TL_CHECK(m[PGSIZE] == 'c', "share: child's write not seen");
  TL_CHECK((st = inherit_check(m + 2 * PGSIZE, -1)) == 0, "none: %d", st);
  TL_CHECK((st = inherit_check(m + 3 * PGSIZE, 'Z')) == 0, "zero: %d", st);
  TL_CHECK(m[3 * PGSIZE] == 'p', "zero: parent changed");
  TL_CHECK((st = inherit_check(sh, 'p')) == 0, "MAP_SHARED: %d", st);
  TL_CHECK(sh[0] == 'c', "MAP_SHARED not shared by default");
  munmap(m, 4 * PGSIZE);
  munmap(sh, PGSIZE);
  return 0;
}

// Parent and child each write after fork; neither sees the other. With
// wire, each side first mlocks the page it writes, which must copy it.
static int
cow_both(int wire)
{
  char *m = mt_anon(2);
  int p[2], st;
  char c;

  TL_CHECK(m != MAP_FAILED && pipe(p) == 0, "setup");
  memset(m, 'o', 2 * PGSIZE);
  if (fork() == 0) {
    TL_CHILD_CHECK(!wire || mlock(m, PGSIZE) == 0);
    m[0] = 'c';
    read(p[0], &c, 1);   // the parent has written
    TL_CHILD_CHECK(m[0] == 'c' && m[PGSIZE] == 'o');
    exit(0);
  }
  TL_CHECK(!wire || mlock(m + PGSIZE, PGSIZE) == 0, "mlock");
  m[PGSIZE] = 'P';
  write(p[1], "x", 1);
  wait(&st);
  TL_CHECK(st == 0, "child saw the parent's write (line %d)", st);
  TL_CHECK(m[0] == 'o' && m[PGSIZE] == 'P', "parent saw the child's write");
  close(p[0]);
  close(p[1]);
  munmap(m, 2 * PGSIZE);
  return 0;
}

static int
t_cow_both(void)
{
  return cow_both(0);
}

static int
t_cow_wire_after_fork(void)
{
  return cow_both(1);
}

// read() writes into a COW page from the kernel: the page is copied first.
static int
t_cow_read(void)
{
  char *m = mt_anon(1);
  int fd, st;

  TL_CHECK(m != MAP_FAILED && mt_make_file("mt-cow", 64) == 0, "setup");
  memset(m, 'o', PGSIZE);
  if (fork() == 0) {
    fd = open("mt-cow", O_RDONLY);
    TL_CHILD_CHECK(fd >= 0 && read(fd, m, 64) == 64);
    TL_CHILD_CHECK(m[0] == mt_byte(0));
    exit(0);
  }
  wait(&st);
  TL_CHECK(st == 0, "child line %d", st);
  TL_CHECK(m[0] == 'o', "kernel write reached the parent");
  fd = open("mt-cow", O_RDONLY);
  TL_CHECK(fd >= 0 && read(fd, m + 100, 64) == 64, "parent read");
  close(fd);
  unlink("mt-cow");
  munmap(m, PGSIZE);
  return 0;
}

// mprotect read-only and back to read-write in the child must not make
// the shared page writable.
static int
t_cow_mprotect(void)
{
  char *m = mt_anon(1);
  int st;

  TL_CHECK(m != MAP_FAILED, "mmap");
  m[0] = 'o';
  if (fork() == 0) {
    TL_CHILD_CHECK(mprotect(m, PGSIZE, PROT_READ) == 0);
    TL_CHILD_CHECK(mprotect(m, PGSIZE, RW) == 0);
    m[0] = 'c';
    exit(0);
  }
  wait(&st);
  TL_CHECK(st == 0 && m[0] == 'o', "child's write after mprotect leaked");
  TL_CHECK(mprotect(m, PGSIZE, PROT_READ) == 0 && mprotect(m, PGSIZE, RW) == 0,
           "mprotect");
  m[0] = 'p';
  munmap(m, PGSIZE);
  return 0;
}

// Wired private pages are copied at fork; the child is not wired.
static int
t_wired_fork(void)
{
  char *m = mt_anon(2);
  int st;

  TL_CHECK(m != MAP_FAILED && mlock(m, 2 * PGSIZE) == 0, "mlock");
  m[0] = 'w';
  if (fork() == 0) {
    TL_CHILD_CHECK(m[0] == 'w');
    m[0] = 'c';
    TL_CHILD_CHECK(munlock(m, 2 * PGSIZE) == 0);
    exit(0);
  }
  wait(&st);
  TL_CHECK(st == 0 && m[0] == 'w', "wired fork: %d %c", st, m[0]);
  m[1] = 'x';
  munmap(m, 2 * PGSIZE);
  return 0;
}

// A chain of processes, each forking the next and writing, all exiting:
// the group's leak check catches lost pages or objects.
static void
chain(char *m, int depth)
{
  int st = 0;

  // Each process writes its own byte, forks the next, waits, checks that
  // no descendant's write reached it, and exits with the first failure.
  while (depth > 0) {
    m[depth * 8] = (char)depth;
    if (fork() != 0)
      break;
    depth--;
  }
  if (depth > 0) {
    wait(&st);
    for (int i = 0; i < depth; i++)
      TL_CHILD_CHECK(m[i * 8] == 'o');
  }
  exit(st);
}

static int
t_fork_chain(void)
{
  char *m = mt_anon(2);
  int st, round;

  TL_CHECK(m != MAP_FAILED, "mmap");
  memset(m, 'o', 2 * PGSIZE);
  for (round = 0; round < 5; round++) {
    if (fork() == 0)
      chain(m, 20);
    wait(&st);
    TL_CHECK(st == 0, "chain round %d: %d", round, st);
  }
  TL_CHECK(m[0] == 'o', "parent changed");
  munmap(m, 2 * PGSIZE);
  return 0;
}

// Touch two thirds of memory, fork, and let both sides write their own.
static int
t_big_fork(void)
{
  struct vmstats vs;
  unsigned long n, i;
  char *m;
  int st;

  TL_CHECK(vmstat(&vs) == 0, "vmstat");
  n = vs.total * 2 / 3;
  if (n > vs.free - 64)
    n = vs.free - 64 > vs.free ? 0 : vs.free - 64;
  m = mmap(0, n * PGSIZE, RW, MAP_PRIVATE | MAP_ANON, -1, 0);
  TL_CHECK(m != MAP_FAILED, "mmap %lu pages", n);
  for (i = 0; i < n; i++)
    m[i * PGSIZE] = 'p';
  if (fork() == 0) {
    for (i = 0; i < 16; i++)
      m[i * PGSIZE] = 'c';
    TL_CHILD_CHECK(m[(n - 1) * PGSIZE] == 'p');
    exit(0);
  }
  wait(&st);
  TL_CHECK(st == 0, "child: %d", st);
  for (i = 0; i < 16; i++)
    TL_CHECK(m[i * PGSIZE] == 'p', "child's write seen at %lu", i);
  munmap(m, n * PGSIZE);
  return 0;
}

// munmap after fork frees what nothing else reaches any more (issue 10,
// item 7): a middle piece once the child has exited, and then a piece of
// a mapping that was split while another child still lived, so that when
// it exits three entries of this process still share one object.
#define UNMAP_SLACK 4   // kernel pages a call may take (a map entry slab)

static int
t_unmap_after_fork(void)
{
  char *m = mt_anon(48);
  unsigned long f0;
  int p[2], pid, st;
  char c;

  TL_CHECK(m != MAP_FAILED, "mmap");
  memset(m, 'p', 48 * PGSIZE);
  if ((pid = fork()) == 0)
    exit(m[47 * PGSIZE] == 'p' ? 0 : 1);
  TL_CHECK(pid > 0 && wait(&st) == pid && st == 0, "first child: %d", st);
  f0 = tl_free_pages();
  TL_CHECK(munmap(m + 8 * PGSIZE, 16 * PGSIZE) == 0, "munmap middle");
  TL_CHECK(tl_free_pages() + UNMAP_SLACK >= f0 + 16,
           "middle: %ld of 16 pages freed", (long)(tl_free_pages() - f0));
  TL_CHECK(pipe(p) == 0, "pipe");
  if ((pid = fork()) == 0) {
    close(p[1]);
    read(p[0], &c, 1);   // EOF once the parent has split the mapping
    exit(m[40 * PGSIZE] == 'p' ? 0 : 1);
  }
  TL_CHECK(pid > 0, "fork");
  close(p[0]);
  TL_CHECK(mprotect(m + 28 * PGSIZE, 4 * PGSIZE, PROT_READ) == 0, "mprotect");
  close(p[1]);
  TL_CHECK(wait(&st) == pid && st == 0, "second child: %d", st);
  f0 = tl_free_pages();
  TL_CHECK(munmap(m + 32 * PGSIZE, 16 * PGSIZE) == 0, "munmap top");
  TL_CHECK(tl_free_pages() + UNMAP_SLACK >= f0 + 16,
           "top: %ld of 16 pages freed", (long)(tl_free_pages() - f0));
  TL_CHECK(m[0] == 'p' && m[7 * PGSIZE] == 'p' && m[24 * PGSIZE] == 'p' &&
           m[31 * PGSIZE] == 'p', "the rest changed");
  munmap(m, 32 * PGSIZE);
  return 0;
}

void
mt_fork(void)
{
  tl_run_child("inherit", t_inherit);
  tl_run_child("cow_both", t_cow_both);
  tl_run_child("cow_wire_after_fork", t_cow_wire_after_fork);
  tl_run_child("cow_read", t_cow_read);
  tl_run_child("cow_mprotect", t_cow_mprotect);
  tl_run_child("wired_fork", t_wired_fork);
  tl_run_child("fork_chain", t_fork_chain);
  tl_run_child("big_fork", t_big_fork);
  tl_run_child("unmap_after_fork", t_unmap_after_fork);
}
