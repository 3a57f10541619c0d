// SPDX-License-Identifier: MIT
// File figures: one pass over a 4 MiB file, summing every 64-bit word,
// in ns per 4 KiB page of the file.
//
//   read-cold, read-warm            read() into a 64 KiB buffer
//   mmap-normal-cold / -warm        mmap (MAP_SHARED, read-only) + madvise
//   mmap-seq-cold / -warm           with MADV_NORMAL, MADV_SEQUENTIAL or
//   mmap-random-cold / -warm        MADV_RANDOM, the sum, munmap: all timed
//
// The page cache of a file is its vnode object, and the kernel keeps that
// object only while something references it (vnode_pager.c): with nothing
// holding it, every read() would start cold. So the group keeps its own
// mapping of the whole file (the keeper, never touched) for the whole
// time. Cold: msync(MS_INVALIDATE) on the keeper before each pass (untimed)
// drops every clean page of the file; the blocks are then read from the
// disk, as the 4 MiB pass is far bigger than the buffer cache (NBUF
// blocks). Warm: the previous pass left every page in the object.
//
// Then, with the keeper gone and the file closed:
//
//   reread-cold, reread-warm        open, read() the whole file, close
//
// Nothing holds the file between passes: the page cache keeps its object
// on the list of unused files (vnode_pager.c), so a warm pass reads the
// pages the last one left. A cold pass first drops that list with
// vmreclaim(0) (untimed), as a file nobody had read would be.
//
// Every pass checks its sum, so a figure is never the speed of a wrong
// answer.
#include "user/bench/bench.h"

#define FILE_NAME   "/benchfile"
#define FILE_PAGES  1024                       // 4 MiB
#define FILE_BYTES  ((size_t)FILE_PAGES * PGSIZE)
#define BUF_PAGES   16                         // read() 64 KiB at a time
#define BUF_BYTES   (BUF_PAGES * PGSIZE)

static int file_fd = -1;
static char *keeper, *buf;
static uint64 file_sum;

struct file_arg {
  int cold;
  int advice;        // MADV_*, or -1 for read()
};

static uint64 sum_words(const char *p, size_t len)
{
  const uint64 *w = (const uint64 *)p;
  uint64 s = 0;

  for (size_t i = 0; i < len / 8; i++)
    s += w[i];
  return s;
}

// Sum the file through read(); *ok cleared on an error.
static uint64 sum_read(int *ok)
{
  uint64 s = 0;
  int r;

  while ((r = read(file_fd, buf, BUF_BYTES)) > 0)
    s += sum_words(buf, (size_t)r);
  *ok = r == 0;
  return s;
}

static uint64 sum_mmap(int advice, int *ok)
{
  char *p = mmap(0, FILE_BYTES, PROT_READ, MAP_SHARED, file_fd, 0);
  uint64 s;

  *ok = p != MAP_FAILED && madvise(p, FILE_BYTES, advice) == 0;
  if (p == MAP_FAILED)
    return 0;
  s = *ok ? sum_words(p, FILE_BYTES) : 0;
  munmap(p, FILE_BYTES);
  return s;
}

static int file_run(void *argp, int n)
{
  struct file_arg *a = argp;
  uint64 s;
  int ok;

  for (int i = 0; i < n; i++) {
    if (a->cold && msync(keeper, FILE_BYTES, MS_INVALIDATE) < 0)
      return bench_fail("msync: %s", strerror(errno));
    if (lseek(file_fd, 0, SEEK_SET) != 0)
      return bench_fail("lseek: %s", strerror(errno));
    bench_begin();
    s = a->advice < 0 ? sum_read(&ok) : sum_mmap(a->advice, &ok);
    bench_end();
    if (!ok)
      return bench_fail("read or mmap: %s", strerror(errno));
    if (s != file_sum)
      return bench_fail("sum %lx, expected %lx", s, file_sum);
  }
  return 0;
}

// One pass of open, read() all, close; cold: the cache of unused files
// dropped first.
static int reread_run(void *argp, int n)
{
  uint64 s;
  int ok;

  for (int i = 0; i < n; i++) {
    if (argp != 0 && vmreclaim(0) < 0)
      return bench_fail("vmreclaim: %s", strerror(errno));
    bench_begin();
    if ((file_fd = open(FILE_NAME, O_RDONLY)) < 0)
      return bench_fail("open: %s", strerror(errno));
    s = sum_read(&ok);
    close(file_fd);
    bench_end();
    if (!ok || s != file_sum)
      return bench_fail("reread: sum %lx, expected %lx", s, file_sum);
  }
  return 0;
}

// Write the file: word i holds i times an odd constant. Leaves it open
// read-only in file_fd, with the keeper mapping and the read buffer.
static int file_create(void)
{
  uint64 *w;
  int fd;

  if ((buf = bench_map_anon(BUF_PAGES)) == 0)
    return -1;
  w = (uint64 *)buf;
  if ((fd = open(FILE_NAME, O_CREATE | O_TRUNC | O_RDWR)) < 0)
    return -1;
  file_sum = 0;
  for (size_t off = 0; off < FILE_BYTES; off += BUF_BYTES) {
    for (int j = 0; j < BUF_BYTES / 8; j++) {
      w[j] = (off / 8 + (size_t)j) * 0x9e3779b97f4a7c15UL;
      file_sum += w[j];
    }
    if (write(fd, buf, BUF_BYTES) != BUF_BYTES) {
      close(fd);
      return -1;
    }
  }
  close(fd);
  if ((file_fd = open(FILE_NAME, O_RDONLY)) < 0)
    return -1;
  keeper = mmap(0, FILE_BYTES, PROT_READ, MAP_SHARED, file_fd, 0);
  return keeper == MAP_FAILED ? -1 : 0;
}

int bench_group_file(void)
{
  static const char *const names[] = { "read", "mmap-normal", "mmap-random",
                                       "mmap-seq" };
  static const int advice[] = { -1, MADV_NORMAL, MADV_RANDOM,
                                MADV_SEQUENTIAL };
  static char metric[2][4][24];
  static struct file_arg a[2][4];
  struct bench b[2][4];
  const struct bench reread[2] = {
    { "reread-cold", "ns/page", reread_run, (void *)1, 1, 8, FILE_PAGES },
    { "reread-warm", "ns/page", reread_run, 0, 1, 8, FILE_PAGES },
  };
  int failed;

  if (file_create() < 0) {
    printf("BENCH-FAIL file: cannot make %s: %s\n", FILE_NAME,
           strerror(errno));
    return 8;
  }
  for (int cold = 0; cold < 2; cold++)
    for (int i = 0; i < 4; i++) {
      a[cold][i] = (struct file_arg){ cold, advice[i] };
      snprintf(metric[cold][i], sizeof(metric[cold][i]), "%s-%s", names[i],
               cold ? "cold" : "warm");
      b[cold][i] = (struct bench){ metric[cold][i], "ns/page", file_run,
                                   &a[cold][i], 1, 8, FILE_PAGES };
    }
  // A cold pass waits for 1024 disk reads (far above BENCH_MIN_TICKS), and
  // the host's disk speed drifts: interleave the cold figures.
  failed = bench_interleave(b[1], 4);
  for (int i = 0; i < 4; i++)
    failed += bench_figure(&b[0][i]) < 0;
  munmap(keeper, FILE_BYTES);
  close(file_fd);
  failed += bench_interleave(reread, 2);
  bench_unmap(buf, BUF_PAGES);
  unlink(FILE_NAME);
  return failed;
}
