// SPDX-License-Identifier: MIT
// Replays of the host fuzzer (tests-host/fuzz/vmfuzz.c) under Criterion:
// every seed of the corpus, and every input the fuzzer crashed on once
// (each a regression test of the fix it led to). The inputs go through
// the same decoder and model as under libFuzzer; a disagreement panics,
// which Criterion reports as a crash. `make test` runs from the top of
// the repository, where the corpus path below resolves. VMFUZZ_CORPUS=dir
// replays another directory instead (e.g. the corpus a long `make fuzz`
// grew, under `make coverage` to see the lines it reaches).
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmfuzz.h"

#define CORPUS "tests-host/fuzz/corpus"

static size_t read_input(const char *path, uint8_t *buf, size_t cap)
{
  FILE *f = fopen(path, "rb");
  size_t n;

  cr_assert(f != NULL, "cannot open %s", path);
  n = fread(buf, 1, cap, f);
  fclose(f);
  return n;
}

Test(vmfuzz, seed_corpus, .timeout = 600)
{
  static uint8_t buf[1 << 16];
  const char *dir = getenv("VMFUZZ_CORPUS") ? getenv("VMFUZZ_CORPUS") : CORPUS;
  DIR *d = opendir(dir);
  struct dirent *de;
  char path[512];
  int n = 0;

  cr_assert(d != NULL, "no %s (run from the top of the repository)", dir);
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
    vmfuzz_run(buf, read_input(path, buf, sizeof(buf)));
    n++;
  }
  closedir(d);
  cr_assert(n > 0, "the seed corpus is empty");
}

// --- inputs the fuzzer found --------------------------------------------------
// Each is the crashing input as libFuzzer saved it (or minimised with
// -minimize_crash=1); the comment says what went wrong and what fixed it.
