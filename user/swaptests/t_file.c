// SPDX-License-Identifier: MIT
// swaptests groups on the page cache of files, attacked from outside
// (docs/paging.md "The cache of unused files", docs/syscalls-write.md,
// docs/syscalls-mmap.md):
//
//   ftrunc  truncation of a file with cached, mapped and dirty pages, also
//           while the pageout daemon launders them: what the cut removed
//           never comes back, a mapping past the end is a bus error.
//   fshare  write() and a MAP_SHARED store racing on the same pages under
//           pressure; read()/write() whose buffer maps the same file.
//   fdisk   the blocks of a file removed while mapped and laundered all
//           come back; a full disk under dirty shared pages over holes:
//           msync says ENOSPC, nothing is lost, the system recovers.
//
// Pressure comes from a hog (fh_hog_start) writing more than RAM round and
// round, so free pages stay at the daemon's low mark.
#include "user/swaptests/tf.h"

// ---------------------------------------------------------------------------
// ftrunc: what a truncation removed never comes back.

#define FT_PAGES 8
#define FT_CUT   (2 * PGSIZE + 2048)   // the smaller size: 2.5 pages

// In a child: touch page pg of m; the child must die of a bus error.
static int ft_touch_dies(uint64_t *m, unsigned long pg)
{
  int pid = fork();

  if (pid == 0) {
    m[pg * FW] = 1;
    exit(0);
  }
  return pid > 0 && f_wait(pid) == -1;
}

// fd (FT_PAGES long again) holds salt t's dirty data below cut, zeros
// above, through read() and, when m is not 0, the mapping.
static int ft_after_cut(int fd, const uint64_t *m, unsigned long cut,
                        uint64_t t)
{
  static uint64_t want[FW];

  for (unsigned long i = 0; i < FT_PAGES; i++) {
    f_fill(want, t, i);
    if (cut <= i * PGSIZE)
      memset(want, 0, PGSIZE);
    else if (cut < (i + 1) * PGSIZE)
      memset((char *)want + cut % PGSIZE, 0, PGSIZE - cut % PGSIZE);
    if (f_pread(fd, i) != PGSIZE || memcmp(f_page, want, PGSIZE) != 0) {
      printf("ftrunc: page %lu read back wrong\n", i);
      return 0;
    }
    if (m != 0 && memcmp(m + i * FW, want, PGSIZE) != 0) {
      printf("ftrunc: page %lu wrong through the mapping\n", i);
      return 0;
    }
  }
  return 1;
}

// Cached, mapped and dirty pages, then the file cut to cut bytes by
// ftruncate (or O_TRUNC, cut 0) and grown back by ftruncate.
static int ft_cut(unsigned long cut, int otrunc)
{
  struct stat st;
  uint64_t *m;
  int fd, fd2;

  TL_CHECK((fd = f_make("ft.f", FT_PAGES, 300)) >= 0, "make");
  for (unsigned long i = 0; i < FT_PAGES; i++)
    TL_CHECK(f_pread(fd, i) == PGSIZE, "read");
  TL_CHECK((m = f_map(fd, FT_PAGES, PROT_READ | PROT_WRITE)) != 0, "mmap");
  for (unsigned long i = 0; i < FT_PAGES; i++)
    f_fill(m + i * FW, 301, i);
  if (otrunc) {
    TL_CHECK((fd2 = open("ft.f", O_RDWR | O_TRUNC)) >= 0, "O_TRUNC");
    close(fd2);
  } else {
    TL_CHECK(ftruncate(fd, (off_t)cut) == 0, "ftruncate");
  }
  TL_CHECK(fstat(fd, &st) == 0 && st.size == cut, "size %ld after the cut",
           (long)st.size);
  TL_CHECK(f_pread(fd, cut / PGSIZE) == (int)(cut % PGSIZE),
           "read at the end");
  TL_CHECK(ft_touch_dies(m, (cut + PGSIZE - 1) / PGSIZE),
           "a page past the end is no bus error");
  TL_CHECK(ft_touch_dies(m, FT_PAGES - 1), "the last page: no bus error");
  TL_CHECK(ftruncate(fd, FT_PAGES * PGSIZE) == 0, "ftruncate up");
  TL_CHECK(ft_after_cut(fd, m, cut, 301), "after growing back");
  TL_CHECK(munmap(m, FT_PAGES * PGSIZE) == 0, "munmap");
  close(fd);
  TL_CHECK((fd = open("ft.f", O_RDONLY)) >= 0, "reopen");
  TL_CHECK(ft_after_cut(fd, 0, cut, 301), "after munmap and reopen");
  vmreclaim(1L << 40);              // and from the disk
  TL_CHECK(ft_after_cut(fd, 0, cut, 301), "read from the disk");
  close(fd);
  unlink("ft.f");
  return 0;
}

static int ftrunc_shrink(void)
{
  return ft_cut(FT_CUT, 0);
}

static int ftrunc_otrunc(void)
{
  return ft_cut(0, 1);
}

// The same while the daemon launders: a hog keeps memory short, the
// mapping's dirty pages go to the laundry (MADV_DONTNEED puts them first
// in line), and the file is cut to nothing and grown back again and
// again: it must read as zeros every time, and a page the daemon wrote
// around the cut must not reappear.
#define FTL_PAGES 1024
#define FTL_ROUNDS 12

static int ftl_round(int fd, uint64_t *m, int r)
{
  unsigned long po = f_filepageout();

  for (unsigned long i = 0; i < FTL_PAGES; i++)
    m[i * FW] = f_word(400 + (uint64_t)r, i, 0), m[i * FW + 1] = i;
  TL_CHECK(madvise(m, FTL_PAGES * PGSIZE, MADV_DONTNEED) == 0, "madvise");
  // Cut as soon as the daemon has begun writing them (or after 1 s).
  for (int t = 0; t < 100 && f_filepageout() == po; t++)
    sleep(1);
  TL_CHECK(ftruncate(fd, 0) == 0, "ftruncate 0");
  TL_CHECK(ftruncate(fd, FTL_PAGES * PGSIZE) == 0, "ftruncate up");
  for (unsigned long i = 0; i < FTL_PAGES; i++) {
    TL_CHECK(m[i * FW] == 0 && m[i * FW + 1] == 0,
             "round %d: page %lu of the mapping holds %lx after the cut", r,
             i, (unsigned long)m[i * FW]);
    TL_CHECK(f_pread(fd, i) == PGSIZE && f_zero(f_page, 16),
             "round %d: page %lu reads %lx after the cut", r, i,
             (unsigned long)f_page[0]);
  }
  return 0;
}

static int ftrunc_laundered(void)
{
  unsigned long po = f_filepageout();
  uint64_t *m;
  int fd, hog, rc = 0;

  TL_CHECK((fd = open("ft.l", O_CREATE | O_RDWR | O_TRUNC)) >= 0, "open");
  TL_CHECK(ftruncate(fd, FTL_PAGES * PGSIZE) == 0, "ftruncate");
  TL_CHECK((m = f_map(fd, FTL_PAGES, PROT_READ | PROT_WRITE)) != 0, "mmap");
  TL_CHECK((hog = fh_hog_start()) > 0, "hog");
  for (int r = 0; r < FTL_ROUNDS && rc == 0; r++)
    rc = ftl_round(fd, m, r);
  TL_CHECK(fh_hog_stop(hog) == 0, "the hog");
  if (rc != 0)
    return rc;
  printf("ftrunc: the daemon wrote %lu file pages\n", f_filepageout() - po);
  munmap(m, FTL_PAGES * PGSIZE);
  close(fd);
  vmreclaim(1L << 40);
  TL_CHECK((fd = open("ft.l", O_RDONLY)) >= 0, "reopen");
  for (unsigned long i = 0; i < FTL_PAGES; i++)
    TL_CHECK(f_pread(fd, i) == PGSIZE && f_zero(f_page, PGSIZE),
             "page %lu on disk holds %lx", i, (unsigned long)f_page[0]);
  close(fd);
  unlink("ft.l");
  return 0;
}

// A mapping longer than the file. Stores into the last page past the end
// are no file data; a page wholly past the end is a bus error. write()
// past the end then grows the file over both: the mapping sees the new
// page at once, and the earlier stores past the old end read as zeros,
// through the mapping, through read() and from the disk.
static int ftrunc_tail(void)
{
  uint64_t *m;
  char *c;
  int fd;

  TL_CHECK((fd = f_make("ft.t", 3, 800)) >= 0, "make");
  TL_CHECK(ftruncate(fd, 2 * PGSIZE + 100) == 0, "ftruncate");
  TL_CHECK((m = f_map(fd, 4, PROT_READ | PROT_WRITE)) != 0, "mmap");
  c = (char *)(m + 2 * FW);
  TL_CHECK(f_zero(c + 100, PGSIZE - 100), "the cut tail reads non-zero");
  memset(c + 100, 'X', PGSIZE - 100);
  TL_CHECK(ft_touch_dies(m, 3), "page 3, past the end, is no bus error");
  f_fill(f_page, 801, 3);
  TL_CHECK(lseek(fd, 3 * PGSIZE, SEEK_SET) == 3 * PGSIZE &&
           write(fd, f_page, PGSIZE) == PGSIZE, "write");
  TL_CHECK(f_is(m + 3 * FW, 801, 3), "the mapping does not see the page "
           "write() added");
  TL_CHECK(f_zero(c + 100, PGSIZE - 100), "stores past the old end became "
           "file data");
  TL_CHECK(f_pread(fd, 2) == PGSIZE && f_zero((char *)f_page + 100,
           PGSIZE - 100), "read() sees stores past the old end");
  TL_CHECK(munmap(m, 4 * PGSIZE) == 0, "munmap");
  close(fd);
  vmreclaim(1L << 40);
  TL_CHECK((fd = open("ft.t", O_RDONLY)) >= 0, "reopen");
  TL_CHECK(f_pread(fd, 2) == PGSIZE && f_zero((char *)f_page + 100,
           PGSIZE - 100), "the disk holds stores past the old end");
  TL_CHECK(f_pread(fd, 3) == PGSIZE && f_is(f_page, 801, 3), "page 3");
  close(fd);
  unlink("ft.t");
  return 0;
}

void swf_trunc(void)
{
  tl_run_child("tail", ftrunc_tail);
  tl_run_child("shrink", ftrunc_shrink);
  tl_run_child("otrunc", ftrunc_otrunc);
  tl_run_child("laundered", ftrunc_laundered);
}

// ---------------------------------------------------------------------------
// fshare: write() and a shared mapping on the same pages.

#define FS_PAGES 96
#define FS_ROUNDS 12
#define FS_W(r) (0x40 + (r))        // the byte W's round r writes
#define FS_M(r) (0x80 + (r))        // the byte M's round r stores

// M: round after round, every page of the shared mapping m set to FS_M(r).
static void fs_mapper(char *m)
{
  for (int r = 1; r <= FS_ROUNDS; r++)
    for (unsigned long i = 0; i < FS_PAGES; i++)
      memset(m + i * PGSIZE, FS_M(r), PGSIZE);
  exit(0);
}

// W: the same through write() on its own open file, back to front.
static void fs_writer(void)
{
  static char buf[PGSIZE];
  int fd = open("fs.race", O_RDWR);

  TL_CHILD_CHECK(fd >= 0);
  for (int r = 1; r <= FS_ROUNDS; r++) {
    memset(buf, FS_W(r), PGSIZE);
    for (unsigned long i = FS_PAGES; i-- > 0;)
      TL_CHILD_CHECK(lseek(fd, (off_t)(i * PGSIZE), SEEK_SET) >= 0 &&
                     write(fd, buf, PGSIZE) == PGSIZE);
  }
  exit(0);
}

// Each byte's last store was W's last or M's last: anything else (zeros,
// an older round, a byte of the other page) was lost or came back stale.
static long fs_bad(const char *p)
{
  for (long i = 0; i < PGSIZE; i++)
    if (p[i] != (char)FS_W(FS_ROUNDS) && p[i] != (char)FS_M(FS_ROUNDS))
      return i;
  return -1;
}

static int fs_check_file(int fd, const char *m, const char *when)
{
  long b;

  for (unsigned long i = 0; i < FS_PAGES; i++) {
    TL_CHECK(f_pread(fd, i) == PGSIZE, "%s: read", when);
    TL_CHECK((b = fs_bad((char *)f_page)) < 0, "%s: page %lu byte %ld reads "
             "%x", when, i, b, ((unsigned char *)f_page)[b]);
    TL_CHECK(m == 0 || memcmp(m + i * PGSIZE, f_page, PGSIZE) == 0,
             "%s: page %lu: the mapping and read() differ", when, i);
  }
  return 0;
}

static int fshare_race(void)
{
  int fd, hog, pm, pw, sm, sw;
  char *m;

  TL_CHECK((fd = open("fs.race", O_CREATE | O_RDWR | O_TRUNC)) >= 0, "open");
  TL_CHECK(ftruncate(fd, FS_PAGES * PGSIZE) == 0, "ftruncate");
  TL_CHECK((m = (char *)f_map(fd, FS_PAGES, PROT_READ | PROT_WRITE)) != 0,
           "mmap");
  TL_CHECK((hog = fh_hog_start()) > 0, "hog");
  if ((pm = fork()) == 0)
    fs_mapper(m);
  if ((pw = fork()) == 0)
    fs_writer();
  sm = f_wait(pm);
  sw = f_wait(pw);
  TL_CHECK(fh_hog_stop(hog) == 0, "the hog");
  TL_CHECK(sm == 0 && sw == 0, "mapper status %d, writer status %d", sm, sw);
  if (fs_check_file(fd, m, "mapped") != 0)
    return -1;
  TL_CHECK(munmap(m, FS_PAGES * PGSIZE) == 0, "munmap");
  close(fd);
  vmreclaim(1L << 40);
  TL_CHECK((fd = open("fs.race", O_RDONLY)) >= 0, "reopen");
  if (fs_check_file(fd, 0, "reopened") != 0)
    return -1;
  close(fd);
  unlink("fs.race");
  return 0;
}

// read() and write() whose user buffer is a shared mapping of the very
// file, its pages evicted first so that the copies fault on them. Each
// copy moves a page at a time from the front, so an overlapping move
// sees what the move wrote before (as a byte-wise memcpy would); what
// must hold: the moved bytes land, nothing else changes, read() and the
// mapping agree, and nobody hangs.
static int fs_same(int fd, const uint64_t *m)
{
  for (unsigned long i = 0; i < FT_PAGES; i++)
    TL_CHECK(f_pread(fd, i) == PGSIZE &&
             memcmp(f_page, m + i * FW, PGSIZE) == 0,
             "page %lu: read() and the mapping differ", i);
  return 0;
}

static int fshare_selfcopy(void)
{
  uint64_t *m;
  int fd;

  TL_CHECK((fd = f_make("fs.self", FT_PAGES, 500)) >= 0, "make");
  TL_CHECK((m = f_map(fd, FT_PAGES, PROT_READ | PROT_WRITE)) != 0, "mmap");
  vmreclaim(1L << 40);
  // Pages 1, 2 written over pages 0, 1 from the mapping.
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0 &&
           write(fd, m + FW, 2 * PGSIZE) == 2 * PGSIZE, "write: %s",
           strerror(errno));
  TL_CHECK(f_is(m, 500, 1) && f_is(m + FW, 500, 2), "write from the mapping");
  TL_CHECK(fs_same(fd, m) == 0, "after the write");
  vmreclaim(1L << 40);
  // File page 3 read into the mapping's page 4, then 4 (now 3) into 5.
  TL_CHECK(lseek(fd, 3 * PGSIZE, SEEK_SET) == 3 * PGSIZE &&
           read(fd, m + 4 * FW, 2 * PGSIZE) == 2 * PGSIZE, "read: %s",
           strerror(errno));
  TL_CHECK(f_is(m + 3 * FW, 500, 3) && f_is(m + 4 * FW, 500, 3) &&
           f_is(m + 5 * FW, 500, 3), "read into the mapping");
  TL_CHECK(f_is(m + 6 * FW, 500, 6), "page 6 changed");
  // Within one page: bytes [0, 1000) written to [100, 1100).
  TL_CHECK(lseek(fd, 6 * PGSIZE + 100, SEEK_SET) >= 0 &&
           write(fd, m + 6 * FW, 1000) == 1000, "write within a page");
  f_fill(f_page, 500, 6);
  TL_CHECK(memcmp((char *)(m + 6 * FW) + 1100, (char *)f_page + 1100,
                  PGSIZE - 1100) == 0 && memcmp(m + 6 * FW, f_page, 100) == 0,
           "bytes outside the move changed");
  TL_CHECK(fs_same(fd, m) == 0, "at the end");
  munmap(m, FT_PAGES * PGSIZE);
  close(fd);
  unlink("fs.self");
  return 0;
}

// write() at the end of a file from a mapping of the file's own next page,
// which lies past the end: the source is a bus error for the process, so
// for write() a bad address. Either EFAULT with the file unchanged, or
// (had the kernel let the copy read the page it was making) a page of
// zeros; never a hang, a kill, or a size that disagrees with the data.
static int fshare_from_past_end(void)
{
  struct stat st;
  uint64_t *m;
  int fd, r;

  TL_CHECK((fd = f_make("fs.end", 1, 510)) >= 0, "make");
  TL_CHECK((m = f_map(fd, 3, PROT_READ | PROT_WRITE)) != 0, "mmap");
  r = write(fd, m + FW, PGSIZE);
  TL_CHECK(r == -1 ? errno == EFAULT : r == PGSIZE, "write returned %d (%s)",
           r, strerror(errno));
  TL_CHECK(fstat(fd, &st) == 0 && st.size == (r < 0 ? PGSIZE : 2 * PGSIZE),
           "size %ld after write returned %d", (long)st.size, r);
  TL_CHECK(f_is(m, 510, 0), "page 0 changed");
  if (r == PGSIZE)
    TL_CHECK(f_pread(fd, 1) == PGSIZE && f_zero(f_page, PGSIZE) &&
             f_zero(m + FW, PGSIZE), "page 1 is not zeros");
  TL_CHECK(ft_touch_dies(m, 2), "page 2, past the end, is no bus error");
  munmap(m, 3 * PGSIZE);
  close(fd);
  unlink("fs.end");
  return 0;
}

void swf_share(void)
{
  tl_run_child("race", fshare_race);
  tl_run_child("selfcopy", fshare_selfcopy);
  tl_run_child("from_past_end", fshare_from_past_end);
}

// ---------------------------------------------------------------------------
// fdisk: the blocks of the disk.

// Write fd until the disk is full; the bytes written, or -1 if write()
// failed otherwise.
static long fd_fill(int fd)
{
  static char chunk[16 * PGSIZE];
  long total = 0;
  int r;

  memset(chunk, 'f', sizeof(chunk));
  while ((r = write(fd, chunk, sizeof(chunk))) > 0)
    total += r;
  return r < 0 && errno != ENOSPC ? -1 : total;
}

// The free space of the disk, in bytes a file gets: fill it, then remove
// the filler. -1 on failure.
static long fd_free(void)
{
  long n;
  int fd;

  unlink("fd.fill");
  if ((fd = open("fd.fill", O_CREATE | O_WRONLY)) < 0)
    return -1;
  n = fd_fill(fd);
  close(fd);
  unlink("fd.fill");
  return n;
}

// A file mapped shared over holes, dirtied while the daemon launders it
// (and so allocates its blocks), removed while mapped and still being
// laundered, dirtied again, unmapped: its blocks all come back.
static int fdisk_unlinked(void)
{
  unsigned long n = tl_ram_pages() / 4, po = f_filepageout();
  long before, after;
  uint64_t *m;
  int fd, hog;

  TL_CHECK((before = fd_free()) > 0, "fill the disk");
  TL_CHECK((fd = open("fd.u", O_CREATE | O_RDWR | O_TRUNC)) >= 0, "open");
  TL_CHECK(ftruncate(fd, (off_t)(n * PGSIZE)) == 0, "ftruncate");
  TL_CHECK((m = f_map(fd, n, PROT_READ | PROT_WRITE)) != 0, "mmap");
  close(fd);
  TL_CHECK((hog = fh_hog_start()) > 0, "hog");
  for (unsigned long i = 0; i < n; i++)
    f_fill(m + i * FW, 600, i);
  TL_CHECK(madvise(m, n * PGSIZE, MADV_DONTNEED) == 0, "madvise");
  for (int t = 0; t < 100 && f_filepageout() == po; t++)
    sleep(1);                       // until the daemon writes (or 1 s)
  TL_CHECK(unlink("fd.u") == 0, "unlink");
  for (unsigned long i = 0; i < n; i++)
    m[i * FW + 1] = 2;
  for (unsigned long i = 0; i < n; i++)
    TL_CHECK(m[i * FW + 1] == 2 && m[i * FW + 2] == f_word(600, i, 2),
             "page %lu of the mapping lost its data", i);
  TL_CHECK(fh_hog_stop(hog) == 0, "the hog");
  printf("fdisk: the daemon wrote %lu file pages\n", f_filepageout() - po);
  TL_CHECK(munmap(m, n * PGSIZE) == 0, "munmap");
  TL_CHECK((after = fd_free()) == before, "%ld bytes free before, %ld after",
           before, after);
  return 0;
}

// The disk full, a file's pages over holes dirtied through a shared
// mapping while a hog keeps memory short: the daemon cannot write them.
// Nothing is lost: msync says ENOSPC, the pages that have blocks reach the
// disk, the rest stays in memory; with room again, msync writes it all.
#define FDF_DATA 8                  // pages with blocks before the disk fills

static int fdf_check(int fd, unsigned long n, const char *when)
{
  for (unsigned long i = 0; i < n; i++)
    TL_CHECK(f_pread(fd, i) == PGSIZE && f_is(f_page, 700, i),
             "%s: page %lu of %lu reads %lx", when, i, n,
             (unsigned long)f_page[0]);
  return 0;
}

static int fdisk_full_holes(void)
{
  unsigned long n = tl_ram_pages() / 4;
  uint64_t *m;
  int fd, fill, hog, rc;

  unlink("fd.fill");
  TL_CHECK((fd = f_make("fd.h", FDF_DATA, 1)) >= 0, "make");
  TL_CHECK(ftruncate(fd, (off_t)(n * PGSIZE)) == 0, "ftruncate");
  TL_CHECK((fill = open("fd.fill", O_CREATE | O_WRONLY)) >= 0, "fill");
  TL_CHECK(fd_fill(fill) > 0, "fill the disk");
  TL_CHECK((m = f_map(fd, n, PROT_READ | PROT_WRITE)) != 0, "mmap");
  TL_CHECK((hog = fh_hog_start()) > 0, "hog");
  for (unsigned long i = 0; i < n; i++)
    f_fill(m + i * FW, 700, i);
  rc = msync(m, n * PGSIZE, MS_SYNC);
  TL_CHECK(rc == -1 && errno == ENOSPC, "msync on a full disk: %d, %s", rc,
           strerror(errno));
  TL_CHECK(fh_hog_stop(hog) == 0, "the hog");
  for (unsigned long i = 0; i < n; i++)
    TL_CHECK(f_is(m + i * FW, 700, i), "page %lu of the mapping lost", i);
  if (fdf_check(fd, n, "full") != 0)
    return -1;
  close(fill);
  TL_CHECK(unlink("fd.fill") == 0, "unlink the filler");
  TL_CHECK(msync(m, n * PGSIZE, MS_SYNC) == 0, "msync with room: %s",
           strerror(errno));
  TL_CHECK(munmap(m, n * PGSIZE) == 0, "munmap");
  close(fd);
  vmreclaim(1L << 40);
  TL_CHECK((fd = open("fd.h", O_RDONLY)) >= 0, "reopen");
  rc = fdf_check(fd, n, "on disk");
  close(fd);
  unlink("fd.h");
  return rc;
}

void swf_disk(void)
{
  tl_run_child("unlinked", fdisk_unlinked);
  tl_run_child("full_holes", fdisk_full_holes);
}

