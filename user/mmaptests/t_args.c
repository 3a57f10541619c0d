// SPDX-License-Identifier: MIT
// mmaptests groups "mmap_args" and "range_args": each row of the errno
// tables of docs/semantics.md, one test per row (or a few closely related
// rows), checking the errno and that a refused call changed nothing.
#include "user/mmaptests/mt.h"

#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANON)

static int
t_len_zero(void)
{
  TL_CHECK(MT_MFAILS(mmap(0, 0, RW, PA, -1, 0), EINVAL), "len 0");
  TL_CHECK(MT_MFAILS(mmap(0, (size_t)-1, RW, PA, -1, 0), EINVAL), "len huge");
  TL_CHECK(MT_MFAILS(mmap(0, (size_t)-1 - 100, RW, PA, -1, 0), EINVAL),
           "rounded len overflows");
  return 0;
}

static int
t_bad_bits(void)
{
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, 0x80, PA, -1, 0), EINVAL), "prot bits");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, PA | 0x100000, -1, 0), EINVAL),
           "flag bits");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, MAP_SHARED | PA, -1, 0), EINVAL),
           "shared and private");
  return 0;
}

static int
t_anon_alone(void)
{
  char *m = mmap(0, 2 * PGSIZE, RW, MAP_ANON, -1, 0);
  int st;

  TL_CHECK(m != MAP_FAILED, "MAP_ANON alone: %s", strerror(errno));
  m[0] = 'p';
  if ((st = fork()) == 0) {
    TL_CHILD_CHECK(m[0] == 'p');
    m[0] = 'c';
    exit(0);
  }
  wait(&st);
  TL_CHECK(st == 0 && m[0] == 'p', "MAP_ANON alone is not private");
  TL_CHECK(munmap(m, 2 * PGSIZE) == 0, "munmap");
  return 0;
}

static int
t_anon_fd_off(void)
{
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, PA, 0, 0), EINVAL), "fd 0");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, PA, -1, PGSIZE), EINVAL), "off");
  return 0;
}

static int
t_align(void)
{
  char *m = mt_anon(1);

  TL_CHECK(m != MAP_FAILED, "mmap");
  TL_CHECK(MT_MFAILS(mmap(m + 1, PGSIZE, RW, PA | MAP_FIXED, -1, 0), EINVAL),
           "fixed unaligned");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, PA | MAP_FIXED, -1, 0), EINVAL),
           "fixed page 0");
  TL_CHECK(MT_MFAILS(mmap((void *)(MAXUVA - PGSIZE), 2 * PGSIZE, RW,
                          PA | MAP_FIXED, -1, 0), EINVAL), "fixed past MAXUVA");
  TL_CHECK(MT_MFAILS(mmap((void *)MAXUVA, PGSIZE, RW, PA | MAP_FIXED, -1, 0),
                     EINVAL), "fixed at MAXUVA");
  TL_CHECK(munmap(m, PGSIZE) == 0, "munmap");
  return 0;
}

static int
t_fixed_replace(void)
{
  char *m = mt_anon(3), *r;

  TL_CHECK(m != MAP_FAILED, "mmap");
  memset(m, 'o', 3 * PGSIZE);
  r = mmap(m + PGSIZE, PGSIZE, RW, PA | MAP_FIXED, -1, 0);
  TL_CHECK(r == m + PGSIZE, "fixed at %p gave %p", m + PGSIZE, r);
  TL_CHECK(m[0] == 'o' && r[0] == 0 && m[2 * PGSIZE] == 'o', "not replaced");
  TL_CHECK(MT_MFAILS(mmap(m, PGSIZE, RW, PA | MAP_FIXED | MAP_EXCL, -1, 0),
                     EEXIST), "fixed excl over a mapping");
  TL_CHECK(m[0] == 'o', "excl changed memory");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, PA | MAP_EXCL, -1, 0), EINVAL),
           "excl without fixed");
  TL_CHECK(munmap(m, 3 * PGSIZE) == 0, "munmap");
  r = mmap(m, PGSIZE, RW, PA | MAP_FIXED | MAP_EXCL, -1, 0);
  TL_CHECK(r == m, "fixed excl on free space");
  TL_CHECK(munmap(m, PGSIZE) == 0, "munmap");
  return 0;
}

static int
t_hint(void)
{
  char *m = mt_anon(2), *h;

  TL_CHECK(m != MAP_FAILED, "mmap");
  m[0] = 'k';
  h = mmap(m, PGSIZE, RW, PA, -1, 0);
  TL_CHECK(h != MAP_FAILED && h != m && m[0] == 'k', "taken hint");
  TL_CHECK(munmap(h, PGSIZE) == 0, "munmap");
  h = mmap((void *)(MAXUVA + PGSIZE), PGSIZE, RW, PA, -1, 0);
  TL_CHECK(h != MAP_FAILED && (uintptr_t)h < MAXUVA, "invalid hint");
  h[0] = 1;
  TL_CHECK(munmap(h, PGSIZE) == 0, "munmap");
  h = mmap((void *)1, PGSIZE, RW, PA, -1, 0);
  TL_CHECK(h != MAP_FAILED && (uintptr_t)h >= PGSIZE, "page-0 hint");
  TL_CHECK(munmap(h, PGSIZE) == 0 && munmap(m, 2 * PGSIZE) == 0, "munmap");
  TL_CHECK(MT_MFAILS(mmap(0, MAXUVA, RW, PA, -1, 0), ENOMEM), "no room");
  return 0;
}

static int
t_write_only_prot(void)
{
  char *m = mmap(0, PGSIZE, PROT_WRITE, PA, -1, 0);
  char *s = mmap(0, PGSIZE, RW, MAP_ANON | MAP_STACK, -1, 0);

  TL_CHECK(m != MAP_FAILED, "PROT_WRITE alone: %s", strerror(errno));
  m[5] = 'w';
  TL_CHECK(m[5] == 'w', "not readable");
  TL_CHECK(s != MAP_FAILED && s[0] == 0, "MAP_STACK");
  s[PGSIZE - 1] = 1;
  TL_CHECK(munmap(m, PGSIZE) == 0 && munmap(s, PGSIZE) == 0, "munmap");
  return 0;
}

// The file rows: descriptor kinds and access rights.
static int
t_file_fd(void)
{
  int p[2], fd, dfd;
  char *m;

  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_SHARED, 57, 0), EBADF),
           "bad fd");
  TL_CHECK(pipe(p) == 0, "pipe");
  close(p[1]);
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_SHARED, p[0], 0), ENODEV),
           "pipe");
  close(p[0]);
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_SHARED, p[0], 0), EBADF),
           "closed fd");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_SHARED, 1, 0), ENODEV),
           "console");
  TL_CHECK((dfd = open(".", O_RDONLY)) >= 0, "open .");
  m = mmap(0, PGSIZE, PROT_READ, MAP_SHARED, dfd, 0);
  close(dfd);
  TL_CHECK(MT_MFAILS(m, ENODEV), "directory");
  TL_CHECK(mt_make_file("mt-args", 100) == 0, "create");
  TL_CHECK((fd = open("mt-args", O_RDONLY)) >= 0, "open");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, 0, fd, 0), EINVAL),
           "file mapping with neither");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_SHARED, fd, 1), EINVAL),
           "unaligned off");
  close(fd);
  unlink("mt-args");
  return 0;
}

// off_t is signed: a negative offset, or one whose end does not fit in
// off_t, is EINVAL (not a mapping of a page nobody can address).
static int
t_file_off(void)
{
  const off_t last = (off_t)0x7ffffffffffff000L;   // the last page of off_t
  int fd;

  TL_CHECK(mt_make_file("mt-off", 100) == 0, "create");
  TL_CHECK((fd = open("mt-off", O_RDONLY)) >= 0, "open");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_SHARED, fd, last), EINVAL),
           "off + len overflows off_t");
  TL_CHECK(MT_MFAILS(mmap(0, 3 * PGSIZE, PROT_READ, MAP_PRIVATE, fd,
                          last - PGSIZE), EINVAL), "off + 3 pages overflows");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_SHARED, fd, -2 * PGSIZE),
                     EINVAL), "negative off");
  close(fd);
  unlink("mt-off");
  return 0;
}

static int
t_file_access(void)
{
  int fd, wfd;
  char *m;

  TL_CHECK(mt_make_file("mt-acc", 100) == 0, "create");
  TL_CHECK((wfd = open("mt-acc", O_WRONLY)) >= 0, "open w");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_SHARED, wfd, 0), EACCES),
           "write-only fd");
  close(wfd);
  TL_CHECK((fd = open("mt-acc", O_RDONLY)) >= 0, "open r");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, MAP_SHARED, fd, 0), EACCES),
           "shared write on read-only fd");
  m = mmap(0, PGSIZE, PROT_READ, MAP_SHARED, fd, 0);
  TL_CHECK(m != MAP_FAILED, "shared read: %s", strerror(errno));
  TL_CHECK(m[3] == mt_byte(3), "file contents");
  TL_CHECK(MT_FAILS(mprotect(m, PGSIZE, RW), EACCES), "mprotect past max");
  TL_CHECK(munmap(m, PGSIZE) == 0, "munmap");
  m = mmap(0, PGSIZE, RW, MAP_PRIVATE, fd, 0);
  TL_CHECK(m != MAP_FAILED, "private write: %s", strerror(errno));
  m[0] = '!';
  TL_CHECK(munmap(m, PGSIZE) == 0, "munmap");
  m = mmap(0, PGSIZE, PROT_READ, MAP_SHARED, fd, 0);
  TL_CHECK(m != MAP_FAILED && m[0] == mt_byte(0), "private write reached file");
  munmap(m, PGSIZE);
  close(fd);
  unlink("mt-acc");
  return 0;
}

static int
t_munmap(void)
{
  char *m = mt_anon(4);

  TL_CHECK(m != MAP_FAILED, "mmap");
  TL_CHECK(MT_FAILS(munmap(m, 0), EINVAL), "len 0");
  TL_CHECK(MT_FAILS(munmap(m + 1, PGSIZE), EINVAL), "unaligned");
  TL_CHECK(MT_FAILS(munmap(m, (size_t)-PGSIZE), EINVAL), "wraps");
  TL_CHECK(MT_FAILS(munmap((void *)(MAXUVA - PGSIZE), 2 * PGSIZE), EINVAL),
           "reaches MAXUVA");
  TL_CHECK(munmap(m + PGSIZE, PGSIZE) == 0, "middle");
  TL_CHECK(munmap(m, 4 * PGSIZE) == 0, "partly unmapped");
  TL_CHECK(munmap(m, 4 * PGSIZE) == 0, "wholly unmapped");
  TL_CHECK(mt_resident(m, 1) == -1 && errno == ENOMEM, "still mapped");
  return 0;
}

void
mt_mmap_args(void)
{
  tl_run("len_zero", t_len_zero);
  tl_run("bad_bits", t_bad_bits);
  tl_run("anon_alone", t_anon_alone);
  tl_run("anon_fd_off", t_anon_fd_off);
  tl_run("align", t_align);
  tl_run("fixed_replace", t_fixed_replace);
  tl_run("hint", t_hint);
  tl_run("write_only_prot", t_write_only_prot);
  tl_run("file_fd", t_file_fd);
  tl_run("file_off", t_file_off);
  tl_run("file_access", t_file_access);
  tl_run("munmap", t_munmap);
}

// ---------------------------------------------------------------------------
// The range calls. Each gets the same bad ranges: unaligned, wrapping,
// reaching MAXUVA (EINVAL), and a hole (ENOMEM, nothing changed).

static int
range_call(int which, void *a, size_t len)
{
  char vec[8];

  switch (which) {
  case 0: return mprotect(a, len, PROT_READ);
  case 1: return madvise(a, len, MADV_NORMAL);
  case 2: return minherit(a, len, INHERIT_SHARE);
  case 3: return msync(a, len, MS_ASYNC);
  default: return mincore(a, len, vec);
  }
}

static int
t_range_bad(void)
{
  char *m = mt_anon(3);

  TL_CHECK(m != MAP_FAILED, "mmap");
  for (int w = 0; w < 5; w++) {
    TL_CHECK(MT_FAILS(range_call(w, m + 1, PGSIZE), EINVAL), "%d unaligned", w);
    TL_CHECK(MT_FAILS(range_call(w, m, (size_t)-PGSIZE), EINVAL), "%d wraps", w);
    TL_CHECK(MT_FAILS(range_call(w, (void *)(MAXUVA - PGSIZE), 2 * PGSIZE),
                      EINVAL), "%d reaches MAXUVA", w);
    TL_CHECK(MT_FAILS(range_call(w, m, (size_t)-1), EINVAL), "%d overflow", w);
  }
  TL_CHECK(munmap(m + PGSIZE, PGSIZE) == 0, "punch");
  for (int w = 0; w < 5; w++)
    TL_CHECK(MT_FAILS(range_call(w, m, 3 * PGSIZE), ENOMEM), "%d hole", w);
  m[0] = 'a';   // mprotect over the hole changed nothing: still writable
  m[2 * PGSIZE] = 'b';
  TL_CHECK(MT_FAILS(mlock(m, 3 * PGSIZE), ENOMEM), "mlock hole");
  TL_CHECK(MT_FAILS(munlock(m, 3 * PGSIZE), ENOMEM), "munlock hole");
  munmap(m, 3 * PGSIZE);
  return 0;
}

static int
t_mprotect(void)
{
  char *m = mt_anon(2);

  TL_CHECK(m != MAP_FAILED, "mmap");
  TL_CHECK(MT_FAILS(mprotect(m, PGSIZE, 0x40), EINVAL), "bits");
  m[0] = 'x';
  TL_CHECK(mprotect(m, 2 * PGSIZE, PROT_READ) == 0, "read-only");
  TL_CHECK(m[0] == 'x', "contents");
  TL_CHECK(mprotect(m, 2 * PGSIZE, PROT_WRITE) == 0, "write-only");
  m[1] = 'y';
  TL_CHECK(m[1] == 'y', "write-only not readable");
  munmap(m, 2 * PGSIZE);
  return 0;
}

static int
t_values(void)
{
  char *m = mt_anon(1), vec[1];

  TL_CHECK(m != MAP_FAILED, "mmap");
  TL_CHECK(MT_FAILS(madvise(m, PGSIZE, 77), EINVAL), "advice");
  TL_CHECK(MT_FAILS(madvise(m, PGSIZE, -1), EINVAL), "advice -1");
  TL_CHECK(MT_FAILS(minherit(m, PGSIZE, 9), EINVAL), "inherit");
  TL_CHECK(MT_FAILS(msync(m, PGSIZE, 0x40), EINVAL), "msync bits");
  TL_CHECK(MT_FAILS(msync(m, PGSIZE, MS_SYNC | MS_ASYNC), EINVAL), "sync+async");
  TL_CHECK(msync(m, PGSIZE, MS_SYNC) == 0, "msync anon");
  TL_CHECK(mincore(m, 0, vec) == 0, "mincore len 0");
  TL_CHECK(MT_FAILS(mincore(m, PGSIZE, (char *)MAXUVA), EFAULT), "vec bad");
  TL_CHECK(MT_FAILS(mincore(m, PGSIZE, (char *)(uintptr_t)t_values), EFAULT),
           "vec in text");
  TL_CHECK(MT_FAILS(mlockall(0), EINVAL) && MT_FAILS(mlockall(8), EINVAL),
           "mlockall flags");
  munmap(m, PGSIZE);
  return 0;
}

void
mt_range_args(void)
{
  tl_run("range_bad", t_range_bad);
  tl_run("mprotect", t_mprotect);
  tl_run("values", t_values);
}
