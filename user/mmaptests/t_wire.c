// SPDX-License-Identifier: MIT
// mmaptests groups "wire" (mlock, munlock, mlockall and their limits,
// checked with mincore and vmstat) and "advice" (anonymous memory is lazy
// and zero; madvise effects seen through mincore and the counters).
#include "user/mmaptests/mt.h"

#define RW (PROT_READ | PROT_WRITE)

static unsigned long
wired_pages(void)
{
  struct vmstats vs;

  return vmstat(&vs) < 0 ? 0 : vs.wired;
}

static int
t_mlock_basic(void)
{
  char *m = mt_anon(4);
  unsigned long w0 = wired_pages(), w1;

  TL_CHECK(m != MAP_FAILED, "mmap");
  TL_CHECK(mt_resident(m, 4) == 0, "resident before touch");
  TL_CHECK(mlock(m + 10, PGSIZE) == 0, "mlock unaligned: %s", strerror(errno));
  TL_CHECK(mt_resident(m, 4) == 2, "mlock did not round out to 2 pages");
  TL_CHECK(mlock(m, 4 * PGSIZE) == 0 && mlock(m, 4 * PGSIZE) == 0, "repeat");
  TL_CHECK(mt_resident(m, 4) == 4, "not all resident");
  TL_CHECK((w1 = wired_pages()) >= w0 + 4, "wired count");
  TL_CHECK(munlock(m, 4 * PGSIZE) == 0, "munlock");
  TL_CHECK(wired_pages() + 4 <= w1, "one munlock did not unlock");
  TL_CHECK(munlock(m, 4 * PGSIZE) == 0, "munlock of unlocked");
  TL_CHECK(mt_resident(m, 4) == 4, "contents kept");
  TL_CHECK(munmap(m, 4 * PGSIZE) == 0, "munmap");
  return 0;
}

static int
t_mlock_prot_none(void)
{
  char *m = mmap(0, 2 * PGSIZE, PROT_NONE, MAP_PRIVATE | MAP_ANON, -1, 0);

  TL_CHECK(m != MAP_FAILED, "mmap");
  TL_CHECK(MT_FAILS(mlock(m, 2 * PGSIZE), ENOMEM), "PROT_NONE");
  TL_CHECK(munmap(m, 2 * PGSIZE) == 0, "munmap");
  return 0;
}

static int
t_mlock_limits(void)
{
  struct rlimit rl = { 4 * PGSIZE, RLIM_INFINITY };
  struct vmstats vs;
  char *m = mt_anon(8);

  TL_CHECK(m != MAP_FAILED, "mmap");
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  TL_CHECK(MT_FAILS(mlock(m, 8 * PGSIZE), ENOMEM), "over RLIMIT_MEMLOCK");
  TL_CHECK(mt_resident(m, 8) == 0, "refused mlock wired something");
  TL_CHECK(mlock(m, 4 * PGSIZE) == 0, "at the limit");
  TL_CHECK(MT_FAILS(mlock(m + 4 * PGSIZE, PGSIZE), ENOMEM), "past the limit");
  TL_CHECK(MT_FAILS(mlockall(MCL_CURRENT), ENOMEM), "mlockall over limit");
  TL_CHECK(munlockall() == 0, "munlockall");
  rl.rlim_cur = RLIM_INFINITY;
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  TL_CHECK(vmstat(&vs) == 0, "vmstat");
  munmap(m, 8 * PGSIZE);
  m = mmap(0, vs.total * PGSIZE, RW, MAP_PRIVATE | MAP_ANON, -1, 0);
  TL_CHECK(m != MAP_FAILED, "big mmap: %s", strerror(errno));
  TL_CHECK(MT_FAILS(mlock(m, vs.total / 4 * 3 * PGSIZE + PGSIZE), EAGAIN),
           "over the system limit");
  TL_CHECK(mt_resident(m, 16) == 0, "refused mlock wired something");
  munmap(m, vs.total * PGSIZE);
  return 0;
}

// MCL_FUTURE wires later mappings, heap growth and stack growth.
static int
t_mcl_future(void)
{
  struct rlimit rl = { 64 * PGSIZE, RLIM_INFINITY };
  char *m, *b, *s;
  volatile char *deep;
  int n;

  TL_CHECK(mlockall(MCL_FUTURE) == 0, "mlockall");
  m = mt_anon(3);
  TL_CHECK(m != MAP_FAILED && mt_resident(m, 3) == 3, "mmap not wired");
  b = sbrk(2 * PGSIZE);
  b = (char *)(((uintptr_t)b + PGSIZE - 1) & ~(uintptr_t)(PGSIZE - 1));
  TL_CHECK(mt_resident(b, 1) == 1, "sbrk not wired");
  deep = (volatile char *)((uintptr_t)&n - 64 * 1024);
  *deep = 1;
  s = (char *)((uintptr_t)deep & ~(uintptr_t)(PGSIZE - 1));
  TL_CHECK(mt_resident(s, 4) == 4, "stack growth not wired");
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  TL_CHECK(MT_MFAILS(mmap(0, 128 * PGSIZE, RW, MAP_PRIVATE | MAP_ANON, -1, 0),
                     EAGAIN), "over the limit under MCL_FUTURE");
  TL_CHECK(munlockall() == 0, "munlockall");
  m = mt_anon(2);
  TL_CHECK(m != MAP_FAILED && mt_resident(m, 2) == 0, "wired after munlockall");
  return 0;
}

// The limit counts locked memory, not calls: locking locked pages again
// at the limit succeeds, and a half-locked range needs room for the rest.
static int
t_mlock_again_at_limit(void)
{
  struct rlimit rl = { 8 * PGSIZE, RLIM_INFINITY };
  char *m = mt_anon(9);

  TL_CHECK(m != MAP_FAILED, "mmap");
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  TL_CHECK(mlock(m, 8 * PGSIZE) == 0, "mlock at the limit: %s",
           strerror(errno));
  TL_CHECK(mlock(m, 8 * PGSIZE) == 0, "mlock again at the limit: %s",
           strerror(errno));
  TL_CHECK(munlock(m + 4 * PGSIZE, 4 * PGSIZE) == 0, "munlock half");
  TL_CHECK(mlock(m, 8 * PGSIZE) == 0, "4 locked + 4 more: %s",
           strerror(errno));
  TL_CHECK(MT_FAILS(mlock(m, 9 * PGSIZE), ENOMEM), "one page past the limit");
  TL_CHECK(munmap(m, 9 * PGSIZE) == 0, "munmap");
  return 0;
}

// mlockall(MCL_CURRENT) with everything locked locks nothing new: it
// succeeds with RLIMIT_MEMLOCK set to just what is locked (summed from
// vmmap's WIRE column), and with the system's wired pages near its limit
// (the kernel used to count the locked pages again there: EAGAIN).
static int
t_mlockall_again_at_limit(void)
{
  struct vmmap_entry e[64];
  struct rlimit rl = { 0, RLIM_INFINITY };
  struct vmstats vs;
  unsigned long room;
  char *m;
  int n;

  TL_CHECK(mlockall(MCL_CURRENT) == 0, "mlockall: %s", strerror(errno));
  n = vmmap(VMMAP_SELF, e, 64);
  TL_CHECK(n > 0 && n <= 64, "vmmap: %d", n);
  for (int i = 0; i < n; i++)
    if (e[i].wired > 0)
      rl.rlim_cur += e[i].end - e[i].start;
  TL_CHECK(rl.rlim_cur > 0, "nothing wired");
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  TL_CHECK(mlockall(MCL_CURRENT) == 0, "mlockall again at RLIMIT_MEMLOCK: %s",
           strerror(errno));
  rl.rlim_cur = RLIM_INFINITY;
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  TL_CHECK(vmstat(&vs) == 0, "vmstat");
  room = vs.total / 4 * 3 - vs.wired;
  TL_CHECK(room > 128, "no room to wire");
  m = mmap(0, (room - 64) * PGSIZE, RW, MAP_PRIVATE | MAP_ANON, -1, 0);
  TL_CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
  TL_CHECK(mlock(m, (room - 64) * PGSIZE) == 0,
           "mlock near the system limit: %s", strerror(errno));
  TL_CHECK(mlockall(MCL_CURRENT) == 0,
           "mlockall again near the system limit: %s", strerror(errno));
  TL_CHECK(munlockall() == 0, "munlockall");
  munmap(m, (room - 64) * PGSIZE);
  return 0;
}

// A PROT_NONE reservation under MCL_FUTURE maps and wires nothing; making
// it accessible wires it, within RLIMIT_MEMLOCK (ENOMEM, nothing changed).
static int
t_prot_none_future(void)
{
  struct rlimit rl = { 16 * PGSIZE, RLIM_INFINITY };
  unsigned long w0;
  char *m, *big;

  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  TL_CHECK(mlockall(MCL_FUTURE) == 0, "mlockall");
  m = mmap(0, 4 * PGSIZE, PROT_NONE, MAP_PRIVATE | MAP_ANON, -1, 0);
  TL_CHECK(m != MAP_FAILED, "PROT_NONE under MCL_FUTURE: %s", strerror(errno));
  TL_CHECK(mt_resident(m, 4) == 0, "a PROT_NONE reservation was wired");
  w0 = wired_pages();
  TL_CHECK(mprotect(m, 4 * PGSIZE, RW) == 0, "mprotect: %s", strerror(errno));
  TL_CHECK(mt_resident(m, 4) == 4, "mprotect under MCL_FUTURE did not wire");
  TL_CHECK(wired_pages() >= w0 + 4, "wired count did not grow");
  big = mmap(0, 64 * PGSIZE, PROT_NONE, MAP_PRIVATE | MAP_ANON, -1, 0);
  TL_CHECK(big != MAP_FAILED, "big reservation: %s", strerror(errno));
  TL_CHECK(MT_FAILS(mprotect(big, 64 * PGSIZE, RW), ENOMEM),
           "mprotect past RLIMIT_MEMLOCK");
  TL_CHECK(mt_resident(big, 64) == 0, "a refused mprotect wired");
  TL_CHECK(munlockall() == 0, "munlockall");
  munmap(big, 64 * PGSIZE);
  munmap(m, 4 * PGSIZE);
  return 0;
}

// sbrk under MCL_FUTURE passes the limits mmap passes; a refused sbrk
// leaves the break where it was.
static int
t_sbrk_future_limit(void)
{
  struct rlimit rl = { 16 * PGSIZE, RLIM_INFINITY };
  struct vmstats vs;
  char *brk;

  TL_CHECK(vmstat(&vs) == 0, "vmstat");
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  TL_CHECK(mlockall(MCL_FUTURE) == 0, "mlockall");
  brk = sbrk(0);
  TL_CHECK(MT_FAILS((long)sbrk(64 * PGSIZE), ENOMEM),
           "sbrk past RLIMIT_MEMLOCK under MCL_FUTURE");
  TL_CHECK(sbrk(0) == brk, "a refused sbrk moved the break");
  rl.rlim_cur = 4 * vs.total * PGSIZE;
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  TL_CHECK(MT_FAILS((long)sbrk(vs.total * PGSIZE), EAGAIN),
           "sbrk past the system wired limit");
  TL_CHECK(sbrk(0) == brk, "a refused sbrk moved the break");
  TL_CHECK(sbrk(2 * PGSIZE) == brk, "a small sbrk");
  return 0;
}

// Recurse through n KiB of stack.
static int
deep(int n)
{
  volatile char frame[1024];

  frame[0] = (char)n;
  frame[sizeof(frame) - 1] = (char)n;
  return n == 0 ? 0 : deep(n - 1) + frame[0] - frame[sizeof(frame) - 1];
}

// Stack growth under MCL_FUTURE passes RLIMIT_MEMLOCK: past it the child
// dies as from a stack overflow (status -1); the parent is fine.
static int
t_stack_future_limit(void)
{
  struct rlimit rl = { 16 * PGSIZE, RLIM_INFINITY };
  int st = 0;

  if (fork() == 0) {
    TL_CHILD_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
    TL_CHILD_CHECK(mlockall(MCL_FUTURE) == 0);
    deep(512);
    exit(0);
  }
  wait(&st);
  TL_CHECK(st == -1, "512 KiB of wired stack past a 64 KiB limit: status %d",
           st);
  TL_CHECK(deep(32) == 0, "the parent's stack");
  return 0;
}

static int
t_mlockall_current(void)
{
  char *m = mt_anon(3);

  TL_CHECK(m != MAP_FAILED, "mmap");
  TL_CHECK(mlockall(MCL_CURRENT) == 0, "mlockall: %s", strerror(errno));
  TL_CHECK(mt_resident(m, 3) == 3, "not wired");
  TL_CHECK(munlockall() == 0, "munlockall");
  return 0;
}

static int
t_msync_wired(void)
{
  char *m = mt_anon(2);

  TL_CHECK(m != MAP_FAILED && mlock(m, PGSIZE) == 0, "mlock");
  TL_CHECK(MT_FAILS(msync(m, 2 * PGSIZE, MS_INVALIDATE), EBUSY), "invalidate");
  TL_CHECK(munlock(m, PGSIZE) == 0, "munlock");
  TL_CHECK(msync(m, 2 * PGSIZE, MS_INVALIDATE) == 0, "invalidate unwired");
  munmap(m, 2 * PGSIZE);
  return 0;
}

// A copy-on-write in a private mapping shared between two processes
// (INHERIT_SHARE) copies a file page that a shared, locked mapping of the
// same file holds wired. Taking the copied page away from every other
// mapping must not take the wired one: munlock finds the page through it,
// and a wiring it cannot find is never undone (the kernel used to panic
// when the file's object died with the page still wired).
static int
t_wired_file_cow(void)
{
  unsigned long faults, now;
  int fd, st = -1;
  char *sh, *pv;

  TL_CHECK(mt_make_file("mt-wc", 2 * PGSIZE) == 0, "file");
  fd = open("mt-wc", O_RDWR);
  TL_CHECK(fd >= 0, "open");
  sh = mmap(0, 2 * PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  pv = mmap(0, 2 * PGSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  close(fd);
  TL_CHECK(sh != MAP_FAILED && pv != MAP_FAILED, "mmap");
  TL_CHECK(mlock(sh, 2 * PGSIZE) == 0, "mlock: %s", strerror(errno));
  TL_CHECK(minherit(pv, 2 * PGSIZE, INHERIT_SHARE) == 0, "minherit");
  TL_CHECK(pv[0] == mt_byte(0), "private mapping reads the file");
  if (fork() == 0) {
    pv[0] = 'x';
    exit(pv[0] == 'x' && sh[0] == mt_byte(0) ? 0 : 1);
  }
  wait(&st);
  TL_CHECK(st == 0, "child saw a wrong page");
  TL_CHECK(pv[0] == 'x', "the shared private page lost the child's write");
  // Reading the locked page must not fault (a fault would also map it
  // again, wired, and hide the bug from munlock).
  TL_CHECK(mt_faults(&faults) == 0, "vmstat");
  TL_CHECK(sh[0] == mt_byte(0), "a private write reached the file");
  TL_CHECK(mt_faults(&now) == 0 && now == faults,
           "the locked page faulted: its wired mapping was taken");
  TL_CHECK(munlock(sh, 2 * PGSIZE) == 0, "munlock");
  munmap(sh, 2 * PGSIZE);
  munmap(pv, 2 * PGSIZE);
  unlink("mt-wc");
  return 0;
}

// mprotect(PROT_NONE) on locked memory, then back: the pages stay
// wired through it, and munlock and munmap give every one back.
static int
t_wired_prot_none(void)
{
  unsigned long faults, now;
  char *m = mt_anon(2);

  TL_CHECK(m != MAP_FAILED, "mmap");
  m[0] = 'a';
  m[PGSIZE] = 'b';
  TL_CHECK(mlock(m, 2 * PGSIZE) == 0, "mlock: %s", strerror(errno));
  TL_CHECK(mprotect(m, 2 * PGSIZE, PROT_NONE) == 0, "mprotect none");
  TL_CHECK(mt_resident(m, 2) == 2, "locked pages left memory");
  TL_CHECK(mprotect(m, 2 * PGSIZE, PROT_READ | PROT_WRITE) == 0,
           "mprotect rw");
  TL_CHECK(mt_faults(&faults) == 0, "vmstat");
  TL_CHECK(m[0] == 'a' && m[PGSIZE] == 'b', "contents lost");
  TL_CHECK(mt_faults(&now) == 0 && now == faults,
           "locked pages faulted after mprotect");
  TL_CHECK(munlock(m, 2 * PGSIZE) == 0, "munlock");
  // Unlocked while PROT_NONE (no mapping left to find the pages by): the
  // pages must still come unwired, or the object dies with them wired.
  TL_CHECK(mlock(m, 2 * PGSIZE) == 0, "mlock again");
  TL_CHECK(mprotect(m, 2 * PGSIZE, PROT_NONE) == 0, "mprotect none again");
  TL_CHECK(munlock(m, 2 * PGSIZE) == 0, "munlock while none");
  munmap(m, 2 * PGSIZE);
  return 0;
}

void
mt_wire(void)
{
  tl_run_child("mlock_basic", t_mlock_basic);
  tl_run_child("mlock_prot_none", t_mlock_prot_none);
  tl_run_child("mlock_limits", t_mlock_limits);
  tl_run_child("mcl_future", t_mcl_future);
  tl_run_child("mlock_again_at_limit", t_mlock_again_at_limit);
  tl_run_child("mlockall_again_at_limit", t_mlockall_again_at_limit);
  tl_run_child("prot_none_future", t_prot_none_future);
  tl_run_child("sbrk_future_limit", t_sbrk_future_limit);
  tl_run_child("stack_future_limit", t_stack_future_limit);
  tl_run_child("mlockall_current", t_mlockall_current);
  tl_run_child("msync_wired", t_msync_wired);
  tl_run_child("wired_file_cow", t_wired_file_cow);
  tl_run_child("wired_prot_none", t_wired_prot_none);
}

// ---------------------------------------------------------------------------

static int
t_lazy_zero(void)
{
  unsigned long f0 = tl_free_pages(), f1;
  int n = 512;
  char *m = mt_anon(n);

  TL_CHECK(m != MAP_FAILED, "mmap");
  f1 = tl_free_pages();
  TL_CHECK(f0 - f1 < 8, "mmap used %lu pages", f0 - f1);
  for (int i = 0; i < n * PGSIZE; i += 512)
    TL_CHECK(m[i] == 0, "not zero at %d", i);
  m[0] = 1;
  m[(n - 1) * PGSIZE] = 1;
  TL_CHECK(mt_resident(m, 2) >= 1, "touched page not resident");
  TL_CHECK(munmap(m, (size_t)n * PGSIZE) == 0, "munmap");
  return 0;
}

static int
t_dontneed(void)
{
  char *m = mt_anon(4);

  TL_CHECK(m != MAP_FAILED, "mmap");
  memset(m, 'd', 4 * PGSIZE);
  TL_CHECK(madvise(m, 4 * PGSIZE, MADV_DONTNEED) == 0, "dontneed");
  for (int i = 0; i < 4 * PGSIZE; i++)
    TL_CHECK(m[i] == 'd', "contents lost at %d", i);
  munmap(m, 4 * PGSIZE);
  return 0;
}

static int
t_free(void)
{
  char *m = mt_anon(4);

  TL_CHECK(m != MAP_FAILED, "mmap");
  memset(m, 'f', 4 * PGSIZE);
  TL_CHECK(madvise(m, 4 * PGSIZE, MADV_FREE) == 0, "free");
  for (int i = 0; i < 4 * PGSIZE; i += PGSIZE / 2)
    TL_CHECK(m[i] == 'f' || m[i] == 0, "old data at %d", i);
  m[0] = 'n';
  TL_CHECK(m[0] == 'n', "write after free");
  munmap(m, 4 * PGSIZE);
  return 0;
}

static int
t_willneed_behav(void)
{
  char *m = mt_anon(8);
  char vec[8];

  TL_CHECK(m != MAP_FAILED, "mmap");
  memset(m, 'w', 8 * PGSIZE);
  TL_CHECK(madvise(m, 8 * PGSIZE, MADV_DONTNEED) == 0, "dontneed");
  TL_CHECK(madvise(m, 8 * PGSIZE, MADV_WILLNEED) == 0, "willneed");
  TL_CHECK(mincore(m, 8 * PGSIZE, vec) == 0, "mincore");
  for (int i = 0; i < 8; i++)
    TL_CHECK(vec[i] & MINCORE_INCORE, "page %d not resident", i);
  TL_CHECK(madvise(m, 8 * PGSIZE, MADV_SEQUENTIAL) == 0, "sequential");
  TL_CHECK(madvise(m, 8 * PGSIZE, MADV_RANDOM) == 0, "random");
  TL_CHECK(madvise(m, 8 * PGSIZE, MADV_NORMAL) == 0, "normal");
  TL_CHECK(m[7 * PGSIZE] == 'w', "contents");
  munmap(m, 8 * PGSIZE);
  return 0;
}

static int
t_mprotect_none(void)
{
  char *m = mt_anon(1);
  int st;

  TL_CHECK(m != MAP_FAILED, "mmap");
  m[0] = 'q';
  TL_CHECK(mprotect(m, PGSIZE, PROT_NONE) == 0, "mprotect");
  if (fork() == 0) {
    (void)*(volatile char *)m;
    exit(0);
  }
  wait(&st);
  TL_CHECK(st == -1, "PROT_NONE read not killed (%d)", st);
  TL_CHECK(mprotect(m, PGSIZE, PROT_READ) == 0 && m[0] == 'q', "back");
  munmap(m, PGSIZE);
  return 0;
}

// A file page in the page cache (brought in by read()) counts as resident
// in a mapping that has not touched it yet.
static int
t_mincore_file(void)
{
  char buf[64], *m;
  int fd;

  TL_CHECK(mt_make_file("mt-inc", 2 * PGSIZE) == 0, "create");
  TL_CHECK((fd = open("mt-inc", O_RDONLY)) >= 0, "open");
  m = mmap(0, 2 * PGSIZE, PROT_READ, MAP_SHARED, fd, 0);
  TL_CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
  TL_CHECK(read(fd, buf, sizeof(buf)) == sizeof(buf), "read");
  TL_CHECK(mt_resident(m, 1) == 1, "cached file page not resident");
  TL_CHECK(m[1] == mt_byte(1), "contents");
  munmap(m, 2 * PGSIZE);
  close(fd);
  unlink("mt-inc");
  return 0;
}

void
mt_advice(void)
{
  tl_run_child("mincore_file", t_mincore_file);
  tl_run_child("lazy_zero", t_lazy_zero);
  tl_run_child("dontneed", t_dontneed);
  tl_run_child("free", t_free);
  tl_run_child("willneed_behav", t_willneed_behav);
  tl_run_child("mprotect_none", t_mprotect_none);
}
