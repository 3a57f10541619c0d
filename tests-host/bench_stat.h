// SPDX-License-Identifier: MIT
// Statistics and the machine-readable line shared by the host benchmarks
// (tests-host/bench_*.c, each its own program, so these are static).
//
// A figure is BENCH_RUNS timed runs after one untimed warm-up run; it is
// reported as the median, minimum and maximum in one line,
//
//   BENCH <metric> <unit> <median> <min> <max> <runs>
//
// which scripts/bench.py collects (the same format as user/bench in QEMU).
#ifndef TESTS_HOST_BENCH_STAT_H
#define TESTS_HOST_BENCH_STAT_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_RUNS 7

struct bench_stat {
  double median, min, max;
};

static inline double bench_now_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int bench_cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

// Sorts samples[0..n) in place.
static inline struct bench_stat bench_stat_of(double *samples, int n)
{
  struct bench_stat s;

  qsort(samples, (size_t)n, sizeof(samples[0]), bench_cmp_double);
  s.median = samples[n / 2];
  s.min = samples[0];
  s.max = samples[n - 1];
  return s;
}

static inline void bench_stat_print(const char *metric, const char *unit,
                                    struct bench_stat s)
{
  printf("BENCH %s %s %.1f %.1f %.1f %d\n", metric, unit, s.median, s.min,
         s.max, BENCH_RUNS);
}

#endif
