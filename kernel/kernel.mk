# SPDX-License-Identifier: MIT
# The kernel: every C and assembly file under kernel/ (top level, lib, vm,
# arch/riscv), compiled into build/kernel/... and linked by
# kernel/arch/riscv/kernel.ld into kernel/kernel.
#
#   make kernel      build kernel/kernel
#   make qemu        build the kernel and fs.img, boot to the shell
#   make qemu-gdb    the same, halted, waiting for gdb-multiarch on GDBPORT

KERNEL_CFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding \
  -fno-common -nostdlib -fno-stack-protector -fno-pie -no-pie -O2 -g \
  -fno-omit-frame-pointer \
  -fno-tree-loop-distribute-patterns \
  -Wall -Wextra -Werror -Ikernel -I. -MMD -MP \
  -DFS_GEOMETRY
KERNEL_LDFLAGS := -z max-page-size=4096 --no-warn-rwx-segments

KERNEL_C_SRCS := $(sort $(wildcard kernel/*.c kernel/lib/*.c kernel/vm/*.c \
                                   kernel/arch/riscv/*.c))
KERNEL_S_SRCS := $(sort $(wildcard kernel/arch/riscv/*.S))
KERNEL_OBJS   := $(KERNEL_S_SRCS:%.S=$(B)/%.o) $(KERNEL_C_SRCS:%.c=$(B)/%.o)
KERNEL_LDS    := kernel/arch/riscv/kernel.ld

$(B)/kernel/%.o: kernel/%.c | cross-tools
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

$(B)/kernel/%.o: kernel/%.S | cross-tools
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

kernel/kernel: $(KERNEL_OBJS) $(KERNEL_LDS)
	$(LD) $(KERNEL_LDFLAGS) -T $(KERNEL_LDS) -o $@ $(KERNEL_OBJS)
	$(OBJDUMP) -S $@ > $(B)/kernel/kernel.asm
	$(OBJDUMP) -t $@ | sed '1,/SYMBOL TABLE/d; s/ .* / /; /^$$/d' > $(B)/kernel/kernel.sym

.PHONY: kernel
kernel: kernel/kernel

ALL_TARGETS += kernel/kernel

# Swap: a second disk, swap.img, made afresh (sparse) by every boot: SWAP
# bytes (QEMU's size suffixes), by default 4 x MEM; SWAP=0 boots without.
# A MEM without a suffix is in MiB, as for QEMU's -m.
SWAP_SIZE = $(if $(SWAP),$(SWAP),$(shell echo '$(MEM)' | \
  sed 's/^\([0-9.]*\)\(.*\)$$/\1 \2/' | \
  awk '{ print $$1 * 4 ($$2 == "" ? "M" : $$2) }'))
SWAP_DRIVE = -drive file=swap.img,if=none,format=raw,id=x1 \
  -device virtio-blk-device,drive=x1,bus=virtio-mmio-bus.1
SWAP_OPTS = $(if $(filter-out 0,$(SWAP_SIZE)),$(SWAP_DRIVE))
swap-img = $(if $(filter-out 0,$(SWAP_SIZE)),rm -f swap.img && \
  truncate -s $(SWAP_SIZE) swap.img)

QEMU_OPTS = -machine virt -bios $(OPENSBI) -kernel kernel/kernel -m $(MEM) \
  -smp $(CPUS) -nographic -global virtio-mmio.force-legacy=false \
  -drive file=fs.img,if=none,format=raw,id=x0 \
  -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 $(SWAP_OPTS) \
  $(if $(strip $(QEMU_BOOTARGS)),-append "$(strip $(QEMU_BOOTARGS))")
QEMU_BOOTARGS = $(if $(filter-out 0,$(VMCHECK)),vmcheck=$(VMCHECK)) \
  $(if $(MAXCPUS),maxcpus=$(MAXCPUS))

# gdb's port, one per user as two students may share a machine: 25000 +
# uid % 5000. qemu-gdb writes it to .gdbinit.port for .gdbinit to read.
GDBPORT ?= $(shell expr $$(id -u) % 5000 + 25000)

.PHONY: qemu qemu-gdb
# When stdin is not a terminal (`printf 'ls\n' | make qemu`), hold the input
# back for a second: OpenSBI resets the UART FIFO as it boots, which would
# eat the first bytes.
qemu:
	$(call need,host kernel)
	@$(MAKE) --no-print-directory kernel/kernel fs.img
	@$(swap-img)
	@if [ -t 0 ]; then $(QEMU) $(QEMU_OPTS); \
	else { sleep 1; cat; } | $(QEMU) $(QEMU_OPTS); fi

qemu-gdb:
	$(call need,host kernel gdb)
	@$(MAKE) --no-print-directory kernel/kernel fs.img
	@echo "target remote :$(GDBPORT)" > .gdbinit.port
	@echo "*** Now run 'gdb-multiarch' in this directory (it reads .gdbinit);"
	@echo "*** QEMU waits on port $(GDBPORT) (.gdbinit.port)."
	@echo "*** If gdb refuses .gdbinit, add this line to ~/.gdbinit:"
	@echo "***   add-auto-load-safe-path $(CURDIR)/.gdbinit"
	@$(swap-img)
	$(QEMU) $(QEMU_OPTS) -S -gdb tcp::$(GDBPORT)

-include $(KERNEL_OBJS:.o=.d)
