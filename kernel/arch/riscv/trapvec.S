# SPDX-License-Identifier: MIT
# Trap entry and exit. stvec always points at trapvec, in kernel text, for
# traps from user mode and from the kernel alike: there is no trampoline,
# since every page table maps the kernel's upper half.
#
# sscratch tells the two apart: while a hart runs user code it holds the
# process's trap frame (struct trapframe in proc.h, at the top of its
# kernel stack); while it runs the kernel it holds 0. usertrapret sets it
# with interrupts off just before sret, and the user path clears it first.
#
# User trap: save all 31 registers and the pc in the trap frame, load the
# kernel's sp and tp from it, and jump to usertrap() (never returns; the
# way back is usertrapret -> trapret_user).
# Kernel trap: push the caller-saved registers on the current kernel stack,
# call kerneltrap(), pop and sret. tp is neither saved nor restored: it
# belongs to the hart, and the thread may come back on another hart.

#define TF(n)     ((n) - 1) * 8         /* offset of x<n> in the frame */
#define TF_EPC    31 * 8
#define TF_KSP    32 * 8
#define TF_KTP    33 * 8

.section .text
.balign 4
.globl trapvec
trapvec:
  csrrw t0, sscratch, t0
  beqz t0, kernel_trap
  # From user mode: t0 = trap frame, sscratch = user t0.
  sd x1, TF(1)(t0)
  sd x2, TF(2)(t0)
  sd x3, TF(3)(t0)
  sd x4, TF(4)(t0)
  sd x6, TF(6)(t0)
  sd x7, TF(7)(t0)
  sd x8, TF(8)(t0)
  sd x9, TF(9)(t0)
  sd x10, TF(10)(t0)
  sd x11, TF(11)(t0)
  sd x12, TF(12)(t0)
  sd x13, TF(13)(t0)
  sd x14, TF(14)(t0)
  sd x15, TF(15)(t0)
  sd x16, TF(16)(t0)
  sd x17, TF(17)(t0)
  sd x18, TF(18)(t0)
  sd x19, TF(19)(t0)
  sd x20, TF(20)(t0)
  sd x21, TF(21)(t0)
  sd x22, TF(22)(t0)
  sd x23, TF(23)(t0)
  sd x24, TF(24)(t0)
  sd x25, TF(25)(t0)
  sd x26, TF(26)(t0)
  sd x27, TF(27)(t0)
  sd x28, TF(28)(t0)
  sd x29, TF(29)(t0)
  sd x30, TF(30)(t0)
  sd x31, TF(31)(t0)
  csrr t1, sscratch
  sd t1, TF(5)(t0)
  csrw sscratch, zero
  csrr t1, sepc
  sd t1, TF_EPC(t0)
  ld sp, TF_KSP(t0)
  ld tp, TF_KTP(t0)
  mv a0, t0
  call usertrap
  # usertrap never returns.
1:
  j 1b

kernel_trap:
  # From the kernel: restore t0; sscratch is 0 again.
  csrrw t0, sscratch, t0
  addi sp, sp, -144
  sd ra, 0(sp)
  sd t0, 8(sp)
  sd t1, 16(sp)
  sd t2, 24(sp)
  sd a0, 32(sp)
  sd a1, 40(sp)
  sd a2, 48(sp)
  sd a3, 56(sp)
  sd a4, 64(sp)
  sd a5, 72(sp)
  sd a6, 80(sp)
  sd a7, 88(sp)
  sd t3, 96(sp)
  sd t4, 104(sp)
  sd t5, 112(sp)
  sd t6, 120(sp)
  sd gp, 128(sp)
  call kerneltrap
  ld ra, 0(sp)
  ld t0, 8(sp)
  ld t1, 16(sp)
  ld t2, 24(sp)
  ld a0, 32(sp)
  ld a1, 40(sp)
  ld a2, 48(sp)
  ld a3, 56(sp)
  ld a4, 64(sp)
  ld a5, 72(sp)
  ld a6, 80(sp)
  ld a7, 88(sp)
  ld t3, 96(sp)
  ld t4, 104(sp)
  ld t5, 112(sp)
  ld t6, 120(sp)
  ld gp, 128(sp)
  addi sp, sp, 144
  sret

# trapret_user(struct trapframe *tf): load every user register from tf and
# sret to tf->epc (already in sepc). The caller has set sscratch = tf,
# sstatus.SPP = 0 and interrupts off.
.globl trapret_user
trapret_user:
  mv t0, a0
  ld x1, TF(1)(t0)
  ld x2, TF(2)(t0)
  ld x3, TF(3)(t0)
  ld x4, TF(4)(t0)
  ld x6, TF(6)(t0)
  ld x7, TF(7)(t0)
  ld x8, TF(8)(t0)
  ld x9, TF(9)(t0)
  ld x10, TF(10)(t0)
  ld x11, TF(11)(t0)
  ld x12, TF(12)(t0)
  ld x13, TF(13)(t0)
  ld x14, TF(14)(t0)
  ld x15, TF(15)(t0)
  ld x16, TF(16)(t0)
  ld x17, TF(17)(t0)
  ld x18, TF(18)(t0)
  ld x19, TF(19)(t0)
  ld x20, TF(20)(t0)
  ld x21, TF(21)(t0)
  ld x22, TF(22)(t0)
  ld x23, TF(23)(t0)
  ld x24, TF(24)(t0)
  ld x25, TF(25)(t0)
  ld x26, TF(26)(t0)
  ld x27, TF(27)(t0)
  ld x28, TF(28)(t0)
  ld x29, TF(29)(t0)
  ld x30, TF(30)(t0)
  ld x31, TF(31)(t0)
  ld t0, TF(5)(t0)
  sret
