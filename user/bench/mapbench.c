// SPDX-License-Identifier: MIT
// Address-space figures:
//
//   mmap-touch-munmap   map one anonymous page, write it, unmap it
//   mprotect            flip one mapped page between read-write and
//                       read-only (one call)
//   exec-cold           fork + exec of /benchnop (a program that returns
//   exec-warm           at once) + wait; cold: its page cache dropped first
//
// Nothing keeps /benchnop open or mapped between runs: each child's exit
// lets go of its last reference, and the page cache keeps the file's
// object on its list of unused files (vnode_pager.c), so a warm exec finds
// its pages. Cold runs first drop that list with vmreclaim(0) (untimed).
// Its few blocks may still be in the buffer cache: cold means "not in the
// page cache". Compare exec-cold with fork-cow-0: the difference is exec
// and exit.
#include "user/bench/bench.h"

#define NOP_PATH "/benchnop"

static int mmap_run(void *arg, int n)
{
  char *p;

  (void)arg;
  bench_begin();
  for (int i = 0; i < n; i++) {
    p = mmap(0, PGSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
    if (p == MAP_FAILED)
      return bench_fail("mmap: %s", strerror(errno));
    *(volatile char *)p = 1;
    if (munmap(p, PGSIZE) < 0)
      return bench_fail("munmap: %s", strerror(errno));
  }
  bench_end();
  return 0;
}

static int mprotect_run(void *arg, int n)
{
  char *p = arg;

  bench_begin();
  for (int i = 0; i < n; i++)
    if (mprotect(p, PGSIZE, (i & 1) ? PROT_READ | PROT_WRITE : PROT_READ) < 0)
      return bench_fail("mprotect: %s", strerror(errno));
  bench_end();
  return mprotect(p, PGSIZE, PROT_READ | PROT_WRITE);
}

static int exec_run(void *arg, int n)
{
  char *argv[] = { "benchnop", 0 };
  int cold = arg != 0;

  for (int i = 0; i < n; i++) {
    if (cold && vmreclaim(0) < 0)
      return bench_fail("vmreclaim: %s", strerror(errno));
    bench_begin();
    if (bench_fork_wait(NOP_PATH, argv) < 0)
      return -1;
    bench_end();
  }
  return 0;
}

int bench_group_map(void)
{
  struct bench b[] = {
    { "mmap-touch-munmap", "ns/op", mmap_run, 0, 100, 1 << 20, 1 },
    { "mprotect", "ns/call", mprotect_run, 0, 100, 1 << 20, 1 },
    { "exec-cold", "ns/exec", exec_run, (void *)1, 1, 256, 1 },
    { "exec-warm", "ns/exec", exec_run, 0, 1, 256, 1 },
  };
  char *page = bench_map_anon(1);
  int failed = 0;

  if (page == 0) {
    printf("BENCH-FAIL map: mmap: %s\n", strerror(errno));
    return 4;
  }
  bench_touch(page, 1);
  b[1].arg = page;
  failed += bench_figure(&b[0]) < 0;
  failed += bench_figure(&b[1]) < 0;
  bench_unmap(page, 1);
  failed += bench_figure(&b[2]) < 0;
  failed += bench_figure(&b[3]) < 0;
  return failed;
}
