// SPDX-License-Identifier: MIT
// rm file...: remove directory entries (empty directories too).
#include "user/user.h"

int
main(int argc, char *argv[])
{
  int i, status = 0;

  if (argc < 2) {
    fprintf(STDERR_FILENO, "usage: rm file...\n");
    return 1;
  }
  for (i = 1; i < argc; i++) {
    if (unlink(argv[i]) < 0) {
      fprintf(STDERR_FILENO, "rm: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
  }
  return status;
}
