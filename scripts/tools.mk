# SPDX-License-Identifier: MIT
# The tools, found where they are; `make deps*` installs them (included by
# the top Makefile; the package lists are in scripts/deps.sh).
#
#   make deps          everything below
#   make deps-host     cc, make and Criterion: all `make test` needs
#   make deps-kernel   the RISC-V cross compiler, QEMU and OpenSBI
#   make deps-gdb      gdb-multiarch;  make deps-coverage  gcovr
#   make compdb        compile_commands.json (scripts/compdb.py)
#
# Targets install the group they need when one of its tools is missing
# (NO_DEPS=1 turns that off) and otherwise say in one sentence what is
# missing; `make test` asks for the host group only.

# The cross compiler's prefix: the first of these that is on PATH, as
# Debian and Ubuntu package it under either name. TOOLPREFIX=... overrides.
ifndef TOOLPREFIX
TOOLPREFIX := $(shell for p in riscv64-unknown-elf- riscv64-linux-gnu- \
  riscv64-unknown-linux-gnu-; do command -v $${p}gcc >/dev/null 2>&1 && \
  { echo $$p; exit; }; done; echo riscv64-unknown-elf-)
endif
CC      := $(TOOLPREFIX)gcc
LD      := $(TOOLPREFIX)ld
OBJDUMP := $(TOOLPREFIX)objdump
HOSTCC  ?= cc

# OpenSBI from Debian's package, else the copy QEMU ships.
OPENSBI ?= $(firstword $(wildcard \
  /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin \
  /usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin) \
  /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin)
QEMU    := qemu-system-riscv64
export OPENSBI

DEPS := HOSTCC="$(HOSTCC)" TOOLPREFIX="$(TOOLPREFIX)" OPENSBI="$(OPENSBI)" \
        scripts/deps.sh

# $(call need,GROUP...) as a recipe line: install or complain, see above.
need = @$(DEPS) need $(1)
# Targets written before the groups existed ask for everything they used.
define need-deps
$(call need,host kernel)
endef

.PHONY: deps deps-host deps-cross deps-qemu deps-kernel deps-gdb \
        deps-coverage deps-python deps-fuzz
deps:
	@$(DEPS) install all
deps-host deps-cross deps-qemu deps-kernel deps-gdb deps-coverage deps-python deps-fuzz:
	@$(DEPS) install $(@:deps-%=%)

# Order-only prerequisites of the objects built with each tool set: they
# run once per make and never make anything out of date.
.PHONY: host-tools cross-tools qemu-tools fuzz-tools host-deps
host-tools:
	$(call need,host)
host-deps: host-tools          # its name before the groups existed
cross-tools:
	$(call need,cross)
qemu-tools:
	$(call need,qemu)
fuzz-tools:
	$(call need,fuzz)

# compile_commands.json for clangd and editors, from the commands make
# would run (scripts/compdb.py; nothing is built): the kernel, the user
# programs, mkfs and both host test binaries.
.PHONY: compdb
compdb:
	$(call need,python)
	@scripts/compdb.py all $(HOST_B)/vmtests $(SV39_B)/sv39tests
