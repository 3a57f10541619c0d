# SPDX-License-Identifier: MIT
# The file-system images, built on the host by mkfs/mkfs.c.
#
#   fs.img               README.md, the same text again as README (the name
#                        xv6's usertests open), and every user program
#                        ($(UPROGS), from user/user.mk), named without the
#                        leading '_'
#   build/fs-check.img   the same plus /autorun (user/autorun), the job
#                        init runs for `make check`
#   build/fs-sysfuzz.img the same with an /autorun that runs `sysfuzz 1 60`
#                        and `vmstress 1 30`, the fuzzer boots of `make check`
#   build/fs-crash.img   the same with an /autorun that runs fscrash
#                        (scripts/crash-test.sh)
#   build/fs-swap.img    the same with an /autorun that runs the paging
#                        suite (swaptests) and vmstress, for the boot of
#                        `make check` with little RAM and a swap disk
#   build/fs-baddisk.img the same with `swaptests baddisk`, for the boot of
#                        `make check` whose swap disk fails every write

MKFS := $(B)/mkfs/mkfs
MKFS_CFLAGS := -Wall -Wextra -Werror -O2 -g -I. -DFS_GEOMETRY
FS_FILES := README.md $(B)/README $(UPROGS)

$(MKFS): mkfs/mkfs.c kernel/fs.h kernel/param.h kernel/stat.h kernel/types.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(MKFS_CFLAGS) -o $@ mkfs/mkfs.c

# fsck: check an image a boot has used (mkfs/fsck.c; qemu-suite.sh and
# crash-test.sh run it on every disk they boot).
FSCK := $(B)/mkfs/fsck
$(FSCK): mkfs/fsck.c kernel/fs.h kernel/param.h kernel/stat.h kernel/types.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(MKFS_CFLAGS) -o $@ mkfs/fsck.c

$(B)/README: README.md
	@mkdir -p $(@D)
	cp README.md $@

# The images must change when the list of files does, not only when a
# file does: a program dropped from UPROGS_EXTRA is no newer than the
# image, nor is one added back whose binary was built before. FS_LIST
# holds the list and is rewritten only when the list changes, so the
# images depend on it without being rebuilt every time.
FS_LIST := $(B)/fs-files.list
$(FS_LIST): FORCE
	@mkdir -p $(@D)
	@echo '$(FS_FILES)' | cmp -s - $@ || echo '$(FS_FILES)' > $@

.PHONY: FORCE
FORCE:

fs.img: $(MKFS) $(FS_FILES) $(FS_LIST)
	$(MKFS) $@ $(FS_FILES)

$(B)/fs-check.img: $(MKFS) $(FS_FILES) $(FS_LIST) user/autorun
	$(MKFS) $@ $(FS_FILES) user/autorun

$(B)/fs-sysfuzz.img: $(MKFS) $(FS_FILES) $(FS_LIST)
	@mkdir -p $(B)/sysfuzz-check
	@printf 'sysfuzz 1 60\nvmstress 1 30\n' > $(B)/sysfuzz-check/autorun
	$(MKFS) $@ $(FS_FILES) $(B)/sysfuzz-check/autorun

$(B)/fs-baddisk.img: $(MKFS) $(FS_FILES) $(FS_LIST)
	@mkdir -p $(B)/baddisk-check
	@printf 'swaptests baddisk\n' > $(B)/baddisk-check/autorun
	$(MKFS) $@ $(FS_FILES) $(B)/baddisk-check/autorun

$(B)/fs-crash.img: $(MKFS) $(FS_FILES) $(FS_LIST)
	@mkdir -p $(B)/crash-check
	@printf 'fscrash\n' > $(B)/crash-check/autorun
	$(MKFS) $@ $(FS_FILES) $(B)/crash-check/autorun

$(B)/fs-swap.img: $(MKFS) $(FS_FILES) $(FS_LIST)
	@mkdir -p $(B)/swap-check
	@printf 'swaptests\nvmstress 1 20\n' > $(B)/swap-check/autorun
	$(MKFS) $@ $(FS_FILES) $(B)/swap-check/autorun

.PHONY: mkfs
mkfs: $(MKFS)

ALL_TARGETS += fs.img $(FSCK)
