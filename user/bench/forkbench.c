// SPDX-License-Identifier: MIT
// Fork figures: fork + child exit + wait, for a parent with 0, 256, 4096
// and 16384 touched private pages.
//
//   fork-cow-N     the N pages are ordinary private memory: fork
//                  write-protects them and shares them copy-on-write;
//   fork-wired-N   the same pages wired with mlock first: the kernel copies
//                  wired private pages at fork (vmspace.c), so this is the
//                  eager-copy baseline, measured in the same run;
//   fork-wiredall-0  no extra pages, but the whole program wired with
//                  mlockall(MCL_CURRENT): the eager copy of a small process
//                  (text, data, stack), beside fork-cow-0.
//
// Before every fork the parent writes one word of each page again
// (untimed), so each fork finds them all mapped writable, as right after
// a program has used its memory; for fork-cow-N those writes are the
// parent's deferred copy-on-write faults (moves, once the child is gone),
// measured separately as cow-fault-move (faultbench.c). The child exits at
// once; the time runs from fork() to wait() returning.
#include "user/bench/bench.h"

int bench_fork_run(void *argp, int n)
{
  struct bench_fork_arg *a = argp;

  for (int i = 0; i < n; i++) {
    bench_touch(a->region, a->npages);
    bench_begin();
    if (bench_fork_wait(0, 0) < 0)
      return -1;
    bench_end();
  }
  return 0;
}

// Operations per run: a fork of many pages takes long enough alone.
static int fork_nmax(int npages, int wired)
{
  if (wired)
    return npages >= 4096 ? 2 : 64;
  return npages >= 4096 ? 16 : 256;
}

static int fork_figure(int npages, int wired)
{
  static char metric[32];
  struct bench_fork_arg a = { 0, npages };
  struct bench b = { metric, "ns/fork", bench_fork_run, &a, 1,
                     fork_nmax(npages, wired), 1 };
  int rc;

  snprintf(metric, sizeof(metric), "fork-%s-%d", wired ? "wired" : "cow",
           npages);
  if (npages > 0) {
    if ((a.region = bench_map_anon(npages)) == 0) {
      printf("BENCH-FAIL %s: mmap: %s\n", metric, strerror(errno));
      return -1;
    }
    if (wired && mlock(a.region, (size_t)npages * PGSIZE) < 0) {
      printf("BENCH-FAIL %s: mlock: %s\n", metric, strerror(errno));
      bench_unmap(a.region, npages);
      return -1;
    }
  }
  rc = bench_figure(&b);
  bench_unmap(a.region, npages);
  return rc;
}

static int fork_wiredall_figure(void)
{
  struct bench_fork_arg a = { 0, 0 };
  struct bench b = { "fork-wiredall-0", "ns/fork", bench_fork_run, &a, 1, 64, 1 };
  int rc;

  if (mlockall(MCL_CURRENT) < 0) {
    printf("BENCH-FAIL %s: mlockall: %s\n", b.metric, strerror(errno));
    return -1;
  }
  rc = bench_figure(&b);
  munlockall();
  return rc;
}

int bench_group_fork(void)
{
  static const int sizes[] = { 0, 256, 4096, 16384 };
  int failed = 0;

  for (int i = 0; i < (int)(sizeof(sizes) / sizeof(sizes[0])); i++) {
    failed += fork_figure(sizes[i], 0) < 0;
    failed += fork_figure(sizes[i], 1) < 0;
  }
  failed += fork_wiredall_figure() < 0;
  return failed;
}
