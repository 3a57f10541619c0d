// SPDX-License-Identifier: MIT
// swaptests groups on anonymous memory that is out on swap when a system
// call or a memory call touches it (user/swaptests.c runs them).
//
// Every test first pushes its pages out with vmreclaim (which, with swap,
// writes every anonymous page of every process to swap and frees it) and
// checks with mincore that they really are gone, then acts, then checks
// every byte. Groups: sysbuf (the user buffers of write, read, pipes,
// exec, fstat, wait, mincore and getrlimit on swap), shrink (sbrk,
// munmap + MAP_FIXED, madvise and mprotect over swapped pages), inherit
// (minherit's four kinds and a chain of forks over swapped pages), kill
// (processes killed while paging in), lockswap (mlock and mlockall of
// swapped ranges), exhaust (RAM and swap full).
#include "user/testlib.h"

#define WORDS (PGSIZE / 8)

// The byte at offset i of a buffer filled for salt s: every page differs.
static char pb(unsigned long i, int s)
{
  return (char)((i * 131 + (i >> 12) * 7 + (unsigned long)s * 29) & 0xff);
}

static void bfill(char *b, unsigned long n, int s)
{
  for (unsigned long i = 0; i < n; i++)
    b[i] = pb(i, s);
}

// The first byte of b[0, n) that is not salt s's, or -1.
static long bcheck(const char *b, unsigned long n, int s)
{
  for (unsigned long i = 0; i < n; i++)
    if (b[i] != pb(i, s))
      return (long)i;
  return -1;
}

// The first non-zero byte of b[0, n), or -1.
static long zcheck(const char *b, unsigned long n)
{
  for (unsigned long i = 0; i < n; i++)
    if (b[i] != 0)
      return (long)i;
  return -1;
}

static char *anon(unsigned long npages)
{
  char *p = mmap(0, npages * PGSIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANON, -1, 0);
  return p == MAP_FAILED ? 0 : p;
}

static unsigned long ram_pages(void)
{
  struct vmstats vs;

  return vmstat(&vs) == 0 ? vs.total : 0;
}

static unsigned long swap_used(void)
{
  struct vmstats vs;

  return vmstat(&vs) == 0 ? vs.swap_used : 0;
}

static int have_swap(void)
{
  struct vmstats vs;

  return vmstat(&vs) == 0 && vs.swap_total > 0;
}

static char vec[32768];

// Helpers that loop until they are killed give up after this many ticks,
// so that a test that fails half way leaves nothing running behind it.
#define LOOP_TICKS (30 * 100)

// A helper that ended by itself (LOOP_TICKS run out: a slow machine) may
// be reaped while waiting for another child. wait_for waits for pid,
// remembering in helper_bad whether a helper reaped meanwhile had failed
// (exit status neither 0 nor -1). Returns pid, or -1 if it is not a
// child (any more).
static int helper_bad;

static int wait_for(int pid, int *st)
{
  int w;

  while ((w = wait(st)) != pid && w >= 0)
    helper_bad |= *st != 0 && *st != -1;
  return w;
}

// A helper that loops: kill it and reap it (unless reaped already). 0 if
// it did not fail.
static int stop_helper(int pid)
{
  int st = 0;

  kill(pid);
  if (wait_for(pid, &st) == pid)
    helper_bad |= st != 0 && st != -1;
  return helper_bad;
}

// Fork a child that runs fn(arg, wfd); the child writes a byte to wfd
// when it is ready. Returns its pid once it has, or -1 when the fork
// failed or the child ended first.
static int start_child(void (*fn)(void *, int), void *arg)
{
  int p[2], pid;
  char c;

  if (pipe(p) != 0)
    return -1;
  if ((pid = fork()) == 0) {
    close(p[0]);
    fn(arg, p[1]);
    exit(0);
  }
  close(p[1]);
  if (pid > 0 && read(p[0], &c, 1) != 1) {
    kill(pid);
    wait(0);
    pid = -1;
  }
  close(p[0]);
  return pid;
}

// How many of the n pages at a are resident, or -1.
static long resident(const void *a, unsigned long n)
{
  long in = 0;

  if (n > sizeof(vec) || mincore(a, n * PGSIZE, vec) != 0)
    return -1;
  for (unsigned long i = 0; i < n; i++)
    in += vec[i] & 1;
  return in;
}

// Page every anonymous page out, then check none of the n pages at a is
// resident. 0 or why not. A page another process is paging in or out at
// the same time (busy) is skipped by a pass: a few passes are allowed.
static int swap_out(const void *a, unsigned long n)
{
  long in = -1;

  for (int pass = 0; pass < 4 && in != 0; pass++) {
    TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
    in = resident(a, n);
  }
  TL_CHECK(in == 0, "%ld of %lu pages still resident after a full page-out",
           in, n);
  return 0;
}

// ---------------------------------------------------------------------------
// sysbuf: user buffers on swap.

#define SB_PAGES 24
#define SB_FILE "swsys.f"

// write() from a swapped buffer to a file, read back into resident memory.
static int sysbuf_write_file(void)
{
  unsigned long n = SB_PAGES * PGSIZE;
  char *a = anon(SB_PAGES), *b = anon(SB_PAGES);
  long bad;
  int fd;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a && b, "mmap");
  bfill(a, n, 1);
  memset(b, 0, n);
  unlink(SB_FILE);
  TL_CHECK((fd = open(SB_FILE, O_CREATE | O_RDWR)) >= 0, "open");
  if (swap_out(a, SB_PAGES) != 0)
    return -1;
  TL_CHECK(write(fd, a + 100, (int)n - 200) == (int)n - 200, "write: %s",
           strerror(errno));
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  TL_CHECK(read(fd, b, (int)n - 200) == (int)n - 200, "read");
  close(fd);
  unlink(SB_FILE);
  for (unsigned long i = 0; i < n - 200; i++)
    TL_CHECK(b[i] == pb(i + 100, 1), "byte %lu of the file is wrong", i);
  TL_CHECK((bad = bcheck(a, n, 1)) < 0, "byte %ld of the source changed", bad);
  return 0;
}

// read() from a file into a swapped buffer, at an odd offset across pages:
// the bytes read land, the bytes around them keep their data.
static int sysbuf_read_file(void)
{
  unsigned long n = SB_PAGES * PGSIZE, len = n - 3000;
  char *a = anon(SB_PAGES), *src = anon(SB_PAGES);
  int fd;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a && src, "mmap");
  bfill(src, n, 2);
  unlink(SB_FILE);
  TL_CHECK((fd = open(SB_FILE, O_CREATE | O_RDWR)) >= 0, "open");
  TL_CHECK(write(fd, src, (int)n) == (int)n, "write");
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  bfill(a, n, 3);
  if (swap_out(a, SB_PAGES) != 0)
    return -1;
  TL_CHECK(read(fd, a + 1000, (int)len) == (int)len, "read: %s",
           strerror(errno));
  close(fd);
  unlink(SB_FILE);
  for (unsigned long i = 0; i < n; i++) {
    char want = i >= 1000 && i < 1000 + len ? pb(i - 1000, 2) : pb(i, 3);
    TL_CHECK(a[i] == want, "byte %lu reads %d, want %d", i, a[i], want);
  }
  return 0;
}

// Pipes both ways: a child writes from its swapped buffer, the parent
// reads into its swapped buffer; then the other way round.
static void sysbuf_pipe_child(char *a, unsigned long n, int rfd, int wfd)
{
  int r;

  // (No check that the pages went out: the parent pages in at the same
  // time, and a page it is reading is skipped.)
  vmreclaim(1L << 40);
  TL_CHILD_CHECK(write(wfd, a, (int)n) == (int)n);
  bfill(a, n, 9);
  vmreclaim(1L << 40);
  for (unsigned long got = 0; got < n; got += (unsigned long)r)
    TL_CHILD_CHECK((r = read(rfd, a + got, (int)(n - got))) > 0);
  TL_CHILD_CHECK(bcheck(a, n, 5) < 0);
  exit(0);
}

static int sysbuf_pipe(void)
{
  unsigned long n = SB_PAGES * PGSIZE;
  char *a = anon(SB_PAGES);
  int to[2], from[2], pid, st, r;
  long bad;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0 && pipe(to) == 0 && pipe(from) == 0, "mmap or pipe");
  bfill(a, n, 4);
  if ((pid = fork()) == 0) {
    close(to[1]), close(from[0]);
    sysbuf_pipe_child(a, n, to[0], from[1]);
  }
  TL_CHECK(pid > 0, "fork");
  close(to[0]), close(from[1]);       // a child that dies ends the reads
  bfill(a, n, 8);
  if (swap_out(a, SB_PAGES) != 0)
    return -1;
  for (unsigned long got = 0; got < n; got += (unsigned long)r)
    TL_CHECK((r = read(from[0], a + got, (int)(n - got))) > 0, "read");
  TL_CHECK((bad = bcheck(a, n, 4)) < 0, "byte %ld read from the pipe", bad);
  bfill(a, n, 5);
  if (swap_out(a, SB_PAGES) != 0)
    return -1;
  TL_CHECK(write(to[1], a, (int)n) == (int)n, "write");
  TL_CHECK(wait(&st) == pid && st == 0, "the child failed at line %d", st);
  TL_CHECK((bad = bcheck(a, n, 5)) < 0, "byte %ld of the source", bad);
  close(to[1]), close(from[0]);
  return 0;
}

// read() into a swapped page shared copy-on-write with a child: the
// parent's copy gets the data, the child's keeps the old bytes.
static int sysbuf_read_cow(void)
{
  unsigned long n = SB_PAGES * PGSIZE;
  char *a = anon(SB_PAGES);
  int p[2], fd, pid, st;
  char c;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0 && pipe(p) == 0, "mmap or pipe");
  bfill(a, n, 6);
  unlink(SB_FILE);
  TL_CHECK((fd = open(SB_FILE, O_CREATE | O_RDWR)) >= 0, "open");
  for (int i = 0; i < SB_PAGES; i++)
    TL_CHECK(write(fd, "0123456789abcdef", 16) == 16, "write");
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  if ((pid = fork()) == 0) {
    TL_CHILD_CHECK(read(p[0], &c, 1) == 1);
    TL_CHILD_CHECK(bcheck(a, n, 6) < 0);
    exit(0);
  }
  TL_CHECK(pid > 0, "fork");
  if (swap_out(a, SB_PAGES) != 0)
    return -1;
  for (int i = 0; i < SB_PAGES; i++)
    TL_CHECK(read(fd, a + i * PGSIZE + 2000, 16) == 16, "read");
  close(fd);
  unlink(SB_FILE);
  TL_CHECK(swap_out(a, SB_PAGES) == 0, "page-out");
  TL_CHECK(write(p[1], "g", 1) == 1, "pipe");
  TL_CHECK(wait(&st) == pid && st == 0, "the child saw the parent's read "
           "(line %d)", st);
  for (unsigned long i = 0; i < n; i++) {
    unsigned long o = i % PGSIZE;
    char want = o >= 2000 && o < 2016 ? "0123456789abcdef"[o - 2000] : pb(i, 6);
    TL_CHECK(a[i] == want, "byte %lu reads %d, want %d", i, a[i], want);
  }
  close(p[0]), close(p[1]);
  return 0;
}

// exec with its path and argv strings, and the argv array itself, on
// swapped pages; echo's output through a pipe says what it got.
static int sysbuf_exec(void)
{
  char *a = anon(4), **argv, got[256], want[256];
  int p[2], pid, st, n = 0, r;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0 && pipe(p) == 0, "mmap or pipe");
  strcpy(a + PGSIZE - 3, "echo");             // across a page boundary
  argv = (char **)(a + 2 * PGSIZE);
  argv[0] = a + PGSIZE - 3;
  argv[1] = a + 3 * PGSIZE + 17;
  strcpy(argv[1], "swapped-argument-one");
  argv[2] = a + 3 * PGSIZE + 2000;
  strcpy(argv[2], "and-two");
  argv[3] = 0;
  if (swap_out(a, 4) != 0)
    return -1;
  if ((pid = fork()) == 0) {
    close(1);
    dup(p[1]);
    close(p[0]), close(p[1]);
    TL_CHILD_CHECK(swap_out(a, 4) == 0);
    exec(a + PGSIZE - 3, argv);
    exit(99);
  }
  close(p[1]);
  while (n < (int)sizeof(got) - 1 && (r = read(p[0], got + n,
                                                sizeof(got) - 1 - n)) > 0)
    n += r;
  got[n] = 0;
  close(p[0]);
  TL_CHECK(wait(&st) == pid && st == 0, "echo's status %d", st);
  snprintf(want, sizeof(want), "swapped-argument-one and-two\n");
  TL_CHECK(strcmp(got, want) == 0, "echo printed \"%s\"", got);
  return 0;
}

// Small results written by the kernel into swapped pages: each lands at
// its place and every other byte of the page keeps its data.
static int sysbuf_small_results(void)
{
  char *a = anon(8);
  struct stat *sp = (struct stat *)(a + 1 * PGSIZE + 512);
  int *stp = (int *)(a + 3 * PGSIZE + 4000);
  struct rlimit *rl = (struct rlimit *)(a + 5 * PGSIZE + 64), rl0;
  char *v = a + 7 * PGSIZE + 100;
  int pid, fd;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  TL_CHECK(madvise(a, 8 * PGSIZE, MADV_RANDOM) == 0, "madvise");  // no read-around
  bfill(a, 8 * PGSIZE, 7);
  TL_CHECK((pid = fork()) >= 0, "fork");
  if (pid == 0)
    exit(42);
  TL_CHECK((fd = open("echo", O_RDONLY)) >= 0, "open");
  TL_CHECK(getrlimit(RLIMIT_MEMLOCK, &rl0) == 0, "getrlimit");
  if (swap_out(a, 8) != 0)
    return -1;
  TL_CHECK(fstat(fd, sp) == 0 && sp->type == T_FILE && sp->size > 0,
           "fstat into a swapped page");
  close(fd);
  TL_CHECK(wait(stp) == pid && *stp == 42, "wait into a swapped page: %d",
           *stp);
  TL_CHECK(getrlimit(RLIMIT_MEMLOCK, rl) == 0 && rl->rlim_cur ==
           rl0.rlim_cur && rl->rlim_max == rl0.rlim_max, "getrlimit");
  TL_CHECK(mincore(a, 3 * PGSIZE, v) == 0, "mincore into a swapped page");
  TL_CHECK((v[0] & 1) == 0 && (v[1] & 1) == 1 && (v[2] & 1) == 0,
           "mincore: %d %d %d", v[0], v[1], v[2]);
  for (unsigned long i = 0; i < 8 * PGSIZE; i++) {
    char *c = a + i;
    if ((c >= (char *)sp && c < (char *)(sp + 1)) ||
        (c >= (char *)stp && c < (char *)(stp + 1)) ||
        (c >= (char *)rl && c < (char *)(rl + 1)) || (c >= v && c < v + 3))
      continue;
    TL_CHECK(*c == pb(i, 7), "byte %lu beside a result changed", i);
  }
  return 0;
}

// exec while another process pages everything out again and again: the
// new image's stack is written page by page through the kernel's own
// mapping, and every argument must arrive.
#define ER_ROUNDS 24
#define ER_ARGS 30

static void reclaim_loop(void *arg, int wfd)
{
  int end = uptime() + LOOP_TICKS;

  (void)arg;
  write(wfd, "r", 1);
  while (uptime() < end)
    vmreclaim(1L << 40);
}

// Run echo with ER_ARGS arguments of 100 bytes each (round r's letters);
// 0 if it printed them all back.
static int exec_round(int r)
{
  static char args[ER_ARGS][101], got[ER_ARGS * 101 + 16];
  char *argv[ER_ARGS + 2];
  int p[2], pid, st, n = 0, k;

  argv[0] = "echo";
  for (int i = 0; i < ER_ARGS; i++) {
    for (int j = 0; j < 100; j++)
      args[i][j] = (char)('a' + (i + j + r) % 26);
    args[i][100] = 0;
    argv[i + 1] = args[i];
  }
  argv[ER_ARGS + 1] = 0;
  TL_CHECK(pipe(p) == 0, "pipe");
  if ((pid = fork()) == 0) {
    close(1);
    dup(p[1]);
    close(p[0]), close(p[1]);
    exec("echo", argv);
    exit(99);
  }
  close(p[1]);
  while (n < (int)sizeof(got) && (k = read(p[0], got + n, sizeof(got) - n)) > 0)
    n += k;
  close(p[0]);
  TL_CHECK(pid > 0 && wait_for(pid, &st) == pid && st == 0, "round %d: "
           "status %d", r,
           st);
  TL_CHECK(n == ER_ARGS * 101, "round %d: echo printed %d bytes", r, n);
  for (int i = 0; i < ER_ARGS; i++)
    TL_CHECK(memcmp(got + i * 101, args[i], 100) == 0, "round %d: argument "
             "%d came out as %.100s", r, i, got + i * 101);
  return 0;
}

static int sysbuf_exec_reclaim(void)
{
  int pager, rc = 0;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK((pager = start_child(reclaim_loop, 0)) > 0, "no pager");
  for (int r = 0; r < ER_ROUNDS && rc == 0; r++)
    rc = exec_round(r);
  TL_CHECK(stop_helper(pager) == 0, "the pager failed");
  return rc;
}

// read() into swapped pages the process may not write: EFAULT (or a
// short count ending at the fault), and the read-only pages keep their
// data, on swap and after.
static int sysbuf_readonly_target(void)
{
  static char src[2 * PGSIZE];
  char *a = anon(8);
  int fd, r;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  bfill(a, 8 * PGSIZE, 17);
  memset(src, 'r', sizeof(src));
  unlink(SB_FILE);
  TL_CHECK((fd = open(SB_FILE, O_CREATE | O_RDWR)) >= 0, "open");
  TL_CHECK(write(fd, src, sizeof(src)) == sizeof(src), "write");
  TL_CHECK(mprotect(a + 4 * PGSIZE, 4 * PGSIZE, PROT_READ) == 0, "mprotect");
  if (swap_out(a, 8) != 0)
    return -1;
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  r = read(fd, a + 5 * PGSIZE, PGSIZE);
  TL_CHECK(r == -1 && errno == EFAULT, "read into a read-only page: %d", r);
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  r = read(fd, a + 3 * PGSIZE + 100, 2 * PGSIZE);
  TL_CHECK(r == -1 ? errno == EFAULT : r == PGSIZE - 100, "read across into "
           "a read-only page: %d", r);
  close(fd);
  unlink(SB_FILE);
  if (swap_out(a, 8) != 0)
    return -1;
  for (unsigned long i = 4 * PGSIZE; i < 8 * PGSIZE; i++)
    TL_CHECK(a[i] == pb(i, 17), "read-only byte %lu changed", i);
  for (unsigned long i = 0; i < 3 * PGSIZE + 100; i++)
    TL_CHECK(a[i] == pb(i, 17), "byte %lu before the target changed", i);
  return 0;
}

void swsys_group_sysbuf(void)
{
  tl_run_child("write_file", sysbuf_write_file);
  tl_run_child("read_file", sysbuf_read_file);
  tl_run_child("pipe", sysbuf_pipe);
  tl_run_child("read_cow", sysbuf_read_cow);
  tl_run_child("exec_args", sysbuf_exec);
  tl_run_child("small_results", sysbuf_small_results);
  tl_run_child("exec_reclaim", sysbuf_exec_reclaim);
  tl_run_child("readonly_target", sysbuf_readonly_target);
}

// ---------------------------------------------------------------------------
// shrink: giving swapped pages back, and changing their protection.

// sbrk down over swapped pages and up again: the whole pages given back
// read zeros, never the old data, and the swap they held is free. (The
// rest of the page holding the break is not given back: no check there.)
static int shrink_sbrk(void)
{
  unsigned long np = 40, n = np * PGSIZE, s0;
  char *h;
  long bad;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK((h = sbrk((int)n)) != (char *)-1, "sbrk");
  bfill(h, n, 11);
  if (swap_out(h, np) != 0)
    return -1;
  s0 = swap_used();
  TL_CHECK(sbrk(-(int)(n - 5000)) != (char *)-1, "sbrk down");
  TL_CHECK(swap_used() + np - 2 <= s0, "swap used %lu before sbrk down, %lu "
           "after", s0, swap_used());
  TL_CHECK(sbrk((int)(n - 5000)) == h + 5000, "sbrk up");
  TL_CHECK((bad = bcheck(h, 5000, 11)) < 0, "kept byte %ld", bad);
  TL_CHECK((bad = zcheck(h + 8192, n - 8192)) < 0, "byte %ld of the regrown "
           "heap is not zero", bad + 8192);
  return 0;
}

// The same with the heap shared copy-on-write with a child, and partly
// rewritten by the parent (its own shadow pages, also on swap) before it
// shrinks: the child keeps the old heap whole, the parent's regrown pages
// read zeros, and its kept pages its data.
static void heap_child(void *arg, int wfd)
{
  char **a = arg, c;

  TL_CHILD_CHECK(write(wfd, "c", 1) == 1);
  read(*(int *)a[1], &c, 1);
  vmreclaim(1L << 40);
  TL_CHILD_CHECK(bcheck(a[0], 40 * PGSIZE, 18) < 0);
}

static int shrink_sbrk_after_fork(void)
{
  unsigned long n = 40 * PGSIZE;
  char *h, *arg[2];
  int go[2], c, st;
  long bad;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK((h = sbrk((int)n)) != (char *)-1 && pipe(go) == 0, "sbrk or pipe");
  bfill(h, n, 18);
  arg[0] = h;
  arg[1] = (char *)&go[0];
  TL_CHECK((c = start_child(heap_child, arg)) > 0, "no child");
  close(go[0]);
  for (unsigned long i = 0; i < 24 * PGSIZE; i++)
    h[i] = pb(i, 19);
  if (swap_out(h, 40) != 0)
    return -1;
  TL_CHECK(sbrk(-(int)(32 * PGSIZE)) != (char *)-1, "sbrk down");
  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  TL_CHECK(sbrk((int)(32 * PGSIZE)) == h + 8 * PGSIZE, "sbrk up");
  TL_CHECK(write(go[1], "g", 1) == 1, "pipe");
  TL_CHECK(wait(&st) == c && st == 0, "the child failed at line %d", st);
  close(go[1]);
  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  TL_CHECK((bad = bcheck(h, 8 * PGSIZE, 19)) < 0, "kept byte %ld", bad);
  TL_CHECK((bad = zcheck(h + 8 * PGSIZE, n - 8 * PGSIZE)) < 0, "byte %ld of "
           "the regrown heap is not zero", bad + 8 * PGSIZE);
  return 0;
}

// munmap the middle 3 pages of a swapped 16-page cluster, MAP_FIXED
// fresh memory there: zeros in the hole, the neighbours keep their data.
static int shrink_munmap_hole(void)
{
  unsigned long np = 48, n = np * PGSIZE;
  char *a = anon(np), *hole, *b;
  long bad;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  bfill(a, n, 12);
  if (swap_out(a, np) != 0)
    return -1;
  hole = a + 22 * PGSIZE;
  TL_CHECK(munmap(hole, 3 * PGSIZE) == 0, "munmap");
  b = mmap(hole, 3 * PGSIZE, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0);
  TL_CHECK(b == hole, "mmap MAP_FIXED");
  TL_CHECK((bad = zcheck(hole, 3 * PGSIZE)) < 0, "byte %ld of the hole", bad);
  TL_CHECK(swap_out(a, np) == 0, "page-out");
  TL_CHECK((bad = zcheck(hole, 3 * PGSIZE)) < 0, "byte %ld of the hole "
           "after a page-out", bad);
  TL_CHECK((bad = bcheck(a, 22 * PGSIZE, 12)) < 0, "byte %ld before", bad);
  for (unsigned long i = 25 * PGSIZE; i < n; i++)
    TL_CHECK(a[i] == pb(i, 12), "byte %lu after the hole", i);
  return 0;
}

// MADV_DONTNEED keeps swapped contents; MADV_FREE gives old data or
// zeros, and data written after it is what comes back, never older.
static int shrink_madvise(void)
{
  unsigned long np = 32, n = np * PGSIZE;
  char *a = anon(np);
  long bad;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  bfill(a, n, 13);
  if (swap_out(a, np) != 0)
    return -1;
  TL_CHECK(madvise(a, n, MADV_DONTNEED) == 0, "MADV_DONTNEED");
  TL_CHECK((bad = bcheck(a, n, 13)) < 0, "byte %ld after DONTNEED", bad);
  if (swap_out(a, np) != 0)
    return -1;
  TL_CHECK(madvise(a, n, MADV_FREE) == 0, "MADV_FREE");
  for (unsigned long p = 0; p < np; p++) {
    char *pg = a + p * PGSIZE;
    int z = zcheck(pg, PGSIZE) < 0;
    for (unsigned long i = 0; !z && i < PGSIZE; i++)
      TL_CHECK(pg[i] == pb(p * PGSIZE + i, 13), "page %lu after MADV_FREE: "
               "neither old data nor zeros", p);
  }
  for (unsigned long p = 0; p < np; p += 2)     // new data in every other
    for (unsigned long i = 0; i < PGSIZE; i++)
      a[p * PGSIZE + i] = pb(p * PGSIZE + i, 14);
  if (swap_out(a, np) != 0)
    return -1;
  for (unsigned long p = 0; p < np; p++) {
    char *pg = a + p * PGSIZE;
    int z = p % 2 == 1 && zcheck(pg, PGSIZE) < 0;
    for (unsigned long i = 0; !z && i < PGSIZE; i++)
      TL_CHECK(pg[i] == pb(p * PGSIZE + i, p % 2 ? 13 : 14), "page %lu "
               "byte %lu after MADV_FREE and a rewrite", p, i);
  }
  return 0;
}

// mprotect of swapped pages: read-only reads them, PROT_NONE keeps them,
// and back to read-write they are intact and writable.
static int shrink_mprotect(void)
{
  unsigned long np = 32, n = np * PGSIZE;
  char *a = anon(np);
  long bad;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  bfill(a, n, 15);
  if (swap_out(a, np) != 0)
    return -1;
  TL_CHECK(mprotect(a, n, PROT_READ) == 0, "PROT_READ");
  TL_CHECK((bad = bcheck(a, n, 15)) < 0, "byte %ld read-only", bad);
  if (swap_out(a, np) != 0)
    return -1;
  TL_CHECK(mprotect(a + 8 * PGSIZE, 16 * PGSIZE, PROT_NONE) == 0, "PROT_NONE");
  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  TL_CHECK(mprotect(a, n, PROT_READ | PROT_WRITE) == 0, "PROT_READ|WRITE");
  TL_CHECK((bad = bcheck(a, n, 15)) < 0, "byte %ld after PROT_NONE", bad);
  bfill(a, n, 16);
  if (swap_out(a, np) != 0)
    return -1;
  TL_CHECK((bad = bcheck(a, n, 16)) < 0, "byte %ld rewritten", bad);
  return 0;
}

void swsys_group_shrink(void)
{
  tl_run_child("sbrk_regrow", shrink_sbrk);
  tl_run_child("sbrk_after_fork", shrink_sbrk_after_fork);
  tl_run_child("munmap_hole", shrink_munmap_hole);
  tl_run_child("madvise", shrink_madvise);
  tl_run_child("mprotect", shrink_mprotect);
}

// ---------------------------------------------------------------------------
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
  TL_CHILD_CHECK(bcheck(r[0], n, 20) < 0);                  // SHARE
  TL_CHILD_CHECK(bcheck(r[1], n, 21) < 0);                  // COPY
  TL_CHILD_CHECK(zcheck(r[2], n) < 0);                      // ZERO
  TL_CHILD_CHECK(mincore(r[3], n, vec) == -1 && errno == ENOMEM); // NONE
  bfill(r[0], n, 30);
  bfill(r[1], n, 31);
  bfill(r[2], n, 32);
  TL_CHILD_CHECK(swap_out(r[0], 3 * IN_PAGES) == 0);
  TL_CHILD_CHECK(write(wfd, "c", 1) == 1 && read(rfd, &c, 1) == 1);
  TL_CHILD_CHECK(vmreclaim(1L << 40) >= 0);
  TL_CHILD_CHECK(bcheck(r[0], n, 40) < 0);
  TL_CHILD_CHECK(bcheck(r[1], n, 31) < 0);
  TL_CHILD_CHECK(bcheck(r[2], n, 32) < 0);
  exit(0);
}

static int inherit_kinds(void)
{
  static const int kind[4] = { INHERIT_SHARE, INHERIT_COPY, INHERIT_ZERO,
                               INHERIT_NONE };
  unsigned long n = IN_PAGES * PGSIZE;
  char *a = anon(4 * IN_PAGES), *r[4], c;
  int to[2], from[2], pid, st;
  long bad;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0 && pipe(to) == 0 && pipe(from) == 0, "mmap or pipe");
  for (int i = 0; i < 4; i++) {
    r[i] = a + i * n;
    bfill(r[i], n, 20 + i);
    TL_CHECK(minherit(r[i], n, kind[i]) == 0, "minherit %d", kind[i]);
  }
  if (swap_out(a, 4 * IN_PAGES) != 0)
    return -1;
  if ((pid = fork()) == 0)
    inherit_child(r, to[0], from[1]);
  TL_CHECK(pid > 0, "fork");
  close(to[0]), close(from[1]);       // a child that dies ends the read
  TL_CHECK(read(from[0], &c, 1) == 1, "the child died");
  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  TL_CHECK((bad = bcheck(r[0], n, 30)) < 0, "shared byte %ld", bad);
  TL_CHECK((bad = bcheck(r[1], n, 21)) < 0, "copied byte %ld", bad);
  TL_CHECK((bad = bcheck(r[2], n, 22)) < 0, "zero-inherited byte %ld", bad);
  TL_CHECK((bad = bcheck(r[3], n, 23)) < 0, "uninherited byte %ld", bad);
  bfill(r[0], n, 40);
  bfill(r[1], n, 41);
  TL_CHECK(swap_out(a, 4 * IN_PAGES) == 0, "page-out");
  TL_CHECK(write(to[1], "p", 1) == 1, "pipe");
  TL_CHECK(wait(&st) == pid && st == 0, "the child failed at line %d", st);
  TL_CHECK((bad = bcheck(r[1], n, 41)) < 0, "copied byte %ld", bad);
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
    a[i] = pb(i, s);
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
    if (a[i] != pb(i, chain_salt(i, level, forked))) {
      printf("chain: level %d byte %lu reads %d, want salt %d\n", level, i,
             a[i], chain_salt(i, level, forked));
      return 2000 + level;
    }
  return 0;
}

static int inherit_chain(void)
{
  char *a = anon(CHAIN_BYTES / PGSIZE);
  int rc;

  TL_CHECK(have_swap(), "no swap device");
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

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(r != MAP_FAILED, "mmap");
  bfill(r, n, 80);
  if ((s = fork()) == 0)
    for (int end = uptime() + LOOP_TICKS; uptime() < end;) {
      vmreclaim(1L << 40);            // the other sharer: pages them in
      TL_CHILD_CHECK(bcheck(r, n, 80) < 0);
    }
  TL_CHECK(s > 0, "fork");
  TL_CHECK(minherit(r, n, INHERIT_COPY) == 0, "minherit");
  for (int round = 0; round < SC_ROUNDS && bad_round < 0; round++) {
    if (round % 4 == 0)
      vmreclaim(1L << 40);
    if ((pid = fork()) == 0) {
      if ((bad = bcheck(r, n, 80)) >= 0) {
        printf("shared_copy: the copy's byte %ld reads %d\n", bad, r[bad]);
        exit(1);
      }
      bfill(r, n, 81);                // its own copy: nobody else sees it
      exit(0);
    }
    if (pid < 0 || wait_for(pid, &st) != pid || st != 0)
      bad_round = round;
  }
  TL_CHECK(stop_helper(s) == 0, "the sharer failed");
  TL_CHECK(bad_round < 0, "round %d: the child's copy was wrong", bad_round);
  TL_CHECK((bad = bcheck(r, n, 80)) < 0, "byte %ld changed", bad);
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
  TL_CHILD_CHECK(bcheck(a[0], 64 * PGSIZE, 90) < 0);
}

static int inherit_offset_collapse(void)
{
  char *a = anon(64), *arg[2], *mid;
  int go[2], c, st;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0 && pipe(go) == 0, "mmap or pipe");
  bfill(a, 64 * PGSIZE, 90);
  arg[0] = a;
  arg[1] = (char *)&go[0];
  TL_CHECK((c = start_child(offset_child, arg)) > 0, "no child");
  close(go[0]);
  if (swap_out(a, 64) != 0)
    return -1;
  mid = a + 8 * PGSIZE;
  TL_CHECK(munmap(a, 8 * PGSIZE) == 0 && munmap(a + 56 * PGSIZE,
           8 * PGSIZE) == 0, "munmap");
  for (unsigned long i = 0; i < 24 * PGSIZE; i++)   // pages 8..31: its own
    mid[i] = pb(8 * PGSIZE + i, 91);
  if (swap_out(mid, 48) != 0)
    return -1;
  TL_CHECK(write(go[1], "g", 1) == 1, "pipe");
  TL_CHECK(wait(&st) == c && st == 0, "the child failed at line %d", st);
  close(go[1]);
  for (int pass = 0; pass < 2; pass++) {
    TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
    for (unsigned long i = 8 * PGSIZE; i < 56 * PGSIZE; i++)
      TL_CHECK(a[i] == pb(i, i < 32 * PGSIZE ? 91 : 90), "pass %d: page %lu "
               "byte %lu", pass, i / PGSIZE, i % PGSIZE);
    for (unsigned long i = 40 * PGSIZE; i < 48 * PGSIZE; i++)
      a[i] = pb(i, 90);               // a write after the collapse
  }
  return 0;
}

// Two shadows of one object: the halves of a region split by mprotect,
// each written after a fork. Once the child is gone and the first half is
// unmapped, the second half's shadow collapses with the object it saw
// from page 32 on, swapped pages on both sides.
static int inherit_split_collapse(void)
{
  char *a = anon(64), *arg[2];
  int go[2], c, st;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0 && pipe(go) == 0, "mmap or pipe");
  bfill(a, 64 * PGSIZE, 90);
  arg[0] = a;
  arg[1] = (char *)&go[0];
  TL_CHECK((c = start_child(offset_child, arg)) > 0, "no child");
  close(go[0]);
  if (swap_out(a, 64) != 0)
    return -1;
  TL_CHECK(mprotect(a + 32 * PGSIZE, 32 * PGSIZE, PROT_READ) == 0, "mprotect");
  for (unsigned long i = 0; i < 16 * PGSIZE; i++)
    a[i] = pb(i, 93);
  TL_CHECK(a[40 * PGSIZE] == pb(40 * PGSIZE, 90), "read-only page 40");
  TL_CHECK(mprotect(a + 32 * PGSIZE, 32 * PGSIZE, PROT_READ | PROT_WRITE) == 0,
           "mprotect");
  for (unsigned long i = 48 * PGSIZE; i < 56 * PGSIZE; i++)
    a[i] = pb(i, 93);
  if (swap_out(a, 64) != 0)
    return -1;
  TL_CHECK(write(go[1], "g", 1) == 1, "pipe");
  TL_CHECK(wait(&st) == c && st == 0, "the child failed at line %d", st);
  close(go[1]);
  TL_CHECK(munmap(a, 32 * PGSIZE) == 0, "munmap");
  for (int pass = 0; pass < 2; pass++) {
    TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
    for (unsigned long i = 32 * PGSIZE; i < 64 * PGSIZE; i++)
      TL_CHECK(a[i] == pb(i, i >= 48 * PGSIZE && i < 56 * PGSIZE ? 93 : 90),
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
      TL_CHILD_CHECK(bcheck(r, n, 95) < 0);
    else if (k % 4 == 0)
      TL_CHILD_CHECK(madvise(r + off, 16 * PGSIZE, MADV_DONTNEED) == 0);
    else if (k % 4 == 1)
      TL_CHILD_CHECK(mlock(r + off, 16 * PGSIZE) == 0);
    else if (k % 4 == 2)
      TL_CHILD_CHECK(munlock(r + off, 16 * PGSIZE) == 0);
    else
      TL_CHILD_CHECK(mprotect(r + off, 16 * PGSIZE, PROT_READ) == 0 &&
                     r[off + 5] == pb(off + 5, 95) &&
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

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(r != MAP_FAILED, "mmap");
  bfill(r, n, 95);
  for (int i = 0; i < 3; i++)
    if ((pid[i] = fork()) == 0)
      shared_worker(r, i);
  for (int i = 0; i < 3; i++) {
    TL_CHECK(pid[i] > 0, "fork");
    TL_CHECK(wait(&st) > 0, "wait");
    bad += st != 0;
  }
  TL_CHECK(bad == 0, "a sharer failed (%d)", st);
  TL_CHECK(bcheck(r, n, 95) < 0, "the data changed");
  return 0;
}

void swsys_group_inherit(void)
{
  tl_run_child("kinds", inherit_kinds);
  tl_run_child("fork_chain", inherit_chain);
  tl_run_child("shared_copy", inherit_shared_copy);
  tl_run_child("offset_collapse", inherit_offset_collapse);
  tl_run_child("split_collapse", inherit_split_collapse);
  tl_run_child("shared_race", inherit_shared_race);
}

// ---------------------------------------------------------------------------
// kill: processes killed while their pages come back from swap.

#define KILL_ROUNDS 6
#define KILL_PAGES 1024
#define KILL_FILE "swkill.f"

// Fills its pages, pages them out, says so, then reads them in over and
// over (mode 0) or read()s the file into them over and over (mode 1).
static void kill_victim(void *arg, int wfd)
{
  char *a = anon(KILL_PAGES);
  int fd = open(KILL_FILE, O_RDONLY), mode = (int)(uintptr_t)arg;
  int end = uptime() + LOOP_TICKS;
  volatile char sum = 0;

  TL_CHILD_CHECK(a != 0 && fd >= 0);
  bfill(a, KILL_PAGES * PGSIZE, 50);
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
  char *b = anon(256);

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(b != 0, "mmap");
  unlink(KILL_FILE);
  TL_CHECK((fd = open(KILL_FILE, O_CREATE | O_RDWR)) >= 0, "open");
  for (int i = 0; i < KILL_PAGES / 256; i++)
    TL_CHECK(write(fd, b, 256 * PGSIZE) == 256 * PGSIZE, "write");
  close(fd);
  for (int round = 0; round < KILL_ROUNDS; round++) {
    pid = start_child(kill_victim, (void *)(uintptr_t)mode);
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
  char *a = anon(KILL_PAGES);

  close(p[0]);
  TL_CHILD_CHECK(a != 0);
  bfill(a, KILL_PAGES * PGSIZE, 52);
  vmreclaim(1L << 40);
  TL_CHILD_CHECK(write(wfd, "w", 1) == 1);
  write(p[1], a, KILL_PAGES * PGSIZE);
}

static void pipe_reader(void *arg, int wfd)
{
  int *p = arg;
  char *a = anon(KILL_PAGES);

  close(p[1]);
  TL_CHILD_CHECK(a != 0);
  bfill(a, KILL_PAGES * PGSIZE, 53);
  vmreclaim(1L << 40);
  TL_CHILD_CHECK(write(wfd, "r", 1) == 1);
  read(p[0], a, KILL_PAGES * PGSIZE);
}

static int kill_pipe_ends(void)
{
  int p[2], q[2], w, r, st;
  char c;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(pipe(p) == 0 && pipe(q) == 0, "pipe");
  TL_CHECK((w = start_child(pipe_writer, p)) > 0, "no writer");
  TL_CHECK((r = start_child(pipe_reader, q)) > 0, "no reader");
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
  int end = uptime() + LOOP_TICKS;

  (void)arg;
  write(wfd, "p", 1);
  while (uptime() < end)
    vmreclaim(1L << 40);
}

// Writes its pages, says so, then checks them and exits (odd rounds:
// rewrites them until killed).
static void exit_writer(void *arg, int wfd)
{
  int round = (int)(uintptr_t)arg, end = uptime() + LOOP_TICKS;
  char *a = anon(KILL_PAGES);

  TL_CHILD_CHECK(a != 0);
  bfill(a, KILL_PAGES * PGSIZE, 51 + round);
  TL_CHILD_CHECK(write(wfd, "x", 1) == 1);
  while (round % 2 && uptime() < end)
    bfill(a, KILL_PAGES * PGSIZE, round);
  exit(bcheck(a, KILL_PAGES * PGSIZE, 51 + round) < 0 ? 0 : 1);
}

// Processes exiting while another pages everything out again and again:
// their dirty pages are being written to swap when they go.
static int kill_exit_laundering(void)
{
  int pid, pager, st, rc = 0;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK((pager = start_child(pager_loop, 0)) > 0, "no pager");
  for (int round = 0; round < KILL_ROUNDS && rc == 0; round++) {
    if ((pid = start_child(exit_writer, (void *)(uintptr_t)round)) < 0) {
      rc = tl_fail_at(__LINE__, "round %d: no child", round);
      break;
    }
    if (round % 2)
      kill(pid);
    if (wait_for(pid, &st) != pid || st != (round % 2 ? -1 : 0))
      rc = tl_fail_at(__LINE__, "round %d: status %d", round, st);
  }
  TL_CHECK(stop_helper(pager) == 0, "the pager failed");
  return rc;
}

void swsys_group_kill(void)
{
  tl_run_child("faulting", kill_faulting);
  tl_run_child("reading", kill_reading);
  tl_run_child("exit_laundering", kill_exit_laundering);
  tl_run_child("pipe_ends", kill_pipe_ends);
}

// ---------------------------------------------------------------------------
// lockswap: locking pages that are out on swap.

#define LK_PAGES 512

// mlock of a swapped range brings every page back, and they stay: a
// full page-out after they are all rewritten writes none of them.
static int lockswap_mlock(void)
{
  unsigned long n = LK_PAGES * PGSIZE;
  char *a = anon(LK_PAGES);
  struct vmstats v0, v1;
  long bad, in;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  bfill(a, n, 60);
  if (swap_out(a, LK_PAGES) != 0)
    return -1;
  TL_CHECK(mlock(a, n) == 0, "mlock: %s", strerror(errno));
  TL_CHECK((in = resident(a, LK_PAGES)) == LK_PAGES, "%ld of %d locked pages "
           "resident", in, LK_PAGES);
  TL_CHECK((bad = bcheck(a, n, 60)) < 0, "byte %ld", bad);
  bfill(a, n, 61);
  TL_CHECK(vmreclaim(1L << 40) >= 0 && vmstat(&v0) == 0, "vmstat");
  bfill(a, n, 62);
  TL_CHECK(vmreclaim(1L << 40) >= 0 && vmstat(&v1) == 0, "vmstat");
  TL_CHECK(v1.swapout - v0.swapout < LK_PAGES / 4, "%lu pages written to "
           "swap with %d locked pages dirty", v1.swapout - v0.swapout,
           LK_PAGES);
  TL_CHECK((in = resident(a, LK_PAGES)) == LK_PAGES, "%ld of %d locked pages "
           "resident after a page-out", in, LK_PAGES);
  TL_CHECK((bad = bcheck(a, n, 62)) < 0, "byte %ld", bad);
  TL_CHECK(munlock(a, n) == 0, "munlock");
  return swap_out(a, LK_PAGES);
}

// mlockall(MCL_CURRENT | MCL_FUTURE) with the process's memory on swap:
// everything comes back, and new memory is resident at once.
static int lockswap_mlockall(void)
{
  unsigned long n = LK_PAGES * PGSIZE;
  char *a = anon(LK_PAGES), *b, *h;
  long bad, in;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  bfill(a, n, 63);
  if (swap_out(a, LK_PAGES) != 0)
    return -1;
  TL_CHECK(mlockall(MCL_CURRENT | MCL_FUTURE) == 0, "mlockall: %s",
           strerror(errno));
  TL_CHECK((in = resident(a, LK_PAGES)) == LK_PAGES, "%ld of %d pages "
           "resident", in, LK_PAGES);
  TL_CHECK((b = anon(64)) != 0 && (h = sbrk(64 * PGSIZE)) != (char *)-1,
           "mmap or sbrk under MCL_FUTURE");
  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  TL_CHECK(resident(a, LK_PAGES) == LK_PAGES && resident(b, 64) == 64 &&
           resident(h, 64) == 64, "locked pages went out");
  TL_CHECK((bad = bcheck(a, n, 63)) < 0, "byte %ld", bad);
  TL_CHECK(zcheck(b, 64 * PGSIZE) < 0 && zcheck(h, 64 * PGSIZE) < 0,
           "new memory not zero");
  TL_CHECK(munlockall() == 0, "munlockall");
  if (swap_out(a, LK_PAGES) != 0 || swap_out(b, 64) != 0)
    return -1;                        // unlocked, they may go again
  TL_CHECK((bad = bcheck(a, n, 63)) < 0, "byte %ld after munlockall", bad);
  return 0;
}

// mlockall(MCL_CURRENT) of a process bigger than the system's wired limit
// (3/4 of RAM), much of it on swap, with no lock limit: refused at once,
// and nothing stays wired.
static int lockswap_mlockall_too_much(void)
{
  unsigned long np = ram_pages() - ram_pages() / 8;
  struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
  struct vmstats v0, v1;
  char *a = anon(np);
  int rc;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  for (unsigned long i = 0; i < np; i++)
    a[i * PGSIZE] = (char)i;
  TL_CHECK(vmstat(&v0) == 0, "vmstat");
  rc = mlockall(MCL_CURRENT);
  TL_CHECK(rc == -1 && (errno == EAGAIN || errno == ENOMEM), "mlockall of "
           "more than RAM returned %d (%s)", rc, strerror(errno));
  TL_CHECK(vmstat(&v1) == 0 && v1.wired <= v0.wired + 16, "%lu pages "
           "wired before, %lu after", v0.wired, v1.wired);
  for (unsigned long i = 0; i < np; i++)
    TL_CHECK(a[i * PGSIZE] == (char)i, "page %lu lost its data", i);
  return 0;
}

// mlock of more than RAM, or of more than the system's wired limit: a
// clear error, at once, with nothing locked.
static int lockswap_too_much(void)
{
  unsigned long np = 2 * ram_pages();
  struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
  struct vmstats v0, v1;
  char *a = anon(np);
  int rc;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  TL_CHECK(vmstat(&v0) == 0, "vmstat");
  rc = mlock(a, np * PGSIZE);
  TL_CHECK(rc == -1 && (errno == EAGAIN || errno == ENOMEM), "mlock of 2 x "
           "RAM returned %d (%s)", rc, strerror(errno));
  TL_CHECK(vmstat(&v1) == 0 && v1.wired <= v0.wired + 16, "%lu pages "
           "wired before, %lu after", v0.wired, v1.wired);
  return 0;
}

// mlock of a quarter of RAM (or of swap, if that is less), all of it on
// swap while a hog holds the rest of RAM: the hog's pages go to swap to
// make room; nothing is lost.
static int lockswap_quarter_ram(void)
{
  struct vmstats vs;
  unsigned long nl = ram_pages() / 4, nh = ram_pages() - ram_pages() / 4;
  struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
  char *a = anon(nl), *h = anon(nh);
  long bad;

  TL_CHECK(have_swap() && vmstat(&vs) == 0, "no swap device");
  TL_CHECK(a != 0 && h != 0, "mmap");
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  nl = nl < vs.swap_total / 4 ? nl : vs.swap_total / 4;
  nh = nh < vs.swap_total / 2 ? nh : vs.swap_total / 2;
  bfill(a, nl * PGSIZE, 64);
  if (swap_out(a, nl) != 0)
    return -1;
  bfill(h, nh * PGSIZE, 65);
  TL_CHECK(mlock(a, nl * PGSIZE) == 0, "mlock: %s", strerror(errno));
  TL_CHECK(resident(a, nl) == (long)nl, "not all resident");
  TL_CHECK((bad = bcheck(a, nl * PGSIZE, 64)) < 0, "locked byte %ld", bad);
  TL_CHECK((bad = bcheck(h, nh * PGSIZE, 65)) < 0, "hog byte %ld", bad);
  return 0;
}

// A read-only private range whose pages are shared copy-on-write with a
// child and out on swap, locked: every page comes back and stays, a fork
// copies it (wired memory is copied at fork), and unlocking it leaves
// both processes their data.
static void readonly_sibling(void *arg, int wfd)
{
  char **a = arg, c;

  TL_CHILD_CHECK(write(wfd, "s", 1) == 1);
  read(*(int *)a[1], &c, 1);
  TL_CHILD_CHECK(bcheck(a[0], 64 * PGSIZE, 66) < 0);
}

static int lockswap_readonly_cow(void)
{
  unsigned long n = 64 * PGSIZE;
  char *a = anon(64), *arg[2];
  int go[2], sib, pid, st;
  long bad, in;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(a != 0 && pipe(go) == 0, "mmap or pipe");
  bfill(a, n, 66);
  arg[0] = a;
  arg[1] = (char *)&go[0];
  TL_CHECK((sib = start_child(readonly_sibling, arg)) > 0, "no sibling");
  close(go[0]);
  TL_CHECK(mprotect(a, n, PROT_READ) == 0, "mprotect");
  if (swap_out(a, 64) != 0)
    return -1;
  TL_CHECK(mlock(a, n) == 0, "mlock: %s", strerror(errno));
  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  TL_CHECK((in = resident(a, 64)) == 64, "%ld of 64 locked pages resident",
           in);
  TL_CHECK((bad = bcheck(a, n, 66)) < 0, "locked byte %ld", bad);
  if ((pid = fork()) == 0)
    exit(bcheck(a, n, 66) < 0 ? 0 : 1);
  TL_CHECK(pid > 0 && wait(&st) == pid && st == 0, "the fork's copy of the "
           "locked range: %d", st);
  TL_CHECK(munlock(a, n) == 0, "munlock");
  TL_CHECK(swap_out(a, 64) == 0, "page-out after munlock");
  TL_CHECK((bad = bcheck(a, n, 66)) < 0, "byte %ld after munlock", bad);
  TL_CHECK(write(go[1], "g", 1) == 1, "pipe");
  TL_CHECK(wait(&st) == sib && st == 0, "the sibling failed at line %d", st);
  close(go[1]);
  return 0;
}

void swsys_group_lockswap(void)
{
  tl_run_child("mlock", lockswap_mlock);
  tl_run_child("mlockall", lockswap_mlockall);
  tl_run_child("too_much", lockswap_too_much);
  tl_run_child("mlockall_too_much", lockswap_mlockall_too_much);
  tl_run_child("quarter_ram", lockswap_quarter_ram);
  tl_run_child("readonly_cow", lockswap_readonly_cow);
}

// ---------------------------------------------------------------------------
// exhaust: RAM and swap full.

static unsigned long room(void)
{
  struct vmstats vs;

  return vmstat(&vs) == 0 ? vs.free + vs.swap_total - vs.swap_used : 0;
}

// The keeper: writes n pages, says so, then on the word (or when the test
// ends) checks them and exits 0 (or the line of the failed check).
struct keeper {
  unsigned long n;
  int go[2];
};

static void exhaust_keeper(void *arg, int wfd)
{
  struct keeper *k = arg;
  char *a = anon(k->n), c;

  close(k->go[1]);
  TL_CHILD_CHECK(a != 0);
  bfill(a, k->n * PGSIZE, 70);
  TL_CHILD_CHECK(write(wfd, "k", 1) == 1);
  read(k->go[0], &c, 1);
  TL_CHILD_CHECK(bcheck(a, k->n * PGSIZE, 70) < 0);
  exit(0);
}

// The hog: a parent (its tiny child sleeps until the hog's end) that fills
// RAM and swap but 256 pages, says so, and on the word (hold[0]) fills the
// rest and more, until it is killed. At the end of the test (the read
// returns 0) it just exits.
static void exhaust_hog(void *arg, int wfd)
{
  unsigned long n = 2 * (ram_pages() + 65536), i = 0;
  int *hold = arg, p[2];
  char *a = anon(n), c;

  close(hold[1]);
  TL_CHILD_CHECK(a != 0 && pipe(p) == 0);
  if (fork() == 0) {
    close(p[1]);
    read(p[0], &c, 1);                // 0 bytes when the hog dies
    exit(0);
  }
  close(p[0]);
  for (; i < n && room() > 256; i += 32)
    for (unsigned long k = i; k < i + 32; k++)
      a[k * PGSIZE] = (char)k;
  TL_CHILD_CHECK(write(wfd, "h", 1) == 1);
  if (read(hold[0], &c, 1) != 1)
    exit(0);
  for (; i < n; i++)
    a[i * PGSIZE] = (char)i;
  exit(1);                            // more than there is, yet alive
}

#define EX_ROUNDS 12

// One round with RAM and swap all but full: a read() of a file page into
// rbuf (written before the hog filled memory, so on swap now), a pipe, a
// fork (which copies shared at once), a write into the pipe. Each
// succeeds or fails with ENOMEM or EAGAIN -- a page the kernel cannot
// find for a copy is no bad address -- and the child's copy is whole.
static char rbuf[EX_ROUNDS][PGSIZE];

static int exhaust_round(int round, int fd, const char *shared, int *ok)
{
  int p[2], pid, st, r;
  char buf[64];

  r = (int)lseek(fd, 0, SEEK_SET);
  if (r == 0 && (r = read(fd, rbuf[round], PGSIZE)) == PGSIZE)
    for (int i = 0; i < PGSIZE; i++)
      TL_CHECK(rbuf[round][i] == 'f', "round %d: byte %d read", round, i);
  TL_CHECK(r == PGSIZE || errno == ENOMEM, "round %d: read into a page on "
           "swap: %d (%s)", round, r, strerror(errno));
  if (pipe(p) != 0) {
    TL_CHECK(errno == ENOMEM || errno == EAGAIN, "round %d: pipe: %s", round,
             strerror(errno));
    return 0;
  }
  if ((pid = fork()) == 0) {
    memset(buf, 'x', sizeof(buf));
    exit(write(p[1], buf, sizeof(buf)) == sizeof(buf) &&
         bcheck(shared, 64 * PGSIZE, 71) < 0 ? 0 : 1);
  }
  close(p[0]), close(p[1]);
  TL_CHECK(pid > 0 || errno == ENOMEM || errno == EAGAIN, "round %d: fork: "
           "%s", round, strerror(errno));
  if (pid > 0) {
    TL_CHECK(wait(&st) == pid, "round %d: wait", round);
    TL_CHECK(st == 0 || st == -1, "round %d: status %d", round, st);
    *ok += st == 0;
  }
  return 0;
}

// Two hogs: the keeper (a quarter of RAM and swap) written first, then
// the hog, a parent, holding the rest but 256 pages. Meanwhile pipe and
// fork, whose kernel allocations find no free page, succeed or fail with
// an errno; never a hang or a panic. Then the hog runs memory out: the
// out-of-memory rule kills the largest process, children or not
// (SEMANTICS.md), so the hog dies and the keeper keeps every byte.
static int exhaust_two_hogs(void)
{
  char *shared = mmap(0, 64 * PGSIZE, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANON, -1, 0);
  struct keeper kp;
  int hold[2], k, h, st, st_h = 0, st_k = 1, ok = 0, rc = 0, fd;

  TL_CHECK(have_swap(), "no swap device");
  TL_CHECK(shared != MAP_FAILED, "mmap");
  bfill(shared, 64 * PGSIZE, 71);
  memset(rbuf, 'f', PGSIZE);
  unlink(SB_FILE);
  TL_CHECK((fd = open(SB_FILE, O_CREATE | O_RDWR)) >= 0, "open");
  TL_CHECK(write(fd, rbuf, PGSIZE) == PGSIZE, "write");
  memset(rbuf, 'x', sizeof(rbuf));
  kp.n = room() / 4;
  TL_CHECK(pipe(kp.go) == 0 && pipe(hold) == 0, "pipe");
  TL_CHECK((k = start_child(exhaust_keeper, &kp)) > 0, "no keeper");
  close(kp.go[0]);
  // Shared with the keeper, copied at every fork of the rounds: the
  // copy needs pages, and reads the ones on swap, with memory full.
  TL_CHECK(minherit(shared, 64 * PGSIZE, INHERIT_COPY) == 0, "minherit");
  if ((h = start_child(exhaust_hog, hold)) < 0)
    kill(k);
  TL_CHECK(h > 0, "the hog did not fill memory");
  close(hold[0]);
  for (int round = 0; round < EX_ROUNDS && rc == 0; round++)
    rc = exhaust_round(round, fd, shared, &ok);
  write(hold[1], "m", 1);             // (fails if the rule took it already)
  if (wait(&st) == k) {               // the wrong one: stop the hog too
    st_k = st;
    kill(h);
    wait(&st_h);
  } else {
    st_h = st;
    write(kp.go[1], "c", 1);
    wait(&st_k);
  }
  close(kp.go[1]), close(hold[1]), close(fd);
  unlink(SB_FILE);
  printf("exhaust: %d of %d rounds ran a child\n", ok, EX_ROUNDS);
  TL_CHECK(rc == 0, "a round failed");
  TL_CHECK(st_h == -1, "the hog's status %d", st_h);
  TL_CHECK(st_k == 0, "the keeper's status %d (-1: killed instead of the "
           "hog)", st_k);
  TL_CHECK(bcheck(shared, 64 * PGSIZE, 71) < 0, "the shared region changed");
  return 0;
}

void swsys_group_exhaust(void)
{
  tl_run_child("two_hogs", exhaust_two_hogs);
}
