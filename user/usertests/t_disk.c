// SPDX-License-Identifier: MIT
// usertests group "disk": a full disk (docs/semantics.md, rows "write | the disk
// is full" and "msync | write-back of a dirty page failed").
//
// The tests run in order and share state: disk_full fills the disk with
// files of whole blocks until write() comes back short, checks each file's
// size against what write() reported and every byte of it, then makes sure
// no file or directory can be made. disk_unlinked frees it all again, one
// file while still open. disk_space_back fills the disk anew with one file
// and must get at least as much in: the blocks of the removed files came
// back. disk_msync then writes through a shared mapping into a hole while
// the disk is still full, and disk_lost_page lets such a page go with its
// mapping. Every test leaves the disk as empty as it found it, or nearly:
// the later suites need it.
#include "user/usertests/ut.h"

#define DK_BLOCK   4096              // the file system's block size
#define DK_DISK    (64 << 20)        // the disk: no file gets past this
#define DK_PERFILE 1024              // blocks per file in disk_full
#define DK_FILES   40                // 40 * 1024 blocks > the disk
#define DK_CHUNK   16                // blocks per write()
#define DK_SMALL   64                // empty files tried on the full disk

static char dk_buf[DK_BLOCK], dk_chk[DK_BLOCK];
static long dk_size[DK_FILES];      // bytes write() reported, per file
static int dk_nfiles;               // files disk_full made
static long dk_total;               // and the blocks they took
static int dk_nsmall;               // empty files made on the full disk

static void dk_name(char *name, const char *prefix, int i)
{
  strcpy(name, prefix);
  name[strlen(prefix)] = (char)('a' + i / 26);
  name[strlen(prefix) + 1] = (char)('a' + i % 26);
  name[strlen(prefix) + 2] = '\0';
}

// Block blk of file f: every block differs, so a block that lands in the
// wrong place, or comes back stale, shows.
static void dk_fill(char *buf, int f, int blk)
{
  for (int i = 0; i < DK_BLOCK; i += 8) {
    buf[i] = (char)f;
    buf[i + 1] = (char)(blk >> 8);
    buf[i + 2] = (char)blk;
    for (int j = 3; j < 8; j++)
      buf[i + j] = (char)('a' + (i / 8 + j + blk) % 26);
  }
}

// Write to fd, DK_CHUNK blocks a call, until write() stops giving all
// that was asked, or max blocks. Returns the bytes write() reported, or -1
// when the write that stopped returned something a full disk must not
// give: -1 with another errno than ENOSPC, or a count that is not whole
// blocks (blocks are given out whole). *full says whether it stopped.
static long dk_write_until_full(int fd, int f, int max, int *full)
{
  static char chunk[DK_CHUNK * DK_BLOCK];
  long done = 0;
  int r;

  *full = 0;
  for (int blk = 0; blk < max; blk += DK_CHUNK) {
    for (int i = 0; i < DK_CHUNK; i++)
      dk_fill(chunk + i * DK_BLOCK, f, blk + i);
    r = write(fd, chunk, sizeof(chunk));
    if (r == (int)sizeof(chunk)) {
      done += r;
      continue;
    }
    *full = 1;
    if (r < 0 ? errno != ENOSPC : r % DK_BLOCK != 0) {
      tl_fail_at(__LINE__, "write() on a full disk: %d, errno %d", r, errno);
      return -1;
    }
    return done + (r > 0 ? r : 0);
  }
  return done;
}

// Blocks a file of size bytes takes on disk: its data blocks and the
// indirect blocks that map them (fs.h: 11 direct, 1024 per indirect).
static long dk_blocks(long size)
{
  long n = (size + DK_BLOCK - 1) / DK_BLOCK, meta = 0;

  if (n > 11)
    meta++;
  if (n > 11 + 1024)
    meta += 1 + (n - 11 - 1024 + 1023) / 1024;
  return n + meta;
}

// Does path hold exactly size bytes, block blk of file f at blk * 4096?
static int dk_check_file(const char *path, int f, long size)
{
  struct stat st;
  int fd = open(path, O_RDONLY);

  TL_CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
  TL_CHECK(fstat(fd, &st) == 0, "fstat %s", path);
  TL_CHECK((long)st.size == size, "%s: size %ld, write() reported %ld",
           path, (long)st.size, size);
  for (long off = 0; off < size; off += DK_BLOCK) {
    int want = size - off < DK_BLOCK ? (int)(size - off) : DK_BLOCK;
    TL_CHECK(read(fd, dk_chk, DK_BLOCK) == want, "%s: short read at %ld",
             path, off);
    dk_fill(dk_buf, f, (int)(off / DK_BLOCK));
    TL_CHECK(memcmp(dk_buf, dk_chk, want) == 0, "%s: block %ld reads wrong",
             path, off / DK_BLOCK);
  }
  TL_CHECK(read(fd, dk_chk, 1) == 0, "%s: data past the end", path);
  close(fd);
  return 0;
}

// Fill the disk with files dkaa, dkab, ... of up to DK_PERFILE blocks.
static int disk_full(void)
{
  char name[8];
  long bytes = 0;
  int full = 0;

  dk_total = 0;
  for (dk_nfiles = 0; !full && dk_nfiles < DK_FILES; dk_nfiles++) {
    dk_name(name, "dk", dk_nfiles);
    int fd = open(name, O_CREATE | O_RDWR | O_TRUNC);
    TL_CHECK(fd >= 0, "create %s: %s", name, strerror(errno));
    dk_size[dk_nfiles] = dk_write_until_full(fd, dk_nfiles, DK_PERFILE, &full);
    close(fd);
    if (dk_size[dk_nfiles] < 0)
      return -1;
    bytes += dk_size[dk_nfiles];
    dk_total += dk_blocks(dk_size[dk_nfiles]);
    TL_CHECK(bytes <= DK_DISK, "%ld bytes written to a 64 MiB disk", bytes);
  }
  TL_CHECK(full, "no write() came back short");
  for (int i = 0; i < dk_nfiles; i++) {
    dk_name(name, "dk", i);
    if (dk_check_file(name, i, dk_size[i]) < 0)
      return -1;
  }
  // The inodes are not used up, so some empty files may still come (as
  // long as the root directory's last block has room), but no directory:
  // it needs a block for its entries.
  for (dk_nsmall = 0; dk_nsmall < DK_SMALL; dk_nsmall++) {
    dk_name(name, "dz", dk_nsmall);
    int fd = open(name, O_CREATE | O_RDWR);
    if (fd < 0)
      break;
    close(fd);
  }
  TL_CHECK(mkdir("dk.dir") == -1, "mkdir on a full disk worked");
  // Nothing written at all: -1 with ENOSPC, and the file stays empty.
  if (dk_nsmall > 0) {
    struct stat st;
    dk_name(name, "dz", 0);
    int fd = open(name, O_RDWR);
    TL_CHECK(fd >= 0, "open %s: %s", name, strerror(errno));
    TL_CHECK(write(fd, dk_buf, 1) == -1 && errno == ENOSPC,
             "write of one byte to a full disk: errno %d", errno);
    TL_CHECK(fstat(fd, &st) == 0 && st.size == 0, "size %ld after ENOSPC",
             (long)st.size);
    close(fd);
  }
  return 0;
}

// Remove the files of disk_full; the last one is still open when it goes,
// and written to after that.
static int disk_unlinked(void)
{
  char name[8];
  int fd;

  dk_name(name, "dk", 0);
  fd = open(name, O_RDWR);
  TL_CHECK(fd >= 0, "open %s: %s", name, strerror(errno));
  for (int i = 0; i < dk_nfiles; i++) {
    dk_name(name, "dk", i);
    TL_CHECK(unlink(name) == 0, "unlink %s: %s", name, strerror(errno));
  }
  for (int i = 0; i < dk_nsmall; i++) {
    dk_name(name, "dz", i);
    TL_CHECK(unlink(name) == 0, "unlink %s: %s", name, strerror(errno));
  }
  unlink("dk.dir");
  TL_CHECK(lseek(fd, 0, SEEK_END) == dk_size[0], "size of the unlinked file");
  dk_fill(dk_buf, 0, (int)(dk_size[0] / DK_BLOCK));
  TL_CHECK(write(fd, dk_buf, DK_BLOCK) == DK_BLOCK,
           "write to the unlinked file: %s", strerror(errno));
  TL_CHECK(close(fd) == 0, "close");
  return 0;
}

// Fill the disk again, with one file: every block the removed files held
// must be free again. (One block may have gone meanwhile: the empty files
// of disk_full may have grown the root directory, which never shrinks.)
static int disk_space_back(void)
{
  int full;
  int fd = open("dk.one", O_CREATE | O_RDWR | O_TRUNC);
  long got;

  TL_CHECK(fd >= 0, "create dk.one: %s", strerror(errno));
  got = dk_write_until_full(fd, 1, DK_DISK / DK_BLOCK, &full);
  close(fd);
  if (got < 0)
    return -1;
  TL_CHECK(full, "no write() came back short");
  TL_CHECK(dk_blocks(got) + 1 >= dk_total, "the disk took %ld blocks, before "
           "%ld: blocks of removed files were not freed", dk_blocks(got),
           dk_total);
  return dk_check_file("dk.one", 1, got);
}

// Read the page of path at off into dk_chk. 0, or -1 if that fails.
static int dk_read_at(const char *path, long off)
{
  int fd = open(path, O_RDONLY), r;

  if (fd < 0)
    return -1;
  r = lseek(fd, off, SEEK_SET) == off ? read(fd, dk_chk, PGSIZE) : -1;
  close(fd);
  return r == PGSIZE ? 0 : -1;
}

// A page written through a shared mapping over a hole, let go of while
// the disk is full: nothing can keep it, so it is lost (the kernel says so
// on the console), but the file stays consistent: its size is what
// ftruncate made it, and the hole reads as zeros, not as stale data.
static int disk_lost_page(void)
{
  int fd = open("dk.lost", O_CREATE | O_RDWR | O_TRUNC);
  char *p;

  TL_CHECK(fd >= 0, "create dk.lost: %s", strerror(errno));
  TL_CHECK(ftruncate(fd, PGSIZE) == 0, "ftruncate: %s", strerror(errno));
  p = mmap(0, PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  TL_CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
  memset(p, 'x', PGSIZE);
  TL_CHECK(munmap(p, PGSIZE) == 0, "munmap: %s", strerror(errno));
  close(fd);
  memset(dk_buf, 0, PGSIZE);
  TL_CHECK(dk_read_at("dk.lost", 0) == 0, "read dk.lost");
  TL_CHECK(memcmp(dk_chk, dk_buf, PGSIZE) == 0, "the hole reads non-zero");
  unlink("dk.lost");
  return 0;
}

// A page written through a shared mapping over a hole cannot be written
// back while the disk is full: msync says ENOSPC, and the page stays dirty
// and in memory, seen by read() as well. Once there is room, msync writes
// it. The disk is full (disk_space_back) when this runs, and is emptied.
static int disk_msync(void)
{
  int fd = open("dk.map", O_CREATE | O_RDWR | O_TRUNC);
  char *p;

  TL_CHECK(fd >= 0, "create dk.map: %s", strerror(errno));
  TL_CHECK(ftruncate(fd, 2 * PGSIZE) == 0, "ftruncate: %s", strerror(errno));
  p = mmap(0, 2 * PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  TL_CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
  dk_fill(p + PGSIZE, 7, 7);
  TL_CHECK(msync(p, 2 * PGSIZE, MS_SYNC) == -1 && errno == ENOSPC,
           "msync on a full disk: errno %d", errno);
  TL_CHECK(msync(p, 2 * PGSIZE, MS_SYNC) == -1 && errno == ENOSPC,
           "msync again: the page was taken for clean (errno %d)", errno);
  dk_fill(dk_buf, 7, 7);
  TL_CHECK(memcmp(p + PGSIZE, dk_buf, PGSIZE) == 0, "the mapping lost it");
  TL_CHECK(lseek(fd, PGSIZE, SEEK_SET) == PGSIZE &&
           read(fd, dk_chk, PGSIZE) == PGSIZE &&
           memcmp(dk_chk, dk_buf, PGSIZE) == 0, "read() does not see it");
  TL_CHECK(unlink("dk.one") == 0, "unlink dk.one: %s", strerror(errno));
  TL_CHECK(msync(p, 2 * PGSIZE, MS_SYNC) == 0, "msync with room: %s",
           strerror(errno));
  munmap(p, 2 * PGSIZE);
  close(fd);
  // Nobody maps the file now, so its cache went with the mapping: this
  // reads the disk.
  TL_CHECK(dk_read_at("dk.map", PGSIZE) == 0 &&
           memcmp(dk_chk, dk_buf, PGSIZE) == 0, "the file does not hold it");
  unlink("dk.map");
  return 0;
}

void ut_disk(void)
{
  tl_run("disk_full", disk_full);
  tl_run("disk_unlinked", disk_unlinked);
  tl_run("disk_space_back", disk_space_back);
  tl_run("disk_lost_page", disk_lost_page);
  tl_run("disk_msync", disk_msync);
  unlink("dk.one");
}
