// SPDX-License-Identifier: MIT
// usertests group "ptr": system calls given bad user pointers fail with
// EFAULT, leak nothing (no descriptors), and write nothing beyond the
// first byte they cannot reach.
#include "user/usertests/ut.h"

static const uintptr_t ptr_bad[] = {
  0,                        // NULL
  0x1000,                   // below the program
  0x3000000000UL,           // unmapped, high in user space
  MAXUVA,                   // the first address no user page can have
  0xffffffc000000000UL,     // the kernel's direct map
  0xffffffff80200000UL,     // kernel text
  0xfffffffffffffff0UL,     // a range that wraps around zero
};
#define NBAD (sizeof(ptr_bad) / sizeof(ptr_bad[0]))

// The lowest free descriptor, to spot leaked ones.
static int
ptr_next_fd(void)
{
  int fd = dup(0);

  close(fd);
  return fd;
}

#define EFAULTS(call) ((call) == -1 && errno == EFAULT)

// Calls that take a buffer.
static int
t_buffers(void)
{
  struct rlimit rl;
  int fd, wfd, cfd, p[2];

  TL_CHECK(ut_make_file("ut-ptr", 500) == 0, "create: %s", strerror(errno));
  fd = open("ut-ptr", O_RDONLY);
  wfd = open("ut-ptr", O_WRONLY);
  cfd = open("/console", O_WRONLY);
  TL_CHECK(fd >= 0 && wfd >= 0 && cfd >= 0 && pipe(p) == 0, "setup: %s",
           strerror(errno));
  for (size_t i = 0; i < NBAD; i++) {
    void *a = (void *)ptr_bad[i];
    TL_CHECK(EFAULTS(read(fd, a, 100)), "read into %p: errno %d", a, errno);
    TL_CHECK(EFAULTS(write(wfd, a, 100)), "write from %p", a);
    TL_CHECK(EFAULTS(write(p[1], a, 100)), "pipe write from %p", a);
    TL_CHECK(EFAULTS(write(cfd, a, 100)), "console write from %p", a);
    TL_CHECK(EFAULTS(fstat(fd, a)), "fstat into %p", a);
    TL_CHECK(EFAULTS(vmstat(a)), "vmstat into %p", a);
    TL_CHECK(EFAULTS(getrlimit(RLIMIT_DATA, a)), "getrlimit into %p", a);
    TL_CHECK(EFAULTS(setrlimit(RLIMIT_DATA, a)), "setrlimit from %p", a);
  }
  // A range that starts below MAXUVA but reaches it.
  TL_CHECK(EFAULTS(read(fd, (void *)(MAXUVA - 8), 100)), "read to MAXUVA");
  TL_CHECK(EFAULTS(write(wfd, (void *)(MAXUVA - 8), 100)), "write to MAXUVA");
  TL_CHECK(getrlimit(RLIMIT_DATA, &rl) == 0, "getrlimit still works");
  close(fd);
  close(wfd);
  close(cfd);
  close(p[0]);
  close(p[1]);
  unlink("ut-ptr");
  return 0;
}

// Calls that take a path.
static int
t_paths(void)
{
  for (size_t i = 0; i < NBAD; i++) {
    const char *a = (const char *)ptr_bad[i];
    TL_CHECK(EFAULTS(open(a, O_RDONLY)), "open(%p): errno %d", a, errno);
    TL_CHECK(EFAULTS(open(a, O_CREATE | O_RDWR)), "open(%p, O_CREATE)", a);
    TL_CHECK(EFAULTS(unlink(a)), "unlink(%p)", a);
    TL_CHECK(EFAULTS(mkdir(a)), "mkdir(%p)", a);
    TL_CHECK(EFAULTS(chdir(a)), "chdir(%p)", a);
    TL_CHECK(EFAULTS(link(a, "ut-ptr-l")), "link(%p, new)", a);
    TL_CHECK(EFAULTS(link("README.md", a)), "link(old, %p)", a);
    TL_CHECK(EFAULTS(mknod(a, 1, 0)), "mknod(%p)", a);
  }
  return 0;
}

static int
t_exec_args(void)
{
  char *argv[3] = { "echo", 0, 0 };

  for (size_t i = 0; i < NBAD; i++) {
    char *a = (char *)ptr_bad[i];
    TL_CHECK(EFAULTS(exec(a, argv)), "exec(%p): errno %d", a, errno);
    TL_CHECK(EFAULTS(exec("echo", (char **)a)), "exec argv %p", a);
    if (a == NULL)
      continue;   // argv[1] = NULL just ends the vector
    argv[1] = a;
    TL_CHECK(EFAULTS(exec("echo", argv)), "exec argv[1] %p", a);
    argv[1] = 0;
  }
  return 0;
}

// pipe() and wait() write results: EFAULT, and no descriptor leaks.
static int
t_results(void)
{
  int fd0 = ptr_next_fd(), pid, st;

  for (size_t i = 0; i < NBAD; i++) {
    TL_CHECK(EFAULTS(pipe((int *)ptr_bad[i])), "pipe(%p): errno %d",
             (void *)ptr_bad[i], errno);
    TL_CHECK(ptr_next_fd() == fd0, "pipe(%p) leaked descriptors",
             (void *)ptr_bad[i]);
  }
  pid = fork();
  TL_CHECK(pid >= 0, "fork: %s", strerror(errno));
  if (pid == 0)
    exit(7);
  TL_CHECK(EFAULTS(wait((int *)0x1000)), "wait(0x1000): errno %d", errno);
  st = 0;
  wait(&st);   // reap the child if the failed wait did not
  return 0;
}

// Buffers that run off the end of the heap into the unmapped page after
// it. After each failure, growing the heap must show that page untouched.
static int
t_straddle(void)
{
  struct stat *stp;
  char *top, *edge, *next;
  int fd, fd0, cfd, n;

  top = sbrk(0);
  sbrk((int)(((uintptr_t)top + 2 * PGSIZE - 1) / PGSIZE * PGSIZE -
             (uintptr_t)top));
  edge = sbrk(0);   // first unmapped byte; the page below is mapped
  TL_CHECK(ut_make_file("ut-ptr", 500) == 0, "create: %s", strerror(errno));
  fd = open("ut-ptr", O_RDONLY);
  TL_CHECK(fd >= 0, "open: %s", strerror(errno));
  fd0 = ptr_next_fd();
  TL_CHECK(EFAULTS(read(fd, edge - 50, 100)), "read over the edge");
  memcpy(edge - 2, "\n\n", 2);
  cfd = open("/console", O_WRONLY);
  TL_CHECK(cfd >= 0, "open console: %s", strerror(errno));
  n = write(cfd, edge - 2, 100);
  close(cfd);
  TL_CHECK(n == 2, "console write over the edge: %d, want 2", n);
  TL_CHECK(EFAULTS(pipe((int *)(edge - 4))), "pipe over the edge");
  TL_CHECK(ptr_next_fd() == fd0, "pipe over the edge leaked descriptors");
  stp = (struct stat *)(edge - 8);
  TL_CHECK(EFAULTS(fstat(fd, stp)), "fstat over the edge");
  memcpy(edge - 3, "abc", 3);   // no NUL before the edge
  TL_CHECK(EFAULTS(open(edge - 3, O_RDONLY)), "open of an unterminated path");
  next = sbrk(PGSIZE);
  TL_CHECK(next == edge, "sbrk: %s", strerror(errno));
  for (int i = 0; i < PGSIZE; i++)
    TL_CHECK(next[i] == 0, "byte %d beyond the edge was written", i);
  sbrk(-PGSIZE);
  close(fd);
  unlink("ut-ptr");
  return 0;
}

// The kernel never writes a page the process may not write: program text,
// or a read-only mapping after a writable one.
static int
t_readonly(void)
{
  unsigned char before[32], *text = (unsigned char *)(uintptr_t)t_straddle;
  char *m;
  int fd;

  TL_CHECK(ut_make_file("ut-ptr", 500) == 0, "create: %s", strerror(errno));
  fd = open("ut-ptr", O_RDONLY);
  TL_CHECK(fd >= 0, "open: %s", strerror(errno));
  memcpy(before, text, sizeof(before));
  TL_CHECK(EFAULTS(read(fd, text, sizeof(before))), "read into text");
  TL_CHECK(memcmp(before, text, sizeof(before)) == 0, "text changed");
  m = mmap(0, 2 * PGSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1,
           0);
  TL_CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
  memset(m + PGSIZE, 'S', PGSIZE);
  TL_CHECK(mprotect(m + PGSIZE, PGSIZE, PROT_READ) == 0, "mprotect: %s",
           strerror(errno));
  lseek(fd, 0, SEEK_SET);
  TL_CHECK(EFAULTS(read(fd, m + PGSIZE - 50, 100)), "read into read-only");
  for (int i = 0; i < PGSIZE; i++)
    TL_CHECK(m[PGSIZE + i] == 'S', "read-only byte %d written", i);
  munmap(m, 2 * PGSIZE);
  close(fd);
  unlink("ut-ptr");
  return 0;
}

// xv6 keeps its TRAMPOLINE and TRAPFRAME pages at the top of user space,
// and xv6's usertests hand them, and the two pages below, to read and
// write expecting EFAULT. No mapping of exec's reaches them here either.
static int
t_top_pages(void)
{
  int fd, wfd;

  TL_CHECK(ut_make_file("ut-ptr", 8192) == 0, "create: %s", strerror(errno));
  fd = open("ut-ptr", O_RDONLY);
  wfd = open("ut-ptr", O_WRONLY);
  TL_CHECK(fd >= 0 && wfd >= 0, "open: %s", strerror(errno));
  for (int i = 1; i <= 4; i++) {
    char *a = (char *)(MAXUVA - i * PGSIZE);
    TL_CHECK(EFAULTS(read(fd, a, 2 * PGSIZE)), "read into %p", a);
    TL_CHECK(EFAULTS(write(wfd, a, 2 * PGSIZE)), "write from %p", a);
  }
  close(fd);
  close(wfd);
  unlink("ut-ptr");
  return 0;
}

void
ut_ptr(void)
{
  tl_run("buffers", t_buffers);
  tl_run("paths", t_paths);
  tl_run_child("exec_args", t_exec_args);
  tl_run("results", t_results);
  tl_run_child("straddle", t_straddle);
  tl_run_child("readonly", t_readonly);
  tl_run_child("top_pages", t_top_pages);
}
