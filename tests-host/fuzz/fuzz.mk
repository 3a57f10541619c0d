# SPDX-License-Identifier: MIT
# The host fuzzer of kernel/vm (included by tests-host/host.mk).
#
#   make fuzz SECONDS=600   run libFuzzer for SECONDS (60) over a copy of
#                           the seed corpus; a crash leaves its input in
#                           build/fuzz/crash-* and fails the target
#   build/fuzz/vmfuzz FILE  replay one input (VMFUZZ_TRACE=1 traces it)
#
# The same sources as the Criterion binary plus fuzz_main.c, built with
# clang's -fsanitize=fuzzer,address,undefined. The seed corpus
# (tests-host/fuzz/corpus) is copied so the inputs libFuzzer adds while it
# runs stay in build/ and the repository keeps only the small seeds.
# scripts/fuzz.sh prints the closing line "fuzz: N passed, M failed".

FUZZ_B      ?= $(B)/fuzz
FUZZ_CC     ?= clang
SECONDS     ?= 60
FUZZ_SRCS   := tests-host/fuzz/fuzz_main.c $(HOST_SEAM_SRCS) $(HOST_VM_SRCS)
FUZZ_OBJS   := $(FUZZ_SRCS:%.c=$(FUZZ_B)/%.o)
# The kernel's sleep(chan, lock) (host_lock.c on the host) would replace
# libc's sleep(seconds), which libFuzzer's own threads call: rename ours.
FUZZ_CFLAGS := $(HOST_CFLAGS) -O1 -fno-sanitize-recover=all \
               -fsanitize=fuzzer-no-link,address,undefined -Dsleep=vm_host_sleep

$(call host-dirs,$(FUZZ_OBJS)):
	@mkdir -p $@

$(FUZZ_B)/%.o: %.c | host-tools fuzz-tools $(call host-dirs,$(FUZZ_OBJS))
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_B)/vmfuzz: $(FUZZ_OBJS)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^

.PHONY: fuzz
fuzz: $(FUZZ_B)/vmfuzz
	scripts/fuzz.sh $(FUZZ_B) $(SECONDS)

-include $(FUZZ_OBJS:.o=.d)
