// SPDX-License-Identifier: MIT
// Boot arguments: the device tree's /chosen/bootargs (QEMU's -append), words
// separated by spaces, each "name" or "name=value". Read at boot, before
// another hart runs; nothing changes them afterwards.
//
//   vmcheck[=N]   the VM's expensive checkers (vmcheck.c)
//   maxcpus=N     use at most N harts, the boot hart included; the
//                 others are parked (main.c)
#include "bootarg.h"
#include "lib/string.h"
#include "platform.h"

const char *bootarg(const char *name)
{
  size_t n = strlen(name);
  const char *a = platform.bootargs, *w;

  while (*a != '\0') {
    for (w = a; *a != '\0' && *a != ' '; a++)
      ;                                     // [w, a) is one word
    if ((size_t)(a - w) >= n && strncmp(w, name, n) == 0) {
      if (w + n == a)
        return a;                           // bare: the value is empty
      if (w[n] == '=')
        return w + n + 1;
    }
    while (*a == ' ')
      a++;
  }
  return NULL;
}

long bootarg_long(const char *name, long absent)
{
  const char *v = bootarg(name);
  long x = 0;

  if (v == NULL || *v < '0' || *v > '9')
    return absent;
  for (; *v >= '0' && *v <= '9' && x < 1000000; v++)
    x = x * 10 + (*v - '0');
  return x;
}
