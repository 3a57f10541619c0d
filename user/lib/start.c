// SPDX-License-Identifier: MIT
// Program entry. exec starts a program at _start with a0 = argc and
// a1 = argv (the argument strings and the vector on the new stack), so a C
// function can take them as parameters. Returning from main exits with its
// value, as in C; xv6 programs that call exit() themselves never get here.
#include "user/user.h"

int main(int argc, char *argv[]);

void _start(int argc, char *argv[]) __attribute__((noreturn));

void
_start(int argc, char *argv[])
{
  exit(main(argc, argv));
}
