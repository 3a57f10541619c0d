// SPDX-License-Identifier: MIT
// pctests cache: the page cache outlives a file's last user
// (kernel/vnode_pager.c, "The cache of unused files"). A file read and
// closed, or a program run and exited, keeps its pages: the next read()
// or exec finds them (no page-ins in vmstat). The cache never keeps an
// unlinked file's blocks, stays bounded, stays coherent with write() and
// truncation, and gives its pages up when memory runs short.
//
// Each test starts from an empty cache (vmreclaim(0) evicts every cached
// file), so a cold first pass is really cold.
#include "user/testlib.h"
#include "user/pctests/pctests.h"

#define CA_PAGES   16                  // pages of the files read twice
#define CA_NFILES  120   // more than 2 x xv6's inode table (NINODE 50)
#define CA_CACHED_MAX 64               // the kernel's bound (VNODE_CACHE_MAX)

static char ca_buf[CA_PAGES * PGSIZE], ca_want[CA_PAGES * PGSIZE];
static struct vmstats ca_vs;

static unsigned long ca_pageins(void)
{
  return vmstat(&ca_vs) == 0 ? ca_vs.pagein : 0;
}

// Read all of path into ca_buf and check it is pattern seed. 0 or -1.
static int ca_read_check(const char *path, int n, int seed)
{
  if (pc_read_at(path, 0, ca_buf, n) != n)
    return -1;
  pc_pattern(ca_want, n, seed);
  return memcmp(ca_buf, ca_want, n) == 0 ? 0 : -1;
}

// read() of a file closed since its first read needs no disk.
static int ca_reread_warm(void)
{
  unsigned long p0, p1, p2;

  TL_CHECK(pc_make_file("ca.r", sizeof(ca_buf), 4) == 0, "create");
  TL_CHECK(vmreclaim(0) >= 0, "vmreclaim");
  p0 = ca_pageins();
  TL_CHECK(ca_read_check("ca.r", sizeof(ca_buf), 4) == 0, "first read");
  p1 = ca_pageins();
  TL_CHECK(p1 - p0 >= CA_PAGES, "cold read: %lu page-ins", p1 - p0);
  TL_CHECK(vmstat(&ca_vs) == 0 && ca_vs.cached_objects >= 1 &&
           ca_vs.cached_pages >= CA_PAGES,
           "closed file not cached: %lu objects, %lu pages",
           ca_vs.cached_objects, ca_vs.cached_pages);
  TL_CHECK(ca_read_check("ca.r", sizeof(ca_buf), 4) == 0, "second read");
  p2 = ca_pageins();
  TL_CHECK(p2 == p1, "second read after close: %lu page-ins", p2 - p1);
  unlink("ca.r");
  return 0;
}

// exec of a program nobody runs finds its text cached.
static int ca_exec_warm(void)
{
  char out[64];
  char *argv[] = {"echo", "warm", 0};
  unsigned long p0, p1;
  int status;

  TL_CHECK(vmreclaim(0) >= 0, "vmreclaim");
  TL_CHECK(pc_run_capture(argv, out, sizeof(out), &status) == 5 &&
           status == 0, "first echo");
  p0 = ca_pageins();
  TL_CHECK(pc_run_capture(argv, out, sizeof(out), &status) == 5 &&
           status == 0 && strcmp(out, "warm\n") == 0, "second echo");
  p1 = ca_pageins();
  TL_CHECK(p1 == p0, "second exec: %lu page-ins", p1 - p0);
  return 0;
}

static long ca_ino(const char *path)
{
  struct stat st;
  return stat(path, &st) < 0 ? -1 : (long)st.ino;
}

// A cached file that is unlinked is freed on disk at once: the next file
// created gets its inode (ialloc takes the lowest free one). Also when
// the file is still open at unlink: freed at its close.
static int ca_unlink_frees(void)
{
  long ino;
  int fd;

  TL_CHECK(pc_make_file("ca.u", 4 * PGSIZE, 5) == 0, "create");
  TL_CHECK(ca_read_check("ca.u", 4 * PGSIZE, 5) == 0, "read");
  ino = ca_ino("ca.u");
  TL_CHECK(ino > 0 && unlink("ca.u") == 0, "unlink");
  TL_CHECK(pc_make_file("ca.v", PGSIZE, 6) == 0, "create ca.v");
  TL_CHECK(ca_ino("ca.v") == ino, "inode %ld not freed (new file got %ld)",
           ino, ca_ino("ca.v"));
  TL_CHECK(unlink("ca.v") == 0, "unlink ca.v");

  TL_CHECK(pc_make_file("ca.u", 4 * PGSIZE, 5) == 0, "create again");
  ino = ca_ino("ca.u");
  fd = open("ca.u", O_RDONLY);
  TL_CHECK(fd >= 0 && read(fd, ca_buf, PGSIZE) == PGSIZE, "read open file");
  TL_CHECK(unlink("ca.u") == 0, "unlink open file");
  TL_CHECK(read(fd, ca_buf, PGSIZE) == PGSIZE, "read after unlink");
  close(fd);
  TL_CHECK(pc_make_file("ca.v", PGSIZE, 6) == 0, "create ca.v");
  TL_CHECK(ca_ino("ca.v") == ino, "open file's inode %ld not freed at close",
           ino);
  unlink("ca.v");
  return 0;
}

static void ca_name(char *name, int i)
{
  strcpy(name, "ca.m000");
  name[4] = (char)('0' + i / 100);
  name[5] = (char)('0' + i / 10 % 10);
  name[6] = (char)('0' + i % 10);
}

// Many distinct files read and closed, twice: the cache stays within its
// bound (it holds an inode per file), every read works, and the files
// read last are still warm.
static int ca_many_files(void)
{
  char name[16];
  unsigned long p0;
  int i, round;

  for (i = 0; i < CA_NFILES; i++) {
    ca_name(name, i);
    TL_CHECK(pc_make_file(name, 100, i) == 0, "create %s", name);
  }
  for (round = 0; round < 2; round++)
    for (i = 0; i < CA_NFILES; i++) {
      ca_name(name, i);
      TL_CHECK(ca_read_check(name, 100, i) == 0, "read %s", name);
    }
  TL_CHECK(vmstat(&ca_vs) == 0 && ca_vs.cached_objects <= CA_CACHED_MAX &&
           ca_vs.cached_objects >= CA_CACHED_MAX / 2,
           "%lu files cached", ca_vs.cached_objects);
  p0 = ca_pageins();
  for (i = CA_NFILES - CA_CACHED_MAX / 2; i < CA_NFILES; i++) {
    ca_name(name, i);
    TL_CHECK(ca_read_check(name, 100, i) == 0, "reread %s", name);
  }
  TL_CHECK(ca_pageins() == p0, "recent files cold: %lu page-ins",
           ca_pageins() - p0);
  for (i = 0; i < CA_NFILES; i++) {
    ca_name(name, i);
    unlink(name);
  }
  return 0;
}

// Truncation and write() after the last close see and change the cached
// pages: O_TRUNC empties the file, a cached page of the cut never comes
// back when the file grows again, a write through a new descriptor is
// what the next read sees.
static int ca_coherent(void)
{
  int fd;

  TL_CHECK(pc_make_file("ca.c", 3 * PGSIZE, 7) == 0, "create");
  TL_CHECK(ca_read_check("ca.c", 3 * PGSIZE, 7) == 0, "read");
  fd = open("ca.c", O_RDWR | O_TRUNC);
  TL_CHECK(fd >= 0 && read(fd, ca_buf, PGSIZE) == 0, "O_TRUNC: not empty");
  close(fd);
  fd = open("ca.c", O_RDWR);
  TL_CHECK(fd >= 0 && ftruncate(fd, 3 * PGSIZE) == 0, "grow");
  close(fd);
  TL_CHECK(pc_read_at("ca.c", 0, ca_buf, 3 * PGSIZE) == 3 * PGSIZE, "read");
  for (int i = 0; i < 3 * PGSIZE; i++)
    TL_CHECK(ca_buf[i] == 0, "byte %d of the cut is %d, not 0", i, ca_buf[i]);

  fd = open("ca.c", O_RDWR);
  pc_pattern(ca_want, 2 * PGSIZE, 8);
  TL_CHECK(fd >= 0 && lseek(fd, PGSIZE / 2, SEEK_SET) == PGSIZE / 2 &&
           write(fd, ca_want, 2 * PGSIZE) == 2 * PGSIZE, "write");
  close(fd);
  TL_CHECK(pc_read_at("ca.c", PGSIZE / 2, ca_buf, 2 * PGSIZE) == 2 * PGSIZE &&
           memcmp(ca_buf, ca_want, 2 * PGSIZE) == 0, "new data not read");
  unlink("ca.c");
  return 0;
}

// Memory runs short with no swap: anonymous pages take the cached file's
// pages, nobody is killed, the cache shrinks.
static int ca_pressure(void)
{
  unsigned long cached, n;
  char *a;
  int fpages;

  TL_CHECK(vmreclaim(0) >= 0 && vmstat(&ca_vs) == 0, "vmstat");
  fpages = (int)(ca_vs.total / 8);
  TL_CHECK(pc_make_file("ca.p", fpages * PGSIZE, 9) == 0, "create");
  TL_CHECK(pc_read_at("ca.p", 0, ca_buf, 1) == 1, "read");
  TL_CHECK(vmstat(&ca_vs) == 0, "vmstat");
  cached = ca_vs.cached_pages;
  TL_CHECK(cached >= (unsigned long)fpages, "%lu of %d pages cached", cached,
           fpages);
  n = ca_vs.free + cached / 2;       // more than is free: the cache pays
  a = mmap(0, n * PGSIZE, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE, -1,
           0);
  TL_CHECK(a != MAP_FAILED, "mmap: %s", strerror(errno));
  for (unsigned long i = 0; i < n; i++)
    a[i * PGSIZE] = 1;
  TL_CHECK(vmstat(&ca_vs) == 0 && ca_vs.cached_pages < cached,
           "cache kept %lu of %lu pages", ca_vs.cached_pages, cached);
  TL_CHECK(munmap(a, n * PGSIZE) == 0, "munmap");
  TL_CHECK(ca_read_check("ca.p", 2 * PGSIZE, 9) == 0, "file damaged");
  unlink("ca.p");
  return 0;
}

void pc_group_cache(void)
{
  tl_run("reread_warm", ca_reread_warm);
  tl_run("exec_warm", ca_exec_warm);
  tl_run("unlink_frees", ca_unlink_frees);
  tl_run("many_files", ca_many_files);
  tl_run("coherent", ca_coherent);
  tl_run_child("pressure", ca_pressure);
}
