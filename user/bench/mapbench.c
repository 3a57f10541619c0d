// SPDX-License-Identifier: MIT
// Address-space figures:
//
//   mmap-touch-munmap   map one anonymous page, write it, unmap it
//   mprotect            flip one mapped page between read-write and
//                       read-only (one call)
//   exec-cold           fork + exec of /benchnop (a program that returns
//   exec-warm           at once) + wait; cold: its page cache dropped first
//
// As in filebench.c, the page cache of /benchnop lives only while its
// object is referenced, which after each child has exited only the group's
// own mapping of the file (the keeper) does; cold runs drop its pages with
// msync(MS_INVALIDATE) before each exec (untimed). Its few blocks may still
// be in the buffer cache: cold means "not in the page cache". Compare the
// exec figures with fork-cow-0: the difference is exec and exit.
#include "user/bench/bench.h"

#define NOP_PATH "/benchnop"

static char *nop_keeper;
static size_t nop_size;

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
    if (cold && msync(nop_keeper, nop_size, MS_INVALIDATE) < 0)
      return bench_fail("msync: %s", strerror(errno));
    bench_begin();
    if (bench_fork_wait(NOP_PATH, argv) < 0)
      return -1;
    bench_end();
  }
  return 0;
}

// Map /benchnop whole, read-only and shared, to keep its page cache.
static int nop_keep(void)
{
  struct stat st;
  int fd;

  if ((fd = open(NOP_PATH, O_RDONLY)) < 0)
    return -1;
  if (fstat(fd, &st) < 0) {
    close(fd);
    return -1;
  }
  nop_size = st.size;
  nop_keeper = mmap(0, nop_size, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);                      // the mapping keeps the file
  return nop_keeper == MAP_FAILED ? -1 : 0;
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
  if (nop_keep() < 0) {
    printf("BENCH-FAIL exec: cannot map %s: %s\n", NOP_PATH, strerror(errno));
    return failed + 2;
  }
  failed += bench_figure(&b[2]) < 0;
  failed += bench_figure(&b[3]) < 0;
  munmap(nop_keeper, nop_size);
  return failed;
}
