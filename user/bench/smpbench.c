// SPDX-License-Identifier: MIT
// SMP figures: what several harts cost or buy (docs/scheduling.md).
//
//   fork-wait-N   fork + the child's exit + wait, for a parent with N
//                 private pages it has just written (N = 0, 64): the
//                 hand-off from parent to child and back that the
//                 scheduler decides; compare across CPUS columns.
//   zfod-par      P processes, P = the harts running (vmstat's ncpu), each
//                 writing one word of every page of fresh anonymous
//                 memory (one zero-fill fault per page) at the same time.
//                 Time: from releasing them to the last one's exit, per
//                 page of all P, so 1e9 / the figure is the machine's
//                 faults per second; scripts/bench.py reports the ratio
//                 to CPUS=1 beside the host's CPU count.
//   lock-page, lock-object, lock-map, lock-pv   failed tries spun per
//                 acquisition of the VM's page (free lists and queues),
//                 object and map locks and the pmap's pv locks (all of
//                 them together) during all zfod-par runs (vmstat's
//                 counters; one value, so median = min = max);
//                 lock-map-sleeps: sleeps per acquisition of a map lock's
//                 interlock.
//   lock-page-acq acquisitions of the page lock per zero-filled page
//                 during all zfod-par runs: what the per-hart caches of
//                 free pages (kernel/vm/vm_page.c) and batches of
//                 activations (kernel/vm/vm_page_queue.c) take off it.
#include "user/bench/bench.h"

#define ZFOD_PAGES 256             // pages each process faults per pass
// Passes per worker in a timed run, at least: a run also times releasing
// the P workers and reaping them, which a 10 ms run (the harness's
// least) would let weigh as much as the faults; 16 passes are about
// 60 ms at P=1, so the figure is the faults' throughput.
#define ZFOD_MIN_PASSES 16

static int fork_wait_figure(int npages)
{
  static char metric[32];
  struct bench_fork_arg a = { 0, npages };
  struct bench b = { metric, "ns/fork", bench_fork_run, &a, 1, 256, 1 };
  struct vmstats v0, v1;
  int rc;

  snprintf(metric, sizeof(metric), "fork-wait-%d", npages);
  if (npages > 0 && (a.region = bench_map_anon(npages)) == 0) {
    printf("BENCH-FAIL %s: mmap: %s\n", metric, strerror(errno));
    return -1;
  }
  int counted = vmstat(&v0) == 0;
  rc = bench_figure(&b);
  // Where the hand-offs went (docs/scheduling.md): a fork+wait that stays
  // on one hart adds none of these.
  if (counted && vmstat(&v1) == 0)
    printf("# %s scheduler: %lu ipis, %lu kicks, %lu steals\n", metric,
           v1.sched_ipis - v0.sched_ipis, v1.sched_kicks - v0.sched_kicks,
           v1.sched_steals - v0.sched_steals);
  bench_unmap(a.region, npages);
  return rc;
}

// One worker: wait for the start byte, then n passes of map, touch,
// unmap.
static void zfod_worker(int start_fd, int n)
{
  char c;

  if (read(start_fd, &c, 1) != 1)
    exit(2);
  for (int i = 0; i < n; i++) {
    char *p = bench_map_anon(ZFOD_PAGES);
    if (p == 0)
      exit(3);
    bench_touch(p, ZFOD_PAGES);
    bench_unmap(p, ZFOD_PAGES);
  }
  exit(0);
}

// Fork P workers blocked on a pipe (untimed), then time from writing
// their P start bytes to reaping the last.
static int zfod_par_run(void *argp, int n)
{
  int nproc = *(int *)argp, fds[2], failed = 0;
  int pids[8];

  if (pipe(fds) < 0)
    return bench_fail("pipe: %s", strerror(errno));
  for (int i = 0; i < nproc; i++) {
    if ((pids[i] = fork()) == 0) {
      close(fds[1]);
      zfod_worker(fds[0], n);
    }
    if (pids[i] < 0)
      failed = bench_fail("fork: %s", strerror(errno));
  }
  close(fds[0]);
  bench_begin();
  for (int i = 0; i < nproc; i++)
    if (pids[i] > 0 && write(fds[1], "g", 1) != 1)
      failed = bench_fail("pipe write: %s", strerror(errno));
  for (int i = 0; i < nproc; i++) {
    int status = -1;
    if (pids[i] > 0 && (wait(&status) < 0 || status != 0))
      failed = bench_fail("worker exited with %d", status);
  }
  bench_end();
  close(fds[1]);
  return failed;
}

// A counter ratio as a BENCH line of one value (x / n, two decimals).
static void ratio_line(const char *metric, const char *unit, unsigned long x,
                       unsigned long n)
{
  unsigned long h = n ? (x * 100 + n / 2) / n : 0;

  printf("BENCH %s %s %lu.%02lu %lu.%02lu %lu.%02lu 1\n", metric, unit,
         h / 100, h % 100, h / 100, h % 100, h / 100, h % 100);
}

static void lock_line(const char *metric, unsigned long x, unsigned long n)
{
  ratio_line(metric, "spins/acq", x, n);
}

static int zfod_par_figure(void)
{
  struct vmstats a, b;
  int nproc;

  if (vmstat(&a) < 0)
    return -1;
  nproc = a.ncpu < 1 ? 1 : a.ncpu > 8 ? 8 : (int)a.ncpu;
  struct bench fig = { "zfod-par", "ns/page", zfod_par_run, &nproc,
                       ZFOD_MIN_PASSES, 64, nproc * ZFOD_PAGES };
  printf("# zfod-par: %d processes\n", nproc);
  if (bench_figure(&fig) < 0 || vmstat(&b) < 0)
    return -1;
  lock_line("lock-page", b.page_lock_spins - a.page_lock_spins,
            b.page_lock_acq - a.page_lock_acq);
  lock_line("lock-object", b.object_lock_spins - a.object_lock_spins,
            b.object_lock_acq - a.object_lock_acq);
  lock_line("lock-map", b.map_lock_spins - a.map_lock_spins,
            b.map_lock_acq - a.map_lock_acq);
  lock_line("lock-map-sleeps", b.map_lock_sleeps - a.map_lock_sleeps,
            b.map_lock_acq - a.map_lock_acq);
  lock_line("lock-pv", b.pv_lock_spins - a.pv_lock_spins,
            b.pv_lock_acq - a.pv_lock_acq);
  ratio_line("lock-page-acq", "acq/page", b.page_lock_acq - a.page_lock_acq,
             b.zfod - a.zfod);
  printf("# scheduler so far: %lu ipis, %lu kicks, %lu steals\n",
         b.sched_ipis, b.sched_kicks, b.sched_steals);
  return 0;
}

int bench_group_smp(void)
{
  int failed = 0;

  failed += fork_wait_figure(0) < 0;
  failed += fork_wait_figure(64) < 0;
  failed += zfod_par_figure() < 0;
  return failed;
}
