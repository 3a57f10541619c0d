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
#include "vmtest.h"

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

// Random inputs from vmtest_seed(), so `make test` drives the decoder and
// the model without clang too (a panic prints the seed to replay with).
Test(vmfuzz, random_inputs, .timeout = 300)
{
  static uint8_t buf[600];

  // Input i comes from seed + i (vmfuzz_run reseeds: vmtest_boot).
  for (int i = 0; i < 100; i++) {
    vmtest_srand(vmtest_seed() + (uint64_t)i);
    for (size_t j = 0; j < sizeof(buf); j++)
      buf[j] = (uint8_t)vmtest_rand();
    vmfuzz_run(buf, sizeof(buf));
  }
}

// --- inputs the fuzzer found --------------------------------------------------
// Each is the crashing input as libFuzzer saved it, kept in the seed corpus
// under a name that says what it found (docs/testing.md, "What the fuzzer
// found"); the test replays it alone so a regression names it.

static void replay(const char *name)
{
  static uint8_t buf[1 << 16];
  char path[512];

  snprintf(path, sizeof(path), "%s/%s", CORPUS, name);
  vmfuzz_run(buf, read_input(path, buf, sizeof(buf)));
}

// A MAP_FIXED mmap under MCL_FUTURE whose wiring fails (pmap_enter
// injected to fail) removes what it replaced: the model expects that hole.
Test(vmfuzz, found_mmap_fixed_wirefuture_enomem)
{
  replay("mmap_fixed_wirefuture_enomem");
}

// A mlocked read-only MAP_PRIVATE file page is a snapshot: a later write
// to the file through a MAP_SHARED mapping is not seen.
Test(vmfuzz, found_wired_private_file_snapshot)
{
  replay("wired_private_file_snapshot");
}

// A mlock that fails at a page past end-of-file leaves the private pages
// before it copied up: truncating the file then leaves them readable.
Test(vmfuzz, found_failed_mlock_copies_up)
{
  replay("failed_mlock_copies_up");
}

// msync(MS_INVALIDATE) whose write-back fails said EBUSY (the wired-page
// refusal) instead of EIO; fixed in vm_msync / vm_map_sync, see also
// vm_mmap/msync_invalidate_write_error_is_eio.
Test(vmfuzz, found_msync_invalidate_write_error)
{
  replay("disk_fails_under_writeback");
}

// INHERIT_COPY of a MAP_SHARED file mapping makes the child a private
// mapping of the file (vmspace_fork_cow): it reads the parent's later
// writes to the file until it writes itself, and past end-of-file it
// faults. The model had taken a snapshot at fork.
Test(vmfuzz, found_copy_of_shared_file_reads_the_file)
{
  replay("copy_of_shared_file_reads_the_file");
  replay("copy_of_shared_file_past_eof");
}

// Two MADV_FREEs with a write between, then a read of zeros: the VM may
// discard the page at either, so each adds an alternative to the model.
Test(vmfuzz, found_madv_free_twice_then_read)
{
  replay("madv_free_twice_then_read");
}

// mprotect out of PROT_NONE under mlockall(MCL_FUTURE) wires the range,
// and the wiring drops the map lock; the entries the new protection made
// alike were merged only at the end, so the unlock's vm_map_check found
// mergeable neighbours (the unlock-time check now leaves that rule out).
Test(vmfuzz, found_mprotect_wire_unlock_unmerged)
{
  replay("mprotect_wires_under_mcl_future");
}

// mlock drops the map lock to fault its pages in while entries it will
// merge at the end may still be alike; VMCHECK's unlock-time check
// demanded them merged already. It now checks all but that rule there
// (vm_map_check_unlocking); vm_map_check between operations keeps it.
Test(vmfuzz, found_mlock_unlock_unmerged)
{
  replay("mlock_unlock_unmerged");
}
