// SPDX-License-Identifier: MIT
// swaptests groups inherit (minherit's four kinds, a chain of forks, the
// eager copy of shared memory and collapses, over swapped pages) and kill
// (processes killed while paging in or out). See sys.h.
#include "user/swaptests/sys.h"

// inherit: fork over swapped regions.

#define IN_PAGES 16

// The child's side of inherit_kinds: checks what each kind gives it, writes
// the shared and copied regions, and on the word checks that the parent's
// later writes reached the shared region only.
static void inherit_child(char *r[4], int rfd, int wfd)
{
  unsigned long n = IN_PAGES * PGSIZE;
  char c;

  TL_CHILD_CHECK(vmreclaim(1L << 40) >= 0);
  TL_CHILD_CHECK(ss_check(r[0], n, 20) < 0);                   // SHARE
  TL_CHILD_CHECK(ss_check(r[1], n, 21) < 0);                   // COPY
  TL_CHILD_CHECK(ss_zcheck(r[2], n) < 0);                      // ZERO
  TL_CHILD_CHECK(ss_resident(r[3], IN_PAGES) == -1 && errno == ENOMEM);  // NONE
  ss_fill(r[0], n, 30);
  ss_fill(r[1], n, 31);
  ss_fill(r[2], n, 32);
  TL_CHILD_CHECK(ss_swap_out(r[0], 3 * IN_PAGES) == 0);
  TL_CHILD_CHECK(write(wfd, "c", 1) == 1 && read(rfd, &c, 1) == 1);
  TL_CHILD_CHECK(vmreclaim(1L << 40) >= 0);
  TL_CHILD_CHECK(ss_check(r[0], n, 40) < 0);
  TL_CHILD_CHECK(ss_check(r[1], n, 31) < 0);
  TL_CHILD_CHECK(ss_check(r[2], n, 32) < 0);
  exit(0);
}

static int inherit_kinds(void)
{
  static const int kind[4] = { INHERIT_SHARE, INHERIT_COPY, INHERIT_ZERO,
                               INHERIT_NONE };
  unsigned long n = IN_PAGES * PGSIZE;
  char *a = ss_anon(4 * IN_PAGES), *r[4], c;
  int to[2], from[2], pid, st;
  long bad;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0 && pipe(to) == 0 && pipe(from) == 0, "mmap or pipe");
  for (int i = 0; i < 4; i++) {
    r[i] = a + i * n;
    ss_fill(r[i], n, 20 + i);
    TL_CHECK(minherit(r[i], n, kind[i]) == 0, "minherit %d", kind[i]);
  }
  TL_CHECK(ss_swap_out(a, 4 * IN_PAGES) == 0, "still resident after a "
           "page-out");
  if ((pid = fork()) == 0)
    inherit_child(r, to[0], from[1]);
  TL_CHECK(pid > 0, "fork");
  close(to[0]), close(from[1]);       // a child that dies ends the read
  TL_CHECK(read(from[0], &c, 1) == 1, "the child died");
  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  TL_CHECK((bad = ss_check(r[0], n, 30)) < 0, "shared byte %ld", bad);
  TL_CHECK((bad = ss_check(r[1], n, 21)) < 0, "copied byte %ld", bad);
  TL_CHECK((bad = ss_check(r[2], n, 22)) < 0, "zero-inherited byte %ld", bad);
  TL_CHECK((bad = ss_check(r[3], n, 23)) < 0, "uninherited byte %ld", bad);
  ss_fill(r[0], n, 40);
  ss_fill(r[1], n, 41);
  TL_CHECK(ss_swap_out(a, 4 * IN_PAGES) == 0, "page-out");
  TL_CHECK(write(to[1], "p", 1) == 1, "pipe");
  TL_CHECK(wait(&st) == pid && st == 0, "the child failed at line %d", st);
  TL_CHECK((bad = ss_check(r[1], n, 41)) < 0, "copied byte %ld", bad);
  close(to[1]), close(from[0]);
  return 0;
}

// A chain of CHAIN_DEPTH forks over one region of blocks of 16 pages. The
// process at level L writes block L (salt L + 1), pages everything out and
// forks level L + 1; then writes the back half of block L (100 + L) and the
// front half of block L + 1 (200 + L), pages out again, waits for its
// child (whose exit lets its shadow chain collapse, swapped pages on both
// sides) and checks every byte of its own view.
#define CHAIN_DEPTH 6
#define CHAIN_BLOCK (16 * PGSIZE)
#define CHAIN_BYTES ((CHAIN_DEPTH + 2) * CHAIN_BLOCK)

static void chain_write(char *a, unsigned long off, unsigned long len, int s)
{
  for (unsigned long i = off; i < off + len; i++)
    a[i] = ss_pb(i, s);
}

// The salt process level L expects at byte i.
static int chain_salt(unsigned long i, int level, int forked)
{
  unsigned long b = i / CHAIN_BLOCK, half = i % CHAIN_BLOCK >= CHAIN_BLOCK / 2;

  if (b < (unsigned long)level)
    return (int)b + 1;
  if (b == (unsigned long)level)
    return forked && half ? 100 + level : level + 1;
  if (b == (unsigned long)level + 1 && forked && !half)
    return 200 + level;
  return 0;
}

static int chain_level(char *a, int level)
{
  int pid = -1, st, forked = level < CHAIN_DEPTH;

  chain_write(a, (unsigned long)level * CHAIN_BLOCK, CHAIN_BLOCK, level + 1);
  if (vmreclaim(1L << 40) < 0)
    return 1000;
  if (forked) {
    if ((pid = fork()) < 0)
      return 1001;
    if (pid == 0)
      exit(chain_level(a, level + 1));
    chain_write(a, (unsigned long)level * CHAIN_BLOCK + CHAIN_BLOCK / 2,
                CHAIN_BLOCK / 2, 100 + level);
    chain_write(a, (unsigned long)(level + 1) * CHAIN_BLOCK, CHAIN_BLOCK / 2,
                200 + level);
    vmreclaim(1L << 40);
    if (wait(&st) != pid || st != 0)
      return st != 0 ? st : 1002;
    vmreclaim(1L << 40);
  }
  for (unsigned long i = 0; i < CHAIN_BYTES; i++)
    if (a[i] != ss_pb(i, chain_salt(i, level, forked))) {
      printf("chain: level %d byte %lu reads %d, want salt %d\n", level, i,
             a[i], chain_salt(i, level, forked));
      return 2000 + level;
    }
  return 0;
}

static int inherit_chain(void)
{
  char *a = ss_anon(CHAIN_BYTES / PGSIZE);
  int rc;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  chain_write(a, 0, CHAIN_BYTES, 0);
  TL_CHECK((rc = chain_level(a, 0)) == 0, "the chain failed: %d (2000 + "
           "level: wrong data; a line number: a child's check)", rc);
  return 0;
}

// Shared anonymous memory given INHERIT_COPY while another process also
// maps it: fork copies it at once, reading swapped pages in -- while the
// other process pages them in too. Each child must get every byte.
#define SC_PAGES 64
#define SC_ROUNDS 24

static int inherit_shared_copy(void)
{
  unsigned long n = SC_PAGES * PGSIZE;
  char *r = mmap(0, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON, -1, 0);
  int s, pid, st, bad_round = -1;
  long bad;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(r != MAP_FAILED, "mmap");
  ss_fill(r, n, 80);
  if ((s = fork()) == 0)
    for (int end = uptime() + SS_LOOP_TICKS; uptime() < end;) {
      vmreclaim(1L << 40);            // the other sharer: pages them in
      TL_CHILD_CHECK(ss_check(r, n, 80) < 0);
    }
  TL_CHECK(s > 0, "fork");
  TL_CHECK(minherit(r, n, INHERIT_COPY) == 0, "minherit");
  for (int round = 0; round < SC_ROUNDS && bad_round < 0; round++) {
    if (round % 4 == 0)
      vmreclaim(1L << 40);
    if ((pid = fork()) == 0) {
      if ((bad = ss_check(r, n, 80)) >= 0) {
        printf("shared_copy: the copy's byte %ld reads %d\n", bad, r[bad]);
        exit(1);
      }
      ss_fill(r, n, 81);                // its own copy: nobody else sees it
      exit(0);
    }
    if (pid < 0 || ss_wait_for(pid, &st) != pid || st != 0)
      bad_round = round;
  }
  TL_CHECK(ss_stop_helper(s) == 0, "the sharer failed");
  TL_CHECK(bad_round < 0, "round %d: the child's copy was wrong", bad_round);
  TL_CHECK((bad = ss_check(r, n, 80)) < 0, "byte %ld changed", bad);
  return 0;
}

// A collapse across an offset: the parent keeps the middle of a region
// shared copy-on-write with a child, so its shadow sees the shared object
// from page 8 on; both hold pages on swap when the child exits and the
// chain collapses. The parent then sees its own pages and the shared
// ones, each where it was.
static void offset_child(void *arg, int wfd)
{
  char **a = arg, c;

  TL_CHILD_CHECK(write(wfd, "c", 1) == 1);
  read(*(int *)a[1], &c, 1);
  vmreclaim(1L << 40);
  TL_CHILD_CHECK(ss_check(a[0], 64 * PGSIZE, 90) < 0);
}

static int inherit_offset_collapse(void)
{
  char *a = ss_anon(64), *arg[2], *mid;
  int go[2], c, st;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0 && pipe(go) == 0, "mmap or pipe");
  ss_fill(a, 64 * PGSIZE, 90);
  arg[0] = a;
  arg[1] = (char *)&go[0];
  TL_CHECK((c = ss_start_child(offset_child, arg)) > 0, "no child");
  close(go[0]);
  TL_CHECK(ss_swap_out(a, 64) == 0, "still resident after a page-out");
  mid = a + 8 * PGSIZE;
  TL_CHECK(munmap(a, 8 * PGSIZE) == 0 && munmap(a + 56 * PGSIZE,
           8 * PGSIZE) == 0, "munmap");
  for (unsigned long i = 0; i < 24 * PGSIZE; i++)   // pages 8..31: its own
    mid[i] = ss_pb(8 * PGSIZE + i, 91);
  TL_CHECK(ss_swap_out(mid, 48) == 0, "still resident after a page-out");
  TL_CHECK(write(go[1], "g", 1) == 1, "pipe");
  TL_CHECK(wait(&st) == c && st == 0, "the child failed at line %d", st);
  close(go[1]);
  for (int pass = 0; pass < 2; pass++) {
    TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
    for (unsigned long i = 8 * PGSIZE; i < 56 * PGSIZE; i++)
      TL_CHECK(a[i] == ss_pb(i, i < 32 * PGSIZE ? 91 : 90), "pass %d: page %lu "
               "byte %lu", pass, i / PGSIZE, i % PGSIZE);
    for (unsigned long i = 40 * PGSIZE; i < 48 * PGSIZE; i++)
      a[i] = ss_pb(i, 90);               // a write after the collapse
  }
  return 0;
}

// Two shadows of one object: the halves of a region split by mprotect,
// each written after a fork. Once the child is gone and the first half is
// unmapped, the second half's shadow collapses with the object it saw
// from page 32 on, swapped pages on both sides.
static int inherit_split_collapse(void)
{
  char *a = ss_anon(64), *arg[2];
  int go[2], c, st;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0 && pipe(go) == 0, "mmap or pipe");
  ss_fill(a, 64 * PGSIZE, 90);
  arg[0] = a;
  arg[1] = (char *)&go[0];
  TL_CHECK((c = ss_start_child(offset_child, arg)) > 0, "no child");
  close(go[0]);
  TL_CHECK(ss_swap_out(a, 64) == 0, "still resident after a page-out");
  TL_CHECK(mprotect(a + 32 * PGSIZE, 32 * PGSIZE, PROT_READ) == 0, "mprotect");
  for (unsigned long i = 0; i < 16 * PGSIZE; i++)
    a[i] = ss_pb(i, 93);
  TL_CHECK(a[40 * PGSIZE] == ss_pb(40 * PGSIZE, 90), "read-only page 40");
  TL_CHECK(mprotect(a + 32 * PGSIZE, 32 * PGSIZE, PROT_READ | PROT_WRITE) == 0,
           "mprotect");
  for (unsigned long i = 48 * PGSIZE; i < 56 * PGSIZE; i++)
    a[i] = ss_pb(i, 93);
  TL_CHECK(ss_swap_out(a, 64) == 0, "still resident after a page-out");
  TL_CHECK(write(go[1], "g", 1) == 1, "pipe");
  TL_CHECK(wait(&st) == c && st == 0, "the child failed at line %d", st);
  close(go[1]);
  TL_CHECK(munmap(a, 32 * PGSIZE) == 0, "munmap");
  for (int pass = 0; pass < 2; pass++) {
    TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
    for (unsigned long i = 32 * PGSIZE; i < 64 * PGSIZE; i++)
      TL_CHECK(a[i] == ss_pb(i, i >= 48 * PGSIZE && i < 56 * PGSIZE ? 93 : 90),
               "pass %d: page %lu byte %lu", pass, i / PGSIZE, i % PGSIZE);
  }
  return 0;
}

// Three processes over one shared anonymous region on swap, for a
// second: one pages everything out again and again, one reads every page
// back, one advises, locks and unlocks and reprotects its pieces. Every
// read sees the data: a page in flight between swap and memory is never
// seen half way by another sharer.
#define SR_PAGES 128
#define SR_TICKS 100

static void shared_worker(char *r, int role)
{
  unsigned long n = SR_PAGES * PGSIZE, off;
  int end = uptime() + SR_TICKS;

  for (int k = 0; uptime() < end; k++) {
    off = (unsigned long)(k % 8) * 16 * PGSIZE;
    if (role == 0)
      vmreclaim(1L << 40);
    else if (role == 1)
      TL_CHILD_CHECK(ss_check(r, n, 95) < 0);
    else if (k % 4 == 0)
      TL_CHILD_CHECK(madvise(r + off, 16 * PGSIZE, MADV_DONTNEED) == 0);
    else if (k % 4 == 1)
      TL_CHILD_CHECK(mlock(r + off, 16 * PGSIZE) == 0);
    else if (k % 4 == 2)
      TL_CHILD_CHECK(munlock(r + off, 16 * PGSIZE) == 0);
    else
      TL_CHILD_CHECK(mprotect(r + off, 16 * PGSIZE, PROT_READ) == 0 &&
                     r[off + 5] == ss_pb(off + 5, 95) &&
                     mprotect(r + off, 16 * PGSIZE, PROT_READ | PROT_WRITE) ==
                     0);
  }
  exit(0);
}

static int inherit_shared_race(void)
{
  unsigned long n = SR_PAGES * PGSIZE;
  char *r = mmap(0, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON, -1, 0);
  int pid[3], st, bad = 0;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(r != MAP_FAILED, "mmap");
  ss_fill(r, n, 95);
  for (int i = 0; i < 3; i++)
    if ((pid[i] = fork()) == 0)
      shared_worker(r, i);
  for (int i = 0; i < 3; i++) {
    TL_CHECK(pid[i] > 0, "fork");
    TL_CHECK(wait(&st) > 0, "wait");
    bad += st != 0;
  }
  TL_CHECK(bad == 0, "a sharer failed (%d)", st);
  TL_CHECK(ss_check(r, n, 95) < 0, "the data changed");
  return 0;
}

// A PROT_NONE range on swap, forked: the child makes it readable and
// writable again and finds the data, writes its own, and the parent,
// after the same, still has its data.
static int inherit_prot_none(void)
{
  unsigned long n = 32 * PGSIZE;
  char *a = ss_anon(32);
  int pid, st;
  long bad;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  ss_fill(a, n, 96);
  TL_CHECK(mprotect(a, n, PROT_NONE) == 0, "mprotect");
  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  if ((pid = fork()) == 0) {
    vmreclaim(1L << 40);
    TL_CHILD_CHECK(mprotect(a, n, PROT_READ | PROT_WRITE) == 0);
    TL_CHILD_CHECK(ss_check(a, n, 96) < 0);
    ss_fill(a, n, 97);
    vmreclaim(1L << 40);
    TL_CHILD_CHECK(ss_check(a, n, 97) < 0);
    exit(0);
  }
  TL_CHECK(pid > 0 && wait(&st) == pid && st == 0, "the child failed at "
           "line %d", st);
  TL_CHECK(mprotect(a, n, PROT_READ | PROT_WRITE) == 0, "mprotect");
  TL_CHECK((bad = ss_check(a, n, 96)) < 0, "byte %ld", bad);
  return 0;
}

void ss_group_inherit(void)
{
  tl_run_child("kinds", inherit_kinds);
  tl_run_child("fork_chain", inherit_chain);
  tl_run_child("shared_copy", inherit_shared_copy);
  tl_run_child("offset_collapse", inherit_offset_collapse);
  tl_run_child("split_collapse", inherit_split_collapse);
  tl_run_child("shared_race", inherit_shared_race);
  tl_run_child("prot_none", inherit_prot_none);
}

// ---------------------------------------------------------------------------
// kill: processes killed while their pages come back from swap.

#define KILL_ROUNDS 4
#define KILL_PAGES 1024
#define KILL_FILE "swkill.f"

// Fills its pages, pages them out, says so, then reads them in over and
// over (mode 0) or read()s the file into them over and over (mode 1).
static void kill_victim(void *arg, int wfd)
{
  char *a = ss_anon(KILL_PAGES);
  int fd = open(KILL_FILE, O_RDONLY), mode = (int)(uintptr_t)arg;
  int end = uptime() + SS_LOOP_TICKS;
  volatile char sum = 0;

  TL_CHILD_CHECK(a != 0 && fd >= 0);
  ss_fill(a, KILL_PAGES * PGSIZE, 50);
  vmreclaim(1L << 40);
  TL_CHILD_CHECK(write(wfd, "v", 1) == 1);
  while (uptime() < end) {
    if (mode == 0)
      for (unsigned long i = 0; i < KILL_PAGES * PGSIZE; i += PGSIZE)
        sum += a[i];
    else {
      lseek(fd, 0, SEEK_SET);
      read(fd, a, KILL_PAGES * PGSIZE);
    }
    vmreclaim(1L << 40);
  }
}

static int kill_rounds(int mode)
{
  int pid, st, fd;
  char *b = ss_anon(256);

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(b != 0, "mmap");
  unlink(KILL_FILE);
  TL_CHECK((fd = open(KILL_FILE, O_CREATE | O_RDWR)) >= 0, "open");
  for (int i = 0; i < KILL_PAGES / 256; i++)
    TL_CHECK(write(fd, b, 256 * PGSIZE) == 256 * PGSIZE, "write");
  close(fd);
  for (int round = 0; round < KILL_ROUNDS; round++) {
    pid = ss_start_child(kill_victim, (void *)(uintptr_t)mode);
    TL_CHECK(pid > 0, "round %d: no victim", round);
    sleep(1 + round % 3);
    TL_CHECK(kill(pid) == 0, "kill");
    TL_CHECK(wait(&st) == pid && st == -1, "round %d: status %d", round, st);
  }
  unlink(KILL_FILE);
  return 0;
}

static int kill_faulting(void)
{
  return kill_rounds(0);
}

static int kill_reading(void)
{
  return kill_rounds(1);
}

// A writer blocked in write() to a pipe nobody reads, from a buffer on
// swap, and a reader blocked in read() into one, killed: nothing leaks
// (the group's leak check), the pipe's other end sees the end.
static void pipe_writer(void *arg, int wfd)
{
  int *p = arg;
  char *a = ss_anon(KILL_PAGES);

  close(p[0]);
  TL_CHILD_CHECK(a != 0);
  ss_fill(a, KILL_PAGES * PGSIZE, 52);
  vmreclaim(1L << 40);
  TL_CHILD_CHECK(write(wfd, "w", 1) == 1);
  write(p[1], a, KILL_PAGES * PGSIZE);
}

static void pipe_reader(void *arg, int wfd)
{
  int *p = arg;
  char *a = ss_anon(KILL_PAGES);

  close(p[1]);
  TL_CHILD_CHECK(a != 0);
  ss_fill(a, KILL_PAGES * PGSIZE, 53);
  vmreclaim(1L << 40);
  TL_CHILD_CHECK(write(wfd, "r", 1) == 1);
  read(p[0], a, KILL_PAGES * PGSIZE);
}

static int kill_pipe_ends(void)
{
  int p[2], q[2], w, r, st;
  char c;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(pipe(p) == 0 && pipe(q) == 0, "pipe");
  TL_CHECK((w = ss_start_child(pipe_writer, p)) > 0, "no writer");
  TL_CHECK((r = ss_start_child(pipe_reader, q)) > 0, "no reader");
  sleep(5);
  TL_CHECK(kill(w) == 0 && kill(r) == 0, "kill");
  TL_CHECK(wait(&st) > 0 && st == -1 && wait(&st) > 0 && st == -1,
           "status %d", st);
  close(p[1]);
  TL_CHECK(read(p[0], &c, 1) == 1, "the writer wrote nothing");
  close(p[0]);
  close(q[0]);
  TL_CHECK(write(q[1], "x", 1) == -1, "a write with no reader left");
  close(q[1]);
  return 0;
}

// Pages everything out, again and again.
static void pager_loop(void *arg, int wfd)
{
  int end = uptime() + SS_LOOP_TICKS;

  (void)arg;
  write(wfd, "p", 1);
  while (uptime() < end)
    vmreclaim(1L << 40);
}

// Writes its pages, says so, then checks them and exits (odd rounds:
// rewrites them until killed).
static void exit_writer(void *arg, int wfd)
{
  int round = (int)(uintptr_t)arg, end = uptime() + SS_LOOP_TICKS;
  char *a = ss_anon(KILL_PAGES);

  TL_CHILD_CHECK(a != 0);
  ss_fill(a, KILL_PAGES * PGSIZE, 51 + round);
  TL_CHILD_CHECK(write(wfd, "x", 1) == 1);
  while (round % 2 && uptime() < end)
    ss_fill(a, KILL_PAGES * PGSIZE, round);
  exit(ss_check(a, KILL_PAGES * PGSIZE, 51 + round) < 0 ? 0 : 1);
}

// Processes exiting while another pages everything out again and again:
// their dirty pages are being written to swap when they go.
static int kill_exit_laundering(void)
{
  int pid, pager, st, rc = 0;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK((pager = ss_start_child(pager_loop, 0)) > 0, "no pager");
  for (int round = 0; round < KILL_ROUNDS && rc == 0; round++) {
    if ((pid = ss_start_child(exit_writer, (void *)(uintptr_t)round)) < 0) {
      rc = tl_fail_at(__LINE__, "round %d: no child", round);
      break;
    }
    if (round % 2)
      kill(pid);
    if (ss_wait_for(pid, &st) != pid || st != (round % 2 ? -1 : 0))
      rc = tl_fail_at(__LINE__, "round %d: status %d", round, st);
  }
  TL_CHECK(ss_stop_helper(pager) == 0, "the pager failed");
  return rc;
}

void ss_group_kill(void)
{
  tl_run_child("faulting", kill_faulting);
  tl_run_child("reading", kill_reading);
  tl_run_child("exit_laundering", kill_exit_laundering);
  tl_run_child("pipe_ends", kill_pipe_ends);
}

