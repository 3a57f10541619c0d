// SPDX-License-Identifier: MIT
// halt [status]: power the machine off. A non-zero status is reported to
// the firmware as a system failure, so QEMU's exit shows it.
#include "user/user.h"

int
main(int argc, char *argv[])
{
  halt(argc > 1 ? atoi(argv[1]) : 0);
  fprintf(STDERR_FILENO, "halt: %s\n", strerror(errno));
  return 1;
}
