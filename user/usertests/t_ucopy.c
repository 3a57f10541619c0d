// SPDX-License-Identifier: MIT
// usertests groups "ucopy" and "console": the kernel copies into user pages
// that must first be faulted in, and the fault may sleep. A copy made with
// a spin lock held used to panic the kernel ("sched: 2 locks held") when
// the page was not resident.
//
// Two kinds of page: a page of a MAP_SHARED file mapping that was pushed
// out of the page cache (the fault reads the disk), and a page shared
// copy-on-write with a child (the fault copies; the child must still see
// its own bytes afterwards). Into each, the group "ucopy" reads a pipe and
// asks vmstat and vmmap for their records. The group "console" reads the
// console into them; it needs console input, so it runs only when named,
// by scripts/console-input.sh, which types the lines it expects after
// `usertests console`.
#include "user/usertests/ut.h"

#define UC_PATH  "ut-ucopy"
#define UC_OFF   100                 // where in the page the copy lands
#define UC_CYCLE_BLOCKS 192          // > the kernel's NBUF (param.h)

// The kernel copy under test: fill dst, return 0 or why not. want gets the
// bytes dst must then hold (want_n of them; 0: check nothing byte-wise).
typedef int (*uc_fill_fn)(char *dst, char *want, int *want_n);

// Push the test file's blocks out of the kernel's block cache (NBUF
// blocks, LRU) by writing a scratch file bigger than the cache, so that a
// fault on the file must wait for the disk. Only a file nobody maps will
// do: reading programs would fill their page cache objects instead.
static void
uc_cycle_block_cache(void)
{
  static char buf[PGSIZE];
  int fd = open(UC_PATH "-big", O_CREATE | O_TRUNC | O_WRONLY);

  if (fd < 0)
    return;
  for (int i = 0; i < UC_CYCLE_BLOCKS; i++)
    if (write(fd, buf, sizeof(buf)) != sizeof(buf))
      break;
  close(fd);
  unlink(UC_PATH "-big");
}

// A 2-page file mapped MAP_SHARED, neither page in the page cache. A file
// written with write() may or may not leave its pages cached; those that
// are get cleaned (msync), advised away and reclaimed -- DONTNEED'd pages
// go first, so nobody else's are. NULL if any step failed.
static char *
uc_cold_file_map(int *fdp)
{
  char vec[2];
  char *p;
  int fd, n;

  if (ut_make_file(UC_PATH, 2 * PGSIZE) < 0)
    return NULL;
  fd = open(UC_PATH, O_RDWR);
  if (fd < 0)
    return NULL;
  p = mmap(0, 2 * PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED || mincore(p, 2 * PGSIZE, vec) < 0)
    goto fail;
  n = (vec[0] & MINCORE_INCORE) + (vec[1] & MINCORE_INCORE);
  if (n > 0 && (msync(p, 2 * PGSIZE, MS_SYNC) < 0 ||
                madvise(p, 2 * PGSIZE, MADV_DONTNEED) < 0 ||
                vmreclaim(n) != n || mincore(p, 2 * PGSIZE, vec) < 0 ||
                ((vec[0] | vec[1]) & MINCORE_INCORE)))
    goto fail;
  uc_cycle_block_cache();
  *fdp = fd;
  return p;
fail:
  close(fd);
  return NULL;
}

// fill into a non-resident page of a shared file mapping; the bytes must
// reach the file.
static int
uc_into_cold_file(uc_fill_fn fill)
{
  char want[256], got[256];
  int fd, n = 0;
  char *p = uc_cold_file_map(&fd);

  TL_CHECK(p != NULL, "no cold file page: %s", strerror(errno));
  TL_CHECK(fill(p + UC_OFF, want, &n) == 0, "copy into the cold page failed");
  TL_CHECK(memcmp(p + UC_OFF, want, n) == 0, "wrong bytes in the page");
  TL_CHECK(lseek(fd, UC_OFF, SEEK_SET) == UC_OFF, "lseek");
  TL_CHECK(read(fd, got, n) == n && memcmp(got, want, n) == 0,
           "the file does not hold the bytes");
  TL_CHECK(ut_byte(PGSIZE) == p[PGSIZE], "second page wrong");
  munmap(p, 2 * PGSIZE);
  close(fd);
  unlink(UC_PATH);
  return 0;
}

// fill into a page shared copy-on-write with a child; the child, woken
// afterwards, must find its copy untouched.
static int
uc_into_cow(uc_fill_fn fill)
{
  char want[256];
  int go[2], pid, st, n = 0;
  char *p = sbrk(PGSIZE);

  TL_CHECK(p != (char *)-1 && pipe(go) == 0, "setup: %s", strerror(errno));
  memset(p, 'c', PGSIZE);
  pid = fork();
  TL_CHECK(pid >= 0, "fork: %s", strerror(errno));
  if (pid == 0) {
    close(go[1]);
    read(go[0], &st, 1);                     // EOF once the parent is done
    for (int i = 0; i < PGSIZE; i++)
      TL_CHILD_CHECK(p[i] == 'c');
    exit(0);
  }
  close(go[0]);
  TL_CHECK(fill(p + UC_OFF, want, &n) == 0, "copy into the COW page failed");
  TL_CHECK(memcmp(p + UC_OFF, want, n) == 0, "wrong bytes in the page");
  close(go[1]);
  TL_CHECK(wait(&st) == pid && st == 0, "the child saw the parent's write "
           "(line %d)", st);
  return 0;
}

static int
uc_fill_pipe(char *dst, char *want, int *want_n)
{
  int p[2], n;

  strcpy(want, "through a pipe");
  *want_n = strlen(want);
  if (pipe(p) < 0 || write(p[1], want, *want_n) != *want_n)
    return -1;
  n = read(p[0], dst, *want_n);
  close(p[0]);
  close(p[1]);
  return n == *want_n ? 0 : -1;
}

static int
uc_fill_vmstat(char *dst, char *want, int *want_n)
{
  struct vmstats vs;

  (void)want;
  *want_n = 0;
  if (vmstat((struct vmstats *)dst) < 0 || vmstat(&vs) < 0)
    return -1;
  return ((struct vmstats *)dst)->total == vs.total ? 0 : -1;
}

static int
uc_fill_vmmap(char *dst, char *want, int *want_n)
{
  struct vmmap_entry e[2];

  (void)want;
  *want_n = 0;
  if (vmmap(VMMAP_SELF, (struct vmmap_entry *)dst, 2) < 2 ||
      vmmap(VMMAP_SELF, e, 2) < 2)
    return -1;
  return ((struct vmmap_entry *)dst)->start == e[0].start ? 0 : -1;
}

static int t_pipe_cold(void)   { return uc_into_cold_file(uc_fill_pipe); }
static int t_pipe_cow(void)    { return uc_into_cow(uc_fill_pipe); }
static int t_vmstat_cold(void) { return uc_into_cold_file(uc_fill_vmstat); }
static int t_vmstat_cow(void)  { return uc_into_cow(uc_fill_vmstat); }
static int t_vmmap_cold(void)  { return uc_into_cold_file(uc_fill_vmmap); }
static int t_vmmap_cow(void)   { return uc_into_cow(uc_fill_vmmap); }

void
ut_ucopy(void)
{
  tl_run_child("pipe_into_cold_file_page", t_pipe_cold);
  tl_run_child("pipe_into_cow_page", t_pipe_cow);
  tl_run_child("vmstat_into_cold_file_page", t_vmstat_cold);
  tl_run_child("vmstat_into_cow_page", t_vmstat_cow);
  tl_run_child("vmmap_into_cold_file_page", t_vmmap_cold);
  tl_run_child("vmmap_into_cow_page", t_vmmap_cow);
}

// The console group. Its input, typed by scripts/console-input.sh, is one
// line per test, in this order: these two, then one that
// console_into_bad_pointer reads into nowhere.
#define UC_LINE_COLD "console line into a cold file page\n"
#define UC_LINE_COW  "console line into a copy-on-write page\n"

static int
uc_fill_console(const char *line, char *dst, char *want, int *want_n)
{
  int fd = open("/console", O_RDWR), n;

  strcpy(want, line);
  *want_n = strlen(line);
  if (fd < 0)
    return -1;
  n = read(fd, dst, 200);
  close(fd);
  return n == *want_n ? 0 : -1;
}

static int
uc_fill_console_cold(char *dst, char *want, int *want_n)
{
  return uc_fill_console(UC_LINE_COLD, dst, want, want_n);
}

static int
uc_fill_console_cow(char *dst, char *want, int *want_n)
{
  return uc_fill_console(UC_LINE_COW, dst, want, want_n);
}

static int t_console_cold(void) { return uc_into_cold_file(uc_fill_console_cold); }
static int t_console_cow(void)  { return uc_into_cow(uc_fill_console_cow); }

// A read into memory that is not there fails with EFAULT (the line is
// consumed, as for a pipe); the console works on afterwards.
static int
t_console_bad(void)
{
  int fd = open("/console", O_RDWR);

  TL_CHECK(fd >= 0, "open console: %s", strerror(errno));
  TL_CHECK(read(fd, (void *)0x1000, 100) == -1 && errno == EFAULT,
           "read into 0x1000: errno %d", errno);
  close(fd);
  return 0;
}

void
ut_console(void)
{
  tl_run_child("console_into_cold_file_page", t_console_cold);
  tl_run_child("console_into_cow_page", t_console_cow);
  tl_run_child("console_into_bad_pointer", t_console_bad);
}
