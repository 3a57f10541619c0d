// SPDX-License-Identifier: MIT
// kill pid...: kill processes (they exit with status -1).
#include "user/user.h"

int
main(int argc, char *argv[])
{
  int i, status = 0;

  if (argc < 2) {
    fprintf(STDERR_FILENO, "usage: kill pid...\n");
    return 1;
  }
  for (i = 1; i < argc; i++) {
    if (kill(atoi(argv[i])) < 0) {
      fprintf(STDERR_FILENO, "kill: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
  }
  return status;
}
