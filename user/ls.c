// SPDX-License-Identifier: MIT
// ls [path...]: one line per file -- name, type (1 dir, 2 file, 3 device),
// inode number, size. A directory is listed entry by entry.
#include "user/user.h"
#include "kernel/fs.h"

#define LS_PATH 256

static void
ls_line(const char *name, const struct stat *st)
{
  printf("%-30s %d %u %lu\n", name, st->type, st->ino,
         (unsigned long)st->size);
}

// List the entries of the open directory fd, named path.
static int
ls_dir(int fd, const char *path)
{
  char buf[LS_PATH], name[DIRSIZ + 1];
  struct dirent de;
  struct stat st;
  size_t len = strlen(path);

  if (len + 1 + DIRSIZ + 1 > sizeof(buf)) {
    fprintf(STDERR_FILENO, "ls: %s: path too long\n", path);
    return -1;
  }
  while (read(fd, &de, sizeof(de)) == sizeof(de)) {
    if (de.inum == 0)
      continue;
    memmove(name, de.name, DIRSIZ);
    name[DIRSIZ] = '\0';
    snprintf(buf, sizeof(buf), "%s/%s", path, name);
    if (stat(buf, &st) < 0) {
      fprintf(STDERR_FILENO, "ls: cannot stat %s: %s\n", buf, strerror(errno));
      continue;
    }
    ls_line(name, &st);
  }
  return 0;
}

static int
ls(const char *path)
{
  struct stat st;
  int fd, r = 0;

  fd = open(path, O_RDONLY);
  if (fd < 0) {
    fprintf(STDERR_FILENO, "ls: %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (fstat(fd, &st) < 0) {
    fprintf(STDERR_FILENO, "ls: %s: %s\n", path, strerror(errno));
    r = -1;
  } else if (st.type == T_DIR) {
    r = ls_dir(fd, path);
  } else {
    ls_line(path, &st);
  }
  close(fd);
  return r;
}

int
main(int argc, char *argv[])
{
  int i, status = 0;

  if (argc < 2)
    return ls(".") < 0;
  for (i = 1; i < argc; i++) {
    if (ls(argv[i]) < 0)
      status = 1;
  }
  return status;
}
