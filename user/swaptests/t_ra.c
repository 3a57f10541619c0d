// SPDX-License-Identifier: MIT
// swaptests readahead: the asynchronous read-ahead of swap
// (kernel/vm/swap_pager_ra.c). A process reading swapped-out memory in
// order finds its clusters read before it gets there; processes that exit,
// unmap, fork or are killed while a read-ahead is in flight, and two
// processes reading one shared region at once, get their data right and
// leave no page, block or object behind (the group's leak check); three
// readers at once beside a process paging everything out again and again.
#include "user/swaptests/sys.h"

#define RA_PAGES   1024                // 64 clusters of 16
#define RA_CLUSTER 16

// Page-ins that a fault waited for: a synchronous read counts its pages in
// pagein and all but the wanted one in readahead, a read-ahead all of
// them in both.
static unsigned long ra_sync_faults(const struct vmstats *v0,
                                    const struct vmstats *v1)
{
  return (v1->pagein - v0->pagein) - (v1->readahead - v0->readahead);
}

// Written, then out on swap: n pages for salt s, or 0.
static char *ra_swapped(unsigned long n, int s)
{
  char *a = ss_anon(n);

  if (a == 0)
    return 0;
  ss_fill(a, n * PGSIZE, s);
  return ss_swap_out(a, n) == 0 ? a : 0;
}

// Reading 4 MiB back in order waits for the first two clusters only (the
// second, following a resident page, starts the read-ahead); without
// read-ahead it would wait for all 64.
static int ra_sequential(void)
{
  struct vmstats v0, v1;
  char *a;
  long bad;

  TL_CHECK(ss_have_swap(), "no swap device");
  TL_CHECK((a = ra_swapped(RA_PAGES, 61)) != 0, "mmap or page-out");
  TL_CHECK(vmstat(&v0) == 0, "vmstat");
  bad = ss_check(a, RA_PAGES * PGSIZE, 61);
  TL_CHECK(vmstat(&v1) == 0, "vmstat");
  TL_CHECK(bad < 0, "byte %ld read back wrong", bad);
  TL_CHECK(v1.swapin - v0.swapin >= RA_PAGES, "%lu pages read from swap",
           v1.swapin - v0.swapin);
  TL_CHECK(ra_sync_faults(&v0, &v1) <= RA_PAGES / RA_CLUSTER / 4,
           "%lu of %d clusters waited for", ra_sync_faults(&v0, &v1),
           RA_PAGES / RA_CLUSTER);
  munmap(a, RA_PAGES * PGSIZE);
  return 0;
}

// A child that starts a read-ahead (reads clusters 0 and 1 of its swapped
// memory) and at once exits, unmaps, or forks and exits: each while the
// read of cluster 2 is most likely still in flight.
static int ra_leave(int how)
{
  char *a = ra_swapped(64, 62);
  int pid, st;

  if (a == 0)
    return 2;
  if (a[0] != ss_pb(0, 62) || a[RA_CLUSTER * PGSIZE] !=
      ss_pb(RA_CLUSTER * PGSIZE, 62))
    return 3;
  if (how == 1 && munmap(a, 64 * PGSIZE) != 0)
    return 4;
  if (how == 2) {
    if ((pid = fork()) < 0)
      return 5;
    if (ss_check(a, 64 * PGSIZE, 62) >= 0)
      return 3;                       // both see every page right
    if (pid == 0)
      exit(0);
    if (wait(&st) != pid || st != 0)
      return st == 3 ? 3 : 6;
  }
  return 0;
}

static int ra_in_flight(void)
{
  int pid, st;

  TL_CHECK(ss_have_swap(), "no swap device");
  for (int round = 0; round < 12; round++) {
    TL_CHECK((pid = fork()) >= 0, "fork");
    if (pid == 0)
      exit(ra_leave(round % 3));
    TL_CHECK(wait(&st) == pid && st == 0,
             "round %d (%s): status %d (3: wrong data)", round,
             round % 3 == 0 ? "exit" : round % 3 == 1 ? "munmap" : "fork", st);
  }
  return 0;
}

// Reads its swapped memory back in order, round after round, until killed.
static void ra_reader(void *arg, int ready)
{
  char *a = ss_anon(RA_PAGES / 4);
  int start = uptime();

  (void)arg;
  if (a == 0)
    exit(2);
  ss_fill(a, RA_PAGES / 4 * PGSIZE, 63);
  write(ready, "r", 1);
  while (uptime() - start < SS_LOOP_TICKS) {
    if (ss_swap_out(a, RA_PAGES / 4) < 0 ||
        ss_check(a, RA_PAGES / 4 * PGSIZE, 63) >= 0)
      exit(3);
  }
  exit(0);
}

static int ra_killed(void)
{
  int pid, st;

  TL_CHECK(ss_have_swap(), "no swap device");
  for (int round = 0; round < 4; round++) {
    TL_CHECK((pid = ss_start_child(ra_reader, 0)) > 0, "no reader");
    sleep(1 + round % 3);
    TL_CHECK(kill(pid) == 0, "kill");
    TL_CHECK(wait(&st) == pid && st == -1, "round %d: status %d (3: wrong "
             "data)", round, st);
  }
  return 0;
}

// Two processes read one shared region, swapped out, at the same time:
// each one's faults find the other's read-ahead busy or done.
static int ra_two_readers(void)
{
  unsigned long n = RA_PAGES / 2;
  char *a;
  int pid, st;
  long bad;

  TL_CHECK(ss_have_swap(), "no swap device");
  a = mmap(0, n * PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON, -1, 0);
  TL_CHECK(a != MAP_FAILED, "mmap");
  ss_fill(a, n * PGSIZE, 64);
  for (int round = 0; round < 3; round++) {
    TL_CHECK(ss_swap_out(a, n) == 0, "pages still resident");
    TL_CHECK((pid = fork()) >= 0, "fork");
    if (pid == 0)
      exit(ss_check(a, n * PGSIZE, 64) >= 0 ? 3 : 0);
    bad = ss_check(a, n * PGSIZE, 64);
    TL_CHECK(wait(&st) == pid && st == 0, "round %d: the child's status %d",
             round, st);
    TL_CHECK(bad < 0, "round %d: the parent read byte %ld wrong", round, bad);
  }
  munmap(a, n * PGSIZE);
  return 0;
}

// Three readers over their own swapped memory at once, round after round,
// while a fourth process pushes everything out again and again: read-ahead
// pages paged out before use, reads in flight when their clusters' other
// pages go, several reads queued on the disk at once.
#define RA_BUSY_ROUNDS 12

static void ra_busy_reader(int s)
{
  char *a = ss_anon(RA_PAGES / 4);

  if (a == 0)
    exit(2);
  ss_fill(a, RA_PAGES / 4 * PGSIZE, s);
  for (int round = 0; round < RA_BUSY_ROUNDS; round++) {
    vmreclaim(1L << 40);
    if (ss_check(a, RA_PAGES / 4 * PGSIZE, s) >= 0)
      exit(3);
  }
  exit(0);
}

static int ra_with_reclaim(void)
{
  int pids[4], st, bad = 0;

  TL_CHECK(ss_have_swap(), "no swap device");
  for (int i = 0; i < 4; i++) {
    TL_CHECK((pids[i] = fork()) >= 0, "fork");
    if (pids[i] == 0 && i < 3)
      ra_busy_reader(70 + i);
    if (pids[i] == 0) {
      for (int k = 0; k < 4 * RA_BUSY_ROUNDS; k++)
        vmreclaim(1L << 40);
      exit(0);
    }
  }
  for (int i = 0; i < 4; i++) {
    TL_CHECK(wait(&st) > 0, "wait");
    bad += st != 0;
  }
  TL_CHECK(bad == 0, "%d of 4 processes failed (3: wrong data)", bad);
  return 0;
}

void ss_group_readahead(void)
{
  tl_run_child("sequential", ra_sequential);
  tl_run_child("in_flight", ra_in_flight);
  tl_run_child("killed", ra_killed);
  tl_run_child("two_readers", ra_two_readers);
  tl_run_child("with_reclaim", ra_with_reclaim);
}
