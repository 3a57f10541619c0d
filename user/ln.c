// SPDX-License-Identifier: MIT
// ln old new: make new another name (hard link) for the file old.
#include "user/user.h"

int
main(int argc, char *argv[])
{
  if (argc != 3) {
    fprintf(STDERR_FILENO, "usage: ln old new\n");
    return 1;
  }
  if (link(argv[1], argv[2]) < 0) {
    fprintf(STDERR_FILENO, "ln: %s -> %s: %s\n", argv[2], argv[1],
            strerror(errno));
    return 1;
  }
  return 0;
}
