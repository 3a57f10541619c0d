// SPDX-License-Identifier: MIT
// pctests, mmap group: file mappings share the page cache with read() and
// write(), MAP_PRIVATE writes stay private, the end-of-file rules hold
// (also when the file is truncated under a mapping), and a mapping keeps
// its file alive. Each test runs in a child (tl_run_child) so its mappings
// vanish with it. Skipped, with a note, while the kernel has no mmap
// (ENOSYS).
#include "user/testlib.h"
#include "user/pctests/pctests.h"

static char buf[3 * PGSIZE], want[3 * PGSIZE];

// Map n bytes of path with prot and flags; NULL on failure. *fdp gets the
// descriptor (left open), or -1.
static char *map_file(const char *path, int n, int prot, int flags, int *fdp)
{
  *fdp = -1;
  int fd = open(path, (prot & PROT_WRITE) && (flags & MAP_SHARED) ?
                      O_RDWR : O_RDONLY);
  if (fd < 0)
    return 0;
  char *p = mmap(0, n, prot, flags, fd, 0);
  if (p == MAP_FAILED) {
    close(fd);
    return 0;
  }
  *fdp = fd;
  return p;
}

// A MAP_SHARED store is visible to read() at once, and after munmap to
// another process's cat.
static int mm_shared_write(void)
{
  static char out[3 * PGSIZE];
  char *argv[] = {"cat", "pm.a", 0};
  int fd, status;
  TL_CHECK(pc_make_file("pm.a", 2 * PGSIZE, 1) == 0, "create");
  char *p = map_file("pm.a", 2 * PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
                     &fd);
  TL_CHECK(p != 0, "mmap: %s", strerror(errno));
  memcpy(p + PGSIZE - 3, "shared!", 7);
  TL_CHECK(pc_read_at("pm.a", PGSIZE - 3, buf, 7) == 7 &&
           memcmp(buf, "shared!", 7) == 0, "read() does not see the store");
  TL_CHECK(munmap(p, 2 * PGSIZE) == 0, "munmap");
  close(fd);
  TL_CHECK(pc_run_capture(argv, out, sizeof(out), &status) == 2 * PGSIZE,
           "cat length");
  TL_CHECK(memcmp(out + PGSIZE - 3, "shared!", 7) == 0, "cat misses the data");
  unlink("pm.a");
  return 0;
}

// write() is visible through an existing mapping at once.
static int mm_write_visible(void)
{
  int fd;
  TL_CHECK(pc_make_file("pm.b", PGSIZE, 2) == 0, "create");
  char *p = map_file("pm.b", PGSIZE, PROT_READ, MAP_SHARED, &fd);
  TL_CHECK(p != 0, "mmap: %s", strerror(errno));
  (void)p[0];
  int wfd = open("pm.b", O_RDWR);
  TL_CHECK(wfd >= 0 && write(wfd, "hello", 5) == 5, "write");
  close(wfd);
  TL_CHECK(memcmp(p, "hello", 5) == 0, "mapping does not see write()");
  close(fd);
  unlink("pm.b");
  return 0;
}

// MAP_PRIVATE stores (even on a read-only descriptor) never reach the file.
static int mm_private(void)
{
  int fd;
  TL_CHECK(pc_make_file("pm.c", PGSIZE, 3) == 0, "create");
  char *p = map_file("pm.c", PGSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, &fd);
  TL_CHECK(p != 0, "mmap: %s", strerror(errno));
  pc_pattern(want, PGSIZE, 3);
  TL_CHECK(memcmp(p, want, PGSIZE) == 0, "private map shows the file");
  memcpy(p, "private", 7);
  TL_CHECK(pc_read_at("pm.c", 0, buf, PGSIZE) == PGSIZE &&
           memcmp(buf, want, PGSIZE) == 0, "store reached the file");
  TL_CHECK(msync(p, PGSIZE, MS_SYNC) == 0, "msync");
  TL_CHECK(munmap(p, PGSIZE) == 0, "munmap");
  close(fd);
  TL_CHECK(pc_read_at("pm.c", 0, buf, PGSIZE) == PGSIZE &&
           memcmp(buf, want, PGSIZE) == 0, "store reached the file later");
  unlink("pm.c");
  return 0;
}

// The tail of the last page reads as zeros and is never written back.
static int mm_eof_tail(void)
{
  int fd;
  TL_CHECK(pc_make_file("pm.d", 100, 4) == 0, "create");
  char *p = map_file("pm.d", PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, &fd);
  TL_CHECK(p != 0, "mmap: %s", strerror(errno));
  for (int i = 100; i < PGSIZE; i++)
    TL_CHECK(p[i] == 0, "tail byte %d is %d", i, p[i]);
  p[50] = '!';
  p[200] = '?';
  TL_CHECK(msync(p, PGSIZE, MS_SYNC) == 0, "msync");
  TL_CHECK(munmap(p, PGSIZE) == 0, "munmap");
  close(fd);
  TL_CHECK(pc_read_at("pm.d", 0, buf, PGSIZE) == 100, "size changed");
  TL_CHECK(buf[50] == '!', "store inside the file lost");
  unlink("pm.d");
  return 0;
}

static void touch_past_eof(void *arg)
{
  volatile char *p = arg;
  (void)p[PGSIZE];
}

// Touching a whole page past the end is a bus error: the child dies (-1).
static int mm_past_eof(void)
{
  int fd;
  TL_CHECK(pc_make_file("pm.e", 100, 5) == 0, "create");
  char *p = map_file("pm.e", 2 * PGSIZE, PROT_READ, MAP_SHARED, &fd);
  TL_CHECK(p != 0, "mmap: %s", strerror(errno));
  TL_CHECK(tl_fork_wait(touch_past_eof, p) == -1, "child survived");
  close(fd);
  unlink("pm.e");
  return 0;
}

// A mapping keeps its file alive after close() and unlink().
static int mm_unlinked(void)
{
  int fd;
  TL_CHECK(pc_make_file("pm.f", PGSIZE, 6) == 0, "create");
  char *p = map_file("pm.f", PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, &fd);
  TL_CHECK(p != 0, "mmap: %s", strerror(errno));
  close(fd);
  TL_CHECK(unlink("pm.f") == 0, "unlink");
  pc_pattern(want, PGSIZE, 6);
  TL_CHECK(memcmp(p, want, PGSIZE) == 0, "contents lost");
  p[0] = 'z';
  TL_CHECK(p[0] == 'z', "store");
  TL_CHECK(munmap(p, PGSIZE) == 0, "munmap");
  TL_CHECK(open("pm.f", O_RDONLY) < 0, "file came back");
  return 0;
}

static unsigned long pageouts(void)
{
  struct vmstats vs;
  return vmstat(&vs) == 0 ? vs.pageout : 0;
}

static void child_reads(void *arg)
{
  TL_CHILD_CHECK(pc_read_at("pm.g", 0, buf, 5) == 5);
  TL_CHILD_CHECK(memcmp(buf, arg, 5) == 0);
}

// msync writes the dirty page to the file (the pager's counter moves),
// and another process reads the new data with read(). The range ends
// inside the mapping, which once made the kernel loop forever.
static int mm_msync(void)
{
  int fd;
  TL_CHECK(pc_make_file("pm.g", 2 * PGSIZE, 7) == 0, "create");
  char *p = map_file("pm.g", 2 * PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
                     &fd);
  TL_CHECK(p != 0, "mmap: %s", strerror(errno));
  memcpy(p, "synced", 6);
  p[PGSIZE] = 'x';
  unsigned long before = pageouts();
  TL_CHECK(msync(p, PGSIZE, MS_SYNC) == 0, "msync");
  TL_CHECK(pageouts() - before == 1, "msync of one page wrote %lu",
           pageouts() - before);
  TL_CHECK(msync(p, PGSIZE, MS_SYNC) == 0, "msync again");
  TL_CHECK(pageouts() - before == 1, "a clean page was written again");
  TL_CHECK(tl_fork_wait(child_reads, "synce") == 0, "child saw old data");
  munmap(p, 2 * PGSIZE);
  close(fd);
  unlink("pm.g");
  return 0;
}

// munmap writes MAP_SHARED stores back even while another mapping keeps
// the file's object alive (so it is not its last reference going).
static int mm_munmap_writes(void)
{
  int fd, fd2;
  TL_CHECK(pc_make_file("pm.h", 2 * PGSIZE, 8) == 0, "create");
  char *p = map_file("pm.h", 2 * PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
                     &fd);
  char *q = map_file("pm.h", 2 * PGSIZE, PROT_READ, MAP_SHARED, &fd2);
  TL_CHECK(p != 0 && q != 0, "mmap: %s", strerror(errno));
  memcpy(p + PGSIZE, "unmapped", 8);
  unsigned long before = pageouts();
  TL_CHECK(munmap(p, 2 * PGSIZE) == 0, "munmap");
  TL_CHECK(pageouts() - before == 1, "munmap wrote %lu pages, not 1",
           pageouts() - before);
  TL_CHECK(memcmp(q + PGSIZE, "unmapped", 8) == 0, "other mapping");
  munmap(q, 2 * PGSIZE);
  close(fd);
  close(fd2);
  unlink("pm.h");
  return 0;
}

static void child_stores(void *arg)
{
  int fd;
  char *p = map_file("pm.i", PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, &fd);
  TL_CHILD_CHECK(p != 0);
  memcpy(p, arg, 6);
}

// Exit writes a process's MAP_SHARED stores back while the parent still
// maps the file.
static int mm_exit_writes(void)
{
  int fd;
  TL_CHECK(pc_make_file("pm.i", PGSIZE, 9) == 0, "create");
  char *q = map_file("pm.i", PGSIZE, PROT_READ, MAP_SHARED, &fd);
  TL_CHECK(q != 0, "mmap: %s", strerror(errno));
  unsigned long before = pageouts();
  TL_CHECK(tl_fork_wait(child_stores, "exited") == 0, "child failed");
  TL_CHECK(pageouts() - before == 1, "exit wrote %lu pages, not 1",
           pageouts() - before);
  TL_CHECK(memcmp(q, "exited", 6) == 0, "mapping misses the child's store");
  munmap(q, PGSIZE);
  close(fd);
  unlink("pm.i");
  return 0;
}

static void touch_third_page(void *arg)
{
  volatile char *p = arg;
  (void)p[2 * PGSIZE];
}

// ftruncate under a live mapping: the page wholly past the new end leaves
// (touching it is a bus error), the cut part of the new last page reads as
// zeros at once, and when the file grows back its new part reads as zeros
// through the mapping and read(), never as the bytes it held before.
static int mm_trunc_mapped(void)
{
  int fd, wfd;
  TL_CHECK(pc_make_file("pm.j", 3 * PGSIZE, 10) == 0, "create");
  char *p = map_file("pm.j", 3 * PGSIZE, PROT_READ, MAP_SHARED, &fd);
  TL_CHECK(p != 0, "mmap: %s", strerror(errno));
  pc_pattern(want, 3 * PGSIZE, 10);
  TL_CHECK(memcmp(p, want, 3 * PGSIZE) == 0, "mapping before");
  TL_CHECK((wfd = open("pm.j", O_RDWR)) >= 0, "open");
  TL_CHECK(ftruncate(wfd, PGSIZE + 100) == 0, "ftruncate: %s",
           strerror(errno));
  TL_CHECK(tl_fork_wait(touch_third_page, p) == -1,
           "the page past the new end is still there");
  TL_CHECK(memcmp(p, want, PGSIZE + 100) == 0, "the kept bytes changed");
  for (int i = PGSIZE + 100; i < 2 * PGSIZE; i++)
    TL_CHECK(p[i] == 0, "byte %d past the cut is %d", i, p[i]);
  TL_CHECK(ftruncate(wfd, 3 * PGSIZE) == 0, "grow: %s", strerror(errno));
  for (int i = PGSIZE + 100; i < 3 * PGSIZE; i++)
    TL_CHECK(p[i] == 0, "byte %d is %d after growth", i, p[i]);
  TL_CHECK(pc_read_at("pm.j", 0, buf, 3 * PGSIZE) == 3 * PGSIZE, "read");
  TL_CHECK(memcmp(buf, want, PGSIZE + 100) == 0, "read: the kept bytes");
  for (int i = PGSIZE + 100; i < 3 * PGSIZE; i++)
    TL_CHECK(buf[i] == 0, "read: byte %d is %d after growth", i, buf[i]);
  munmap(p, 3 * PGSIZE);
  close(fd);
  close(wfd);
  unlink("pm.j");
  return 0;
}

// Stores into the tail past the end are never file data, also once the
// file grows over them: by ftruncate, by a write() past a gap, and by a
// write() that begins inside the tail. Each time the gained bytes not
// written read as zeros, through read() and through the mapping.
static int mm_tail_grow(void)
{
  int fd;
  TL_CHECK(pc_make_file("pm.k", 100, 5) == 0, "create");
  char *p = map_file("pm.k", PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, &fd);
  TL_CHECK(p != 0, "mmap: %s", strerror(errno));
  memset(p + 100, 'T', PGSIZE - 100);
  TL_CHECK(ftruncate(fd, 300) == 0, "ftruncate: %s", strerror(errno));
  TL_CHECK(pc_read_at("pm.k", 0, buf, PGSIZE) == 300, "size after ftruncate");
  for (int i = 100; i < 300; i++)
    TL_CHECK(buf[i] == 0 && p[i] == 0, "ftruncate: byte %d is %d", i, buf[i]);
  memset(p + 300, 'U', PGSIZE - 300);
  TL_CHECK(lseek(fd, 1000, SEEK_SET) == 1000, "lseek");
  TL_CHECK(write(fd, "w", 1) == 1, "write past a gap: %s", strerror(errno));
  TL_CHECK(pc_read_at("pm.k", 0, buf, PGSIZE) == 1001, "size after write");
  for (int i = 300; i < 1000; i++)
    TL_CHECK(buf[i] == 0 && p[i] == 0, "gap: byte %d is %d", i, buf[i]);
  memset(p + 1001, 'V', PGSIZE - 1001);
  TL_CHECK(lseek(fd, 1500, SEEK_SET) == 1500, "lseek");
  TL_CHECK(write(fd, "xy", 2) == 2, "write: %s", strerror(errno));
  TL_CHECK(pc_read_at("pm.k", 0, buf, PGSIZE) == 1502, "size after 2nd write");
  for (int i = 1001; i < 1500; i++)
    TL_CHECK(buf[i] == 0, "second gap: byte %d is %d", i, buf[i]);
  TL_CHECK(buf[1000] == 'w' && buf[1500] == 'x' && buf[1501] == 'y',
           "the written bytes");
  munmap(p, PGSIZE);
  close(fd);
  unlink("pm.k");
  return 0;
}

static int mmap_missing(void)
{
  void *p = mmap(0, PGSIZE, PROT_READ, MAP_ANON | MAP_PRIVATE, -1, 0);
  if (p == MAP_FAILED)
    return errno == ENOSYS;
  munmap(p, PGSIZE);
  return 0;
}

// Reading a directory into a MAP_SHARED page that msync is writing back.
// msync busies the dirty pages, then waits for a log reservation; the
// directory read used to copy out under the directory's inode lock, so
// its fault waited for the busy page while holding that lock; creators
// in the directory hold reservations and wait for the lock; the log,
// full of them, never lets msync in: a deadlock (sysfuzz seed 88, four
// processes stuck for good). Now the directory is read into the kernel
// and copied out unlocked. Racers: a writer dirtying and syncing the
// file, a reader reading the directory into it, three creators (three
// reservations fill the log). A watchdog reports a hang (and the boot
// then hangs: nothing can end a deadlock).
#define DRR_SECONDS 3
#define DRR_CREATORS 3
#define DRR_PAGES 8

// The racers return 0, or the status that says what failed.
static int drr_writer(char *p, int end)
{
  while (uptime() < end) {
    for (int i = 0; i < DRR_PAGES; i++)
      p[i * PGSIZE + 100]++;
    if (msync(p, DRR_PAGES * PGSIZE, MS_SYNC) < 0)
      return 2;
  }
  return 0;
}

static int drr_reader(char *p, int end)
{
  int dfd = open("pmd", O_RDONLY);

  if (dfd < 0)
    return 3;
  for (int i = 0; uptime() < end; i++)
    if (lseek(dfd, 0, SEEK_SET) < 0 ||
        read(dfd, p + (i % DRR_PAGES) * PGSIZE, 64) < 0)
      return 4;
  return 0;
}

static int drr_creator(int id, int end)
{
  char name[] = "pmd/c0";

  name[5] = (char)('0' + id);
  while (uptime() < end) {
    int fd = open(name, O_CREATE | O_RDWR);
    if (fd < 0)
      return 5;
    close(fd);
    if (unlink(name) < 0)
      return 6;
  }
  return 0;
}

// Start racer role (0 writer, 1 reader, 2 creator id, 3 the watchdog,
// which wakes 10 s after the end): when done it writes 'd' ('T' for the
// watchdog) to the pipe done and exits with its status.
static int drr_start(int role, int id, char *p, int end, int done)
{
  int pid = fork(), rc = 0;

  if (pid != 0)
    return pid;
  if (role == 0)
    rc = drr_writer(p, end);
  else if (role == 1)
    rc = drr_reader(p, end);
  else if (role == 2)
    rc = drr_creator(id, end);
  else
    sleep(end - uptime() + 10 * 100);
  char c = role == 3 ? 'T' : 'd';
  write(done, &c, 1);
  exit(rc);
}

static int mm_dir_read_race(void)
{
  int fd, p2[2], n = 0, st;
  int end = uptime() + DRR_SECONDS * 100;
  char c;

  mkdir("pmd");
  TL_CHECK(pc_make_file("pm.r", DRR_PAGES * PGSIZE, 9) == 0, "create");
  char *p = map_file("pm.r", DRR_PAGES * PGSIZE, PROT_READ | PROT_WRITE,
                     MAP_SHARED, &fd);
  TL_CHECK(p != 0, "mmap: %s", strerror(errno));
  TL_CHECK(pipe(p2) == 0, "pipe");
  for (int role = 0; role < 2; role++, n++)
    TL_CHECK(drr_start(role, 0, p, end, p2[1]) > 0, "fork");
  for (int i = 0; i < DRR_CREATORS; i++, n++)
    TL_CHECK(drr_start(2, i, p, end, p2[1]) > 0, "fork");
  int watchdog = drr_start(3, 0, p, end, p2[1]);
  for (int i = 0; i < n; i++) {
    TL_CHECK(read(p2[0], &c, 1) == 1, "pipe read");
    if (c != 'd') {
      // Said here: the harness reports after this process exits, and
      // exit needs the log too.
      printf("FAIL mmap.dir_read_race: racers still in the kernel 10 s "
             "after the end: a deadlock (the boot will hang)\n");
      return -1;
    }
  }
  kill(watchdog);
  for (int i = 0; i <= n; i++) {
    TL_CHECK(wait(&st) > 0, "wait");
    TL_CHECK(st == 0 || st == -1, "a racer failed with status %d", st);
  }
  munmap(p, DRR_PAGES * PGSIZE);
  close(fd);
  close(p2[0]);
  close(p2[1]);
  unlink("pm.r");
  unlink("pmd");
  return 0;
}

void pc_group_mmap(void)
{
  if (mmap_missing()) {
    printf("pctests: mmap group skipped: no mmap system call yet\n");
    return;
  }
  tl_run_child("shared_write", mm_shared_write);
  tl_run_child("write_visible", mm_write_visible);
  tl_run_child("private", mm_private);
  tl_run_child("eof_tail", mm_eof_tail);
  tl_run_child("past_eof", mm_past_eof);
  tl_run_child("unlinked", mm_unlinked);
  tl_run_child("msync", mm_msync);
  tl_run_child("munmap_writes", mm_munmap_writes);
  tl_run_child("exit_writes", mm_exit_writes);
  tl_run_child("trunc_mapped", mm_trunc_mapped);
  tl_run_child("tail_grow", mm_tail_grow);
  tl_run_child("dir_read_race", mm_dir_read_race);
}
