// SPDX-License-Identifier: MIT
// mmaptests group "contract_behav": the rlimit rules (setting, fork and
// exec inheritance), what is not inherited (mlock, MCL_FUTURE), the
// system-wide wired limit, wired pages never faulting, MAP_PRIVATE views of a changing file, the end-of-file
// tail, and kernel writes that stop at a read-only page.
//
// The exec test runs this program again as "mmaptests -limits CUR MAX"
// (mt_limits_probe), which checks the limits it was started with.
#include "user/mmaptests/mt.h"

#define RW (PROT_READ | PROT_WRITE)
#define MB (1024UL * 1024)
#define DATA_CUR (64 * MB)    // RLIMIT_DATA the exec test sets
#define DATA_MAX (128 * MB)

static int
cb_limit_is(int res, rlim_t cur, rlim_t max)
{
  struct rlimit rl;

  return getrlimit(res, &rl) == 0 && rl.rlim_cur == cur && rl.rlim_max == max;
}

// Soft up to hard only; the hard limit only goes down (FreeBSD, for a
// process without privilege: EPERM); a refused call changes nothing.
static int
t_rlimit_rules(void)
{
  struct rlimit rl = { 4 * PGSIZE, 8 * PGSIZE };

  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "lower both");
  TL_CHECK(cb_limit_is(RLIMIT_MEMLOCK, 4 * PGSIZE, 8 * PGSIZE), "get");
  rl.rlim_cur = 8 * PGSIZE;
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "raise soft to hard");
  rl.rlim_cur = 9 * PGSIZE;
  TL_CHECK(MT_FAILS(setrlimit(RLIMIT_MEMLOCK, &rl), EINVAL), "soft > hard");
  rl.rlim_cur = RLIM_INFINITY;
  TL_CHECK(MT_FAILS(setrlimit(RLIMIT_MEMLOCK, &rl), EINVAL), "soft infinite");
  rl.rlim_cur = 2 * PGSIZE;
  rl.rlim_max = 9 * PGSIZE;
  TL_CHECK(MT_FAILS(setrlimit(RLIMIT_MEMLOCK, &rl), EPERM), "raise hard");
  TL_CHECK(cb_limit_is(RLIMIT_MEMLOCK, 8 * PGSIZE, 8 * PGSIZE),
           "a refused setrlimit changed the limit");
  rl.rlim_cur = 2 * MB;
  rl.rlim_max = MB;
  TL_CHECK(MT_FAILS(setrlimit(RLIMIT_DATA, &rl), EINVAL), "data soft > hard");
  TL_CHECK(cb_limit_is(RLIMIT_DATA, RLIM_INFINITY, RLIM_INFINITY), "data");
  TL_CHECK(MT_FAILS(setrlimit(999, &rl), EINVAL), "resource 999");
  TL_CHECK(MT_FAILS(setrlimit(-1, &rl), EINVAL), "resource -1");
  return 0;
}

// Run as "mmaptests -limits CUR MAX" (RLIMIT_MEMLOCK in pages): 0 if this
// process started with those limits and RLIMIT_DATA's from t_rlimit_exec,
// and mlock obeys them; else the failing line.
int
mt_limits_probe(int argc, char **argv)
{
  rlim_t cur, max;
  char *m;

  if (argc != 4)
    return __LINE__;
  cur = (rlim_t)atoi(argv[2]) * PGSIZE;
  max = (rlim_t)atoi(argv[3]) * PGSIZE;
  if (!cb_limit_is(RLIMIT_MEMLOCK, cur, max))
    return __LINE__;
  if (!cb_limit_is(RLIMIT_DATA, DATA_CUR, DATA_MAX))
    return __LINE__;
  m = mt_anon(atoi(argv[2]) + 1);
  if (m == MAP_FAILED || !MT_FAILS(mlock(m, cur + PGSIZE), ENOMEM))
    return __LINE__;
  if (mlock(m, cur) != 0)
    return __LINE__;
  return 0;
}

// Limits pass to a child and through exec.
static int
t_rlimit_exec(void)
{
  struct rlimit mem = { 3 * PGSIZE, 5 * PGSIZE }, data = { DATA_CUR, DATA_MAX };
  char *argv[] = { "mmaptests", "-limits", "3", "5", 0 };
  int st;

  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &mem) == 0, "setrlimit memlock");
  TL_CHECK(setrlimit(RLIMIT_DATA, &data) == 0, "setrlimit data");
  if (fork() == 0) {
    TL_CHILD_CHECK(cb_limit_is(RLIMIT_MEMLOCK, 3 * PGSIZE, 5 * PGSIZE));
    TL_CHILD_CHECK(cb_limit_is(RLIMIT_DATA, DATA_CUR, DATA_MAX));
    exec("/mmaptests", argv);
    exit(1);
  }
  wait(&st);
  TL_CHECK(st == 0, "after fork and exec: line %d", st);
  return 0;
}

// Neither mlock nor MCL_FUTURE passes to a child: with room to lock two
// pages, the parent locks two, and the child can still lock two, and its
// new mappings are not wired.
static int
t_locks_not_inherited(void)
{
  struct rlimit rl = { 2 * PGSIZE, RLIM_INFINITY };
  char *a = mt_anon(2), *b = mt_anon(2), *c;
  int st;

  TL_CHECK(a != MAP_FAILED && b != MAP_FAILED, "mmap");
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  TL_CHECK(mlock(a, 2 * PGSIZE) == 0, "mlock");
  a[0] = 'w';
  TL_CHECK(mlockall(MCL_FUTURE) == 0, "mlockall");
  if (fork() == 0) {
    c = mt_anon(2);
    TL_CHILD_CHECK(c != MAP_FAILED && mt_resident(c, 2) == 0);
    TL_CHILD_CHECK(mlock(b, 2 * PGSIZE) == 0);
    TL_CHILD_CHECK(a[0] == 'w');
    exit(0);
  }
  wait(&st);
  TL_CHECK(st == 0, "child failed at line %d", st);
  TL_CHECK(MT_FAILS(mlock(b, PGSIZE), ENOMEM), "parent's locks gone");
  TL_CHECK(munlockall() == 0, "munlockall");
  return 0;
}

// Under MCL_FUTURE over the lock limit, mmap fails with EAGAIN and leaves
// nothing mapped, at a fixed address or anywhere, anonymous or file.
static int
t_future_nothing_mapped(void)
{
  struct rlimit rl = { 4 * PGSIZE, RLIM_INFINITY };
  char *m = mt_anon(16), *r;
  int fd;

  TL_CHECK(m != MAP_FAILED && munmap(m, 16 * PGSIZE) == 0, "free range");
  TL_CHECK(mt_make_file("mt-cb", 16 * PGSIZE) == 0, "create");
  TL_CHECK((fd = open("mt-cb", O_RDONLY)) >= 0, "open");
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  TL_CHECK(mlockall(MCL_FUTURE) == 0, "mlockall");
  r = mmap(m, 16 * PGSIZE, RW, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0);
  TL_CHECK(MT_MFAILS(r, EAGAIN), "fixed anon");
  TL_CHECK(MT_MFAILS(mmap(m, 16 * PGSIZE, PROT_READ, MAP_SHARED | MAP_FIXED, fd,
                          0), EAGAIN), "fixed file");
  TL_CHECK(MT_MFAILS(mmap(0, 16 * PGSIZE, PROT_READ, MAP_PRIVATE, fd, 0),
                     EAGAIN), "file anywhere");
  for (int i = 0; i < 16; i++)
    TL_CHECK(mt_resident(m + i * PGSIZE, 1) == -1 && errno == ENOMEM,
             "page %d mapped", i);
  r = mmap(m, 4 * PGSIZE, RW, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0);
  TL_CHECK(r == m && mt_resident(m, 4) == 4, "within the limit");
  TL_CHECK(munlockall() == 0, "munlockall");
  close(fd);
  unlink("mt-cb");
  return 0;
}

// The system-wide limit is three quarters of RAM: mlock just under it
// works, past it is EAGAIN, and so is mlockall of more than it.
static int
t_wired_limit(void)
{
  struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
  struct vmstats vs;
  unsigned long room;
  char *m;

  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  TL_CHECK(vmstat(&vs) == 0, "vmstat");
  m = mmap(0, vs.total * PGSIZE, RW, MAP_PRIVATE | MAP_ANON, -1, 0);
  TL_CHECK(m != MAP_FAILED, "mmap");
  TL_CHECK(MT_FAILS(mlockall(MCL_CURRENT), EAGAIN), "mlockall of all RAM");
  TL_CHECK(munlockall() == 0 && vmstat(&vs) == 0, "vmstat");
  room = vs.total / 4 * 3 - vs.wired;
  TL_CHECK(room > 64 && vs.free > room, "room %lu free %lu", room, vs.free);
  TL_CHECK(mlock(m, (room - 64) * PGSIZE) == 0, "mlock just under the limit: %s",
           strerror(errno));
  TL_CHECK(MT_FAILS(mlock(m + (room - 64) * PGSIZE, 128 * PGSIZE), EAGAIN),
           "past the limit");
  TL_CHECK(munlock(m, vs.total * PGSIZE) == 0, "munlock");
  munmap(m, vs.total * PGSIZE);
  return 0;
}

// Faults taken while touching byte off of each of n pages at m; -1 if
// the counters cannot be read.
static unsigned long
cb_touch_faults(char *m, int n, int off)
{
  unsigned long before, after;

  if (mt_faults(&before) < 0)
    return (unsigned long)-1;
  for (int i = 0; i < n; i++)
    m[i * PGSIZE + off] = (char)i;
  if (mt_faults(&after) < 0)
    return (unsigned long)-1;
  return after - before;
}

// Wired pages take no fault: not when touched, not after MADV_DONTNEED,
// not after a fork.
static int
t_wired_no_fault(void)
{
  char *m = mt_anon(8);
  unsigned long n;
  int st;

  TL_CHECK(m != MAP_FAILED && mlock(m, 8 * PGSIZE) == 0, "mlock");
  TL_CHECK((n = cb_touch_faults(m, 8, 0)) == 0, "%lu faults when touched", n);
  TL_CHECK(madvise(m, 8 * PGSIZE, MADV_DONTNEED) == 0, "dontneed");
  TL_CHECK((n = cb_touch_faults(m, 8, 1)) == 0, "%lu faults after DONTNEED",
           n);
  if (fork() == 0)
    exit(0);
  wait(&st);
  TL_CHECK((n = cb_touch_faults(m, 8, 2)) == 0, "%lu faults after fork", n);
  TL_CHECK(mt_resident(m, 8) == 8, "wired page not resident");
  return 0;
}

// MAP_PRIVATE sees write()s to the file until it writes the page itself.
static int
t_private_sees_file(void)
{
  char *m;
  int fd;

  TL_CHECK(mt_make_file("mt-cb", 2 * PGSIZE) == 0, "create");
  TL_CHECK((fd = open("mt-cb", O_RDWR)) >= 0, "open");
  m = mmap(0, 2 * PGSIZE, RW, MAP_PRIVATE, fd, 0);
  TL_CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
  TL_CHECK(m[0] == mt_byte(0), "contents");
  TL_CHECK(write(fd, "new", 3) == 3, "write");
  TL_CHECK(memcmp(m, "new", 3) == 0, "read page misses write()");
  m[1] = 'P';
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0 && write(fd, "NEW", 3) == 3, "write");
  TL_CHECK(m[0] == 'n' && m[1] == 'P' && m[2] == 'w', "own copy changed");
  TL_CHECK(lseek(fd, PGSIZE, SEEK_SET) == PGSIZE && write(fd, "two", 3) == 3,
           "write page 1");
  TL_CHECK(memcmp(m + PGSIZE, "two", 3) == 0, "untouched page misses write()");
  munmap(m, 2 * PGSIZE);
  close(fd);
  unlink("mt-cb");
  return 0;
}

// Stores past end-of-file in the last page never reach the file: once the
// file grows over them, they read as zeros.
static int
t_eof_tail_grow(void)
{
  char buf[300], *m;
  int fd;

  TL_CHECK(mt_make_file("mt-cb", 100) == 0, "create");
  TL_CHECK((fd = open("mt-cb", O_RDWR)) >= 0, "open");
  m = mmap(0, PGSIZE, RW, MAP_SHARED, fd, 0);
  TL_CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
  memset(m + 100, 'T', 200);
  TL_CHECK(msync(m, PGSIZE, MS_SYNC) == 0, "msync");
  TL_CHECK(munmap(m, PGSIZE) == 0, "munmap");
  TL_CHECK(lseek(fd, 400, SEEK_SET) == 400 && write(fd, "end", 3) == 3,
           "grow");
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, buf, 300) == 300, "read");
  for (int i = 100; i < 300; i++)
    TL_CHECK(buf[i] == 0, "byte %d is %d after growth", i, buf[i]);
  close(fd);
  unlink("mt-cb");
  return 0;
}

// System calls that write a result stop at a read-only page: EFAULT, and
// the read-only page keeps its bytes; into a lazy page they just work.
static int
t_kernel_write_stops(void)
{
  char *m = mt_anon(3), *edge;
  struct stat *stp;
  int p[2];

  TL_CHECK(m != MAP_FAILED, "mmap");
  memset(m + PGSIZE, 'R', PGSIZE);
  TL_CHECK(mprotect(m + PGSIZE, PGSIZE, PROT_READ) == 0, "mprotect");
  edge = m + PGSIZE;
  TL_CHECK(MT_FAILS(getrlimit(RLIMIT_DATA, (struct rlimit *)(edge - 8)),
                    EFAULT), "getrlimit");
  TL_CHECK(MT_FAILS(vmstat((struct vmstats *)(edge - 16)), EFAULT), "vmstat");
  TL_CHECK(MT_FAILS(pipe((int *)(edge - 4)), EFAULT), "pipe");
  stp = (struct stat *)(edge - 4);
  TL_CHECK(MT_FAILS(fstat(1, stp), EFAULT), "fstat");
  for (int i = 0; i < PGSIZE; i++)
    TL_CHECK(edge[i] == 'R', "read-only byte %d written", i);
  TL_CHECK(getrlimit(RLIMIT_MEMLOCK, (struct rlimit *)(m + 2 * PGSIZE)) == 0 &&
           pipe((int *)(m + 3 * PGSIZE - 8)) == 0, "lazy page: %s",
           strerror(errno));
  memcpy(p, m + 3 * PGSIZE - 8, sizeof(p));
  close(p[0]);
  close(p[1]);
  return 0;
}

void
mt_contract_behav(void)
{
  tl_run_child("rlimit_rules", t_rlimit_rules);
  tl_run_child("rlimit_exec", t_rlimit_exec);
  tl_run_child("locks_not_inherited", t_locks_not_inherited);
  tl_run_child("future_nothing_mapped", t_future_nothing_mapped);
  tl_run_child("wired_limit", t_wired_limit);
  tl_run_child("wired_no_fault", t_wired_no_fault);
  tl_run_child("private_sees_file", t_private_sees_file);
  tl_run_child("eof_tail_grow", t_eof_tail_grow);
  tl_run_child("kernel_write_stops", t_kernel_write_stops);
}
