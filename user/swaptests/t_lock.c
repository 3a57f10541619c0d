// SPDX-License-Identifier: MIT
// swaptests groups lockswap (mlock and mlockall of swapped ranges) and
// exhaust (RAM and swap full). See sys.h.
#include "user/swaptests/sys.h"

// lockswap: locking pages that are out on swap.

#define LK_PAGES 512

// mlock of a swapped range brings every page back, and they stay: a
// full page-out after they are all rewritten writes none of them.
static int lockswap_mlock(void)
{
  unsigned long n = LK_PAGES * PGSIZE;
  char *a = ss_anon(LK_PAGES);
  struct vmstats v0, v1;
  long bad, in;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  ss_fill(a, n, 60);
  TL_CHECK(ss_swap_out(a, LK_PAGES) == 0, "still resident after a page-out");
  TL_CHECK(mlock(a, n) == 0, "mlock: %s", strerror(errno));
  TL_CHECK((in = ss_resident(a, LK_PAGES)) == LK_PAGES, "%ld of %d locked "
           "pages resident", in, LK_PAGES);
  TL_CHECK((bad = ss_check(a, n, 60)) < 0, "byte %ld", bad);
  ss_fill(a, n, 61);
  TL_CHECK(vmreclaim(1L << 40) >= 0 && vmstat(&v0) == 0, "vmstat");
  ss_fill(a, n, 62);
  TL_CHECK(vmreclaim(1L << 40) >= 0 && vmstat(&v1) == 0, "vmstat");
  TL_CHECK(v1.swapout - v0.swapout < LK_PAGES / 4, "%lu pages written to "
           "swap with %d locked pages dirty", v1.swapout - v0.swapout,
           LK_PAGES);
  TL_CHECK((in = ss_resident(a, LK_PAGES)) == LK_PAGES, "%ld of %d locked "
           "pages resident after a page-out", in, LK_PAGES);
  TL_CHECK((bad = ss_check(a, n, 62)) < 0, "byte %ld", bad);
  TL_CHECK(munlock(a, n) == 0, "munlock");
  TL_CHECK(ss_swap_out(a, LK_PAGES) == 0, "still resident after munlock and "
           "a page-out");
  return 0;
}

// mlockall(MCL_CURRENT | MCL_FUTURE) with the process's memory on swap:
// everything comes back, and new memory is resident at once.
static int lockswap_mlockall(void)
{
  unsigned long n = LK_PAGES * PGSIZE;
  char *a = ss_anon(LK_PAGES), *b, *h;
  long bad, in;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0, "mmap");
  ss_fill(a, n, 63);
  TL_CHECK(ss_swap_out(a, LK_PAGES) == 0, "still resident after a page-out");
  TL_CHECK(mlockall(MCL_CURRENT | MCL_FUTURE) == 0, "mlockall: %s",
           strerror(errno));
  TL_CHECK((in = ss_resident(a, LK_PAGES)) == LK_PAGES, "%ld of %d pages "
           "resident", in, LK_PAGES);
  TL_CHECK((b = ss_anon(64)) != 0 && (h = sbrk(64 * PGSIZE)) != (char *)-1,
           "mmap or sbrk under MCL_FUTURE");
  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  TL_CHECK(ss_resident(a, LK_PAGES) == LK_PAGES && ss_resident(b, 64) == 64 &&
           ss_resident(h, 64) == 64, "locked pages went out");
  TL_CHECK((bad = ss_check(a, n, 63)) < 0, "byte %ld", bad);
  TL_CHECK(ss_zcheck(b, 64 * PGSIZE) < 0 && ss_zcheck(h, 64 * PGSIZE) < 0,
           "new memory not zero");
  TL_CHECK(munlockall() == 0, "munlockall");
  // Unlocked, they may go again.
  TL_CHECK(ss_swap_out(a, LK_PAGES) == 0 && ss_swap_out(b, 64) == 0,
           "still resident after munlockall and a page-out");
  TL_CHECK((bad = ss_check(a, n, 63)) < 0, "byte %ld after munlockall", bad);
  return 0;
}

// mlockall(MCL_CURRENT) of a process bigger than the system's wired limit
// (3/4 of RAM), much of it on swap, with no lock limit: refused at once,
// and nothing stays wired.
static int lockswap_mlockall_too_much(void)
{
  unsigned long np = tl_ram_pages() - tl_ram_pages() / 8;
  struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
  struct vmstats v0, v1;
  char *a = ss_anon(np);
  int rc;

  TL_CHECK(ss_have_swap(), "no swap device");
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
  unsigned long np = 2 * tl_ram_pages();
  struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
  struct vmstats v0, v1;
  char *a = ss_anon(np);
  int rc;

  TL_CHECK(ss_have_swap(), "no swap device");
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
  unsigned long nl = tl_ram_pages() / 4, nh = tl_ram_pages() - nl;
  struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
  char *a = ss_anon(nl), *h = ss_anon(nh);
  long bad;

  TL_CHECK(ss_have_swap() && vmstat(&vs) == 0, "no swap device");
  TL_CHECK(a != 0 && h != 0, "mmap");
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  nl = nl < vs.swap_total / 4 ? nl : vs.swap_total / 4;
  nh = nh < vs.swap_total / 2 ? nh : vs.swap_total / 2;
  ss_fill(a, nl * PGSIZE, 64);
  TL_CHECK(ss_swap_out(a, nl) == 0, "still resident after a page-out");
  ss_fill(h, nh * PGSIZE, 65);
  TL_CHECK(mlock(a, nl * PGSIZE) == 0, "mlock: %s", strerror(errno));
  TL_CHECK(ss_resident(a, nl) == (long)nl, "not all resident");
  TL_CHECK((bad = ss_check(a, nl * PGSIZE, 64)) < 0, "locked byte %ld", bad);
  TL_CHECK((bad = ss_check(h, nh * PGSIZE, 65)) < 0, "hog byte %ld", bad);
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
  TL_CHILD_CHECK(ss_check(a[0], 64 * PGSIZE, 66) < 0);
}

static int lockswap_readonly_cow(void)
{
  unsigned long n = 64 * PGSIZE;
  char *a = ss_anon(64), *arg[2];
  int go[2], sib, pid, st;
  long bad, in;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(a != 0 && pipe(go) == 0, "mmap or pipe");
  ss_fill(a, n, 66);
  arg[0] = a;
  arg[1] = (char *)&go[0];
  TL_CHECK((sib = ss_start_child(readonly_sibling, arg)) > 0, "no sibling");
  close(go[0]);
  TL_CHECK(mprotect(a, n, PROT_READ) == 0, "mprotect");
  TL_CHECK(ss_swap_out(a, 64) == 0, "still resident after a page-out");
  TL_CHECK(mlock(a, n) == 0, "mlock: %s", strerror(errno));
  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  TL_CHECK((in = ss_resident(a, 64)) == 64, "%ld of 64 locked pages resident",
           in);
  TL_CHECK((bad = ss_check(a, n, 66)) < 0, "locked byte %ld", bad);
  if ((pid = fork()) == 0)
    exit(ss_check(a, n, 66) < 0 ? 0 : 1);
  TL_CHECK(pid > 0 && wait(&st) == pid && st == 0, "the fork's copy of the "
           "locked range: %d", st);
  TL_CHECK(munlock(a, n) == 0, "munlock");
  TL_CHECK(ss_swap_out(a, 64) == 0, "page-out after munlock");
  TL_CHECK((bad = ss_check(a, n, 66)) < 0, "byte %ld after munlock", bad);
  TL_CHECK(write(go[1], "g", 1) == 1, "pipe");
  TL_CHECK(wait(&st) == sib && st == 0, "the sibling failed at line %d", st);
  close(go[1]);
  return 0;
}

void ss_group_lockswap(void)
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

// The keeper: writes n pages, says so, then on the word (or when the test
// ends) checks them and exits 0 (or the line of the failed check).
struct keeper {
  unsigned long n;
  int go[2];
};

static void exhaust_keeper(void *arg, int wfd)
{
  struct keeper *k = arg;
  char *a = ss_anon(k->n), c;

  close(k->go[1]);
  TL_CHILD_CHECK(a != 0);
  ss_fill(a, k->n * PGSIZE, 70);
  TL_CHILD_CHECK(write(wfd, "k", 1) == 1);
  read(k->go[0], &c, 1);
  TL_CHILD_CHECK(ss_check(a, k->n * PGSIZE, 70) < 0);
  exit(0);
}

// The hog: a parent (its tiny child sleeps until the hog's end) that fills
// RAM and swap but 256 pages, says so, and on the word (hold[0]) fills the
// rest and more, until it is killed. At the end of the test (the read
// returns 0) it just exits.
static void exhaust_hog(void *arg, int wfd)
{
  unsigned long n = 2 * (tl_ram_pages() + 65536), i = 0;
  int *hold = arg, p[2];
  char *a = ss_anon(n), c;

  close(hold[1]);
  TL_CHILD_CHECK(a != 0 && pipe(p) == 0);
  if (fork() == 0) {
    close(p[1]);
    read(p[0], &c, 1);                // 0 bytes when the hog dies
    exit(0);
  }
  close(p[0]);
  for (; i < n && ss_room() > 256; i += 32)
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
#define EX_FILE "swexh.f"

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
         ss_check(shared, 64 * PGSIZE, 71) < 0 ? 0 : 1);
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
// Reap the keeper k and the hog h in the order they end, each status
// into its place; the keeper checks its pages (on the word, go) only once
// the hog is gone. If the keeper goes first, it was killed in the hog's
// place: the hog is stopped too.
static void exhaust_reap(int k, int h, int go, int *st_k, int *st_h)
{
  int st;

  if (wait(&st) == k) {
    *st_k = st;
    kill(h);
    wait(st_h);
  } else {
    *st_h = st;
    write(go, "c", 1);
    wait(st_k);
  }
}

static int exhaust_two_hogs(void)
{
  char *shared = mmap(0, 64 * PGSIZE, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANON, -1, 0);
  struct keeper kp;
  int hold[2], k, h, st_h = 0, st_k = 1, ok = 0, rc = 0, fd;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK(shared != MAP_FAILED, "mmap");
  ss_fill(shared, 64 * PGSIZE, 71);
  memset(rbuf, 'f', PGSIZE);
  unlink(EX_FILE);
  TL_CHECK((fd = open(EX_FILE, O_CREATE | O_RDWR)) >= 0, "open");
  TL_CHECK(write(fd, rbuf, PGSIZE) == PGSIZE, "write");
  memset(rbuf, 'x', sizeof(rbuf));
  kp.n = ss_room() / 4;
  TL_CHECK(pipe(kp.go) == 0 && pipe(hold) == 0, "pipe");
  TL_CHECK((k = ss_start_child(exhaust_keeper, &kp)) > 0, "no keeper");
  close(kp.go[0]);
  // Shared with the keeper, copied at every fork of the rounds: the
  // copy needs pages, and reads the ones on swap, with memory full.
  TL_CHECK(minherit(shared, 64 * PGSIZE, INHERIT_COPY) == 0, "minherit");
  if ((h = ss_start_child(exhaust_hog, hold)) < 0)
    kill(k);
  TL_CHECK(h > 0, "the hog did not fill memory");
  close(hold[0]);
  for (int round = 0; round < EX_ROUNDS && rc == 0; round++)
    rc = exhaust_round(round, fd, shared, &ok);
  write(hold[1], "m", 1);             // (fails if the rule took it already)
  exhaust_reap(k, h, kp.go[1], &st_k, &st_h);
  close(kp.go[1]), close(hold[1]), close(fd);
  unlink(EX_FILE);
  printf("exhaust: %d of %d rounds ran a child\n", ok, EX_ROUNDS);
  TL_CHECK(rc == 0, "a round failed");
  TL_CHECK(st_h == -1, "the hog's status %d", st_h);
  TL_CHECK(st_k == 0, "the keeper's status %d (-1: killed instead of the "
           "hog)", st_k);
  TL_CHECK(ss_check(shared, 64 * PGSIZE, 71) < 0, "the shared region changed");
  return 0;
}

void ss_group_exhaust(void)
{
  tl_run_child("two_hogs", exhaust_two_hogs);
}

