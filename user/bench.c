// SPDX-License-Identifier: MIT
// bench [group ...]: time the VM against its own baselines (make bench).
//
// Groups, in this order: fork, fault, file, map, smp, all run by default,
// and page, only when named: it needs a swap disk and little RAM, so make
// bench runs it in a boot of its own (user/bench/*bench.c). Each figure is printed as one machine-readable
// line, "BENCH <metric> <unit> <median> <min> <max> <runs>", with a line
// for people beside it; scripts/bench.py collects them from the console
// of a headless boot. The last line, "bench: N passed, M failed", counts
// the figures measured and those that could not be (scripts/qemu-suite.sh
// judges the boot by it). Timing is never a test: nothing here fails
// because a figure is slow.
//
// The fork figures wire up to 2 x 64 MiB (the parent's mlocked pages and
// the child's eager copy), so the program raises its own RLIMIT_MEMLOCK
// soft limit to the hard one, and the boot needs MEM=512M.
#include "user/bench/bench.h"

struct group {
  const char *name;
  int (*fn)(void);
  int bydefault;          // run when no group is named
};

static const struct group groups[] = {
  { "fork", bench_group_fork, 1 },
  { "fault", bench_group_fault, 1 },
  { "file", bench_group_file, 1 },
  { "map", bench_group_map, 1 },
  { "smp", bench_group_smp, 1 },
  { "page", bench_group_page, 0 },  // needs a swap disk and little RAM
};
#define NGROUPS ((int)(sizeof(groups) / sizeof(groups[0])))

static int wanted(const struct group *g, int argc, char *argv[])
{
  if (argc < 2)
    return g->bydefault;
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], g->name) == 0)
      return 1;
  return 0;
}

static void raise_memlock(void)
{
  struct rlimit rl;

  if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_MEMLOCK, &rl) == 0)
      return;
  }
  printf("# bench: cannot raise RLIMIT_MEMLOCK: %s\n", strerror(errno));
}

int main(int argc, char *argv[])
{
  struct vmstats vs;
  int failed = 0;

  for (int i = 1; i < argc; i++) {
    int known = 0;
    for (int g = 0; g < NGROUPS; g++)
      known |= strcmp(argv[i], groups[g].name) == 0;
    if (!known) {
      fprintf(STDERR_FILENO, "usage: bench [fork|fault|file|map|smp|page ...]\n");
      return 2;
    }
  }
  raise_memlock();
  if (vmstat(&vs) == 0)
    printf("# memory: %lu pages, %lu free\n", vs.total, vs.free);
  bench_timebase_check();
  for (int g = 0; g < NGROUPS; g++)
    if (wanted(&groups[g], argc, argv)) {
      printf("# group %s\n", groups[g].name);
      failed += groups[g].fn();
    }
  printf("bench: %d passed, %d failed\n", bench_figures_done(), failed);
  return failed != 0;
}
