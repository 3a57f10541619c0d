// SPDX-License-Identifier: MIT
// usertests group "proc": fork, exit statuses, wait, kill, getpid, exec,
// sleep and uptime.
#include "user/usertests/ut.h"

#define PROC_MANY 40   // children alive at once in proc.many_children

static void
child_exit_arg(void *arg)
{
  exit((int)(long)arg);
}

static int
t_exit_status(void)
{
  static const int codes[] = { 0, 1, 42, 255, 1000, -7 };
  int st;

  for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
    st = tl_fork_wait(child_exit_arg, (void *)(long)codes[i]);
    TL_CHECK(st == codes[i], "exit(%d): wait status %d", codes[i], st);
  }
  return 0;
}

static int
t_wait_pid_and_null(void)
{
  int pid, r;

  pid = fork();
  TL_CHECK(pid >= 0, "fork: %s", strerror(errno));
  if (pid == 0)
    exit(3);
  r = wait(NULL);
  TL_CHECK(r == pid, "wait(NULL) returned %d, want %d", r, pid);
  r = wait(NULL);
  TL_CHECK(r == -1 && errno == ECHILD, "wait without children: %d errno %d",
           r, errno);
  return 0;
}

// Many children at once; every pid and status comes back exactly once.
static int
t_many_children(void)
{
  int pids[PROC_MANY], seen[PROC_MANY];
  int i, k, pid, st;

  for (i = 0; i < PROC_MANY; i++) {
    pids[i] = fork();
    TL_CHECK(pids[i] >= 0, "fork %d: %s", i, strerror(errno));
    if (pids[i] == 0)
      exit(100 + i);
    seen[i] = 0;
  }
  for (k = 0; k < PROC_MANY; k++) {
    pid = wait(&st);
    TL_CHECK(pid > 0, "wait %d: %s", k, strerror(errno));
    for (i = 0; i < PROC_MANY && pids[i] != pid; i++)
      ;
    TL_CHECK(i < PROC_MANY, "wait returned unknown pid %d", pid);
    TL_CHECK(!seen[i]++, "pid %d reaped twice", pid);
    TL_CHECK(st == 100 + i, "child %d: status %d", i, st);
  }
  TL_CHECK(wait(NULL) < 0, "a child too many");
  return 0;
}

static int
t_kill(void)
{
  int pid, st, r;

  pid = fork();
  TL_CHECK(pid >= 0, "fork: %s", strerror(errno));
  if (pid == 0) {
    for (;;)
      sleep(1);
  }
  sleep(2);
  TL_CHECK(kill(pid) == 0, "kill: %s", strerror(errno));
  r = wait(&st);
  TL_CHECK(r == pid && st == -1, "killed child: wait %d status %d", r, st);
  TL_CHECK(kill(pid) < 0 && errno == ESRCH, "kill of a reaped pid: errno %d",
           errno);
  return 0;
}

// A child spinning without system calls is killed too (at its next trap).
static int
t_kill_spinner(void)
{
  int pid, st, r;

  pid = fork();
  TL_CHECK(pid >= 0, "fork: %s", strerror(errno));
  if (pid == 0) {
    for (volatile int x = 0;; x++)
      ;
  }
  sleep(1);
  TL_CHECK(kill(pid) == 0, "kill: %s", strerror(errno));
  r = wait(&st);
  TL_CHECK(r == pid && st == -1, "killed spinner: wait %d status %d", r, st);
  return 0;
}

// Nobody may kill init (docs/semantics.md: kill of pid 1 is EPERM). Before the
// fix the kill succeeded and init's exit panicked the kernel a moment
// later; the sleep gives init that moment.
static int
t_kill_init(void)
{
  TL_CHECK(kill(1) == -1 && errno == EPERM, "kill(1): errno %d, want EPERM",
           errno);
  sleep(2);
  TL_CHECK(kill(1) == -1 && errno == EPERM, "kill(1) again: errno %d", errno);
  return 0;
}

static void
child_bad_load(void *arg)
{
  (void)arg;
  exit(*(volatile int *)0x5000);
}

static int
t_fault_status(void)
{
  int st = tl_fork_wait(child_bad_load, NULL);

  TL_CHECK(st == -1, "faulting child: status %d, want -1", st);
  return 0;
}

static int
t_getpid(void)
{
  int p[2], pid, cpid = 0, st;

  TL_CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
  pid = fork();
  TL_CHECK(pid >= 0, "fork: %s", strerror(errno));
  if (pid == 0) {
    cpid = getpid();
    write(p[1], &cpid, sizeof(cpid));
    exit(0);
  }
  read(p[0], &cpid, sizeof(cpid));
  close(p[0]);
  close(p[1]);
  wait(&st);
  TL_CHECK(cpid == pid, "child getpid %d, fork returned %d", cpid, pid);
  TL_CHECK(getpid() != pid && getpid() > 0, "parent pid %d", getpid());
  return 0;
}

// Run argv with stdout into file out; returns the exit status.
static int
proc_run(char **argv, const char *out)
{
  int pid, st;

  pid = fork();
  if (pid < 0)
    return TL_NOCHILD;
  if (pid == 0) {
    close(STDOUT_FILENO);
    if (open(out, O_CREATE | O_TRUNC | O_WRONLY) != STDOUT_FILENO)
      exit(90);
    exec(argv[0], argv);
    exit(91);
  }
  if (wait(&st) != pid)
    return TL_NOCHILD;
  return st;
}

static int
t_exec(void)
{
  char *echo_argv[] = { "echo", "hello", "exec", "world", 0 };
  char *cat_argv[] = { "cat", "ut-no-such-file", 0 };
  char buf[64];
  int fd, n, st;

  st = proc_run(echo_argv, "ut-exec");
  TL_CHECK(st == 0, "echo: status %d", st);
  fd = open("ut-exec", O_RDONLY);
  TL_CHECK(fd >= 0, "open output: %s", strerror(errno));
  n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  buf[n > 0 ? n : 0] = '\0';
  TL_CHECK(strcmp(buf, "hello exec world\n") == 0, "echo wrote '%s'", buf);
  st = proc_run(cat_argv, "ut-exec");
  TL_CHECK(st == 1, "cat of a missing file: status %d, want 1", st);
  unlink("ut-exec");
  return 0;
}

static int
t_exec_missing(void)
{
  char *argv[] = { "ut-no-such-program", 0 };

  TL_CHECK(exec("ut-no-such-program", argv) == -1 && errno == ENOENT,
           "exec of a missing file: errno %d", errno);
  TL_CHECK(exec("/", argv) == -1, "exec of a directory succeeded?");
  TL_CHECK(exec("README.md", argv) == -1 && errno == ENOEXEC,
           "exec of a text file: errno %d", errno);
  return 0;
}

static int
t_sleep_uptime(void)
{
  int t0 = uptime(), t1;

  TL_CHECK(sleep(3) == 0, "sleep: %s", strerror(errno));
  t1 = uptime();
  TL_CHECK(t1 - t0 >= 3, "uptime %d -> %d across sleep(3)", t0, t1);
  return 0;
}

// uptime() follows the clock: over a second of spinning, its ticks (100
// a second) and the time CSR (10 MHz on QEMU virt: 100000 a tick) agree
// within two ticks. A kernel that counted timer interrupts fell behind by
// every late one: under a busy host, 900 s of ticks took 1200 s.
static int
t_uptime_clock(void)
{
  uint64 c0 = rdtime(), c1;
  int t0 = uptime(), t1;
  long lag;

  while (rdtime() - c0 < 10000000)
    ;
  c1 = rdtime();
  t1 = uptime();
  lag = (long)((c1 - c0) / 100000) - (t1 - t0);
  TL_CHECK(lag >= -2 && lag <= 2, "uptime advanced %d ticks in %d ms",
           t1 - t0, (int)((c1 - c0) / 10000));
  return 0;
}

// Scheduler stress (kernel/sched.c): pairs of processes hand one byte
// back and forth through two pipes, so every step wakes a sleeper that
// last ran on some hart, while spinners keep harts busy and queues full
// (stealing, kicks, IPIs). A lost wakeup hangs the suite here.
#define PP_PAIRS  4
#define PP_SPIN   2

// Round trips per pair. At one hart each hand-off waits behind both
// spinners' time slices (about 40 ms a round trip, 32 s for 200 rounds);
// the races looked for need several harts, so one hart does a quarter.
static int
pp_rounds(void)
{
  struct vmstats v;

  return vmstat(&v) == 0 && v.ncpu == 1 ? 50 : 200;
}

static void
pingpong_child(int rfd, int wfd)
{
  int rounds = pp_rounds();
  char c;

  for (int i = 0; i < rounds; i++)
    if (read(rfd, &c, 1) != 1 || write(wfd, &c, 1) != 1)
      exit(1);
  exit(0);
}

// Start one pair: the parent keeps to[1] (writes) and from[0] (reads).
// Returns the child's pid, or -1.
static int
pingpong_start(int *wfd, int *rfd)
{
  int to[2], from[2], pid;

  if (pipe(to) < 0)
    return -1;
  if (pipe(from) < 0) {
    close(to[0]);
    close(to[1]);
    return -1;
  }
  if ((pid = fork()) == 0) {
    close(to[1]);
    close(from[0]);
    pingpong_child(to[0], from[1]);
  }
  close(to[0]);
  close(from[1]);
  *wfd = to[1];
  *rfd = from[0];
  return pid;
}

static int
t_sched_pingpong(void)
{
  int spin[PP_SPIN], wfd[PP_PAIRS], rfd[PP_PAIRS], st, ok = 1;
  int rounds = pp_rounds();
  char c = 'x';

  for (int i = 0; i < PP_SPIN; i++)
    if ((spin[i] = fork()) == 0)
      for (volatile int x = 0;; x++)
        ;
  for (int i = 0; i < PP_PAIRS; i++)
    if (pingpong_start(&wfd[i], &rfd[i]) < 0)
      ok = 0, wfd[i] = rfd[i] = -1;
  for (int r = 0; ok && r < rounds; r++)
    for (int i = 0; ok && i < PP_PAIRS; i++)
      ok = write(wfd[i], &c, 1) == 1 && read(rfd[i], &c, 1) == 1;
  for (int i = 0; i < PP_SPIN; i++)
    if (spin[i] > 0)
      kill(spin[i]);
  for (int i = 0; i < PP_PAIRS; i++) {
    close(wfd[i]);                  // a child still reading gets EOF
    close(rfd[i]);
  }
  while (wait(&st) > 0)
    ok = ok && (st == 0 || st == -1);   // -1: a killed spinner
  TL_CHECK(ok, "a pair lost its byte or a child failed (status %d)", st);
  return 0;
}

// Kill many children at once while each sleeps in read or spins: every
// kill makes a sleeper runnable on some hart's queue, and every one is
// reaped with status -1.
static int
t_kill_many(void)
{
  int fds[2], pids[8], st;

  TL_CHECK(pipe(fds) == 0, "pipe: %s", strerror(errno));
  for (int i = 0; i < 8; i++) {
    pids[i] = fork();
    if (pids[i] < 0) {              // kill those already started
      while (--i >= 0)
        kill(pids[i]);
      while (wait(&st) > 0)
        ;
      close(fds[0]);
      close(fds[1]);
      TL_CHECK(0, "fork: %s", strerror(errno));
    }
    if (pids[i] == 0) {
      char c;
      if (i % 4 == 3)
        for (volatile int x = 0;; x++)
          ;
      read(fds[0], &c, 1);        // nobody writes: sleeps until killed
      exit(0);
    }
  }
  sleep(2);
  int killed = 0, reaped = 0, bad = 0;
  for (int i = 0; i < 8; i++)
    killed += kill(pids[i]) == 0;
  while (wait(&st) > 0) {
    reaped++;
    bad += st != -1;
  }
  close(fds[0]);
  close(fds[1]);
  TL_CHECK(killed == 8 && reaped == 8 && bad == 0,
           "killed %d, reaped %d, %d not with status -1", killed, reaped, bad);
  return 0;
}

// The lock counters vmstat reports are kept per hart and added up when
// read (kernel/lib/lockstat.h): ncpu processes zero-filling pages at once,
// on whatever harts they run, must show at least one acquisition of an
// object lock per zero-fill fault (each fault locks its object).
#define LC_PAGES 64

static int
t_lock_counts(void)
{
  struct vmstats a, b;
  int fds[2], n, st, bad = 0;
  char c;

  TL_CHECK(vmstat(&a) == 0 && pipe(fds) == 0, "vmstat/pipe: %s", strerror(errno));
  n = a.ncpu < 1 ? 1 : a.ncpu > 8 ? 8 : (int)a.ncpu;
  for (int i = 0; i < n; i++) {
    int pid = fork();
    if (pid == 0) {
      close(fds[1]);
      char *p = mmap(0, LC_PAGES * PGSIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANON, -1, 0);
      if (read(fds[0], &c, 1) != 1 || p == MAP_FAILED)
        exit(1);
      for (int k = 0; k < LC_PAGES; k++)
        p[k * PGSIZE] = 1;
      exit(0);
    }
    bad += pid < 0;
  }
  close(fds[0]);
  for (int i = 0; i < n; i++)
    bad += write(fds[1], "g", 1) != 1;
  close(fds[1]);
  while (wait(&st) > 0)
    bad += st != 0;
  TL_CHECK(bad == 0 && vmstat(&b) == 0, "a worker failed (%d)", bad);
  unsigned long zfod = b.zfod - a.zfod, obj = b.object_lock_acq - a.object_lock_acq;
  TL_CHECK(zfod >= (unsigned long)n * LC_PAGES, "%lu zero-fill faults for %d x %d pages",
           zfod, n, LC_PAGES);
  TL_CHECK(obj >= zfod, "%lu object lock acquisitions counted for %lu zero-fill "
           "faults on %d harts", obj, zfod, n);
  TL_CHECK(b.page_lock_acq > a.page_lock_acq && b.pv_lock_acq > a.pv_lock_acq,
           "page lock %lu -> %lu, pv locks %lu -> %lu", a.page_lock_acq,
           b.page_lock_acq, a.pv_lock_acq, b.pv_lock_acq);
  return 0;
}

void
ut_proc(void)
{
  tl_run("exit_status", t_exit_status);
  tl_run("wait_pid_and_null", t_wait_pid_and_null);
  tl_run("many_children", t_many_children);
  tl_run("kill", t_kill);
  tl_run("kill_spinner", t_kill_spinner);
  tl_run("kill_init", t_kill_init);
  tl_run("sched_pingpong", t_sched_pingpong);
  tl_run("kill_many", t_kill_many);
  tl_run("lock_counts", t_lock_counts);
  tl_run("fault_status", t_fault_status);
  tl_run("getpid", t_getpid);
  tl_run("exec", t_exec);
  tl_run_child("exec_missing", t_exec_missing);
  tl_run("sleep_uptime", t_sleep_uptime);
  tl_run("uptime_clock", t_uptime_clock);
}
