// SPDX-License-Identifier: MIT
// vmstat [-n] [interval [count]]: print the system's page counts and fault
// counters, as reported by the vmstat() system call.
//
// The default output is labelled lines: pages (total, free, in use =
// total - free, active, inactive, laundry, wired, kmem pages and
// objects), faults (all,
// zero-fill, copy-on-write that copied, copy-on-write that moved the page)
// and paging (read-ahead, prefault, page-ins, page-outs, free-behind,
// pages reclaimed when memory ran out), swap (total, used, pages read
// from and written to swap, and dirty file pages the pageout daemon wrote
// back to their files), and the cache of unused files (files, and the
// pages they hold).
// -n prints one "name value" line per counter instead, for scripts and
// tests. With an interval (ticks of 10 ms) it repeats count times (forever
// without a count), printing the fault and paging counters as differences
// from the previous sample after the first.
#include "user/user.h"

static void print_lines(const struct vmstats *vs, const struct vmstats *d)
{
  printf("pages total %lu free %lu used %lu active %lu inactive %lu "
         "laundry %lu wired %lu kmem %lu (%lu objects)\n", vs->total,
         vs->free, vs->total - vs->free, vs->active, vs->inactive,
         vs->laundry, vs->wired, vs->kmem, vs->kmem_objects);
  printf("faults %lu zero-fill %lu cow %lu cow-moved %lu\n", d->faults,
         d->zfod, d->cow, d->cow_optim);
  printf("readahead %lu prefault %lu pagein %lu pageout %lu freebehind %lu "
         "reclaimed %lu\n", d->readahead, d->prefault, d->pagein, d->pageout,
         d->freebehind, d->reclaimed);
  printf("swap total %lu used %lu swapin %lu swapout %lu filepageout %lu\n",
         vs->swap_total, vs->swap_used, d->swapin, d->swapout,
         d->filepageout);
  printf("cached files %lu pages %lu\n", vs->cached_objects, vs->cached_pages);
}

// Every field of struct vmstats: its name, where it is, and whether it is
// a level (a page count now) or a counter (which -n and intervals diff).
#define VMSTAT_FIELD(f, level) {#f, __builtin_offsetof(struct vmstats, f), level}
static const struct { const char *name; unsigned off; int level; } fields[] = {
  VMSTAT_FIELD(total, 1), VMSTAT_FIELD(free, 1), VMSTAT_FIELD(active, 1),
  VMSTAT_FIELD(inactive, 1), VMSTAT_FIELD(laundry, 1), VMSTAT_FIELD(wired, 1),
  VMSTAT_FIELD(faults, 0), VMSTAT_FIELD(zfod, 0), VMSTAT_FIELD(cow, 0),
  VMSTAT_FIELD(cow_optim, 0), VMSTAT_FIELD(readahead, 0),
  VMSTAT_FIELD(prefault, 0), VMSTAT_FIELD(pagein, 0), VMSTAT_FIELD(pageout, 0),
  VMSTAT_FIELD(freebehind, 0), VMSTAT_FIELD(reclaimed, 0),
  VMSTAT_FIELD(kmem, 1), VMSTAT_FIELD(kmem_objects, 1),
  VMSTAT_FIELD(swap_total, 1), VMSTAT_FIELD(swap_used, 1),
  VMSTAT_FIELD(swapin, 0), VMSTAT_FIELD(swapout, 0),
  VMSTAT_FIELD(filepageout, 0),
  VMSTAT_FIELD(ncpu, 1), VMSTAT_FIELD(sched_ipis, 0),
  VMSTAT_FIELD(sched_kicks, 0), VMSTAT_FIELD(sched_steals, 0),
  VMSTAT_FIELD(page_lock_acq, 0), VMSTAT_FIELD(page_lock_spins, 0),
  VMSTAT_FIELD(object_lock_acq, 0), VMSTAT_FIELD(object_lock_spins, 0),
  VMSTAT_FIELD(map_lock_acq, 0), VMSTAT_FIELD(map_lock_spins, 0),
  VMSTAT_FIELD(map_lock_sleeps, 0),
  VMSTAT_FIELD(pv_lock_acq, 0), VMSTAT_FIELD(pv_lock_spins, 0),
  VMSTAT_FIELD(cached_objects, 1), VMSTAT_FIELD(cached_pages, 1),
};
#define NFIELDS ((int)(sizeof(fields) / sizeof(fields[0])))

static unsigned long *field(struct vmstats *vs, int i)
{
  return (unsigned long *)((char *)vs + fields[i].off);
}

static void print_names(struct vmstats *vs, struct vmstats *d)
{
  for (int i = 0; i < NFIELDS; i++)
    printf("%s %lu\n", fields[i].name, *field(fields[i].level ? vs : d, i));
  printf("used %lu\n", vs->total - vs->free);
}

// d = now - before for the counters; levels copied from now.
static void diff(struct vmstats *d, struct vmstats *now, struct vmstats *before)
{
  *d = *now;
  for (int i = 0; i < NFIELDS; i++)
    if (!fields[i].level)
      *field(d, i) = *field(now, i) - *field(before, i);
}

int
main(int argc, char *argv[])
{
  struct vmstats vs, prev, d;
  int names = 0, interval = 0, count = 1, i = 1;

  if (i < argc && strcmp(argv[i], "-n") == 0)
    names = 1, i++;
  if (i < argc)
    interval = atoi(argv[i++]), count = -1;
  if (i < argc)
    count = atoi(argv[i++]);
  memset(&prev, 0, sizeof(prev));
  for (int n = 0; count < 0 || n < count; n++) {
    if (n > 0)
      sleep(interval);
    if (vmstat(&vs) < 0) {
      fprintf(STDERR_FILENO, "vmstat: %s\n", strerror(errno));
      return 1;
    }
    diff(&d, &vs, &prev);
    if (names)
      print_names(&vs, &d);
    else
      print_lines(&vs, &d);
    prev = vs;
  }
  return 0;
}
