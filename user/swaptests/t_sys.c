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

__attribute__((unused)) static unsigned long ram_pages(void)
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

static char vec[4096];

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
// resident. 0 or why not.
static int swap_out(const void *a, unsigned long n)
{
  long in;

  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  TL_CHECK((in = resident(a, n)) == 0, "%ld of %lu pages still resident "
           "after a full page-out", in, n);
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

  TL_CHILD_CHECK(swap_out(a, SB_PAGES) == 0);
  TL_CHILD_CHECK(write(wfd, a, (int)n) == (int)n);
  bfill(a, n, 9);
  TL_CHILD_CHECK(swap_out(a, SB_PAGES) == 0);
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
  if ((pid = fork()) == 0)
    sysbuf_pipe_child(a, n, to[0], from[1]);
  TL_CHECK(pid > 0, "fork");
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
  close(to[0]), close(to[1]), close(from[0]), close(from[1]);
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

void swsys_group_sysbuf(void)
{
  tl_run_child("write_file", sysbuf_write_file);
  tl_run_child("read_file", sysbuf_read_file);
  tl_run_child("pipe", sysbuf_pipe);
  tl_run_child("read_cow", sysbuf_read_cow);
  tl_run_child("exec_args", sysbuf_exec);
  tl_run_child("small_results", sysbuf_small_results);
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
  tl_run_child("munmap_hole", shrink_munmap_hole);
  tl_run_child("madvise", shrink_madvise);
  tl_run_child("mprotect", shrink_mprotect);
}
