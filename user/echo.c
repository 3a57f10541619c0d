// SPDX-License-Identifier: MIT
// echo [word...]: print the words separated by single spaces, then a newline.
#include "user/user.h"

int
main(int argc, char *argv[])
{
  int i;

  for (i = 1; i < argc; i++) {
    if (printf("%s%s", argv[i], i + 1 < argc ? " " : "\n") < 0)
      return 1;
  }
  if (argc < 2)
    printf("\n");
  return 0;
}
