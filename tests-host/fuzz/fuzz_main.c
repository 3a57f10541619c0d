// SPDX-License-Identifier: MIT
// libFuzzer entry point of the host fuzzer of kernel/vm (`make fuzz`):
// every input runs through vmfuzz_run (vmfuzz.c), which boots a fresh VM,
// checks every operation against the model and panics (abort: a crash to
// libFuzzer, which saves the input) on any disagreement or leak.
#include "vmfuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  vmfuzz_run(data, size);
  return 0;
}
