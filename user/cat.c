// SPDX-License-Identifier: MIT
// cat [file...]: copy each file (or standard input) to standard output.
#include "user/user.h"

static char cat_buf[4096];

// Copy fd to stdout; returns 0 or -1 after printing why.
static int
cat_fd(int fd, const char *name)
{
  int n;

  while ((n = read(fd, cat_buf, sizeof(cat_buf))) > 0) {
    if (write(STDOUT_FILENO, cat_buf, n) != n) {
      fprintf(STDERR_FILENO, "cat: write error: %s\n", strerror(errno));
      return -1;
    }
  }
  if (n < 0) {
    fprintf(STDERR_FILENO, "cat: %s: %s\n", name, strerror(errno));
    return -1;
  }
  return 0;
}

int
main(int argc, char *argv[])
{
  int i, fd, status = 0;

  if (argc < 2)
    return cat_fd(STDIN_FILENO, "stdin") < 0;
  for (i = 1; i < argc; i++) {
    fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(STDERR_FILENO, "cat: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    if (cat_fd(fd, argv[i]) < 0)
      status = 1;
    close(fd);
  }
  return status;
}
