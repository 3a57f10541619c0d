// SPDX-License-Identifier: MIT
// Fault figures, each beside the floor it is judged against.
//
//   getpid            one system call round trip: the cost of a trap
//   memcpy-4k         one 4 KiB copy in user space, 64-bit words, as the
//                     kernel's pmap_copy_page does it (the library memcpy
//                     goes byte by byte and would make the floor too easy)
//   cow-fault         write one word of each page after fork while the
//                     child still shares them: one trap + one page copy
//   cow-fault-sole    the same after the child has exited: the parent is
//                     the object's only user again, so the fault makes the
//                     page writable in place (no shadow, no copy): the
//                     cost of a fault that allocates nothing
//   touch-zfod-word   first write of one word to each page of fresh
//                     anonymous memory: one zero-fill fault per page
//   touch-wired-word  the same loop over memory mlocked (so zero-filled
//                     and mapped) beforehand: no fault at all
//   touch-zfod-page   fill every word of each fresh page: the first-touch
//                     cost of memory a program initialises
//   touch-wired-page  the same over mlocked memory: the fault-free floor
#include "user/bench/bench.h"

static uint64 copy_src[PGSIZE / 8] __attribute__((aligned(PGSIZE)));
static uint64 copy_dst[PGSIZE / 8] __attribute__((aligned(PGSIZE)));

static int getpid_run(void *arg, int n)
{
  (void)arg;
  bench_begin();
  for (int i = 0; i < n; i++)
    getpid();
  bench_end();
  return 0;
}

static void __attribute__((noinline)) copy_page(uint64 *dst, const uint64 *src)
{
  for (int i = 0; i < PGSIZE / 8; i++)
    dst[i] = src[i];
}

static int memcpy_run(void *arg, int n)
{
  (void)arg;
  bench_begin();
  for (int i = 0; i < n; i++) {
    copy_page(copy_dst, copy_src);
    __asm__ volatile("" : : : "memory");   // every copy must happen
  }
  bench_end();
  return 0;
}

// Copy-on-write: map and touch n pages, fork a child that holds them
// (blocked on a pipe) or exits at once (sole), then time the parent's
// writes.
static int cow_run(void *arg, int n)
{
  int sole = arg != 0, fds[2], pid, rc = 0;
  char *p = bench_map_anon(n), c = 0;

  if (p == 0)
    return bench_fail("mmap: %s", strerror(errno));
  bench_touch(p, n);
  if (pipe(fds) < 0) {
    bench_unmap(p, n);
    return bench_fail("pipe: %s", strerror(errno));
  }
  if ((pid = fork()) == 0) {
    close(fds[1]);
    if (!sole)
      read(fds[0], &c, 1);   // until the parent is done
    exit(0);
  }
  close(fds[0]);
  if (pid < 0)
    rc = bench_fail("fork: %s", strerror(errno));
  else if (sole)
    rc = bench_wait_child(pid);
  if (rc == 0) {
    bench_begin();
    bench_touch(p, n);
    bench_end();
  }
  close(fds[1]);             // the child reads end-of-file and exits
  if (pid > 0 && !sole && bench_wait_child(pid) < 0)
    rc = -1;
  bench_unmap(p, n);
  return rc;
}

enum touch_kind { TOUCH_ZFOD_WORD, TOUCH_WIRED_WORD, TOUCH_ZFOD_PAGE,
                  TOUCH_WIRED_PAGE };

#define TOUCH_CHUNK 8192   // pages mapped at once (32 MiB)

// Map npages fresh (and mlock them), then time touching them once.
static int touch_chunk(enum touch_kind k, int npages)
{
  int wired = k == TOUCH_WIRED_WORD || k == TOUCH_WIRED_PAGE;
  char *p = bench_map_anon(npages);

  if (p == 0)
    return bench_fail("mmap: %s", strerror(errno));
  if (wired && mlock(p, (size_t)npages * PGSIZE) < 0) {
    bench_unmap(p, npages);
    return bench_fail("mlock: %s", strerror(errno));
  }
  bench_begin();
  if (k == TOUCH_ZFOD_WORD || k == TOUCH_WIRED_WORD)
    bench_touch(p, npages);
  else
    bench_fill(p, npages);
  bench_end();
  bench_unmap(p, npages);
  return 0;
}

// A touch of memory without faults is so quick that a run needs more
// pages than fit at once: touch them in chunks, each fresh.
static int touch_run(void *arg, int n)
{
  enum touch_kind k = (enum touch_kind)(uint64)arg;

  for (int done = 0; done < n; done += TOUCH_CHUNK)
    if (touch_chunk(k, n - done < TOUCH_CHUNK ? n - done : TOUCH_CHUNK) < 0)
      return -1;
  return 0;
}

int bench_group_fault(void)
{
  static const struct bench figures[] = {
    { "getpid", "ns/call", getpid_run, 0, 1000, 1 << 20, 1 },
    { "memcpy-4k", "ns/copy", memcpy_run, 0, 256, 1 << 20, 1 },
    { "cow-fault", "ns/page", cow_run, 0, 256, 8192, 1 },
    { "cow-fault-sole", "ns/page", cow_run, (void *)1, 256, 8192, 1 },
    { "touch-zfod-word", "ns/page", touch_run, (void *)TOUCH_ZFOD_WORD,
      256, 65536, 1 },
    { "touch-wired-word", "ns/page", touch_run, (void *)TOUCH_WIRED_WORD,
      256, 65536, 1 },
    { "touch-zfod-page", "ns/page", touch_run, (void *)TOUCH_ZFOD_PAGE,
      256, 65536, 1 },
    { "touch-wired-page", "ns/page", touch_run, (void *)TOUCH_WIRED_PAGE,
      256, 65536, 1 },
  };
  int failed = 0;

  for (int i = 0; i < (int)(sizeof(figures) / sizeof(figures[0])); i++) {
    for (int j = 0; j < PGSIZE / 8; j++)
      copy_src[j] = copy_dst[j] = (uint64)j;   // resident before timing
    failed += bench_figure(&figures[i]) < 0;
  }
  return failed;
}
