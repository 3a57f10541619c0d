// SPDX-License-Identifier: MIT
// pctests, reclaim group: when memory runs out, clean pages of the page
// cache give way (kernel/vm/vm_pageout.c) and the process that needed the
// memory lives on.
//
// A child first fills memory with anonymous pages until only a little
// more than the test file is free. It maps the file shared and read-only,
// reads all of it (its pages are now in the page cache and memory is
// almost full) and advises MADV_DONTNEED over it. Then it touches
// anonymous memory past what is free. The fault that finds nothing free
// reclaims a batch of the file's pages and the touching carries on. The
// child must not be killed, the reclaimed counter must have grown by
// exactly the file pages that left the cache, and once the anonymous
// memory is gone every page of the file must read back its own bytes
// (from disk, for the ones reclaimed).
//
// Why DONTNEED: the scan takes DONTNEED'd pages before any other, so every
// page it frees here is this file's, and the file goes away with the test.
// Otherwise it could take the clean pages of programs still running (this
// suite's text, sh, init), and the group's free page count would not come
// back to its old value. The file holds one and a half times 1/128 of
// memory, more than the pageout daemon frees for one shortage (twice its
// low mark) or a direct reclaim batch (vm_pageout_target) takes, so the
// scan never runs past it -- unless it frees more than a shortage needs,
// which this test catches. Filling memory with anonymous pages first, rather than
// with a file as big as memory, keeps the file small: every page written
// to create it is a disk transaction, the slowest part of the test.
#include "user/testlib.h"
#include "user/pctests/pctests.h"

#define RC_MARGIN  32                // anonymous pages past what is free
#define RC_SLACK   64                // free pages left after reading the file
#define RC_MAXPAGES 4096             // largest file (16 MiB)
#define RC_PATH    "pr.file"

static char rc_page[PGSIZE], rc_want[PGSIZE];
// Written before memory runs short, so that using them then needs no
// copy-on-write page (this runs in a forked child) and reclaims nothing.
static char rc_vec[RC_MAXPAGES];
static struct vmstats rc_vs[4];
static int rc_pages;                 // file size in pages

// The contents of file page i: a pattern that differs from page to page,
// stamped with the page's number.
static void rc_fill(char *buf, int i)
{
  pc_pattern(buf, PGSIZE, i);
  memcpy(buf, &i, sizeof(i));
}

static int rc_make_file(void)
{
  int fd = open(RC_PATH, O_CREATE | O_RDWR | O_TRUNC);
  if (fd < 0)
    return -1;
  for (int i = 0; i < rc_pages; i++) {
    rc_fill(rc_page, i);
    if (write(fd, rc_page, PGSIZE) != PGSIZE) {
      close(fd);
      return -1;
    }
  }
  close(fd);
  return 0;
}

// The first page of the file at p whose contents are wrong, or -1.
static int rc_bad_page(const char *p)
{
  for (int i = 0; i < rc_pages; i++) {
    rc_fill(rc_want, i);
    if (memcmp(p + (long)i * PGSIZE, rc_want, PGSIZE) != 0)
      return i;
  }
  return -1;
}

// Pages of the file at p not resident now, or -1.
static int rc_missing(char *p)
{
  int n = 0;
  if (mincore(p, rc_pages * PGSIZE, rc_vec) != 0)
    return -1;
  for (int i = 0; i < rc_pages; i++)
    n += !(rc_vec[i] & 1);
  return n;
}

// One store to each of npages pages at a.
static void rc_touch(char *a, unsigned long npages)
{
  for (unsigned long i = 0; i < npages; i++)
    a[i * PGSIZE] = 1;
}

// Fill memory with anonymous pages until about leave pages are free. Each
// round touches half of what is free above leave, so the page tables and
// pv entries that come with the pages cannot push the count far below it.
// Returns the mapping (*len bytes, to unmap) or 0.
static char *rc_fill_memory(unsigned long leave, unsigned long *len)
{
  struct vmstats *v = &rc_vs[3];
  unsigned long done = 0, n;
  char *a;

  if (vmstat(v) != 0 || v->free <= leave)
    return 0;
  *len = v->free * PGSIZE;
  a = mmap(0, *len, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE, -1, 0);
  if (a == MAP_FAILED)
    return 0;
  while (vmstat(v) == 0 && v->free > leave + 1) {
    n = (v->free - leave) / 2;
    rc_touch(a + done * PGSIZE, n);
    done += n;
  }
  return a;
}

// Map the file, read it all, advise DONTNEED. The mapping, or 0.
static char *rc_map_file(void)
{
  int fd = open(RC_PATH, O_RDONLY);
  char *p;

  if (fd < 0)
    return 0;
  p = mmap(0, rc_pages * PGSIZE, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED || rc_bad_page(p) >= 0 ||
      madvise(p, rc_pages * PGSIZE, MADV_DONTNEED) != 0)
    return 0;
  return p;
}

static int rc_run(void)
{
  struct vmstats *v = rc_vs;
  unsigned long filled = 0, anon, got;
  char *fill, *p, *a;
  int missing;

  memset(rc_vs, 0, sizeof(rc_vs));
  memset(rc_vec, 0, sizeof(rc_vec));
  TL_CHECK(vmstat(&v[0]) == 0, "vmstat");
  rc_pages = (int)(v[0].total / 128 * 3 / 2);
  TL_CHECK(rc_pages <= RC_MAXPAGES, "%d pages of file needed", rc_pages);
  TL_CHECK(rc_make_file() == 0, "create: %s", strerror(errno));
  fill = rc_fill_memory(rc_pages + RC_SLACK, &filled);
  TL_CHECK(fill != 0, "fill memory: %s", strerror(errno));
  p = rc_map_file();
  unlink(RC_PATH);                   // the mapping keeps the file
  TL_CHECK(p != 0, "map and read the file: %s", strerror(errno));
  TL_CHECK(rc_missing(p) == 0, "file not all resident before the test");

  TL_CHECK(vmstat(&v[1]) == 0, "vmstat");
  anon = v[1].free + RC_MARGIN;
  a = mmap(0, anon * PGSIZE, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE,
           -1, 0);
  TL_CHECK(a != MAP_FAILED, "mmap: %s", strerror(errno));
  rc_touch(a, anon);                 // past what is free: reclaim or die
  missing = rc_missing(p);
  TL_CHECK(vmstat(&v[2]) == 0, "vmstat");
  TL_CHECK(munmap(a, anon * PGSIZE) == 0 && munmap(fill, filled) == 0,
           "munmap");
  got = v[2].reclaimed - v[1].reclaimed;
  printf("reclaim: %lu pages touched with %lu free; %lu of %d file pages "
         "reclaimed\n", anon, v[1].free, got, rc_pages);
  TL_CHECK(got >= RC_MARGIN, "only %lu pages reclaimed", got);
  TL_CHECK(missing == (int)got, "%d file pages gone, %lu reclaimed: the "
           "scan took other pages first", missing, got);

  TL_CHECK(rc_bad_page(p) < 0, "page %d wrong after reclaim", rc_bad_page(p));
  TL_CHECK(vmstat(&v[3]) == 0 && v[3].pagein - v[2].pagein >= got,
           "%lu pages read back, %lu were reclaimed", v[3].pagein - v[2].pagein,
           got);
  TL_CHECK(munmap(p, rc_pages * PGSIZE) == 0, "munmap file");
  return 0;
}

// vmreclaim(n) frees up to n clean cached pages, DONTNEED'd ones first,
// and says how many; a negative count is EINVAL. A few pages of a file,
// read and advised away, are exactly the first n it takes (nothing else
// is freed, so the group's free-page check holds), and they read back.
static int rc_vmreclaim(void)
{
  struct vmstats v0, v1;
  long got;
  char *p;

  TL_CHECK(vmreclaim(-1) == -1 && errno == EINVAL, "vmreclaim(-1)");
  rc_pages = 4;
  TL_CHECK(rc_make_file() == 0, "create: %s", strerror(errno));
  p = rc_map_file();
  unlink(RC_PATH);
  TL_CHECK(p != 0, "map and read the file: %s", strerror(errno));
  TL_CHECK(rc_missing(p) == 0, "file not all resident");
  TL_CHECK(vmstat(&v0) == 0, "vmstat");
  got = vmreclaim(rc_pages);
  TL_CHECK(vmstat(&v1) == 0, "vmstat");
  TL_CHECK(got == rc_pages, "vmreclaim(%d) freed %ld", rc_pages, got);
  TL_CHECK(v1.reclaimed - v0.reclaimed == (unsigned long)got,
           "reclaimed counter grew by %lu", v1.reclaimed - v0.reclaimed);
  TL_CHECK(rc_missing(p) == rc_pages, "%d pages still cached",
           rc_pages - rc_missing(p));
  TL_CHECK(rc_bad_page(p) < 0, "page %d wrong after vmreclaim",
           rc_bad_page(p));
  TL_CHECK(munmap(p, rc_pages * PGSIZE) == 0, "munmap");
  return 0;
}

void pc_group_reclaim(void)
{
  tl_run_child("file_pages_give_way", rc_run);
  tl_run_child("vmreclaim_call", rc_vmreclaim);
}
