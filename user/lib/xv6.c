// SPDX-License-Identifier: MIT
// The names newer xv6 programs call that this system spells otherwise, so
// they build against user/user.h unchanged.
#include "user/user.h"

// xv6 renamed sleep(ticks) to pause(ticks).
int
pause(int ticks)
{
  return sleep(ticks);
}

// xv6 has an eager sbrk and a lazy sbrklazy; here sbrk is always lazy.
char *
sbrklazy(int n)
{
  return sbrk(n);
}
