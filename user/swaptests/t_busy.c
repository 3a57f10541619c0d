// SPDX-License-Identifier: MIT
// swaptests busy: paging while several processes want memory at once, and
// swapraw, make bench's timing of the swap disk beside it.
#include "user/swaptests/sys.h"

// Four processes at once, each writing and checking RAM / 2 of its own:
// twice RAM in all, so each fault competes with three others for the
// pages every pass frees. With swap nearly empty none may be killed. One
// or two of the four were: a pass that freed all it set out to (a few
// pages, free memory being just under the high mark) counted as futile
// when the others took its pages, and a fault counted a try for every
// such pass (vm_pageout_daemon.c).
static int busy_four_at_once(void)
{
  struct vmstats vs;
  unsigned long n;
  int pids[4], st, killed = 0;

  TL_CHECK(vmstat(&vs) == 0 && vs.swap_total > 0, "no swap device");
  n = vs.total / 2;
  for (int i = 0; i < 4; i++) {
    TL_CHECK((pids[i] = fork()) >= 0, "fork: %s", strerror(errno));
    if (pids[i] == 0) {
      char *a = ss_anon(n);
      if (a == 0)
        exit(2);
      for (int round = 0; round < 2; round++) {
        ss_fill(a, n * PGSIZE, 40 + i * 2 + round);
        if (ss_check(a, n * PGSIZE, 40 + i * 2 + round) >= 0)
          exit(3);
      }
      exit(0);
    }
  }
  for (int i = 0; i < 4; i++) {
    TL_CHECK(wait(&st) > 0, "wait");
    killed += st == -1;
    TL_CHECK(st == 0 || st == -1, "a process ended with %d (3: wrong data)",
             st);
  }
  TL_CHECK(killed == 0, "%d of 4 processes killed", killed);
  return 0;
}

// swapraw: its argument checks, and a timing leaves swap as it found it
// (the blocks it borrowed are free again).
static int busy_swapraw(void)
{
  unsigned long ns[2] = { 0, 0 };
  struct vmstats v0, v1;

  TL_CHECK(vmstat(&v0) == 0 && v0.swap_total > 0, "no swap device");
  TL_CHECK(swapraw(0, ns) == -1 && errno == EINVAL, "0 pages: %s",
           strerror(errno));
  TL_CHECK(swapraw((long)v0.swap_total, ns) == -1 && errno == EINVAL,
           "the whole disk: %s", strerror(errno));
  TL_CHECK(swapraw(64, (unsigned long *)0x3fff000000) == -1 &&
           errno == EFAULT, "a bad pointer: %s", strerror(errno));
  TL_CHECK(swapraw(100, ns) == 0, "100 pages: %s", strerror(errno));
  TL_CHECK(ns[0] > 0 && ns[1] > 0, "ns per page %lu and %lu", ns[0], ns[1]);
  TL_CHECK(vmstat(&v1) == 0 && v1.swap_used == v0.swap_used &&
           v1.swapout == v0.swapout && v1.swapin == v0.swapin,
           "swap used %lu, then %lu; page-outs %lu more, page-ins %lu more",
           v0.swap_used, v1.swap_used, v1.swapout - v0.swapout,
           v1.swapin - v0.swapin);
  return 0;
}

void ss_group_busy(void)
{
  tl_run_child("four_at_once", busy_four_at_once);
  tl_run_child("swapraw", busy_swapraw);
}
