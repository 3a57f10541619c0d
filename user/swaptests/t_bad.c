// SPDX-License-Identifier: MIT
// swaptests baddisk: a swap disk that fails every write (`make check`
// boots one with QEMU's blkdebug: scripts/qemu-suite.sh, SWAP_FAIL=1).
// Only when named: on a working disk these tests fail.
//
// What a failing disk must not do: lose a page (a page whose write failed
// stays dirty and in memory), count a failed write as a page-out, hold
// swap blocks, or keep a process short of memory from being killed -- with
// nowhere to put anonymous memory the out-of-memory rule must act as it
// does without swap, and soon (a sweep of the queues tries one write, not
// one per page: swap_pager_write_failed).
#include "user/swaptests/sys.h"

// RAM / 4 written, pushed at the disk (every write fails), then read back.
static int bad_nothing_lost(void)
{
  struct vmstats vs;
  unsigned long n;
  long bad;
  char *a;

  TL_CHECK(vmstat(&vs) == 0 && vs.swap_total > 0, "no swap device");
  n = vs.total / 4;
  TL_CHECK((a = ss_anon(n)) != 0, "mmap of %lu pages", n);
  ss_fill(a, n * PGSIZE, 3);
  TL_CHECK(vmreclaim(1L << 40) >= 0, "vmreclaim");
  TL_CHECK(ss_resident(a, n) == (long)n, "%ld of %lu pages resident after "
           "failed writes", ss_resident(a, n), n);
  bad = ss_check(a, n * PGSIZE, 3);
  TL_CHECK(bad < 0, "byte %ld reads wrong after failed writes", bad);
  TL_CHECK(vmstat(&vs) == 0 && vs.swap_used == 0 && vs.swapout == 0,
           "swap used %lu, page-outs %lu: every write failed",
           vs.swap_used, vs.swapout);
  munmap(a, n * PGSIZE);
  return 0;
}

// A process writing 2 x RAM: killed for memory, soon, and every page
// comes back (the group's leak check). Soon: a few seconds here; before
// the daemon counted a pass's own pages as no shortage (vm_pageout_oom),
// the hog's text thrashed for minutes. The limit is a hang's, not a speed
// target.
#define BAD_HOG_TICKS (60 * 100)

static int bad_hog_killed(void)
{
  struct vmstats vs;
  unsigned long n;
  int pid, st, t0;
  char *a;

  TL_CHECK(vmstat(&vs) == 0 && vs.swap_total > 0, "no swap device");
  n = 2 * vs.total;
  t0 = uptime();
  TL_CHECK((pid = fork()) >= 0, "fork: %s", strerror(errno));
  if (pid == 0) {
    if ((a = ss_anon(n)) == 0)
      exit(2);
    ss_fill(a, n * PGSIZE, 4);
    exit(3);                          // wrote 2 x RAM: impossible here
  }
  TL_CHECK(wait(&st) == pid, "wait");
  TL_CHECK(st == -1, "the hog ended with status %d, not killed", st);
  TL_CHECK(uptime() - t0 < BAD_HOG_TICKS, "the hog lived %d s",
           (uptime() - t0) / 100);
  TL_CHECK(ss_swap_used() == 0, "swap used %lu", ss_swap_used());
  return 0;
}

// make bench's timing of the raw disk says the disk failed, and gives its
// blocks back.
static int bad_swapraw(void)
{
  unsigned long ns[2];

  TL_CHECK(swapraw(64, ns) == -1 && errno == EIO, "swapraw: %s",
           strerror(errno));
  TL_CHECK(ss_swap_used() == 0, "swap used %lu", ss_swap_used());
  return 0;
}

void ss_group_baddisk(void)
{
  tl_run("swapraw", bad_swapraw);
  tl_run("nothing_lost", bad_nothing_lost);
  tl_run("hog_killed", bad_hog_killed);
}
