// SPDX-License-Identifier: MIT
// Host seam for panic(): print the message and abort().
//
// Criterion runs every test in its own process, so a panic ends only that
// test; a test that expects a panic declares .signal = SIGABRT. Output is
// flushed first so the message is never lost behind the abort, and the
// seed of randomised tests is printed so a failure can be replayed.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/kassert.h"
#include "vmtest.h"

void panic(const char *fmt, ...)
{
  va_list ap;

  fflush(stdout);
  fputs("panic: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n(replay randomised tests with VMTEST_SEED=%llu)\n",
          (unsigned long long)vmtest_seed());
  fflush(stderr);
  abort();
}
