# SPDX-License-Identifier: MIT
# user/user.mk -- the user library and programs; included by the top Makefile.
#
#   build/user/ulib.a        user/lib/*.c (minus start.c) + the generated
#                            system-call stubs build/user/usys.S
#   build/user/_NAME         one program per user/NAME.c, plus user/NAME/*.c
#                            when that directory exists (multi-file programs)
#   build/user/_NAME         one program per path in $(UPROGS_EXTRA), too
#
# Exports UPROGS, the program paths, for mkfs/mkfs.mk. Objects live under
# build/user/obj/ at their source path, with .d files for header changes.

U := $(B)/user
UO := $(U)/obj

UCFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding \
           -fno-common -nostdlib -fno-stack-protector -fno-pie \
           -fno-tree-loop-distribute-patterns -O2 -g -Wall -Werror -I. -MMD -MP
ULDFLAGS := -z max-page-size=4096 -T user/user.ld
ULIBGCC = $(shell $(CC) -print-libgcc-file-name)

ULIB_SRCS := $(filter-out user/lib/start.c,$(wildcard user/lib/*.c))
ULIB_OBJS := $(patsubst %.c,$(UO)/%.o,$(ULIB_SRCS)) $(UO)/usys.o
USTART    := $(UO)/user/lib/start.o

# Program names and their objects: user/NAME.c + user/NAME/*.c.
UNAMES := $(patsubst user/%.c,%,$(wildcard user/*.c))
uprog_objs = $(patsubst %.c,$(UO)/%.o,user/$(1).c $(wildcard user/$(1)/*.c))
# Extra programs: path/to/NAME.c -> build/user/_NAME.
UEXTRA := $(filter %.c,$(UPROGS_EXTRA))

UPROGS := $(addprefix $(U)/_,$(UNAMES)) \
          $(addprefix $(U)/_,$(basename $(notdir $(UEXTRA))))
ALL_TARGETS += $(UPROGS)

$(UO)/%.o: %.c | cross-tools
	@mkdir -p $(@D)
	$(CC) $(UCFLAGS) -c -o $@ $<

$(U)/usys.S: user/lib/usys.sh kernel/syscall.h
	@mkdir -p $(@D)
	sh user/lib/usys.sh kernel/syscall.h > $@.tmp && mv $@.tmp $@

$(UO)/usys.o: $(U)/usys.S | cross-tools
	@mkdir -p $(@D)
	$(CC) $(UCFLAGS) -c -o $@ $<

$(U)/ulib.a: $(ULIB_OBJS)
	rm -f $@
	$(TOOLPREFIX)ar rcs $@ $^

# uprog-link(program, objects)
define uprog-link
$(1): $(2) $(USTART) $(U)/ulib.a user/user.ld
	$$(LD) $$(ULDFLAGS) -o $$@ $(USTART) $(2) $(U)/ulib.a $$(ULIBGCC)
endef

$(foreach n,$(UNAMES),$(eval $(call uprog-link,$(U)/_$(n),$(call uprog_objs,$(n)))))
$(foreach f,$(UEXTRA),$(eval $(call uprog-link,$(U)/_$(basename $(notdir $(f))),$(patsubst %.c,$(UO)/%.o,$(f)))))

.PHONY: uprogs
uprogs: $(UPROGS)

-include $(patsubst %.o,%.d,$(ULIB_OBJS) $(USTART) \
    $(foreach n,$(UNAMES),$(call uprog_objs,$(n))) $(patsubst %.c,$(UO)/%.o,$(UEXTRA)))
