// SPDX-License-Identifier: MIT
// usertests [-l | group...]: the kernel's main in-kernel test suite.
//
// Runs every group (or the named ones) of user/usertests/: processes,
// files, running programs' files, in-memory inodes, pipes, sbrk, fork
// isolation, bad pointers, xv6's names (xv6), faults, out of memory, out of processes, a full
// disk, the suites' command line (args), user copies into pages that must
// fault in (the group "console", which reads console input, runs only when
// named; -l lists the groups, and a name that is not a group is an error,
// tl_args). Each group ends with a leak check on the free page count
// (user/testlib.h; the out-of-memory group's drops the page cache first,
// tl_group_oom). Prints "usertests: N passed, M failed" last and exits 1 if
// anything failed.
//
// Before the groups a warm-up forks as many processes as the kernel allows
// and runs a program once, unmeasured: kernel caches (slab zones, kernel
// page-table pages for kernel stacks, the executable's cached pages) reach
// their high-water marks there, so the leak checks see only real leaks --
// a real leak repeats on every run and still shows up.
#include "user/usertests/ut.h"

struct ut_group {
  const char *name;
  void (*body)(void);
  int oom;                  // runs memory out: tl_group_oom
  int named;                // runs only when named (needs console input)
};

static const struct ut_group ut_groups[] = {
  { "proc", ut_proc },
  { "file", ut_file },
  { "text", ut_text },
  { "inode", ut_inode },
  { "pipe", ut_pipe },
  { "sbrk", ut_sbrk },
  { "cow", ut_cow },
  { "ptr", ut_ptr },
  { "xv6", ut_xv6 },
  { "ucopy", ut_ucopy },
  { "fault", ut_fault },
  { "oom", ut_oom, 1 },
  { "nproc", ut_nproc },
  // Fills the disk: with a swap disk (make qemu's) the page cache's
  // pressure pushes this suite's own pages out to swap and the next touch
  // reads them back with their neighbours, so its leak check too takes
  // both counts with everything pushed out, as for oom.
  { "disk", ut_disk, 1 },
  // Execs the other suites, whose text then stays in the page cache: the
  // leak check drops clean cached pages first, as for oom.
  { "args", ut_args, 1 },
  { "console", ut_console, 0, 1 },
};

int
ut_fork_all(void)
{
  int p[2], n = 0, pid, saved;
  char c;

  if (pipe(p) < 0)
    return 0;
  for (;;) {
    pid = fork();
    if (pid < 0)
      break;
    if (pid == 0) {
      close(p[1]);
      read(p[0], &c, 1);   // returns at EOF, when the parent closes p[1]
      exit(0);
    }
    n++;
  }
  saved = errno;
  close(p[0]);
  close(p[1]);
  tl_reap();
  errno = saved;
  return n;
}

int
ut_make_file(const char *path, int n)
{
  char buf[512];
  int fd, i, k;

  fd = open(path, O_CREATE | O_TRUNC | O_WRONLY);
  if (fd < 0)
    return -1;
  for (i = 0; i < n; i += k) {
    k = n - i < (int)sizeof(buf) ? n - i : (int)sizeof(buf);
    for (int j = 0; j < k; j++)
      buf[j] = ut_byte(i + j);
    if (write(fd, buf, k) != k) {
      close(fd);
      return -1;
    }
  }
  close(fd);
  return 0;
}

// Unmeasured first run of the kernel paths with caches; see the top.
static void
ut_warmup(void)
{
  static char *argv[] = { "echo", "warm-up", 0 };
  char buf[512];
  int pid, fd;

  ut_fork_all();
  pid = fork();
  if (pid == 0) {
    close(STDOUT_FILENO);
    if (open("ut-warm", O_CREATE | O_TRUNC | O_WRONLY) == STDOUT_FILENO)
      exec("echo", argv);
    exit(1);
  }
  tl_reap();
  ut_make_file("ut-warm", 20000);
  unlink("ut-warm");
  // The text group copies this program, whose pages stay in the cache
  // once read, since it runs.
  if ((fd = open("usertests", O_RDONLY)) >= 0) {
    while (read(fd, buf, sizeof(buf)) > 0)
      ;
    close(fd);
  }
}

static void
ut_run_group(const struct ut_group *g)
{
  if (g->oom)
    tl_group_oom(g->name, g->body);
  else
    tl_group(g->name, g->body);
}

#define UT_NGROUPS ((int)(sizeof(ut_groups) / sizeof(ut_groups[0])))

static const char *
ut_group_name(int i)
{
  return ut_groups[i].name;
}

static const struct ut_group *
ut_find(const char *name)
{
  for (int i = 0; i < UT_NGROUPS; i++) {
    if (strcmp(ut_groups[i].name, name) == 0)
      return &ut_groups[i];
  }
  return NULL;
}

int
main(int argc, char *argv[])
{
  int i, r;

  if (argc == 2 && strcmp(argv[1], UT_TEXT_HELPER) == 0)
    ut_text_helper();
  if ((r = tl_args("usertests", argc, argv, ut_group_name, UT_NGROUPS)) >= 0)
    return r;
  tl_start("usertests");
  ut_warmup();
  if (argc < 2) {
    for (int k = 0; k < UT_NGROUPS; k++)
      if (!ut_groups[k].named)
        ut_run_group(&ut_groups[k]);
  }
  for (i = 1; i < argc; i++)
    ut_run_group(ut_find(argv[i]));
  return tl_finish();
}
