// SPDX-License-Identifier: MIT
// The timing harness of user/bench (user/bench/harness.c) and the groups
// of figures it runs (one .c file each under user/bench/).
//
// A figure is measured by a run function: run(arg, n) performs n
// operations and brackets the part to be timed with bench_begin() and
// bench_end(), as often as it likes; setup and cleanup stay outside. The
// harness (bench_figure) calls it once as a warm-up, grows n until one run
// lasts at least BENCH_MIN_TICKS, then times BENCH_RUNS runs and prints
// the median, minimum and maximum cost per unit in nanoseconds, as
//
//   BENCH <metric> <unit> <median> <min> <max> <runs>
//
// for scripts/bench.py, plus a line for people and one with the VM's
// fault counters per unit during the warm-up run ("#" lines).
#ifndef USER_BENCH_BENCH_H
#define USER_BENCH_BENCH_H

#include "user/user.h"

// The time CSR's frequency on QEMU virt (its device tree's
// timebase-frequency): one tick is 100 ns. bench_timebase_check()
// compares it with the kernel's clock at start-up.
#define BENCH_TIMEBASE_HZ 10000000UL
#define BENCH_RUNS        5         // timed runs per figure, after warm-up
#define BENCH_MIN_TICKS   100000    // a timed run lasts >= 10 ms (10^5 ticks)

struct bench {
  const char *metric;               // name in the BENCH line, no spaces
  const char *unit;                 // "ns/fork", "ns/page", ...
  int (*run)(void *arg, int n);     // 0, or -1 after bench_fail()
  void *arg;
  int nmin;                         // operations in the warm-up run
  int nmax;                         // most operations in one run
  int per;                          // units per operation (pages per pass)
};

// Measure b and print its lines. Returns 0, or -1 if a run failed.
int bench_figure(const struct bench *b);

// Measure nb figures together (at most BENCH_MAXLEAVE): a warm-up run of
// each, then BENCH_RUNS rounds of one run of each, every run of nmin
// operations, so a slow drift of the machine hits them all alike; for
// figures compared with each other whose runs are long anyway (cold file
// reads). Prints their lines; returns how many failed.
#define BENCH_MAXLEAVE 8
int bench_interleave(const struct bench *b, int nb);

// Bracket the timed part of a run; the times of all brackets in one run
// add up. Cheap: one rdtime each, except in the warm-up run, which also
// reads the VM's counters (outside the bracket).
void bench_begin(void);
void bench_end(void);

// Record why a run failed (printed by bench_figure); returns -1.
int bench_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// For a group that times its runs itself: report ns[0..BENCH_RUNS-1], the
// cost per unit of each timed run (sorted here), as bench_figure would;
// or the failure bench_fail recorded.
void bench_report(const char *metric, const char *unit, uint64 *ns);
void bench_report_fail(const char *metric);

// Start-up: warn if the timebase does not match the kernel's tick clock.
void bench_timebase_check(void);
// Figures measured so far, for the summary line.
int bench_figures_done(void);

// Helpers shared by the groups.
char *bench_map_anon(int npages);            // fresh private anonymous memory
void bench_unmap(void *p, int npages);
void bench_touch(char *p, int npages);       // write one word of each page
void bench_fill(char *p, int npages);        // write every word of each page
int bench_wait_child(int pid);               // 0 if pid exited with status 0
// fork; the child execs path with argv, or exits at once if path is 0;
// wait for it. 0 if it exited with status 0, else -1 (bench_fail).
int bench_fork_wait(const char *path, char *argv[]);
// A run function (struct bench) for a fork + exit + wait of a process
// that first touched arg's npages pages of region (none if region is 0).
struct bench_fork_arg {
  char *region;
  int npages;
};
int bench_fork_run(void *arg, int n);

// The groups; each measures its figures and returns how many it could not
// (including those it never started because its setup failed).
int bench_group_fork(void);      // forkbench.c
int bench_group_fault(void);     // faultbench.c
int bench_group_file(void);      // filebench.c
int bench_group_map(void);       // mapbench.c
int bench_group_smp(void);       // smpbench.c
int bench_group_page(void);      // pagebench.c (needs swap: not by default)

#endif
