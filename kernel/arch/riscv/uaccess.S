# SPDX-License-Identifier: MIT
# The copy loops behind copyin/copyout/copyinstr (kernel/uaccess.c).
#
# Each routine stores the address of uaccess_fault in *onfault (the current
# process's p->onfault), sets sstatus.SUM so S-mode may touch user pages,
# copies, then clears both. A page fault inside the loop traps to
# kerneltrap, which resolves it through vm_fault and resumes the faulting
# load or store, or, if that fails, resumes at uaccess_fault instead: the
# loop's registers are intact (the kernel trap path restores them all), so
# uaccess_fault can clear the hook through a3 and return -EFAULT.

#define SSTATUS_SUM   (1 << 18)
#define EFAULT        14
#define ENAMETOOLONG  36

.section .text

# long uaccess_copy(void *dst, const void *src, size_t n, uintptr_t *onfault)
# Returns 0 or -EFAULT. Copies 8 bytes at a time when everything is
# 8-byte aligned, else byte by byte.
.globl uaccess_copy
uaccess_copy:
  lla t0, uaccess_fault
  sd t0, 0(a3)
  li t1, SSTATUS_SUM
  csrs sstatus, t1
  or t0, a0, a1
  or t0, t0, a2
  andi t0, t0, 7
  bnez t0, 2f
1:                                  # aligned: words
  beqz a2, 3f
  ld t2, 0(a1)
  sd t2, 0(a0)
  addi a0, a0, 8
  addi a1, a1, 8
  addi a2, a2, -8
  j 1b
2:                                  # unaligned: bytes
  beqz a2, 3f
  lbu t2, 0(a1)
  sb t2, 0(a0)
  addi a0, a0, 1
  addi a1, a1, 1
  addi a2, a2, -1
  j 2b
3:
  csrc sstatus, t1
  sd zero, 0(a3)
  li a0, 0
  ret

# long uaccess_copystr(char *dst, const char *src, size_t max,
#                      uintptr_t *onfault)
# Copies up to and including the NUL; returns the string's length, or
# -ENAMETOOLONG if max bytes held no NUL, or -EFAULT.
.globl uaccess_copystr
uaccess_copystr:
  lla t0, uaccess_fault
  sd t0, 0(a3)
  li t1, SSTATUS_SUM
  csrs sstatus, t1
  li t3, 0
1:
  beq t3, a2, 2f
  lbu t2, 0(a1)
  sb t2, 0(a0)
  beqz t2, 3f
  addi a0, a0, 1
  addi a1, a1, 1
  addi t3, t3, 1
  j 1b
2:
  csrc sstatus, t1
  sd zero, 0(a3)
  li a0, -ENAMETOOLONG
  ret
3:
  csrc sstatus, t1
  sd zero, 0(a3)
  mv a0, t3
  ret

.globl uaccess_fault
uaccess_fault:
  li t1, SSTATUS_SUM
  csrc sstatus, t1
  sd zero, 0(a3)
  li a0, -EFAULT
  ret
