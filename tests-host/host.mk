# SPDX-License-Identifier: MIT
# Host tests of the machine-independent VM (included by the top Makefile).
#
#   make test         build build/host/vmtests (Criterion, ASan + UBSan) and
#                     run it; TESTARGS='--filter vm_map/*' passes arguments
#   make check-host   the same
#   make coverage     line coverage of kernel/vm by the same tests
#   make bench-host   build and run every tests-host/bench_*.c at -O2
#
# One binary holds every test: tests-host/test_*.c, the host seams
# (tests-host/host_*.c and vmtest.c), every kernel/vm/*.c and the AVL tree.
# New files are picked up by wildcard. VMTEST_SEED=n in the environment
# fixes the seed of the randomised tests (vmtest.h).
#
# The source lists are variables so one engineer can build a subset with
# stubs while the rest of kernel/vm is being written, e.g.
#   make test HOST_B=build/mine HOST_VM_SRCS=kernel/vm/vm_page.c ...

HOST_B       ?= $(B)/host
HOST_COV_B   ?= $(B)/cov
HOST_BENCH_B ?= $(B)/bench

HOST_TEST_SRCS  ?= $(sort $(wildcard tests-host/test_*.c))
HOST_SEAM_SRCS  ?= $(sort $(wildcard tests-host/host_*.c)) tests-host/vmtest.c \
                   tests-host/fuzz/vmfuzz.c tests-host/fuzz/vmfuzz_model.c
HOST_VM_SRCS    ?= $(sort $(wildcard kernel/vm/*.c)) kernel/lib/avl.c
HOST_BENCH_SRCS ?= $(sort $(wildcard tests-host/bench_*.c))
TESTARGS ?=

HOST_CFLAGS  := -std=gnu11 -g -Wall -Wextra -Werror -Ikernel -Itests-host \
                -Itests-host/fuzz -MMD -MP
HOST_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_LIBS    := -lcriterion

HOST_SRCS     := $(HOST_TEST_SRCS) $(HOST_SEAM_SRCS) $(HOST_VM_SRCS)
HOST_OBJS     := $(HOST_SRCS:%.c=$(HOST_B)/%.o)
HOST_COV_OBJS := $(HOST_SRCS:%.c=$(HOST_COV_B)/%.o)
HOST_LIB_SRCS := $(HOST_SEAM_SRCS) $(HOST_VM_SRCS)
HOST_BENCH_LIB_OBJS := $(HOST_LIB_SRCS:%.c=$(HOST_BENCH_B)/%.o)
HOST_BENCH_MAIN_OBJS := $(HOST_BENCH_SRCS:%.c=$(HOST_BENCH_B)/%.o)
HOST_BENCH_BINS := $(HOST_BENCH_SRCS:tests-host/%.c=$(HOST_BENCH_B)/%)

# Object directories, created order-only so their timestamps never force
# a rebuild.
host-dirs = $(sort $(patsubst %/,%,$(dir $(1))))
HOST_DIRS := $(call host-dirs,$(HOST_OBJS) $(HOST_COV_OBJS) \
               $(HOST_BENCH_LIB_OBJS) $(HOST_BENCH_MAIN_OBJS))

$(HOST_DIRS):
	@mkdir -p $@

# Only the host group of tools (cc, Criterion: scripts/tools.mk) is ever
# asked for here, so these targets run without the RISC-V tools.

# --- the Criterion binary, with sanitizers --------------------------------
$(HOST_B)/%.o: %.c | host-tools $(HOST_DIRS)
	$(HOSTCC) $(HOST_CFLAGS) -O1 $(HOST_SAN) -c -o $@ $<

$(HOST_B)/vmtests: $(HOST_OBJS)
	$(HOSTCC) $(HOST_SAN) -o $@ $^ $(HOST_LIBS)

.PHONY: test check-host
test: $(HOST_B)/vmtests
	@echo "$(HOST_B)/vmtests --jobs 2 $(TESTARGS)"
	@scripts/progress.sh vmtests $(HOST_B)/vmtests --jobs 2 $(TESTARGS)
	@$(MAKE) --no-print-directory test-sv39

check-host: test

# --- coverage: the same sources with --coverage ---------------------------
$(HOST_COV_B)/%.o: %.c | host-tools $(HOST_DIRS)
	$(HOSTCC) $(HOST_CFLAGS) -O0 --coverage -c -o $@ $<

$(HOST_COV_B)/vmtests: $(HOST_COV_OBJS)
	$(HOSTCC) --coverage -o $@ $^ $(HOST_LIBS)

.PHONY: coverage
coverage: $(HOST_COV_B)/vmtests
	$(call need,coverage)
	@find $(HOST_COV_B) -name '*.gcda' -delete
	-$(HOST_COV_B)/vmtests --jobs 2 $(TESTARGS)
	gcovr -r . --object-directory $(HOST_COV_B) --filter kernel/vm/ --print-summary \
	  $(HOST_COV_B)

# --- benchmarks: standalone programs at -O2, no Criterion -----------------
$(HOST_BENCH_B)/%.o: %.c | host-tools $(HOST_DIRS)
	$(HOSTCC) $(HOST_CFLAGS) -O2 -c -o $@ $<

$(HOST_BENCH_B)/bench_%: $(HOST_BENCH_B)/tests-host/bench_%.o $(HOST_BENCH_LIB_OBJS)
	$(HOSTCC) -o $@ $^

# Reached only through the pattern rule above: keep them between runs.
.SECONDARY: $(HOST_BENCH_LIB_OBJS) $(HOST_BENCH_MAIN_OBJS)

.PHONY: bench-host
bench-host: $(HOST_BENCH_BINS)
	@if [ -z "$(HOST_BENCH_BINS)" ]; then echo "bench-host: no tests-host/bench_*.c yet"; fi
	@for b in $(HOST_BENCH_BINS); do echo "== $$b"; $$b || exit 1; done

include tests-host/fuzz/fuzz.mk

-include $(HOST_OBJS:.o=.d) $(HOST_COV_OBJS:.o=.d) \
         $(HOST_BENCH_LIB_OBJS:.o=.d) $(HOST_BENCH_MAIN_OBJS:.o=.d)
