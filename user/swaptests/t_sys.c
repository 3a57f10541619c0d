// SPDX-License-Identifier: MIT
// swaptests groups sysbuf (the user buffers of write, read, pipes, exec,
// fstat, wait, mincore and getrlimit on swap, every byte checked) and
// shrink (sbrk, munmap + MAP_FIXED, madvise and mprotect over swapped
// pages). See sys.h.
#include "user/swaptests/sys.h"

// sysbuf: user buffers on swap.

#define SB_PAGES 24
#define SB_FILE "swsys.f"

// write() from a swapped buffer to a file, read back into resident memory.
static int sysbuf_write_file(void)
{
  unsigned long n = SB_PAGES * PGSIZE;
  char *a = ss_anon(SB_PAGES), *b = ss_anon(SB_PAGES);
  long bad;
  int fd;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a && b, "mmap");
  ss_fill(a, n, 1);
  memset(b, 0, n);
  unlink(SB_FILE);
  TL_CHECK((fd = open(SB_FILE, O_CREATE | O_RDWR)) >= 0, "open");
  TL_CHECK(ss_swap_out(a, SB_PAGES) == 0, "still resident after a page-out");
  TL_CHECK(write(fd, a + 100, (int)n - 200) == (int)n - 200, "write: %s",
           strerror(errno));
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  TL_CHECK(read(fd, b, (int)n - 200) == (int)n - 200, "read");
  close(fd);
  unlink(SB_FILE);
  for (unsigned long i = 0; i < n - 200; i++)
    TL_CHECK(b[i] == ss_pb(i + 100, 1), "byte %lu of the file is wrong", i);
  TL_CHECK((bad = ss_check(a, n, 1)) < 0, "byte %ld of the source changed",
           bad);
  return 0;
}

// read() from a file into a swapped buffer, at an odd offset across pages:
// the bytes read land, the bytes around them keep their data.
static int sysbuf_read_file(void)
{
  unsigned long n = SB_PAGES * PGSIZE, len = n - 3000;
  char *a = ss_anon(SB_PAGES), *src = ss_anon(SB_PAGES);
  int fd;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a && src, "mmap");
  ss_fill(src, n, 2);
  unlink(SB_FILE);
  TL_CHECK((fd = open(SB_FILE, O_CREATE | O_RDWR)) >= 0, "open");
  TL_CHECK(write(fd, src, (int)n) == (int)n, "write");
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  ss_fill(a, n, 3);
  TL_CHECK(ss_swap_out(a, SB_PAGES) == 0, "still resident after a page-out");
  TL_CHECK(read(fd, a + 1000, (int)len) == (int)len, "read: %s",
           strerror(errno));
  close(fd);
  unlink(SB_FILE);
  for (unsigned long i = 0; i < n; i++) {
    char want = i >= 1000 && i < 1000 + len ? ss_pb(i - 1000, 2) : ss_pb(i, 3);
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
  ss_fill(a, n, 9);
  vmreclaim(1L << 40);
  for (unsigned long got = 0; got < n; got += (unsigned long)r)
    TL_CHILD_CHECK((r = read(rfd, a + got, (int)(n - got))) > 0);
  TL_CHILD_CHECK(ss_check(a, n, 5) < 0);
  exit(0);
}

static int sysbuf_pipe(void)
{
  unsigned long n = SB_PAGES * PGSIZE;
  char *a = ss_anon(SB_PAGES);
  int to[2], from[2], pid, st, r;
  long bad;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0 && pipe(to) == 0 && pipe(from) == 0, "mmap or pipe");
  ss_fill(a, n, 4);
  if ((pid = fork()) == 0) {
    close(to[1]), close(from[0]);
    sysbuf_pipe_child(a, n, to[0], from[1]);
  }
  TL_CHECK(pid > 0, "fork");
  close(to[0]), close(from[1]);       // a child that dies ends the reads
  ss_fill(a, n, 8);
  TL_CHECK(ss_swap_out(a, SB_PAGES) == 0, "still resident after a page-out");
  for (unsigned long got = 0; got < n; got += (unsigned long)r)
    TL_CHECK((r = read(from[0], a + got, (int)(n - got))) > 0, "read");
  TL_CHECK((bad = ss_check(a, n, 4)) < 0, "byte %ld read from the pipe", bad);
  ss_fill(a, n, 5);
  TL_CHECK(ss_swap_out(a, SB_PAGES) == 0, "still resident after a page-out");
  TL_CHECK(write(to[1], a, (int)n) == (int)n, "write");
  TL_CHECK(wait(&st) == pid && st == 0, "the child failed at line %d", st);
  TL_CHECK((bad = ss_check(a, n, 5)) < 0, "byte %ld of the source", bad);
  close(to[1]), close(from[0]);
  return 0;
}

// read() into a swapped page shared copy-on-write with a child: the
// parent's copy gets the data, the child's keeps the old bytes.
static int sysbuf_read_cow(void)
{
  unsigned long n = SB_PAGES * PGSIZE;
  char *a = ss_anon(SB_PAGES);
  int p[2], fd, pid, st;
  char c;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0 && pipe(p) == 0, "mmap or pipe");
  ss_fill(a, n, 6);
  unlink(SB_FILE);
  TL_CHECK((fd = open(SB_FILE, O_CREATE | O_RDWR)) >= 0, "open");
  for (int i = 0; i < SB_PAGES; i++)
    TL_CHECK(write(fd, "0123456789abcdef", 16) == 16, "write");
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  if ((pid = fork()) == 0) {
    TL_CHILD_CHECK(read(p[0], &c, 1) == 1);
    TL_CHILD_CHECK(ss_check(a, n, 6) < 0);
    exit(0);
  }
  TL_CHECK(pid > 0, "fork");
  TL_CHECK(ss_swap_out(a, SB_PAGES) == 0, "still resident after a page-out");
  for (int i = 0; i < SB_PAGES; i++)
    TL_CHECK(read(fd, a + i * PGSIZE + 2000, 16) == 16, "read");
  close(fd);
  unlink(SB_FILE);
  TL_CHECK(ss_swap_out(a, SB_PAGES) == 0, "page-out");
  TL_CHECK(write(p[1], "g", 1) == 1, "pipe");
  TL_CHECK(wait(&st) == pid && st == 0, "the child saw the parent's read "
           "(line %d)", st);
  for (unsigned long i = 0; i < n; i++) {
    unsigned long o = i % PGSIZE;
    char want = o >= 2000 && o < 2016 ? "0123456789abcdef"[o - 2000]
                                      : ss_pb(i, 6);
    TL_CHECK(a[i] == want, "byte %lu reads %d, want %d", i, a[i], want);
  }
  close(p[0]), close(p[1]);
  return 0;
}

// exec with its path and argv strings, and the argv array itself, on
// swapped pages; echo's output through a pipe says what it got.
static int sysbuf_exec(void)
{
  char *a = ss_anon(4), **argv, got[256], want[256];
  int p[2], pid, st, n = 0, r;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0 && pipe(p) == 0, "mmap or pipe");
  strcpy(a + PGSIZE - 3, "echo");             // across a page boundary
  argv = (char **)(a + 2 * PGSIZE);
  argv[0] = a + PGSIZE - 3;
  argv[1] = a + 3 * PGSIZE + 17;
  strcpy(argv[1], "swapped-argument-one");
  argv[2] = a + 3 * PGSIZE + 2000;
  strcpy(argv[2], "and-two");
  argv[3] = 0;
  TL_CHECK(ss_swap_out(a, 4) == 0, "still resident after a page-out");
  if ((pid = fork()) == 0) {
    close(1);
    dup(p[1]);
    close(p[0]), close(p[1]);
    TL_CHILD_CHECK(ss_swap_out(a, 4) == 0);
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

// A range of bytes the kernel wrote.
struct span {
  char *p;
  unsigned long n;
};

// The first byte of a[0, n) outside the spans that is not salt s's, or -1.
static long check_beside(const char *a, unsigned long n, int s,
                         const struct span *sp, int nsp)
{
  for (unsigned long i = 0; i < n; i++) {
    int inside = 0;
    for (int k = 0; k < nsp; k++)
      inside |= a + i >= sp[k].p && a + i < sp[k].p + sp[k].n;
    if (!inside && a[i] != ss_pb(i, s))
      return (long)i;
  }
  return -1;
}

// small_results, continued: mincore with its vector (w, on page 6)
// inside the range it asks about, pipe() with its descriptors on swap.
static int small_results_more(char *a, char *w, int *fds)
{
  TL_CHECK(mincore(a + 4 * PGSIZE, 4 * PGSIZE, w) == 0, "mincore");
  TL_CHECK((w[0] & 1) == 0 && (w[1] & 1) == 1 && (w[3] & 1) == 1,
           "mincore: %d %d %d %d", w[0], w[1], w[2], w[3]);
  TL_CHECK(pipe(fds) == 0 && fds[0] >= 0 && fds[1] >= 0 && fds[0] != fds[1],
           "pipe into a swapped page");
  TL_CHECK(write(fds[1], "p", 1) == 1 && read(fds[0], &w[10], 1) == 1 &&
           w[10] == 'p', "the pipe");
  close(fds[0]), close(fds[1]);
  return 0;
}

// Small results written by the kernel into swapped pages: each lands at
// its place and every other byte of the page keeps its data.
static int sysbuf_small_results(void)
{
  char *a = ss_anon(8);
  struct stat *sp = (struct stat *)(a + 1 * PGSIZE + 512);
  int *stp = (int *)(a + 3 * PGSIZE + 4000);
  struct rlimit *rl = (struct rlimit *)(a + 5 * PGSIZE + 64), rl0;
  char *v = a + 7 * PGSIZE + 100, *w = a + 6 * PGSIZE + 200;
  int *fds = (int *)(a + 2 * PGSIZE + 1000), pid, fd;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  // No read-around: a fault brings in its page alone.
  TL_CHECK(madvise(a, 8 * PGSIZE, MADV_RANDOM) == 0, "madvise");
  ss_fill(a, 8 * PGSIZE, 7);
  TL_CHECK((pid = fork()) >= 0, "fork");
  if (pid == 0)
    exit(42);
  TL_CHECK((fd = open("echo", O_RDONLY)) >= 0, "open");
  TL_CHECK(getrlimit(RLIMIT_MEMLOCK, &rl0) == 0, "getrlimit");
  TL_CHECK(ss_swap_out(a, 8) == 0, "still resident after a page-out");
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
  if (small_results_more(a, w, fds) != 0)
    return -1;
  struct span results[] = {
    { (char *)sp, sizeof(*sp) }, { (char *)stp, sizeof(*stp) },
    { (char *)rl, sizeof(*rl) }, { v, 3 }, { w, 4 }, { w + 10, 1 },
    { (char *)fds, 2 * sizeof(*fds) },
  };
  long bad = check_beside(a, 8 * PGSIZE, 7, results,
                          sizeof(results) / sizeof(results[0]));
  TL_CHECK(bad < 0, "byte %ld beside a result changed", bad);
  return 0;
}

// exec while another process pages everything out again and again: the
// new image's stack is written page by page through the kernel's own
// mapping, and every argument must arrive.
#define ER_ROUNDS 24
#define ER_ARGS 30

static void reclaim_loop(void *arg, int wfd)
{
  int end = uptime() + SS_LOOP_TICKS;

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
  TL_CHECK(k >= 0, "round %d: read() from echo's pipe after %d bytes: %s", r,
           n, strerror(errno));
  close(p[0]);
  TL_CHECK(pid > 0 && ss_wait_for(pid, &st) == pid && st == 0, "round %d: "
           "status %d", r,
           st);
  TL_CHECK(n == ER_ARGS * 101, "round %d: echo printed %d bytes", r, n);
  for (int i = 0; i < ER_ARGS; i++)
    TL_CHECK(memcmp(got + i * 101, args[i], 100) == 0, "round %d: argument "
             "%d came out as %.100s", r, i, got + i * 101);
  return 0;
}

// A pipe stream of PR_BYTES, written from a buffer on swap and read into
// one, while another process pages everything out again and again: every
// byte arrives, in order, and no read() fails.
#define PR_BYTES (512 * 1024)
#define PR_BUF (16 * PGSIZE)

static void pipe_feeder(void *arg, int wfd)
{
  static char b[PR_BUF];
  int *p = arg;

  close(p[0]);
  TL_CHILD_CHECK(write(wfd, "f", 1) == 1);
  for (unsigned long off = 0; off < PR_BYTES; off += PR_BUF) {
    for (unsigned long i = 0; i < PR_BUF; i++)
      b[i] = ss_pb(off + i, 54);
    TL_CHILD_CHECK(write(p[1], b, PR_BUF) == PR_BUF);
  }
}

static int sysbuf_pipe_reclaim(void)
{
  static char b[PR_BUF];
  unsigned long got = 0;
  int p[2], pager, feeder, st, k = 0;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(pipe(p) == 0, "pipe");
  TL_CHECK((pager = ss_start_child(reclaim_loop, 0)) > 0, "no pager");
  TL_CHECK((feeder = ss_start_child(pipe_feeder, p)) > 0, "no feeder");
  close(p[1]);
  while (got < PR_BYTES && (k = read(p[0], b + got % 4000,
                                     PR_BUF - got % 4000)) > 0) {
    for (int i = 0; i < k; i++)
      TL_CHECK(b[got % 4000 + i] == ss_pb(got + i, 54), "byte %lu of the "
               "stream", got + i);
    got += k;
  }
  close(p[0]);
  if (ss_wait_for(feeder, &st) != feeder)
    st = -2;
  TL_CHECK(ss_stop_helper(pager) == 0, "the pager failed");
  TL_CHECK(st == 0 || got < PR_BYTES, "the feeder failed at line %d", st);
  TL_CHECK(got == PR_BYTES, "%lu of %d bytes, then read() %d: %s", got,
           PR_BYTES, k, strerror(errno));
  return 0;
}

static int sysbuf_exec_reclaim(void)
{
  int pager, rc = 0;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK((pager = ss_start_child(reclaim_loop, 0)) > 0, "no pager");
  for (int r = 0; r < ER_ROUNDS && rc == 0; r++)
    rc = exec_round(r);
  TL_CHECK(ss_stop_helper(pager) == 0, "the pager failed");
  return rc;
}

// read() into swapped pages the process may not write: EFAULT (or a
// short count ending at the fault), and the read-only pages keep their
// data, on swap and after.
static int sysbuf_readonly_target(void)
{
  static char src[2 * PGSIZE];
  char *a = ss_anon(8);
  int fd, r;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  ss_fill(a, 8 * PGSIZE, 17);
  memset(src, 'r', sizeof(src));
  unlink(SB_FILE);
  TL_CHECK((fd = open(SB_FILE, O_CREATE | O_RDWR)) >= 0, "open");
  TL_CHECK(write(fd, src, sizeof(src)) == sizeof(src), "write");
  TL_CHECK(mprotect(a + 4 * PGSIZE, 4 * PGSIZE, PROT_READ) == 0, "mprotect");
  TL_CHECK(ss_swap_out(a, 8) == 0, "still resident after a page-out");
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  r = read(fd, a + 5 * PGSIZE, PGSIZE);
  TL_CHECK(r == -1 && errno == EFAULT, "read into a read-only page: %d", r);
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  r = read(fd, a + 3 * PGSIZE + 100, 2 * PGSIZE);
  TL_CHECK(r == -1 ? errno == EFAULT : r == PGSIZE - 100, "read across into "
           "a read-only page: %d", r);
  close(fd);
  unlink(SB_FILE);
  TL_CHECK(ss_swap_out(a, 8) == 0, "still resident after a page-out");
  for (unsigned long i = 4 * PGSIZE; i < 8 * PGSIZE; i++)
    TL_CHECK(a[i] == ss_pb(i, 17), "read-only byte %lu changed", i);
  for (unsigned long i = 0; i < 3 * PGSIZE + 100; i++)
    TL_CHECK(a[i] == ss_pb(i, 17), "byte %lu before the target changed", i);
  return 0;
}

void ss_group_sysbuf(void)
{
  tl_run_child("write_file", sysbuf_write_file);
  tl_run_child("read_file", sysbuf_read_file);
  tl_run_child("pipe", sysbuf_pipe);
  tl_run_child("read_cow", sysbuf_read_cow);
  tl_run_child("exec_args", sysbuf_exec);
  tl_run_child("small_results", sysbuf_small_results);
  tl_run_child("exec_reclaim", sysbuf_exec_reclaim);
  tl_run_child("pipe_reclaim", sysbuf_pipe_reclaim);
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

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK((h = sbrk((int)n)) != (char *)-1, "sbrk");
  ss_fill(h, n, 11);
  TL_CHECK(ss_swap_out(h, np) == 0, "still resident after a page-out");
  s0 = ss_swap_used();
  TL_CHECK(sbrk(-(int)(n - 5000)) != (char *)-1, "sbrk down");
  TL_CHECK(ss_swap_used() + np - 2 <= s0, "swap used %lu before sbrk down, %lu "
           "after", s0, ss_swap_used());
  TL_CHECK(sbrk((int)(n - 5000)) == h + 5000, "sbrk up");
  TL_CHECK((bad = ss_check(h, 5000, 11)) < 0, "kept byte %ld", bad);
  TL_CHECK((bad = ss_zcheck(h + 8192, n - 8192)) < 0, "byte %ld of the regrown "
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
  TL_CHILD_CHECK(ss_check(a[0], 40 * PGSIZE, 18) < 0);
}

static int shrink_sbrk_after_fork(void)
{
  unsigned long n = 40 * PGSIZE;
  char *h, *arg[2];
  int go[2], c, st;
  long bad;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK((h = sbrk((int)n)) != (char *)-1 && pipe(go) == 0, "sbrk or pipe");
  ss_fill(h, n, 18);
  arg[0] = h;
  arg[1] = (char *)&go[0];
  TL_CHECK((c = ss_start_child(heap_child, arg)) > 0, "no child");
  close(go[0]);
  for (unsigned long i = 0; i < 24 * PGSIZE; i++)
    h[i] = ss_pb(i, 19);
  TL_CHECK(ss_swap_out(h, 40) == 0, "still resident after a page-out");
  TL_CHECK(sbrk(-(int)(32 * PGSIZE)) != (char *)-1, "sbrk down");
  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  TL_CHECK(sbrk((int)(32 * PGSIZE)) == h + 8 * PGSIZE, "sbrk up");
  TL_CHECK(write(go[1], "g", 1) == 1, "pipe");
  TL_CHECK(wait(&st) == c && st == 0, "the child failed at line %d", st);
  close(go[1]);
  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  TL_CHECK((bad = ss_check(h, 8 * PGSIZE, 19)) < 0, "kept byte %ld", bad);
  TL_CHECK((bad = ss_zcheck(h + 8 * PGSIZE, n - 8 * PGSIZE)) < 0, "byte %ld of "
           "the regrown heap is not zero", bad + 8 * PGSIZE);
  return 0;
}

// munmap the middle 3 pages of a swapped 16-page cluster, MAP_FIXED
// fresh memory there: zeros in the hole, the neighbours keep their data.
static int shrink_munmap_hole(void)
{
  unsigned long np = 48, n = np * PGSIZE;
  char *a = ss_anon(np), *hole, *b;
  long bad;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  ss_fill(a, n, 12);
  TL_CHECK(ss_swap_out(a, np) == 0, "still resident after a page-out");
  hole = a + 22 * PGSIZE;
  TL_CHECK(munmap(hole, 3 * PGSIZE) == 0, "munmap");
  b = mmap(hole, 3 * PGSIZE, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0);
  TL_CHECK(b == hole, "mmap MAP_FIXED");
  TL_CHECK((bad = ss_zcheck(hole, 3 * PGSIZE)) < 0, "byte %ld of the hole",
           bad);
  TL_CHECK(ss_swap_out(a, np) == 0, "page-out");
  TL_CHECK((bad = ss_zcheck(hole, 3 * PGSIZE)) < 0, "byte %ld of the hole "
           "after a page-out", bad);
  TL_CHECK((bad = ss_check(a, 22 * PGSIZE, 12)) < 0, "byte %ld before", bad);
  for (unsigned long i = 25 * PGSIZE; i < n; i++)
    TL_CHECK(a[i] == ss_pb(i, 12), "byte %lu after the hole", i);
  return 0;
}

// MADV_DONTNEED keeps swapped contents; MADV_FREE gives old data or
// zeros, and data written after it is what comes back, never older.
static int shrink_madvise(void)
{
  unsigned long np = 32, n = np * PGSIZE;
  char *a = ss_anon(np);
  long bad;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  ss_fill(a, n, 13);
  TL_CHECK(ss_swap_out(a, np) == 0, "still resident after a page-out");
  TL_CHECK(madvise(a, n, MADV_DONTNEED) == 0, "MADV_DONTNEED");
  TL_CHECK((bad = ss_check(a, n, 13)) < 0, "byte %ld after DONTNEED", bad);
  TL_CHECK(ss_swap_out(a, np) == 0, "still resident after a page-out");
  TL_CHECK(madvise(a, n, MADV_FREE) == 0, "MADV_FREE");
  for (unsigned long p = 0; p < np; p++) {
    char *pg = a + p * PGSIZE;
    int z = ss_zcheck(pg, PGSIZE) < 0;
    for (unsigned long i = 0; !z && i < PGSIZE; i++)
      TL_CHECK(pg[i] == ss_pb(p * PGSIZE + i, 13), "page %lu after MADV_FREE: "
               "neither old data nor zeros", p);
  }
  for (unsigned long p = 0; p < np; p += 2)     // new data in every other
    for (unsigned long i = 0; i < PGSIZE; i++)
      a[p * PGSIZE + i] = ss_pb(p * PGSIZE + i, 14);
  TL_CHECK(ss_swap_out(a, np) == 0, "still resident after a page-out");
  for (unsigned long p = 0; p < np; p++) {
    char *pg = a + p * PGSIZE;
    int z = p % 2 == 1 && ss_zcheck(pg, PGSIZE) < 0;
    for (unsigned long i = 0; !z && i < PGSIZE; i++)
      TL_CHECK(pg[i] == ss_pb(p * PGSIZE + i, p % 2 ? 13 : 14), "page %lu "
               "byte %lu after MADV_FREE and a rewrite", p, i);
  }
  return 0;
}

// mprotect of swapped pages: read-only reads them, PROT_NONE keeps them,
// and back to read-write they are intact and writable.
static int shrink_mprotect(void)
{
  unsigned long np = 32, n = np * PGSIZE;
  char *a = ss_anon(np);
  long bad;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  ss_fill(a, n, 15);
  TL_CHECK(ss_swap_out(a, np) == 0, "still resident after a page-out");
  TL_CHECK(mprotect(a, n, PROT_READ) == 0, "PROT_READ");
  TL_CHECK((bad = ss_check(a, n, 15)) < 0, "byte %ld read-only", bad);
  TL_CHECK(ss_swap_out(a, np) == 0, "still resident after a page-out");
  TL_CHECK(mprotect(a + 8 * PGSIZE, 16 * PGSIZE, PROT_NONE) == 0, "PROT_NONE");
  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  TL_CHECK(mprotect(a, n, PROT_READ | PROT_WRITE) == 0, "PROT_READ|WRITE");
  TL_CHECK((bad = ss_check(a, n, 15)) < 0, "byte %ld after PROT_NONE", bad);
  ss_fill(a, n, 16);
  TL_CHECK(ss_swap_out(a, np) == 0, "still resident after a page-out");
  TL_CHECK((bad = ss_check(a, n, 16)) < 0, "byte %ld rewritten", bad);
  return 0;
}

void ss_group_shrink(void)
{
  tl_run_child("sbrk_regrow", shrink_sbrk);
  tl_run_child("sbrk_after_fork", shrink_sbrk_after_fork);
  tl_run_child("munmap_hole", shrink_munmap_hole);
  tl_run_child("madvise", shrink_madvise);
  tl_run_child("mprotect", shrink_mprotect);
}

