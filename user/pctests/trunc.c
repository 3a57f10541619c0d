// SPDX-License-Identifier: MIT
// pctests, trunc group: truncation of a file whose pages are wired.
//
// ftruncate must discard the bytes past the new end in every cached page,
// wired or not: after the file grows back, read() and every mapping show
// zeros there (POSIX). A wired page past the new end cannot leave memory
// while it is wired; it stays mapped and reads as zeros
// (docs/syscalls-write.md, "Truncation").
#include "user/testlib.h"
#include "user/pctests/pctests.h"

#define TR_PATH "pt.file"
#define TR_CUT  100                   // the new end, inside page 0

static char tr_want[3 * PGSIZE], tr_got[3 * PGSIZE];

static int tr_zero(const char *p, int n)
{
  for (int i = 0; i < n; i++)
    if (p[i] != 0)
      return 0;
  return 1;
}

// Map the three pages of a fresh pattern file shared and lock them. The
// descriptor in *fd, the mapping returned (MAP_FAILED on failure).
static char *tr_map_locked(int *fd)
{
  char *p;

  if (pc_make_file(TR_PATH, sizeof(tr_want), 11) < 0)
    return MAP_FAILED;
  pc_pattern(tr_want, sizeof(tr_want), 11);
  if ((*fd = open(TR_PATH, O_RDWR)) < 0)
    return MAP_FAILED;
  p = mmap(0, sizeof(tr_want), PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
  if (p != MAP_FAILED && mlock(p, sizeof(tr_want)) < 0) {
    munmap(p, sizeof(tr_want));
    p = MAP_FAILED;
  }
  return p;
}

// Cut inside page 0 (pages 1 and 2 wholly past the end), then grow back.
static int trunc_wired_grow(void)
{
  int fd;
  char *p = tr_map_locked(&fd);

  TL_CHECK(p != MAP_FAILED, "map and lock: %s", strerror(errno));
  TL_CHECK(memcmp(p, tr_want, sizeof(tr_want)) == 0, "mapping before");
  TL_CHECK(ftruncate(fd, TR_CUT) == 0, "ftruncate: %s", strerror(errno));
  // Wired pages stay mapped: touching them is no bus error.
  TL_CHECK(tr_zero(p + TR_CUT, sizeof(tr_want) - TR_CUT),
           "the wired pages past the end still show the cut bytes");
  TL_CHECK(ftruncate(fd, sizeof(tr_want)) == 0, "grow: %s", strerror(errno));
  TL_CHECK(memcmp(p, tr_want, TR_CUT) == 0, "the kept bytes changed");
  TL_CHECK(tr_zero(p + TR_CUT, sizeof(tr_want) - TR_CUT),
           "the mapping shows old bytes after the file grew back");
  TL_CHECK(pc_read_at(TR_PATH, 0, tr_got, sizeof(tr_got)) == sizeof(tr_got),
           "read: %s", strerror(errno));
  TL_CHECK(memcmp(tr_got, tr_want, TR_CUT) == 0, "read: the kept bytes");
  TL_CHECK(tr_zero(tr_got + TR_CUT, sizeof(tr_got) - TR_CUT),
           "read() shows old bytes after the file grew back");
  munlock(p, sizeof(tr_want));
  munmap(p, sizeof(tr_want));
  close(fd);
  // And the disk agrees, once nothing holds the pages.
  TL_CHECK(pc_read_at(TR_PATH, 0, tr_got, sizeof(tr_got)) == sizeof(tr_got),
           "read from disk: %s", strerror(errno));
  TL_CHECK(memcmp(tr_got, tr_want, TR_CUT) == 0 &&
           tr_zero(tr_got + TR_CUT, sizeof(tr_got) - TR_CUT),
           "the file on disk shows old bytes");
  unlink(TR_PATH);
  return 0;
}

// Truncate to nothing and grow back; write through the mapping afterwards
// and the write must reach the file like any other.
static int trunc_wired_to_zero(void)
{
  int fd;
  char *p = tr_map_locked(&fd);

  TL_CHECK(p != MAP_FAILED, "map and lock: %s", strerror(errno));
  TL_CHECK(ftruncate(fd, 0) == 0, "ftruncate: %s", strerror(errno));
  TL_CHECK(ftruncate(fd, PGSIZE) == 0, "grow: %s", strerror(errno));
  TL_CHECK(pc_read_at(TR_PATH, 0, tr_got, PGSIZE) == PGSIZE, "read");
  TL_CHECK(tr_zero(tr_got, PGSIZE), "read() shows old bytes");
  TL_CHECK(tr_zero(p, PGSIZE), "the mapping shows old bytes");
  p[5] = 'w';
  TL_CHECK(msync(p, PGSIZE, MS_SYNC) == 0, "msync: %s", strerror(errno));
  munlock(p, sizeof(tr_want));
  munmap(p, sizeof(tr_want));
  close(fd);
  TL_CHECK(pc_read_at(TR_PATH, 0, tr_got, PGSIZE) == PGSIZE, "read again");
  TL_CHECK(tr_got[5] == 'w' && tr_zero(tr_got, 5) &&
           tr_zero(tr_got + 6, PGSIZE - 6), "the file after the store");
  unlink(TR_PATH);
  return 0;
}

void pc_group_trunc(void)
{
  tl_run("wired_grow", trunc_wired_grow);
  tl_run("wired_to_zero", trunc_wired_to_zero);
}
