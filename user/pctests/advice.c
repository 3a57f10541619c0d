// SPDX-License-Identifier: MIT
// pctests, advice group: what madvise does, seen in the vmstat counters
// and in mincore. A file just written and closed stays in the cache of
// unused files (kernel/vnode_cache.c), so cold_file drops that cache
// (vmreclaim(0)): the first mapping then starts with no resident page.
// Each test runs in a child (tl_run_child) so its mappings vanish with it.
//
// The window sizes are the kernel's (docs/syscalls-madvise.md): NORMAL
// reads 7 pages behind and 8 ahead of a fault, SEQUENTIAL 16 ahead, RANDOM
// none; a fault also maps the resident pages of that window.
#include "user/testlib.h"
#include "user/pctests/pctests.h"

#define NPG 64   // pages in the test file

static struct vmstats before, after;
static char vec[NPG];

// Take a counter snapshot. The first one also writes the snapshots and
// vec, so copy-on-write faults on them (tests run in forked children) are
// not counted in a delta.
static void snap(struct vmstats *vs)
{
  if (vs == &before) {
    memset(&after, 0, sizeof(after));
    memset(vec, 0, sizeof(vec));
    memset(&before, 0, sizeof(before));
  }
  vmstat(vs);
}

#define DELTA(f) (after.f - before.f)

// Map a fresh NPG-page file read-only and shared, with advice.
static char *cold_file(const char *path, int advice)
{
  if (pc_make_file(path, NPG * PGSIZE, 3) != 0 || vmreclaim(0) < 0)
    return 0;
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return 0;
  char *p = mmap(0, NPG * PGSIZE, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED || madvise(p, NPG * PGSIZE, advice) != 0)
    return 0;
  return p;
}

// The resident pages of [first, last) per mincore, as a count; -1 on error.
static int resident(char *p, int first, int last)
{
  int n = 0;
  if (mincore(p, NPG * PGSIZE, vec) != 0)
    return -1;
  for (int i = first; i < last; i++)
    n += vec[i] & 1;
  return n;
}

static int adv_sequential(void)
{
  char *p = cold_file("pa.seq", MADV_SEQUENTIAL);
  TL_CHECK(p != 0, "map: %s", strerror(errno));
  TL_CHECK(resident(p, 0, NPG) == 0, "not cold");
  snap(&before);
  (void)*(volatile char *)p;
  snap(&after);
  TL_CHECK(DELTA(pagein) == 17 && DELTA(readahead) == 16,
           "first touch read %lu (ahead %lu), want 17 (16)", DELTA(pagein),
           DELTA(readahead));
  TL_CHECK(resident(p, 0, 17) == 17 && resident(p, 17, NPG) == 0,
           "resident pages do not match the window");
  for (int i = 0; i < NPG; i++)
    (void)*(volatile char *)(p + i * PGSIZE);
  snap(&after);
  TL_CHECK(DELTA(pagein) == NPG, "read %lu pages, want %d", DELTA(pagein),
           NPG);
  TL_CHECK(DELTA(faults) <= NPG / 16 + 1, "%lu faults for a sequential scan",
           DELTA(faults));
  TL_CHECK(DELTA(freebehind) > 0, "nothing freed behind the scan");
  unlink("pa.seq");
  return 0;
}

static int adv_random(void)
{
  char *p = cold_file("pa.rnd", MADV_RANDOM);
  TL_CHECK(p != 0, "map: %s", strerror(errno));
  snap(&before);
  (void)*(volatile char *)(p + 20 * PGSIZE);
  (void)*(volatile char *)(p + 21 * PGSIZE);
  snap(&after);
  TL_CHECK(DELTA(pagein) == 2 && DELTA(readahead) == 0,
           "read %lu pages (ahead %lu), want 2 (0)", DELTA(pagein),
           DELTA(readahead));
  TL_CHECK(DELTA(faults) == 2, "%lu faults, want 2", DELTA(faults));
  TL_CHECK(resident(p, 0, NPG) == 2, "resident pages beyond the two touched");
  unlink("pa.rnd");
  return 0;
}

static int adv_normal(void)
{
  char *p = cold_file("pa.nrm", MADV_NORMAL);
  TL_CHECK(p != 0, "map: %s", strerror(errno));
  snap(&before);
  (void)*(volatile char *)(p + 20 * PGSIZE);
  snap(&after);
  TL_CHECK(DELTA(pagein) == 16 && DELTA(readahead) == 15,
           "read %lu pages (ahead %lu), want 16 (15)", DELTA(pagein),
           DELTA(readahead));
  TL_CHECK(resident(p, 13, 29) == 16 && resident(p, 0, NPG) == 16,
           "resident pages are not 13..28");
  snap(&before);
  for (int i = 13; i < 29; i++)
    (void)*(volatile char *)(p + i * PGSIZE);
  snap(&after);
  TL_CHECK(DELTA(faults) <= 2, "%lu faults over the read-ahead window",
           DELTA(faults));
  unlink("pa.nrm");
  return 0;
}

// WILLNEED reads the missing pages and maps them all: no fault after.
static int adv_willneed(void)
{
  char *p = cold_file("pa.wn", MADV_NORMAL);
  TL_CHECK(p != 0, "map: %s", strerror(errno));
  snap(&before);
  TL_CHECK(madvise(p, 32 * PGSIZE, MADV_WILLNEED) == 0, "willneed");
  snap(&after);
  TL_CHECK(DELTA(pagein) >= 32, "read only %lu pages", DELTA(pagein));
  TL_CHECK(resident(p, 0, 32) == 32, "not all 32 pages resident");
  snap(&before);
  for (int i = 0; i < 32; i++)
    (void)*(volatile char *)(p + i * PGSIZE);
  snap(&after);
  TL_CHECK(DELTA(faults) == 0, "%lu faults after WILLNEED", DELTA(faults));
  unlink("pa.wn");
  return 0;
}

// DONTNEED unmaps (the next touches fault) but keeps the contents.
static int adv_dontneed(void)
{
  char *p = mmap(0, 8 * PGSIZE, PROT_READ | PROT_WRITE,
                 MAP_ANON | MAP_PRIVATE, -1, 0);
  TL_CHECK(p != MAP_FAILED, "mmap");
  for (int i = 0; i < 8; i++)
    p[i * PGSIZE] = (char)('a' + i);
  TL_CHECK(madvise(p, 8 * PGSIZE, MADV_DONTNEED) == 0, "dontneed");
  TL_CHECK(mincore(p, 8 * PGSIZE, vec) == 0, "mincore");
  for (int i = 0; i < 8; i++)
    TL_CHECK(vec[i] & 1, "page %d no longer resident", i);
  snap(&before);
  for (int i = 0; i < 8; i++)
    TL_CHECK(p[i * PGSIZE] == (char)('a' + i), "page %d lost its data", i);
  snap(&after);
  TL_CHECK(DELTA(faults) > 0, "the pages were still mapped");
  return 0;
}

// FREE: each page reads as what was last written or zeros, never the
// older contents the parent's COW copy hides.
static int adv_free(void)
{
  char *p = mmap(0, 4 * PGSIZE, PROT_READ | PROT_WRITE,
                 MAP_ANON | MAP_PRIVATE, -1, 0);
  TL_CHECK(p != MAP_FAILED, "mmap");
  memset(p, 'o', 4 * PGSIZE);
  int pid = fork();
  if (pid == 0)
    for (;;)
      sleep(100);   // keeps the 'o' pages alive until killed
  TL_CHECK(pid > 0, "fork");
  memset(p, 'n', 4 * PGSIZE);
  TL_CHECK(madvise(p, 4 * PGSIZE, MADV_FREE) == 0, "free");
  for (int i = 0; i < 4 * PGSIZE; i += 512)
    TL_CHECK(p[i] == 'n' || p[i] == 0, "byte %d is %#x", i, p[i] & 0xff);
  kill(pid);
  wait(0);
  return 0;
}

void pc_group_advice(void)
{
  tl_run_child("sequential", adv_sequential);
  tl_run_child("random", adv_random);
  tl_run_child("normal", adv_normal);
  tl_run_child("willneed", adv_willneed);
  tl_run_child("dontneed", adv_dontneed);
  tl_run_child("free", adv_free);
}
