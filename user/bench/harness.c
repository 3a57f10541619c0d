// SPDX-License-Identifier: MIT
// The timing harness of user/bench (bench.h): warm-up, choice of the
// operations per run, BENCH_RUNS timed runs, median / min / max, and the
// report lines; plus small helpers the groups share.
//
// Time is the time CSR read with rdtime, whose ticks (100 ns on QEMU
// virt) are the resolution: a figure's runs are made long enough to last
// BENCH_MIN_TICKS (10 ms), so one tick is 1e-5 of a run, unless its nmax
// says otherwise; the groups pick nmax so that it never has to in QEMU. A run may contain
// several bracketed intervals (bench_begin / bench_end); their sum is the
// run's time, so per-run setup (fork, mmap, invalidating a cache) is never
// counted. The VM's fault counters (vmstat) are read around the brackets
// of the warm-up run only, so the timed runs pay nothing for them.
#include "user/bench/bench.h"

static uint64 clk_start, clk_total;   // the current bracket and the sum
static int counting;                  // warm-up run: read vmstat too
static struct vmstats vs_start, vs_sum;
static char fail_reason[160];
static int figures_done;

// --- brackets --------------------------------------------------------------

static void vs_add(struct vmstats *sum, const struct vmstats *a,
                   const struct vmstats *b)
{
  sum->faults += b->faults - a->faults;
  sum->zfod += b->zfod - a->zfod;
  sum->cow += b->cow - a->cow;
  sum->cow_optim += b->cow_optim - a->cow_optim;
  sum->pagein += b->pagein - a->pagein;
  sum->readahead += b->readahead - a->readahead;
}

void bench_begin(void)
{
  if (counting)
    vmstat(&vs_start);
  clk_start = rdtime();
}

void bench_end(void)
{
  struct vmstats now;

  clk_total += rdtime() - clk_start;
  if (counting) {
    vmstat(&now);
    vs_add(&vs_sum, &vs_start, &now);
  }
}

int bench_fail(const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(fail_reason, sizeof(fail_reason), fmt, ap);
  va_end(ap);
  return -1;
}

// One run of n operations: its ticks, or 0 if it failed.
static uint64 bench_once(const struct bench *b, int n, int count)
{
  clk_total = 0;
  counting = count;
  memset(&vs_sum, 0, sizeof(vs_sum));
  if (b->run(b->arg, n) < 0)
    return 0;
  return clk_total > 0 ? clk_total : 1;
}

// --- statistics and reports -------------------------------------------------

static uint64 per_unit_ns(uint64 ticks, uint64 units)
{
  return (ticks * (1000000000UL / BENCH_TIMEBASE_HZ) + units / 2) / units;
}

static void sort_u64(uint64 *v, int n)
{
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
      uint64 t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
}

// x / units with two decimals, as "12.34".
static void print_hundredths(const char *name, unsigned long x,
                             unsigned long units)
{
  unsigned long h = (x * 100 + units / 2) / units;

  printf(" %s %lu.%02lu", name, h / 100, h % 100);
}

// The warm-up run's fault counters per unit: what the operation costs the
// VM, which tells whether the figure measures what it claims.
static void report_counters(const struct bench *b, unsigned long units)
{
  printf("# %s per %s:", b->metric, b->unit + 3);   // skip "ns/"
  print_hundredths("faults", vs_sum.faults, units);
  print_hundredths("zero-fill", vs_sum.zfod, units);
  print_hundredths("cow", vs_sum.cow, units);
  print_hundredths("moved", vs_sum.cow_optim, units);
  print_hundredths("pagein", vs_sum.pagein, units);
  print_hundredths("readahead", vs_sum.readahead, units);
  printf("\n");
}

static void report(const struct bench *b, uint64 *ns, int n)
{
  sort_u64(ns, BENCH_RUNS);
  printf("BENCH %s %s %lu %lu %lu %d\n", b->metric, b->unit,
         ns[BENCH_RUNS / 2], ns[0], ns[BENCH_RUNS - 1], BENCH_RUNS);
  printf("%-18s %10lu %-8s runs of %d:", b->metric, ns[BENCH_RUNS / 2],
         b->unit, n);
  for (int i = 0; i < BENCH_RUNS; i++)
    printf(" %lu", ns[i]);
  printf("\n");
}

void bench_report(const char *metric, const char *unit, uint64 *ns)
{
  struct bench b = { .metric = metric, .unit = unit };

  report(&b, ns, 1);
  figures_done++;
}

void bench_report_fail(const char *metric)
{
  printf("BENCH-FAIL %s: %s\n", metric, fail_reason);
}

// --- the figure ----------------------------------------------------------------

// Warm up, and grow n until a run lasts BENCH_MIN_TICKS (aiming a quarter
// above, as runs vary) or n reaches nmax. Returns n, or 0 on failure.
static int bench_calibrate(const struct bench *b)
{
  int n = b->nmin;
  uint64 t = bench_once(b, n, 1);

  if (t == 0)
    return 0;
  report_counters(b, (unsigned long)n * b->per);
  while (t < BENCH_MIN_TICKS && n < b->nmax) {
    uint64 want = (uint64)n * (BENCH_MIN_TICKS + BENCH_MIN_TICKS / 4) / t + 1;
    if (want > (uint64)n * 16)
      want = (uint64)n * 16;
    n = want > (uint64)b->nmax ? b->nmax : (int)want;
    if ((t = bench_once(b, n, 0)) == 0)
      return 0;
  }
  return n;
}

int bench_figure(const struct bench *b)
{
  uint64 ns[BENCH_RUNS], t;
  int n;

  fail_reason[0] = '\0';
  if ((n = bench_calibrate(b)) == 0)
    goto fail;
  for (int r = 0; r < BENCH_RUNS; r++) {
    if ((t = bench_once(b, n, 0)) == 0)
      goto fail;
    ns[r] = per_unit_ns(t, (uint64)n * b->per);
  }
  report(b, ns, n);
  figures_done++;
  return 0;
fail:
  printf("BENCH-FAIL %s: %s\n", b->metric, fail_reason);
  return -1;
}

// One run of each figure per round, so that a drift of the machine (the
// host's disk cache, its other load) hits every figure alike and their
// ratios stay fair. No calibration: each run is nmin operations.
int bench_interleave(const struct bench *b, int nb)
{
  static uint64 ns[BENCH_MAXLEAVE][BENCH_RUNS];
  char bad[BENCH_MAXLEAVE] = { 0 };
  int failed = 0;
  uint64 t;

  if (nb > BENCH_MAXLEAVE)
    nb = BENCH_MAXLEAVE;
  for (int r = -1; r < BENCH_RUNS; r++)
    for (int i = 0; i < nb; i++) {
      if (bad[i])
        continue;
      fail_reason[0] = '\0';
      if ((t = bench_once(&b[i], b[i].nmin, r < 0)) == 0) {
        printf("BENCH-FAIL %s: %s\n", b[i].metric, fail_reason);
        bad[i] = 1;
        failed++;
      } else if (r < 0) {
        report_counters(&b[i], (unsigned long)b[i].nmin * b[i].per);
      } else {
        ns[i][r] = per_unit_ns(t, (uint64)b[i].nmin * b[i].per);
      }
    }
  for (int i = 0; i < nb; i++)
    if (!bad[i]) {
      report(&b[i], ns[i], b[i].nmin);
      figures_done++;
    }
  return failed;
}

int bench_figures_done(void)
{
  return figures_done;
}

// uptime() counts the kernel's ticks, 100 a second (TICK_HZ): each timer
// interrupt is set timebase-frequency / 100 time-CSR ticks after the
// previous one was handled, so the shortest of 20 tick intervals, times
// 100, is the frequency the device tree gave the kernel (plus the least
// interrupt latency; a loaded host only makes other intervals longer).
void bench_timebase_check(void)
{
  uint64 t, prev = 0, best = ~0UL, hz;
  int u = uptime();

  for (int i = 0; i <= 20; i++) {
    while (uptime() == u)
      ;
    u = uptime();
    t = rdtime();
    if (i > 0 && t - prev < best)
      best = t - prev;
    prev = t;
  }
  hz = best * 100;
  printf("# timebase: %lu Hz assumed, %lu Hz measured against uptime()\n",
         BENCH_TIMEBASE_HZ, hz);
  if (hz < BENCH_TIMEBASE_HZ * 98 / 100 || hz > BENCH_TIMEBASE_HZ * 102 / 100)
    printf("# WARNING: the timebase is not %lu Hz: every figure is off\n",
           BENCH_TIMEBASE_HZ);
}

// --- helpers ----------------------------------------------------------------------

char *bench_map_anon(int npages)
{
  char *p = mmap(0, (size_t)npages * PGSIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANON, -1, 0);

  return p == MAP_FAILED ? 0 : p;
}

void bench_unmap(void *p, int npages)
{
  if (p != 0 && npages > 0)
    munmap(p, (size_t)npages * PGSIZE);
}

void bench_touch(char *p, int npages)
{
  for (int i = 0; i < npages; i++)
    *(volatile uint64 *)(p + (size_t)i * PGSIZE) = (uint64)i;
}

void bench_fill(char *p, int npages)
{
  for (int i = 0; i < npages; i++) {
    uint64 *w = (uint64 *)(p + (size_t)i * PGSIZE);
    for (int j = 0; j < PGSIZE / 8; j++)
      w[j] = (uint64)j;
  }
  __asm__ volatile("" : : : "memory");   // the stores must happen
}

int bench_fork_wait(const char *path, char *argv[])
{
  int pid;

  if ((pid = fork()) == 0) {
    if (path)
      exec(path, argv);
    exit(path ? 127 : 0);
  }
  if (pid < 0)
    return bench_fail("fork: %s", strerror(errno));
  return bench_wait_child(pid);
}

int bench_wait_child(int pid)
{
  int status = -1;

  if (wait(&status) != pid)
    return bench_fail("wait: no child %d", pid);
  if (status != 0)
    return bench_fail("child %d exited with %d", pid, status);
  return 0;
}
