// SPDX-License-Identifier: MIT
// usertests group "inode": in-memory inodes are limited by memory, not by
// a table. A process mapping many files (each mapping keeps its inode in
// memory after close) leaves open and exec working for everyone, and the
// memory comes back when the mappings go: the group's leak check compares
// the free pages and kernel objects (inodes included) before and after. A
// full open-file table is ENFILE. A directory removed while it is a
// process's cwd gives no way back up: its ".." names an inode that may be
// free.
#include "user/usertests/ut.h"

#define INODE_FILES 200    // files mapped at once (the old table held 50)

static char *inode_maps[INODE_FILES];

static void
inode_name(char *buf, int i)
{
  snprintf(buf, 16, "ut-ino%d", i);
}

// Run echo with its output in a file; the exit status.
static int
inode_exec_echo(void)
{
  char *argv[] = { "echo", "inodes", 0 };
  int pid, st = -1;

  pid = fork();
  if (pid == 0) {
    close(STDOUT_FILENO);
    if (open("ut-ino-out", O_CREATE | O_TRUNC | O_WRONLY) != STDOUT_FILENO)
      exit(90);
    exec("echo", argv);
    exit(errno);
  }
  if (pid < 0 || wait(&st) != pid)
    return TL_NOCHILD;
  return st;
}

// Map file i (a page of the ut_byte pattern) shared and read-only, then
// close it: the mapping alone keeps the inode.
static int
inode_map_one(int i)
{
  char name[16];
  int fd;

  inode_name(name, i);
  TL_CHECK(ut_make_file(name, 100) == 0, "create %s: %s", name,
           strerror(errno));
  fd = open(name, O_RDONLY);
  TL_CHECK(fd >= 0, "open of file %d: %s", i, strerror(errno));
  inode_maps[i] = mmap(0, PGSIZE, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  TL_CHECK(inode_maps[i] != MAP_FAILED, "mmap %d: %s", i, strerror(errno));
  TL_CHECK(inode_maps[i][99] == ut_byte(99), "file %d reads wrong", i);
  return 0;
}

static int
t_inode_many_mapped(void)
{
  char name[16];
  int fd, st;

  for (int i = 0; i < INODE_FILES; i++) {
    if (inode_map_one(i) < 0)
      return -1;
  }
  fd = open("README.md", O_RDONLY);
  TL_CHECK(fd >= 0, "open with %d files mapped: %s", INODE_FILES,
           strerror(errno));
  close(fd);
  st = inode_exec_echo();
  TL_CHECK(st == 0, "exec with %d files mapped: status (errno) %d",
           INODE_FILES, st);
  for (int i = 0; i < INODE_FILES; i++) {
    TL_CHECK(inode_maps[i][0] == ut_byte(0), "file %d reads wrong", i);
    TL_CHECK(munmap(inode_maps[i], PGSIZE) == 0, "munmap: %s", strerror(errno));
    inode_name(name, i);
    TL_CHECK(unlink(name) == 0, "unlink %s: %s", name, strerror(errno));
  }
  unlink("ut-ino-out");
  return 0;
}

// Hold open files in children until the system table is full; open and
// pipe then fail with ENFILE (not EMFILE: no process has 16 descriptors).
static int
t_inode_enfile(void)
{
  int p[2], fds[8], n, pid = 0, err = 0, perr = 0, pipes[2];
  char c;

  TL_CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
  for (int round = 0; round < 40; round++) {
    for (n = 0; n < 8 && (fds[n] = open("README.md", O_RDONLY)) >= 0; n++)
      ;
    if (n < 8) {                   // the table is full: try pipe too
      err = errno;
      if (pipe(pipes) == 0) {
        close(pipes[0]);
        close(pipes[1]);
      } else {
        perr = errno;
      }
    } else if ((pid = fork()) == 0) {   // the child keeps these files open
      close(p[1]);
      read(p[0], &c, 1);           // until we close p[1]
      exit(0);
    }
    for (int i = 0; i < n; i++)
      close(fds[i]);
    if (n < 8 || pid < 0)
      break;
  }
  close(p[0]);
  close(p[1]);
  tl_reap();
  TL_CHECK(err == ENFILE, "open in a full file table: errno %d", err);
  TL_CHECK(perr == ENFILE, "pipe in a full file table: errno %d", perr);
  return 0;
}

// Several processes create, link, read and unlink the same few names at
// once, so in-memory inodes of one file are found, made and freed by all
// of them together (the hash of the inode cache under contention). Every
// call may fail (a name is gone, or exists); none may break the kernel,
// and afterwards every name can be removed.
#define CHURN_PROCS 4
#define CHURN_NAMES 12

static int
t_inode_churn(void)
{
  char name[16], other[16], buf[4];
  int pid, fd, st, bad = 0;

  for (int id = 0; id < CHURN_PROCS; id++) {
    if ((pid = fork()) != 0) {
      TL_CHECK(pid > 0, "fork: %s", strerror(errno));
      continue;
    }
    for (int r = 0; r < 150; r++) {
      int i = (r * 7 + id) % CHURN_NAMES;
      snprintf(name, sizeof(name), "ut-ch%d", i);
      snprintf(other, sizeof(other), "ut-ch%d", (i + 1) % CHURN_NAMES);
      switch ((r + id) % 4) {
      case 0:
        if ((fd = open(name, O_CREATE | O_RDWR)) >= 0) {
          write(fd, "abc", 3);
          close(fd);
        }
        break;
      case 1: unlink(name); break;
      case 2: link(name, other); break;
      case 3:
        if ((fd = open(name, O_RDONLY)) >= 0) {
          read(fd, buf, sizeof(buf));
          close(fd);
        }
        break;
      }
    }
    exit(0);
  }
  while ((pid = wait(&st)) > 0)
    bad |= st != 0;
  for (int i = 0; i < CHURN_NAMES; i++) {
    snprintf(name, sizeof(name), "ut-ch%d", i);
    unlink(name);
    TL_CHECK(open(name, O_RDONLY) == -1 && errno == ENOENT, "%s is back",
             name);
  }
  TL_CHECK(!bad, "a churning process failed");
  return 0;
}

// exec tells why the lookup failed, as open does (it used to say ENOENT
// for every failure, a full inode table included).
static int
t_inode_exec_errors(void)
{
  char *argv[] = { "x", 0 };

  TL_CHECK(exec("README.md/x", argv) == -1 && errno == ENOTDIR,
           "exec through a file: errno %d, want ENOTDIR", errno);
  TL_CHECK(exec("ut-a-name-longer-than-thirty-bytes", argv) == -1 &&
           errno == ENAMETOOLONG, "exec of a long name: errno %d", errno);
  TL_CHECK(exec("ut-no-such-program", argv) == -1 && errno == ENOENT,
           "exec of a missing file: errno %d", errno);
  return 0;
}

// The current directory and its parent removed: "..", and a name made
// through it, are ENOENT (the parent's inode is free on disk; looking it
// up used to panic the kernel in ilock). xv6's usertests unlinkcwd.
static int
t_inode_removed_cwd(void)
{
  struct stat st;

  TL_CHECK(mkdir("/ut-rc") == 0 && mkdir("/ut-rc/d") == 0, "mkdir: %s",
           strerror(errno));
  TL_CHECK(chdir("/ut-rc/d") == 0, "chdir: %s", strerror(errno));
  TL_CHECK(unlink("/ut-rc/d") == 0 && unlink("/ut-rc") == 0, "unlink: %s",
           strerror(errno));
  TL_CHECK(open("..", O_RDONLY) == -1 && errno == ENOENT,
           "open(..): errno %d, want ENOENT", errno);
  TL_CHECK(open("../c", O_CREATE | O_RDWR) == -1 && errno == ENOENT,
           "create ../c: errno %d, want ENOENT", errno);
  TL_CHECK(chdir("..") == -1 && errno == ENOENT, "chdir(..): errno %d", errno);
  TL_CHECK(stat(".", &st) == 0 && st.type == T_DIR, "stat(.): %s",
           strerror(errno));
  TL_CHECK(chdir("/") == 0, "chdir(/): %s", strerror(errno));
  return 0;
}

void
ut_inode(void)
{
  tl_run_child("many_mapped", t_inode_many_mapped);
  tl_run("enfile", t_inode_enfile);
  tl_run("churn", t_inode_churn);
  tl_run_child("exec_errors", t_inode_exec_errors);
  tl_run_child("removed_cwd", t_inode_removed_cwd);
}
