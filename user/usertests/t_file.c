// SPDX-License-Identifier: MIT
// usertests group "file": create, write, read, offsets, unlink, links,
// directories, big files, descriptor limits and errors.
#include "user/usertests/ut.h"
#include "kernel/fs.h"

static char file_buf[8192];

// Check that fd reads n bytes of the ut_byte pattern starting at offset off.
static int
file_check_pattern(int fd, int off, int n)
{
  int i, k, r;

  for (i = 0; i < n; i += k) {
    k = n - i < (int)sizeof(file_buf) ? n - i : (int)sizeof(file_buf);
    r = read(fd, file_buf, k);
    if (r != k)
      return tl_fail_at(__LINE__, "read at %d: %d of %d", off + i, r, k);
    for (int j = 0; j < k; j++) {
      if (file_buf[j] != ut_byte(off + i + j))
        return tl_fail_at(__LINE__, "wrong byte at %d", off + i + j);
    }
  }
  return 0;
}

static int
t_create_rw(void)
{
  struct stat st;
  int fd;

  TL_CHECK(ut_make_file("ut-f1", 1000) == 0, "create: %s", strerror(errno));
  fd = open("ut-f1", O_RDONLY);
  TL_CHECK(fd >= 0, "open: %s", strerror(errno));
  TL_CHECK(fstat(fd, &st) == 0, "fstat: %s", strerror(errno));
  TL_CHECK(st.type == T_FILE && st.size == 1000 && st.nlink == 1,
           "fstat: type %d size %lu nlink %d", st.type,
           (unsigned long)st.size, st.nlink);
  if (file_check_pattern(fd, 0, 1000) < 0)
    return -1;
  TL_CHECK(read(fd, file_buf, 10) == 0, "read at end of file not 0");
  TL_CHECK(write(fd, "x", 1) == -1 && errno == EBADF,
           "write to a read-only fd: errno %d", errno);
  close(fd);
  TL_CHECK(unlink("ut-f1") == 0, "unlink: %s", strerror(errno));
  TL_CHECK(open("ut-f1", O_RDONLY) == -1 && errno == ENOENT,
           "open after unlink: errno %d", errno);
  TL_CHECK(unlink("ut-f1") == -1 && errno == ENOENT,
           "unlink twice: errno %d", errno);
  return 0;
}

static int
t_offsets(void)
{
  int fd, fd2;

  TL_CHECK(ut_make_file("ut-f2", 5000) == 0, "create: %s", strerror(errno));
  fd = open("ut-f2", O_RDWR);
  TL_CHECK(fd >= 0, "open: %s", strerror(errno));
  TL_CHECK(lseek(fd, 0, SEEK_END) == 5000, "lseek SEEK_END");
  TL_CHECK(lseek(fd, 1234, SEEK_SET) == 1234, "lseek SEEK_SET");
  if (file_check_pattern(fd, 1234, 100) < 0)
    return -1;
  TL_CHECK(lseek(fd, -34, SEEK_CUR) == 1300, "lseek SEEK_CUR");
  fd2 = dup(fd);   // shares the offset
  TL_CHECK(fd2 >= 0, "dup: %s", strerror(errno));
  if (file_check_pattern(fd2, 1300, 50) < 0 ||
      file_check_pattern(fd, 1350, 50) < 0)
    return -1;
  TL_CHECK(lseek(fd, -1, SEEK_SET) == -1 && errno == EINVAL,
           "lseek to -1: errno %d", errno);
  TL_CHECK(ftruncate(fd, 100) == 0, "ftruncate: %s", strerror(errno));
  TL_CHECK(lseek(fd, 0, SEEK_END) == 100, "size after ftruncate");
  close(fd);
  close(fd2);
  unlink("ut-f2");
  return 0;
}

static int
t_unlink_open(void)
{
  int fd;

  TL_CHECK(ut_make_file("ut-f3", 3000) == 0, "create: %s", strerror(errno));
  fd = open("ut-f3", O_RDONLY);
  TL_CHECK(fd >= 0, "open: %s", strerror(errno));
  TL_CHECK(unlink("ut-f3") == 0, "unlink: %s", strerror(errno));
  if (file_check_pattern(fd, 0, 3000) < 0)
    return -1;
  close(fd);
  return 0;
}

static int
t_links(void)
{
  struct stat st;
  int fd;

  TL_CHECK(ut_make_file("ut-l1", 700) == 0, "create: %s", strerror(errno));
  TL_CHECK(link("ut-l1", "ut-l2") == 0, "link: %s", strerror(errno));
  TL_CHECK(link("ut-l1", "ut-l2") == -1 && errno == EEXIST,
           "link onto an existing name: errno %d", errno);
  TL_CHECK(link("ut-nothing", "ut-l3") == -1 && errno == ENOENT,
           "link of a missing file: errno %d", errno);
  TL_CHECK(stat("ut-l2", &st) == 0 && st.nlink == 2, "nlink %d", st.nlink);
  TL_CHECK(unlink("ut-l1") == 0, "unlink: %s", strerror(errno));
  fd = open("ut-l2", O_RDONLY);
  TL_CHECK(fd >= 0, "open the second name: %s", strerror(errno));
  TL_CHECK(fstat(fd, &st) == 0 && st.nlink == 1, "nlink after unlink %d",
           st.nlink);
  if (file_check_pattern(fd, 0, 700) < 0)
    return -1;
  close(fd);
  TL_CHECK(unlink("ut-l2") == 0, "unlink: %s", strerror(errno));
  return 0;
}

static int
t_dirs(void)
{
  struct stat st;
  int fd;

  TL_CHECK(mkdir("ut-d") == 0, "mkdir: %s", strerror(errno));
  TL_CHECK(mkdir("ut-d") == -1 && errno == EEXIST, "mkdir twice: errno %d",
           errno);
  TL_CHECK(ut_make_file("ut-d/f", 10) == 0, "create in dir: %s",
           strerror(errno));
  TL_CHECK(open("ut-d", O_RDWR) == -1 && errno == EISDIR,
           "open a directory for writing: errno %d", errno);
  TL_CHECK(unlink("ut-d") == -1, "unlink of a non-empty directory worked");
  TL_CHECK(chdir("ut-d") == 0, "chdir: %s", strerror(errno));
  TL_CHECK(stat("f", &st) == 0 && st.size == 10, "relative stat");
  TL_CHECK(stat("../ut-d/f", &st) == 0, "stat through ..");
  TL_CHECK(chdir("..") == 0, "chdir ..: %s", strerror(errno));
  TL_CHECK(chdir("ut-d/f") == -1 && errno == ENOTDIR,
           "chdir to a file: errno %d", errno);
  TL_CHECK(open("ut-d/f/x", O_CREATE | O_RDWR) == -1,
           "created a file under a file");
  fd = open("ut-d", O_RDONLY);
  TL_CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.type == T_DIR,
           "open directory read-only");
  close(fd);
  TL_CHECK(unlink("ut-d/f") == 0, "unlink: %s", strerror(errno));
  TL_CHECK(unlink("ut-d") == 0, "unlink empty dir: %s", strerror(errno));
  TL_CHECK(chdir("ut-d") == -1 && errno == ENOENT, "chdir to removed dir");
  return 0;
}

// A file that needs the direct, the indirect and the doubly indirect
// blocks. Written in uneven chunks so writes straddle block boundaries.
static int
t_big_file(void)
{
  int size = (NDIRECT + NINDIRECT + 8) * BSIZE;
  int fd, i, k;

  fd = open("ut-big", O_CREATE | O_TRUNC | O_RDWR);
  TL_CHECK(fd >= 0, "create: %s", strerror(errno));
  for (i = 0; i < size; i += k) {
    k = size - i < 7001 ? size - i : 7001;
    for (int j = 0; j < k; j++)
      file_buf[j] = ut_byte(i + j);
    TL_CHECK(write(fd, file_buf, k) == k, "write at %d: %s", i,
             strerror(errno));
  }
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  if (file_check_pattern(fd, 0, size) < 0)
    return -1;
  TL_CHECK(lseek(fd, size - 5000, SEEK_SET) == size - 5000, "lseek");
  if (file_check_pattern(fd, size - 5000, 5000) < 0)
    return -1;
  close(fd);
  TL_CHECK(unlink("ut-big") == 0, "unlink: %s", strerror(errno));
  return 0;
}

static int
t_fd_limits(void)
{
  int fds[64], n = 0, fd;

  while (n < 64 && (fd = open("README.md", O_RDONLY)) >= 0)
    fds[n++] = fd;
  TL_CHECK(n < 64 && errno == EMFILE, "open until full: %d fds, errno %d", n,
           errno);
  for (int i = 0; i < n; i++)
    close(fds[i]);
  TL_CHECK(read(60, file_buf, 1) == -1 && errno == EBADF, "read fd 60");
  TL_CHECK(close(-1) == -1 && errno == EBADF, "close(-1): errno %d", errno);
  TL_CHECK(dup(1000) == -1 && errno == EBADF, "dup(1000): errno %d", errno);
  TL_CHECK(open("", O_RDONLY) == -1, "open of an empty path worked");
  return 0;
}

void
ut_file(void)
{
  tl_run("create_rw", t_create_rw);
  tl_run("offsets", t_offsets);
  tl_run("unlink_open", t_unlink_open);
  tl_run("links", t_links);
  tl_run("dirs", t_dirs);
  tl_run("big_file", t_big_file);
  tl_run("fd_limits", t_fd_limits);
}
