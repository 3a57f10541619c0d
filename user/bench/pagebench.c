// SPDX-License-Identifier: MIT
// Paging figures, for the paging boot of make bench (MEM=64M with a swap
// disk; `bench page`), beside the swap disk's own speed measured next to
// them:
//
//   swap-raw-write, swap-raw-read   ns/page  the swap disk's raw sequential
//                                            write and read of as many
//                                            free blocks as a round pages
//                                            out, in 16-page requests (the
//                                            pager's cluster), with no VM
//                                            in the way (swapraw), in each
//                                            round just before its
//                                            page-out
//   pageout                         ns/page  vmreclaim pushing RAM / 2 of
//                                            freshly written anonymous
//                                            memory to swap, per page
//                                            written (vmstat swapout)
//   pagein                          ns/page  reading it back, one word per
//                                            page in address order, per
//                                            page read from swap (swapin)
//   ws-0.5ram, ws-1.5ram            ns/pass  one pass writing a word of
//                                            every page of a working set
//                                            of 0.5 x RAM (it stays
//                                            resident) and of 1.5 x RAM
//                                            (each pass pages out and in)
//
// Page-out and page-in go through the whole VM -- the scan, clustering,
// the fault with its read-around -- so their ratio to the raw rate is what
// the paging code costs on top of the disk. The raw figures are taken in
// every round, on the same number of fresh blocks, because the host's
// disk speed drifts (by 2x between boots here): a ratio is only fair
// between figures taken moments apart. A page's 4 KiB is the unit:
// pages/s = 10^9 / (ns/page).
#include "user/bench/bench.h"

static unsigned long ram;             // pages of RAM (vmstat total)

static uint64 ticks_ns(uint64 ticks)
{
  return ticks * (1000000000UL / BENCH_TIMEBASE_HZ);
}

// One round of page_inout: fill a's n pages, time the raw disk on n
// blocks, push the pages out, read them back. The ns per page of each in
// ns[]: raw write, raw read, page-out, page-in. 0, or -1.
static int page_round(char *a, unsigned long n, uint64 ns[4])
{
  struct vmstats v0, v1, v2;
  uint64 t0, t1, t2, sum = 0, outs, ins;

  bench_fill(a, (int)n);
  if (swapraw((long)n, (unsigned long *)ns) != 0)
    return bench_fail("swapraw of %lu pages: %s", n, strerror(errno));
  vmstat(&v0);
  t0 = rdtime();
  vmreclaim(1L << 40);
  t1 = rdtime();
  vmstat(&v1);
  for (unsigned long i = 0; i < n; i++)
    sum += *(volatile uint64 *)(a + i * PGSIZE + 8);   // bench_fill: 1
  t2 = rdtime();
  vmstat(&v2);
  outs = v1.swapout - v0.swapout;
  ins = v2.swapin - v1.swapin;
  if (outs < n / 2 || ins < n / 2)
    return bench_fail("only %lu pages out and %lu in of %lu", outs, ins, n);
  ns[2] = ticks_ns(t1 - t0) / outs;
  ns[3] = ticks_ns(t2 - t1) / ins;
  printf("# page round: %lu pages out, %lu in, %lu faults, %lu read ahead; "
         "raw/paging %lu%% out, %lu%% in\n", outs, ins, v2.faults - v1.faults,
         v2.readahead - v1.readahead, ns[0] * 100 / ns[2], ns[1] * 100 / ns[3]);
  return sum != n ? bench_fail("the pages read back wrong") : 0;
}

// The four figures of page_round: a warm-up round, then BENCH_RUNS timed
// ones.
static int page_inout(void)
{
  static const char *metric[4] = { "swap-raw-write", "swap-raw-read",
                                   "pageout", "pagein" };
  unsigned long n = ram / 2;
  uint64 ns[4][BENCH_RUNS], one[4];
  char *a = bench_map_anon((int)n);
  int rc = 0;

  if (a == 0) {
    printf("BENCH-FAIL pageout: mmap of %lu pages\n", n);
    return 2;
  }
  for (int r = -1; r < BENCH_RUNS && rc == 0; r++) {
    rc = page_round(a, n, one);
    for (int k = 0; k < 4 && r >= 0; k++)
      ns[k][r] = one[k];
  }
  bench_unmap(a, (int)n);
  for (int k = 0; k < 4; k++) {
    if (rc != 0)
      bench_report_fail(metric[k]);
    else
      bench_report(metric[k], "ns/page", ns[k]);
  }
  return rc != 0 ? 4 : 0;
}

struct ws_arg {
  char *a;
  int npages;
};

// n passes over the working set, a word written in every page.
static int ws_run(void *arg, int n)
{
  struct ws_arg *w = arg;

  for (int k = 0; k < n; k++) {
    bench_begin();
    bench_touch(w->a, w->npages);
    bench_end();
  }
  return 0;
}

// The working-set figure metric over npages pages: ns per pass.
static int ws_figure(const char *metric, int npages)
{
  struct ws_arg w = { bench_map_anon(npages), npages };
  struct bench b = { metric, "ns/pass", ws_run, &w, 1, 1, 1 };
  int rc;

  if (w.a == 0) {
    printf("BENCH-FAIL %s: mmap of %d pages\n", metric, npages);
    return 1;
  }
  rc = bench_figure(&b);
  bench_unmap(w.a, npages);
  return rc != 0;
}

int bench_group_page(void)
{
  struct vmstats vs;
  int failed = 0;

  if (vmstat(&vs) != 0 || vs.swap_total == 0) {
    printf("BENCH-FAIL page: no swap disk (make bench boots one)\n");
    return 1;
  }
  ram = vs.total;
  failed += page_inout();
  failed += ws_figure("ws-0.5ram", (int)(ram / 2));
  failed += ws_figure("ws-1.5ram", (int)(ram * 3 / 2));
  return failed;
}
