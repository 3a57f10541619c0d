# SPDX-License-Identifier: MIT
# Build, run and test the kernel.
#
#   make qemu        boot to the shell (CPUS=3 MEM=128M by default)
#   make check       host unit tests, then the in-kernel suite, headless
#   make suite RUN="usertests file"  chosen in-kernel commands alone
#   make boot-stress boot BOOTS times (200) at 4 harts, each must be clean
#   make crash-test  kill QEMU while it writes, reboot, check what survived
#   make fuzz-qemu   the system-call fuzzer, SECONDS long, with SEED
#   make test        host unit tests of kernel/vm only (no RISC-V tools)
#   make fuzz        libFuzzer on kernel/vm for SECONDS (60; tests-host/fuzz)
#   make qemu-gdb    boot halted, waiting for gdb-multiarch (see .gdbinit)
#   make bench       benchmarks on the host and in QEMU: one table and
#                    bench/results.json (never part of `make check`)
#   make deps        install the Debian/Ubuntu packages everything needs
#                    (deps-host: only those of `make test`; scripts/tools.mk)
#   make compdb      compile_commands.json for editors and clangd
#
# VMCHECK=1 with qemu, suite or stress boots with the VM's expensive
# invariant checkers on (a boot argument, kernel/vmcheck.c: the same kernel
# image, no rebuild); `make check` boots its CPUS=3 suites so. MAXCPUS=N
# with the same targets: the kernel uses N of the CPUS harts and parks the
# others (the boot argument maxcpus=N, kernel/main.c).
#
# Every target that needs a tool installs it first, its own group only.
# Build outputs go to build/ (and fs.img, kernel/kernel as in xv6).

CPUS ?= 3
MEM  ?= 128M
# Swap for `make qemu` (swap.img; default 4 x MEM) and, when set, for the
# suites' boots; SWAP=0: none.
SWAP ?=
# SWAP_FAIL=1 with suite: that swap disk fails every write (scripts/qemu-suite.sh).
SWAP_FAIL ?= 0
VMCHECK ?= 0
MAXCPUS ?=
UPROGS_EXTRA ?=

B := build

# ---------------------------------------------------------------------------
# Tools (CC, OPENSBI, ...) and `make deps*`: scripts/tools.mk.
include scripts/tools.mk

# ---------------------------------------------------------------------------
# Host tests of kernel/vm (tests-host/host.mk).
include tests-host/host.mk
include tests-host/sv39/sv39.mk

# ---------------------------------------------------------------------------
# The kernel, user programs and file system image.
-include kernel/kernel.mk
-include user/user.mk
-include mkfs/mkfs.mk

.PHONY: clean
clean:
	rm -rf $(B) kernel/kernel fs.img

.DEFAULT_GOAL := all
.PHONY: all
all: $(ALL_TARGETS)

# ---------------------------------------------------------------------------
# Everything: host tests, then the in-kernel suites at CHECK_CPUS (1, 3).
# VMCHECK_CPUS: the CPU counts booted with the VM checkers on.
CHECK_CPUS ?= 1 3
VMCHECK_CPUS ?= 3
# CHECK_SYSFUZZ=0 skips the two boots of the system-call fuzzer
# (scripts/check.sh; about three minutes).
CHECK_SYSFUZZ ?= 1
.PHONY: check
check:
	$(call need,host kernel)
	@CHECK_CPUS="$(CHECK_CPUS)" VMCHECK_CPUS="$(VMCHECK_CPUS)" \
	  CHECK_SYSFUZZ="$(CHECK_SYSFUZZ)" MEM="$(MEM)" scripts/check.sh

# ---------------------------------------------------------------------------
# The random stress test alone, longer: `make stress SEED=7 SECONDS=600`.
# Boots headless at CPUS with an /autorun that runs only user/vmstress and
# judges the run like `make check` (scripts/qemu-suite.sh).
SEED    ?= 1
SECONDS ?= 300
.PHONY: stress
stress: kernel/kernel $(MKFS) $(FSCK) $(FS_FILES) | qemu-tools
	@mkdir -p $(B)/stress
	@echo "vmstress $(SEED) $(SECONDS)" > $(B)/stress/autorun
	$(MKFS) $(B)/fs-stress.img $(FS_FILES) $(B)/stress/autorun
	@VMCHECK=$(VMCHECK) MAXCPUS=$(MAXCPUS) SWAP=$(SWAP) SUITE_TIMEOUT=$$(($(SECONDS) + 300)) \
	  scripts/qemu-suite.sh "$(CPUS)" \
	  "$(MEM)" $(B)/fs-stress.img $(B)/stress.log

# ---------------------------------------------------------------------------
# The system-call fuzzer alone: `make fuzz-qemu SEED=7 SECONDS=600`. Boots
# headless at CPUS with an /autorun that runs only user/sysfuzz and judges
# the run like `make check` (any panic, a hang, a leak fail it); SWAP=160M
# adds a swap disk (try MEM=64M). On a
# failure the log (build/fuzz-qemu.log) has the seed and each worker's last
# calls; docs/testing.md says how to replay them.
.PHONY: fuzz-qemu
fuzz-qemu: kernel/kernel $(MKFS) $(FSCK) $(FS_FILES)
	@mkdir -p $(B)/fuzz-qemu
	@echo "sysfuzz $(SEED) $(SECONDS)" > $(B)/fuzz-qemu/autorun
	$(MKFS) $(B)/fs-fuzz-qemu.img $(FS_FILES) $(B)/fuzz-qemu/autorun
	@SWAP=$(SWAP) SUITE_TIMEOUT=$$(($(SECONDS) + 300)) scripts/qemu-suite.sh "$(CPUS)" \
	  "$(MEM)" $(B)/fs-fuzz-qemu.img $(B)/fuzz-qemu.log

# ---------------------------------------------------------------------------
# Boot BOOTS times in a row at BOOT_CPUS harts; every boot must show one
# banner and power off cleanly (scripts/boot-stress.sh). Not part of
# `make check`: 200 boots take a few minutes.
BOOTS     ?= 200
BOOT_CPUS ?= 4
.PHONY: boot-stress
boot-stress: kernel/kernel $(MKFS) $(FS_FILES) | qemu-tools
	@mkdir -p $(B)/boot-stress
	@echo halt > $(B)/boot-stress/autorun
	$(MKFS) $(B)/fs-boot.img $(FS_FILES) $(B)/boot-stress/autorun
	@scripts/boot-stress.sh $(BOOTS) $(BOOT_CPUS) $(MEM) $(B)/fs-boot.img \
	  $(B)/boot-stress.log

# ---------------------------------------------------------------------------
# Kill the machine while it writes, boot the same disk again and check what
# survived (scripts/crash-test.sh, user/fscrash.c), CRASH_ROUNDS times.
# `make check` does 4 rounds.
CRASH_ROUNDS ?= 10
.PHONY: crash-test
crash-test: kernel/kernel $(B)/fs-crash.img $(FSCK) | qemu-tools
	@scripts/crash-test.sh $(CRASH_ROUNDS) $(B)/fs-crash.img $(B)/crash-test.log

# ---------------------------------------------------------------------------
# Chosen in-kernel commands alone, judged like `make check`:
# `make suite RUN="usertests file pipe; pctests"` (';' separates commands).
RUN ?= usertests
.PHONY: suite
suite: kernel/kernel $(MKFS) $(FSCK) $(FS_FILES) | qemu-tools
	@mkdir -p $(B)/suite
	@printf '%s\n' "$(RUN)" | tr ';' '\n' > $(B)/suite/autorun
	$(MKFS) $(B)/fs-suite.img $(FS_FILES) $(B)/suite/autorun
	@VMCHECK=$(VMCHECK) MAXCPUS=$(MAXCPUS) SWAP=$(SWAP) SWAP_FAIL=$(SWAP_FAIL) \
	  scripts/qemu-suite.sh "$(CPUS)" "$(MEM)" $(B)/fs-suite.img $(B)/suite.log

# ---------------------------------------------------------------------------
# Benchmarks, never part of `make check` (timing is not a test). `make bench`
# runs the host benchmarks (bench-host, tests-host/host.mk), then boots the
# kernel headless once per CPU count in BENCH_CPUS, with BENCH_MEM of RAM
# (the wired fork figures copy 64 MiB) and user/bench as the /autorun job;
# scripts/bench.py prints one markdown table and writes bench/results.json
# (bench/README.md). About 10 minutes on a 2-core machine.
# BENCH_GROUPS: user/bench's groups to run (default all: fork fault file
# map smp page); `make bench BENCH_GROUPS=smp BENCH_HOST=` is the SMP part
# alone. The SMP group (smp: figures compared across the CPUS columns)
# runs in boots of its own, BENCH_SMP_ROUNDS rounds of one boot per CPU
# count, the order reversed every other round, so that the host's drift
# between boots hits every column alike; its verdicts are the medians of
# the rounds' ratios. The paging group (page: page-out and page-in beside
# the swap disk's raw speed, a working set of 1.5 x RAM) needs a swap disk
# and little RAM: it runs in one more boot, CPUS=1 with BENCH_PAGING_MEM
# and a swap disk of BENCH_PAGING_SWAP.
BENCH_CPUS   ?= 1 2 3 4
BENCH_MEM    ?= 512M
BENCH_GROUPS ?=
BENCH_HOST   ?= $(HOST_BENCH_BINS)
BENCH_SMP_ROUNDS  ?= 7
BENCH_PAGING_MEM  ?= 64M
BENCH_PAGING_SWAP ?= 160M
bench_groups = $(or $(BENCH_GROUPS),fork fault file map smp page)
bench_main_groups = $(filter fork fault file map,$(bench_groups))
bench_smp = $(filter smp,$(bench_groups))
bench_paging = $(filter page,$(bench_groups))
.PHONY: bench
bench:
	$(call need,host kernel python)
	@mkdir -p $(B)/bench-run
	@echo bench $(bench_main_groups) > $(B)/bench-run/autorun.new
	@cmp -s $(B)/bench-run/autorun.new $(B)/bench-run/autorun || \
	  mv $(B)/bench-run/autorun.new $(B)/bench-run/autorun
	@$(MAKE) --no-print-directory kernel/kernel $(B)/fs-bench.img \
	  $(B)/fs-bench-smp.img $(B)/fs-bench-paging.img $(BENCH_HOST)
	@scripts/bench.py --image $(B)/fs-bench.img \
	  --cpus "$(if $(bench_main_groups),$(BENCH_CPUS))" \
	  --mem $(BENCH_MEM) --host $(BENCH_HOST) \
	  $(if $(bench_smp),--smp-image $(B)/fs-bench-smp.img \
	    --smp-cpus "$(BENCH_CPUS)" --smp-rounds $(BENCH_SMP_ROUNDS)) \
	  $(if $(bench_paging),--paging-image $(B)/fs-bench-paging.img \
	    --paging-mem $(BENCH_PAGING_MEM) --paging-swap $(BENCH_PAGING_SWAP))

$(B)/fs-bench.img: $(MKFS) $(FS_FILES) $(FS_LIST) $(B)/bench-run/autorun
	$(MKFS) $@ $(FS_FILES) $(B)/bench-run/autorun

$(B)/fs-bench-smp.img: $(MKFS) $(FS_FILES) $(FS_LIST)
	@mkdir -p $(B)/bench-smp
	@echo bench smp > $(B)/bench-smp/autorun
	$(MKFS) $@ $(FS_FILES) $(B)/bench-smp/autorun

$(B)/fs-bench-paging.img: $(MKFS) $(FS_FILES) $(FS_LIST)
	@mkdir -p $(B)/bench-paging
	@echo bench page > $(B)/bench-paging/autorun
	$(MKFS) $@ $(FS_FILES) $(B)/bench-paging/autorun

$(B)/bench-run/autorun:
	@mkdir -p $(B)/bench-run
	@echo bench > $@

# ---------------------------------------------------------------------------
# The course layer (labs/README.md, docs/labs.md).
#   make lab LAB=cow [DEST=dir]  write the student tree of a lab (default
#                                DEST ../<this directory>-<lab>)
#   make grade LAB=cow           run the lab's graded tests: one line a
#                                test, then "Score: N/M" (scripts/grade.py)
#   make labcheck                prove every lab's grader: the student tree
#                                scores below full, the solution full
# A student tree names its own lab in .lab, so `make grade` needs no LAB.
LAB ?= $(shell cat .lab 2>/dev/null)
DEST ?= ../$(notdir $(CURDIR))-$(LAB)
.PHONY: lab grade labcheck grade-image
lab:
	$(call need,python)
	@test -n "$(LAB)" || { echo "make lab: say which, e.g. make lab LAB=cow (labs/README.md)"; exit 2; }
	@scripts/lab.py tree $(LAB) $(DEST)

grade:
	$(call need,host kernel python)
	@test -n "$(LAB)" || { echo "make grade: say which, e.g. make grade LAB=cow (labs/README.md)"; exit 2; }
	@scripts/grade.py $(LAB)

labcheck:
	$(call need,host kernel python)
	@scripts/labcheck.py

# The image of a grading boot (scripts/grade.py): the user programs and an
# /autorun of the ';'-separated commands GRADE_RUN.
GRADE_RUN ?=
GRADE_IMG ?= $(B)/grade/fs.img
grade-image: kernel/kernel $(MKFS) $(FS_FILES) | qemu-tools
	@mkdir -p $(B)/grade/run
	@printf '%s\n' "$(GRADE_RUN)" | tr ';' '\n' > $(B)/grade/run/autorun
	$(MKFS) $(GRADE_IMG) $(FS_FILES) $(B)/grade/run/autorun
