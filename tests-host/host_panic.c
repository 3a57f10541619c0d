// SPDX-License-Identifier: MIT
// Host seam for panic(): end the test, telling expected panics from
// unexpected ones (host_panic.h).
//
// Criterion runs every test in its own process, so a panic ends only that
// test. A test that expects one names its message with expect_panic (a
// substring, '*' standing for the variable parts) and declares
// .signal = SIGABRT: the matching panic aborts
// without a word, so a green run prints no panic noise. Any other panic
// prints its message and the seed of randomised tests (so it can be
// replayed) and exits with a status no test expects. Output is flushed
// first so the message is never lost behind the exit.
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host_panic.h"
#include "lib/kassert.h"
#include "vmtest.h"

// Weak: the sv39 tests link this file without vmtest.c and its seed.
extern __typeof__(vmtest_seed) vmtest_seed __attribute__((weak));

static const char *panic_expected;     // substring, or NULL: none expected

void expect_panic(const char *pattern)
{
  panic_expected = pattern;
}

// Does msg contain pattern, where each '*' in pattern stands for any text?
// The pieces between the stars must appear in msg in order.
static bool panic_matches(const char *msg, const char *pattern)
{
  char piece[256];
  const char *star;
  size_t n;

  for (;;) {
    star = strchr(pattern, '*');
    n = star != NULL ? (size_t)(star - pattern) : strlen(pattern);
    if (n >= sizeof(piece))
      return false;
    memcpy(piece, pattern, n);
    piece[n] = '\0';
    if ((msg = strstr(msg, piece)) == NULL)
      return false;
    if (star == NULL)
      return true;
    msg += n;
    pattern = star + 1;
  }
}

void panic(const char *fmt, ...)
{
  char msg[1024];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  fflush(stdout);
  if (panic_expected != NULL && panic_matches(msg, panic_expected))
    abort();
  fprintf(stderr, "panic: %s\n", msg);
  if (panic_expected != NULL)
    fprintf(stderr, "(the test expected a panic saying \"%s\")\n",
            panic_expected);
  if (vmtest_seed != NULL)
    fprintf(stderr, "(replay randomised tests with VMTEST_SEED=%llu)\n",
            (unsigned long long)vmtest_seed());
  fflush(stderr);
  // With no panic expected, any abort fails the test, and the fuzzer
  // (tests-host/fuzz) sees the signal and keeps the input. A test that
  // expects another panic (.signal = SIGABRT) must not pass on this one.
  if (panic_expected == NULL)
    abort();
  _exit(HOST_PANIC_UNEXPECTED);
}
