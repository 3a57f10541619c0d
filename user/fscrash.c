// SPDX-License-Identifier: MIT
// fscrash: what the disk holds after the machine dies in the middle of
// writing (scripts/crash-test.sh kills QEMU, then boots the same disk
// again). Run with no argument on both boots:
//
//   first boot  (no /fc.phase yet): make it, then write forever. Round i
//               writes fc/i (1 to 30 blocks, in several write() calls or
//               in one), closes it, unlinks fc/(i - 8),
//               stores i in page i of the shared file mapping fc.map and
//               msyncs it, then prints "fscrash: done i". Each line is a
//               promise: every call before it has returned.
//   second boot (/fc.phase exists): check what survived and print
//               "fscrash: K last" for the last complete file K, then
//               "fscrash: 1 passed, 0 failed" or the first wrong thing.
//
// The script holds the second boot's K to the first boot's last "done N":
// K >= N (nothing promised was lost) and K <= N + 1. Within the disk
// itself: every file present is a correct prefix of what was written (a
// crash may cut a file short, never fill it with other bytes), only
// files K - 8 .. K + 1 exist, and mapping pages below K hold their round
// number, pages past K + 1 still zeros.
#include "user/user.h"

#define FC_KEEP   8                   // files kept behind the newest
#define FC_PAGES  64                  // pages of fc.map
#define FC_CHUNK  3000                // bytes per write() call, mostly

static char buf[32 * 4096];

// 1 to 7 blocks and a bit; every eighth file 30 blocks, more than one
// write() reserves or writes back in one transaction (vnode_pager.c).
static int fc_size(int i)
{
  return i % 8 == 7 ? 30 * 4096 + 100 : (i % 8 + 1) * 4100;
}

static char fc_byte(int i, int off)
{
  return (char)('a' + (i * 7 + off / 13) % 26);
}

static void fc_name(char *name, int i)
{
  char digits[12];
  int n = 0;

  strcpy(name, "fc/");
  do
    digits[n++] = (char)('0' + i % 10);
  while ((i /= 10) > 0);
  for (int k = 0; k < n; k++)
    name[3 + k] = digits[n - 1 - k];
  name[3 + n] = 0;
}

static void die(const char *what, int i)
{
  printf("fscrash: FAIL: %s (round %d)\n", what, i);
  printf("fscrash: 0 passed, 1 failed\n");
  exit(1);
}

static void write_file(int i)
{
  char name[16];
  int fd, size = fc_size(i);

  for (int off = 0; off < size; off++)
    buf[off] = fc_byte(i, off);
  fc_name(name, i);
  if ((fd = open(name, O_CREATE | O_WRONLY | O_TRUNC)) < 0)
    die("create", i);
  // Odd files in one call (the 30-block ones among them: several
  // transactions in one write()), the others 3000 bytes a call.
  int chunk = i % 2 == 1 ? size : FC_CHUNK;
  for (int off = 0; off < size; off += chunk) {
    int n = size - off < chunk ? size - off : chunk;
    if (write(fd, buf + off, n) != n)
      die("write", i);
  }
  close(fd);
}

static void writer(void)
{
  char name[16];
  uint64 *map;
  int fd;

  if (mkdir("fc") < 0 || (fd = open("fc.map", O_CREATE | O_RDWR)) < 0 ||
      ftruncate(fd, FC_PAGES * PGSIZE) < 0)
    die("set-up", -1);
  map = mmap(0, FC_PAGES * PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED || msync(map, FC_PAGES * PGSIZE, MS_SYNC) < 0)
    die("map", -1);
  close(fd);
  close(open("fc.phase", O_CREATE | O_WRONLY));
  printf("fscrash: writing\n");
  for (int i = 0;; i++) {
    write_file(i);
    if (i >= FC_KEEP) {
      fc_name(name, i - FC_KEEP);
      if (unlink(name) < 0)
        die("unlink", i);
    }
    if (i < FC_PAGES) {
      uint64 *page = map + i * (PGSIZE / sizeof(uint64));
      for (int w = 0; w < PGSIZE / (int)sizeof(uint64); w++)
        page[w] = (uint64)i + 1;
      if (msync(page, PGSIZE, MS_SYNC) < 0)
        die("msync", i);
    }
    printf("fscrash: done %d\n", i);
  }
}

// Is fc/i there, and how long? -1: absent. A wrong byte fails at once.
static int check_file(int i)
{
  char name[16];
  int fd, n, size = 0;

  fc_name(name, i);
  if ((fd = open(name, O_RDONLY)) < 0)
    return -1;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    for (int k = 0; k < n; k++)
      if (size + k >= fc_size(i) || buf[k] != fc_byte(i, size + k)) {
        printf("fscrash: fc/%d: byte %d of %d is %d, not %d\n", i, size + k,
               fc_size(i), buf[k], fc_byte(i, size + k));
        die("a file holds bytes never written to it", i);
      }
    size += n;
  }
  close(fd);
  if (n < 0)
    die("read", i);
  return size;
}

#define FC_SCAN 5000                  // rounds a first boot never reaches

// The last complete file (-1: none). Files below the first one present
// were unlinked; from it on, every file present must be in [last - 8,
// last + 1] and complete but for last + 1.
static int check_files(void)
{
  int first = -1, last = -1, size;

  for (int i = 0; i < (first < 0 ? FC_SCAN : first + 3 * FC_KEEP); i++) {
    if ((size = check_file(i)) < 0)
      continue;
    if (first < 0)
      first = i;
    if (size == fc_size(i))
      last = i;
  }
  for (int i = first; i >= 0 && i < first + 3 * FC_KEEP; i++) {
    size = check_file(i);
    if (size >= 0 && (i < last - FC_KEEP || i > last + 1))
      die("a file that should not exist", i);
    if (i <= last && i > last - FC_KEEP && size != fc_size(i))
      die("a file lost or cut short, though later ones are complete", i);
  }
  return last;
}

static void check_map(int last)
{
  uint64 w;
  int fd;

  if ((fd = open("fc.map", O_RDONLY)) < 0)
    die("open fc.map", -1);
  for (int p = 0; p < FC_PAGES; p++) {
    if (read(fd, buf, PGSIZE) != PGSIZE)
      die("fc.map is short", p);
    for (int k = 0; k < PGSIZE; k += sizeof(w)) {
      memcpy(&w, buf + k, sizeof(w));
      if ((p < last && w != (uint64)p + 1) ||
          (p > last + 1 && w != 0) || (w != 0 && w != (uint64)p + 1))
        die("a page of fc.map holds the wrong data", p);
    }
  }
  close(fd);
}

int main(void)
{
  int fd, last;

  if ((fd = open("fc.phase", O_RDONLY)) < 0)
    writer();
  close(fd);
  last = check_files();
  printf("fscrash: %d last\n", last);
  check_map(last);
  write_file(last + 100);             // the file system still works
  if (check_file(last + 100) != fc_size(last + 100))
    die("a new file after the crash", last + 100);
  printf("fscrash: 1 passed, 0 failed\n");
  exit(0);
}
