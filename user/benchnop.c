// SPDX-License-Identifier: MIT
// benchnop: exit at once. user/bench times fork + exec of it + wait: the
// cost of starting the smallest program.
#include "user/user.h"

int main(void)
{
  return 0;
}
