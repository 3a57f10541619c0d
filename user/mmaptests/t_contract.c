// SPDX-License-Identifier: MIT
// mmaptests group "contract_args": the argument rows of docs/semantics.md's
// table in the combinations the other groups (t_args.c) leave out -- every
// unknown bit one at a time, lengths that overflow only once rounded,
// descriptors of each wrong kind, holes at either end of a range -- and,
// for each refused call, a check that it changed nothing.
#include "user/mmaptests/mt.h"

#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANON)
#define KNOWN_FLAGS (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_STACK | \
                     MAP_ANON | MAP_EXCL)
#define KNOWN_PROT (PROT_READ | PROT_WRITE | PROT_EXEC)

// A fresh file "mt-ca" of n bytes opened with mode; the descriptor or -1.
static int
ca_file(int n, int mode)
{
  if (mt_make_file("mt-ca", n) < 0)
    return -1;
  return open("mt-ca", mode);
}

// The byte at off of "mt-ca", read with read(); -1 on error.
static int
ca_file_byte(int off)
{
  int fd = open("mt-ca", O_RDONLY), c = -1;
  char b;

  if (fd >= 0 && lseek(fd, off, SEEK_SET) == off && read(fd, &b, 1) == 1)
    c = b;
  close(fd);
  return c;
}

// Fork a child that writes one byte at p; its exit status (-1: killed).
static int
ca_child_writes(char *p)
{
  int st;

  if (fork() == 0) {
    *(volatile char *)p = 'w';
    exit(0);
  }
  wait(&st);
  return st;
}

// The ABI constants a program gets from user/user.h alone.
static int
t_abi_constants(void)
{
  TL_CHECK(PGSIZE == 4096 && MAXUVA == 0x4000000000UL, "PGSIZE or MAXUVA");
  TL_CHECK(MAP_FAILED == (void *)-1 && MAP_ANONYMOUS == MAP_ANON, "MAP_*");
  TL_CHECK((MS_ASYNC & MS_SYNC) == 0 && (MS_ASYNC & MS_INVALIDATE) == 0 &&
           (MS_SYNC & MS_INVALIDATE) == 0, "MS_* share a bit");
  TL_CHECK(MINCORE_INCORE == 1, "MINCORE_INCORE is not bit 0");
  TL_CHECK(RLIMIT_MEMLOCK != RLIMIT_DATA && RLIM_INFINITY > (1UL << 40),
           "RLIMIT_*");
  return 0;
}

// Each unknown flag and prot bit alone is refused, for anonymous and file
// mappings alike; so is SHARED with PRIVATE on a file.
static int
t_every_bad_bit(void)
{
  int fd = ca_file(PGSIZE, O_RDWR);

  TL_CHECK(fd >= 0, "create");
  for (int b = 0; b < 32; b++) {
    int bit = (int)(1U << b);
    if ((bit & KNOWN_FLAGS) == 0) {
      TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, PA | bit, -1, 0), EINVAL),
               "anon flag %#x", bit);
      TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, MAP_SHARED | bit, fd, 0), EINVAL),
               "file flag %#x", bit);
    }
    if ((bit & KNOWN_PROT) == 0)
      TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ | bit, PA, -1, 0), EINVAL),
               "prot %#x", bit);
  }
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_SHARED | MAP_PRIVATE, fd,
                          0), EINVAL), "file shared and private");
  close(fd);
  unlink("mt-ca");
  return 0;
}

// Lengths that only overflow once rounded up to a page, and ranges whose
// end wraps, in every call that takes a length.
static int
t_len_overflow(void)
{
  static const size_t lens[] = { (size_t)-1, (size_t)-PGSIZE + 1 };
  char *m = mt_anon(2);

  TL_CHECK(m != MAP_FAILED, "mmap");
  for (int i = 0; i < 2; i++) {
    size_t len = lens[i];
    TL_CHECK(MT_MFAILS(mmap(0, len, RW, PA, -1, 0), EINVAL), "mmap %lx", len);
    TL_CHECK(MT_MFAILS(mmap(m, len, RW, PA | MAP_FIXED, -1, 0), EINVAL),
             "fixed mmap %lx", len);
    TL_CHECK(MT_FAILS(munmap(m, len), EINVAL), "munmap %lx", len);
    TL_CHECK(MT_FAILS(mlock(m, len), EINVAL), "mlock %lx", len);
    TL_CHECK(MT_FAILS(munlock(m, len), EINVAL), "munlock %lx", len);
  }
  TL_CHECK(MT_MFAILS(mmap(m, (size_t)-PGSIZE, RW, PA | MAP_FIXED, -1, 0),
                     EINVAL), "fixed end wraps");
  TL_CHECK(MT_FAILS(mlock(m + 10, (size_t)-PGSIZE), EINVAL), "mlock wraps");
  m[0] = m[PGSIZE] = 'k';   // all refused: still mapped and writable
  TL_CHECK(munmap(m, 2 * PGSIZE) == 0, "munmap");
  return 0;
}

// MAP_ANON takes fd -1 and offset 0 only; no other descriptor is EBADF's
// business then, and a file descriptor of any wrong kind is refused.
static int
t_fd_kinds(void)
{
  int fd = ca_file(PGSIZE, O_RDWR), p[2];

  TL_CHECK(fd >= 0, "create");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, PA, fd, 0), EINVAL), "anon, file fd");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, MAP_SHARED | MAP_ANON, fd, 0),
                     EINVAL), "shared anon, file fd");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, PA, -1, 1), EINVAL), "anon off 1");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, PA, -1, -PGSIZE), EINVAL),
           "anon off negative");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, MAP_PRIVATE, fd, PGSIZE - 1), EINVAL),
           "private file off unaligned");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_PRIVATE, -1, 0), EBADF),
           "fd -1 without MAP_ANON");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_SHARED, -5, 0), EBADF),
           "fd -5");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_SHARED, 1000, 0), EBADF),
           "fd 1000");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_SHARED, 15, 0), EBADF),
           "unused fd 15");
  TL_CHECK(pipe(p) == 0, "pipe");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_NONE, MAP_PRIVATE, p[1], 0), ENODEV),
           "pipe write end");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_PRIVATE, 2, 0), ENODEV),
           "console, private");
  close(p[0]);
  close(p[1]);
  close(fd);
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_PRIVATE, fd, 0), EBADF),
           "closed file fd");
  unlink("mt-ca");
  return 0;
}

// A write-only descriptor maps in no way; a read-write one maps shared
// and writable, and PROT_WRITE alone is readable there too.
static int
t_fd_access(void)
{
  int fd = ca_file(PGSIZE, O_WRONLY);
  char *m;

  TL_CHECK(fd >= 0, "create");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_READ, MAP_PRIVATE, fd, 0), EACCES),
           "write-only fd, private");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, RW, MAP_SHARED, fd, 0), EACCES),
           "write-only fd, shared rw");
  TL_CHECK(MT_MFAILS(mmap(0, PGSIZE, PROT_WRITE, MAP_SHARED, fd, 0), EACCES),
           "write-only fd, shared PROT_WRITE");
  close(fd);
  TL_CHECK((fd = open("mt-ca", O_RDWR)) >= 0, "open rw");
  m = mmap(0, PGSIZE, PROT_WRITE, MAP_SHARED, fd, 0);
  TL_CHECK(m != MAP_FAILED, "shared PROT_WRITE: %s", strerror(errno));
  TL_CHECK(m[7] == mt_byte(7), "PROT_WRITE file mapping not readable");
  m[7] = '#';
  TL_CHECK(munmap(m, PGSIZE) == 0, "munmap");
  close(fd);
  TL_CHECK(ca_file_byte(7) == '#', "shared write did not reach file");
  unlink("mt-ca");
  return 0;
}

// mmap(len 1) maps a whole page; munmap(len 1) removes it.
static int
t_len_rounding(void)
{
  char *m = mmap(0, 1, RW, PA, -1, 0);

  TL_CHECK(m != MAP_FAILED, "mmap 1 byte");
  TL_CHECK(((uintptr_t)m & (PGSIZE - 1)) == 0, "not page-aligned: %p", m);
  m[PGSIZE - 1] = 'e';
  TL_CHECK(munmap(m, 1) == 0, "munmap 1 byte");
  TL_CHECK(mt_resident(m, 1) == -1 && errno == ENOMEM, "page still mapped");
  return 0;
}

// MAP_FIXED over two mappings (anonymous and file) and the hole between
// them leaves one fresh zero mapping; the file is untouched.
static int
t_fixed_over_many(void)
{
  int fd = ca_file(PGSIZE, O_RDWR);
  char *m = mt_anon(4), *f;

  TL_CHECK(fd >= 0 && m != MAP_FAILED, "setup");
  memset(m, 'a', PGSIZE);
  TL_CHECK(munmap(m + PGSIZE, PGSIZE) == 0, "punch");
  f = mmap(m + 2 * PGSIZE, PGSIZE, RW, MAP_SHARED | MAP_FIXED, fd, 0);
  TL_CHECK(f == m + 2 * PGSIZE, "file at fixed");
  TL_CHECK(f[0] == mt_byte(0), "file contents");
  TL_CHECK(mmap(m, 3 * PGSIZE, RW, PA | MAP_FIXED, -1, 0) == m, "replace");
  for (int i = 0; i < 3 * PGSIZE; i += 256)
    TL_CHECK(m[i] == 0, "old data at %d", i);
  m[2 * PGSIZE] = 'z';
  munmap(m, 4 * PGSIZE);
  close(fd);
  TL_CHECK(ca_file_byte(0) == mt_byte(0), "write reached the file");
  unlink("mt-ca");
  return 0;
}

// MAP_FIXED | MAP_EXCL over a range only partly mapped: EEXIST, and the
// free part stays free.
static int
t_excl_partial(void)
{
  char *m = mt_anon(3);

  TL_CHECK(m != MAP_FAILED, "mmap");
  m[2 * PGSIZE] = 'x';
  TL_CHECK(munmap(m, 2 * PGSIZE) == 0, "munmap");
  TL_CHECK(MT_MFAILS(mmap(m, 3 * PGSIZE, RW, PA | MAP_FIXED | MAP_EXCL, -1, 0),
                     EEXIST), "excl over the last page");
  TL_CHECK(mt_resident(m, 1) == -1 && errno == ENOMEM, "free part mapped");
  TL_CHECK(mt_resident(m + PGSIZE, 1) == -1 && errno == ENOMEM,
           "free part mapped");
  TL_CHECK(m[2 * PGSIZE] == 'x', "existing page changed");
  munmap(m + 2 * PGSIZE, PGSIZE);
  return 0;
}

// mprotect past the max protection changes no entry of the range, even
// those it could change; a private mapping of a read-only file may become
// writable.
static int
t_mprotect_max(void)
{
  int fd = ca_file(PGSIZE, O_RDONLY);
  char *m = mt_anon(2), *f;

  TL_CHECK(fd >= 0 && m != MAP_FAILED, "setup");
  f = mmap(m + PGSIZE, PGSIZE, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
  TL_CHECK(f == m + PGSIZE, "file at fixed: %s", strerror(errno));
  TL_CHECK(mprotect(m, PGSIZE, PROT_READ) == 0, "anon read-only");
  TL_CHECK(MT_FAILS(mprotect(m, 2 * PGSIZE, RW), EACCES), "rw over both");
  TL_CHECK(MT_FAILS(mprotect(f, PGSIZE, PROT_WRITE), EACCES), "write only");
  TL_CHECK(ca_child_writes(m) == -1, "anon page became writable");
  TL_CHECK(f[0] == mt_byte(0), "file page unreadable");
  f = mmap(f, PGSIZE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
  TL_CHECK(f == m + PGSIZE, "private at fixed");
  TL_CHECK(mprotect(f, PGSIZE, RW) == 0, "private rw: %s", strerror(errno));
  f[0] = '!';
  TL_CHECK(munmap(m, 2 * PGSIZE) == 0, "munmap");
  close(fd);
  TL_CHECK(ca_file_byte(0) == mt_byte(0), "private write in file");
  unlink("mt-ca");
  return 0;
}

// mprotect(addr, 1) changes the whole first page and only it.
static int
t_mprotect_rounds(void)
{
  char *m = mt_anon(2);

  TL_CHECK(m != MAP_FAILED, "mmap");
  TL_CHECK(mprotect(m, 1, PROT_READ) == 0, "mprotect 1 byte");
  TL_CHECK(ca_child_writes(m + PGSIZE - 1) == -1, "end of page 0 writable");
  TL_CHECK(ca_child_writes(m + PGSIZE) == 0, "page 1 not writable");
  munmap(m, 2 * PGSIZE);
  return 0;
}

// Every range call over a hole at the start, at the end, or over nothing
// mapped at all: ENOMEM. (t_args.c tries a hole in the middle.)
static int
ca_range_call(int which, char *a, size_t len)
{
  char vec[8];

  switch (which) {
  case 0: return mprotect(a, len, PROT_READ);
  case 1: return madvise(a, len, MADV_WILLNEED);
  case 2: return minherit(a, len, INHERIT_NONE);
  case 3: return msync(a, len, MS_SYNC);
  case 4: return mincore(a, len, vec);
  case 5: return mlock(a, len);
  default: return munlock(a, len);
  }
}

static int
t_hole_ends(void)
{
  char *m = mt_anon(4);

  TL_CHECK(m != MAP_FAILED, "mmap");
  TL_CHECK(munmap(m, PGSIZE) == 0 && munmap(m + 3 * PGSIZE, PGSIZE) == 0,
           "punch");
  m[PGSIZE] = m[2 * PGSIZE] = 'h';
  for (int w = 0; w < 7; w++) {
    TL_CHECK(MT_FAILS(ca_range_call(w, m, 3 * PGSIZE), ENOMEM),
             "call %d, hole at start", w);
    TL_CHECK(MT_FAILS(ca_range_call(w, m + PGSIZE, 3 * PGSIZE), ENOMEM),
             "call %d, hole at end", w);
    TL_CHECK(MT_FAILS(ca_range_call(w, m + 3 * PGSIZE, PGSIZE), ENOMEM),
             "call %d, nothing mapped", w);
  }
  m[PGSIZE] = m[2 * PGSIZE] = 'H';   // the mprotects changed nothing
  TL_CHECK(mt_resident(m + PGSIZE, 2) == 2, "mapped pages");
  munmap(m, 4 * PGSIZE);
  return 0;
}

// A refused minherit over a hole leaves the inheritance as it was.
static int
t_hole_minherit(void)
{
  char *m = mt_anon(3);
  int st;

  TL_CHECK(m != MAP_FAILED, "mmap");
  m[0] = 'a';
  m[2 * PGSIZE] = 'b';
  TL_CHECK(munmap(m + PGSIZE, PGSIZE) == 0, "punch");
  TL_CHECK(MT_FAILS(minherit(m, 3 * PGSIZE, INHERIT_NONE), ENOMEM), "minherit");
  if (fork() == 0) {
    TL_CHILD_CHECK(m[0] == 'a' && m[2 * PGSIZE] == 'b');
    exit(0);
  }
  wait(&st);
  TL_CHECK(st == 0, "child lost the pages (status %d)", st);
  munmap(m, 3 * PGSIZE);
  return 0;
}

// A refused mlock wires nothing; a refused munlock unwires nothing. Seen
// through RLIMIT_MEMLOCK: exactly three pages may be locked. Pages: 0
// mapped, 1 a hole, 2..4 mapped.
static int
t_hole_mlock(void)
{
  struct rlimit rl = { 3 * PGSIZE, RLIM_INFINITY };
  char *m = mt_anon(5);

  TL_CHECK(m != MAP_FAILED, "mmap");
  TL_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
  TL_CHECK(munmap(m + PGSIZE, PGSIZE) == 0, "punch");
  TL_CHECK(MT_FAILS(mlock(m, 3 * PGSIZE), ENOMEM), "mlock over hole");
  TL_CHECK(mt_resident(m, 1) == 0 && mt_resident(m + 2 * PGSIZE, 1) == 0,
           "refused mlock faulted pages in");
  TL_CHECK(mlock(m + 2 * PGSIZE, 3 * PGSIZE) == 0, "refused mlock kept wiring");
  TL_CHECK(MT_FAILS(mlock(m, PGSIZE), ENOMEM), "limit not reached");
  TL_CHECK(MT_FAILS(munlock(m, 3 * PGSIZE), ENOMEM), "munlock over hole");
  TL_CHECK(MT_FAILS(mlock(m, PGSIZE), ENOMEM), "refused munlock unwired");
  TL_CHECK(munlock(m + 4 * PGSIZE + 10, 10) == 0, "munlock 10 bytes");
  TL_CHECK(mlock(m, PGSIZE) == 0, "munlock did not round out");
  munmap(m, 5 * PGSIZE);
  return 0;
}

// A refused MADV_DONTNEED unmaps nothing: touching the pages takes no
// fault. (The vmstat counters are system-wide; nothing else runs.)
static int
t_hole_madvise(void)
{
  static struct vmstats before, after;
  char *m = mt_anon(3);

  TL_CHECK(m != MAP_FAILED, "mmap");
  memset(m, 'd', 3 * PGSIZE);
  TL_CHECK(munmap(m + PGSIZE, PGSIZE) == 0, "punch");
  TL_CHECK(MT_FAILS(madvise(m, 3 * PGSIZE, MADV_DONTNEED), ENOMEM),
           "dontneed over hole");
  vmstat(&before);
  vmstat(&after);
  vmstat(&before);
  m[0] = m[2 * PGSIZE] = 'e';
  vmstat(&after);
  TL_CHECK(after.faults == before.faults, "%lu faults: pages were unmapped",
           after.faults - before.faults);
  munmap(m, 3 * PGSIZE);
  return 0;
}

// Unknown advice and inheritance values next to every known one.
static int
t_values_all(void)
{
  static const int bad_adv[] = { 6, 7, 8, 9, 10, 100, -2, (int)0x80000000 };
  static const int bad_inh[] = { -1, 4, 5, 100, (int)0x80000000 };
  char *m = mt_anon(1);

  TL_CHECK(m != MAP_FAILED, "mmap");
  for (int a = MADV_NORMAL; a <= MADV_FREE; a++)
    TL_CHECK(madvise(m, PGSIZE, a) == 0, "advice %d: %s", a, strerror(errno));
  for (int i = 0; i < (int)(sizeof(bad_adv) / sizeof(bad_adv[0])); i++)
    TL_CHECK(MT_FAILS(madvise(m, PGSIZE, bad_adv[i]), EINVAL), "advice %d",
             bad_adv[i]);
  for (int h = INHERIT_SHARE; h <= INHERIT_ZERO; h++)
    TL_CHECK(minherit(m, PGSIZE, h) == 0, "inherit %d", h);
  for (int i = 0; i < (int)(sizeof(bad_inh) / sizeof(bad_inh[0])); i++)
    TL_CHECK(MT_FAILS(minherit(m, PGSIZE, bad_inh[i]), EINVAL), "inherit %d",
             bad_inh[i]);
  TL_CHECK(MT_FAILS(mlockall(MCL_CURRENT | 4), EINVAL), "mlockall | 4");
  TL_CHECK(MT_FAILS(mlockall(-1), EINVAL), "mlockall -1");
  TL_CHECK(MT_FAILS(mlockall(MCL_FUTURE | 0x100), EINVAL), "mlockall | 0x100");
  munmap(m, PGSIZE);
  return 0;
}

// A PROT_NONE page among read-write ones: mlock refuses and wires nothing.
static int
t_mlock_none_mid(void)
{
  char *m = mt_anon(3);

  TL_CHECK(m != MAP_FAILED, "mmap");
  TL_CHECK(mprotect(m + PGSIZE, PGSIZE, PROT_NONE) == 0, "mprotect");
  TL_CHECK(MT_FAILS(mlock(m, 3 * PGSIZE), ENOMEM), "mlock");
  TL_CHECK(mt_resident(m, 1) == 0 && mt_resident(m + 2 * PGSIZE, 1) == 0,
           "refused mlock faulted pages in");
  munmap(m, 3 * PGSIZE);
  return 0;
}

// msync: each unknown bit alone, all three known bits, and the legal
// mixes with MS_INVALIDATE; EBUSY for a wired file page.
static int
t_msync_flags(void)
{
  int fd = ca_file(2 * PGSIZE, O_RDWR);
  char *f;

  TL_CHECK(fd >= 0, "create");
  f = mmap(0, 2 * PGSIZE, RW, MAP_SHARED, fd, 0);
  TL_CHECK(f != MAP_FAILED, "mmap: %s", strerror(errno));
  for (int b = 3; b < 32; b++)
    TL_CHECK(MT_FAILS(msync(f, PGSIZE, MS_SYNC | (int)(1U << b)), EINVAL),
             "bit %d", b);
  TL_CHECK(MT_FAILS(msync(f, PGSIZE, MS_SYNC | MS_ASYNC | MS_INVALIDATE),
                    EINVAL), "all three");
  f[0] = 's';
  TL_CHECK(msync(f, PGSIZE, MS_SYNC | MS_INVALIDATE) == 0, "sync|invalidate");
  TL_CHECK(msync(f, PGSIZE, MS_ASYNC | MS_INVALIDATE) == 0, "async|invalidate");
  TL_CHECK(f[0] == 's', "store lost");
  TL_CHECK(mlock(f + PGSIZE, PGSIZE) == 0, "mlock: %s", strerror(errno));
  TL_CHECK(MT_FAILS(msync(f, 2 * PGSIZE, MS_INVALIDATE), EBUSY), "wired file");
  TL_CHECK(munlock(f, 2 * PGSIZE) == 0, "munlock");
  TL_CHECK(msync(f, 2 * PGSIZE, MS_INVALIDATE) == 0, "after munlock");
  TL_CHECK(mlockall(MCL_CURRENT) == 0, "mlockall: %s", strerror(errno));
  TL_CHECK(MT_FAILS(msync(f, PGSIZE, MS_INVALIDATE), EBUSY), "mlockall");
  TL_CHECK(munlockall() == 0, "munlockall");
  munmap(f, 2 * PGSIZE);
  close(fd);
  unlink("mt-ca");
  return 0;
}

// mincore's vec: NULL, read-only, or running off its mapping is EFAULT,
// and the read-only page is not written; a lazy page just works.
static int
t_mincore_vec(void)
{
  char *m = mt_anon(3), *v = mt_anon(2), *lazy = mt_anon(1);

  TL_CHECK(m != MAP_FAILED && v != MAP_FAILED && lazy != MAP_FAILED, "mmap");
  m[0] = m[2 * PGSIZE] = 1;
  TL_CHECK(MT_FAILS(mincore(m, PGSIZE, NULL), EFAULT), "NULL");
  memset(v + PGSIZE, 'r', PGSIZE);
  TL_CHECK(mprotect(v + PGSIZE, PGSIZE, PROT_READ) == 0, "mprotect");
  TL_CHECK(MT_FAILS(mincore(m, PGSIZE, v + PGSIZE), EFAULT), "read-only vec");
  TL_CHECK(MT_FAILS(mincore(m, 3 * PGSIZE, v + PGSIZE - 1), EFAULT),
           "vec runs into read-only page");
  for (int i = 0; i < PGSIZE; i++)
    TL_CHECK(v[PGSIZE + i] == 'r', "read-only byte %d written", i);
  TL_CHECK(munmap(v + PGSIZE, PGSIZE) == 0, "munmap");
  TL_CHECK(MT_FAILS(mincore(m, 3 * PGSIZE, v + PGSIZE - 2), EFAULT),
           "vec runs off its mapping");
  TL_CHECK(mincore(m, 3 * PGSIZE, lazy + 100) == 0, "lazy vec: %s",
           strerror(errno));
  TL_CHECK((lazy[100] & 1) && !(lazy[101] & 1) && (lazy[102] & 1),
           "vec %d %d %d", lazy[100], lazy[101], lazy[102]);
  munmap(m, 3 * PGSIZE);
  munmap(v, PGSIZE);
  munmap(lazy, PGSIZE);
  return 0;
}

void
mt_contract_args(void)
{
  tl_run("abi_constants", t_abi_constants);
  tl_run("every_bad_bit", t_every_bad_bit);
  tl_run("len_overflow", t_len_overflow);
  tl_run_child("fd_kinds", t_fd_kinds);
  tl_run_child("fd_access", t_fd_access);
  tl_run_child("len_rounding", t_len_rounding);
  tl_run_child("fixed_over_many", t_fixed_over_many);
  tl_run_child("excl_partial", t_excl_partial);
  tl_run_child("mprotect_max", t_mprotect_max);
  tl_run_child("mprotect_rounds", t_mprotect_rounds);
  tl_run_child("hole_ends", t_hole_ends);
  tl_run_child("hole_minherit", t_hole_minherit);
  tl_run_child("hole_mlock", t_hole_mlock);
  tl_run_child("hole_madvise", t_hole_madvise);
  tl_run_child("values_all", t_values_all);
  tl_run_child("mlock_none_mid", t_mlock_none_mid);
  tl_run_child("msync_flags", t_msync_flags);
  tl_run_child("mincore_vec", t_mincore_vec);
}
