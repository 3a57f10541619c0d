// SPDX-License-Identifier: MIT
// mkdir dir...: create directories.
#include "user/user.h"

int
main(int argc, char *argv[])
{
  int i, status = 0;

  if (argc < 2) {
    fprintf(STDERR_FILENO, "usage: mkdir dir...\n");
    return 1;
  }
  for (i = 1; i < argc; i++) {
    if (mkdir(argv[i]) < 0) {
      fprintf(STDERR_FILENO, "mkdir: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
  }
  return status;
}
