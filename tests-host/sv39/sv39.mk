# SPDX-License-Identifier: MIT
# Host tests of the real Sv39 pmap (kernel/arch/riscv/pmap.c, pmap_page.c
# and pmap_asid.c), apart from the main vmtests binary because that one
# links the reference host pmap.
#
#   make test-sv39     build $(B)/sv39/sv39tests (Criterion, ASan + UBSan)
#                      and run it
#
# tests-host/sv39 comes first on the include path so its memlayout.h (an
# identity direct map over host memory) replaces the machine's; sv39_mmu.c
# replaces pmap_mmu.c. Everything else is the kernel's own code.

SV39_B    := $(B)/sv39
SV39_SRCS := kernel/arch/riscv/pmap.c kernel/arch/riscv/pmap_page.c \
             kernel/arch/riscv/pmap_asid.c \
             $(sort $(wildcard tests-host/sv39/*.c)) \
             $(sort $(wildcard kernel/vm/*.c)) kernel/lib/avl.c \
             tests-host/host_lock.c tests-host/host_kmem.c \
             tests-host/host_panic.c tests-host/host_vmcheck.c \
             tests-host/host_oom.c
SV39_OBJS := $(SV39_SRCS:%.c=$(SV39_B)/%.o)
SV39_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Itests-host/sv39 \
               -Ikernel -Itests-host -MMD -MP \
               -fsanitize=address,undefined -fno-sanitize-recover=all

$(SV39_B)/%.o: %.c | host-tools
	@mkdir -p $(dir $@)
	$(HOSTCC) $(SV39_CFLAGS) -c -o $@ $<

$(SV39_B)/sv39tests: $(SV39_OBJS)
	$(HOSTCC) -fsanitize=address,undefined -o $@ $^ -lcriterion

.PHONY: test-sv39
test-sv39: $(SV39_B)/sv39tests
	$(SV39_B)/sv39tests --jobs 2

-include $(SV39_OBJS:.o=.d)
