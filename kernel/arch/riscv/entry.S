# SPDX-License-Identifier: MIT
# Where every hart enters the kernel.
#
# OpenSBI jumps to _entry (physical 0x80200000) on the first hart it boots,
# which may be any hart: a0 = its hart id, a1 = the device tree's physical
# address, MMU off. We turn on Sv39 with a static boot page table, jump to
# the kernel's link addresses in the upper half, clear the bss once, take
# boot stack 0 and call main(hartid, dtb_pa).
#
# Exactly one hart may do that. OpenSBI's fw_dynamic normally sends one
# hart here (the preferred boot hart of its dynamic info, or the winner of
# its own lottery) and keeps the rest stopped in HSM; but firmware that
# releases every hart, or a hart entering late, would clear the bss under
# a running kernel and share cpus[0] and boot stack 0. So the first thing
# is a lottery: an atomic swap on boot_lottery, which lives in .data (the
# bss is not cleared yet, and clearing it must not reset the lottery). The
# winner boots; a loser hands itself back to the firmware with SBI HSM
# hart_stop, so main can start it later like any other hart (start_harts
# retries while it is on its way out), or parks in wfi if there is no HSM.
#
# The other harts are started later by main through SBI HSM at
# _entry_secondary with a0 = hart id and a1 = the cpu index main gave it;
# they do the same minus the bss and call main_secondary(hartid, index).
#
# Boot page table: three kinds of 1 GiB leaves (Sv39 level-2 PTEs), enough
# until pmap_bootstrap builds the real kernel table:
#   index 2          VA 0x80000000       -> PA 0x80000000 (identity, so the
#                                           instruction after csrw satp runs)
#   index 256..259   DMAP_BASE + [0, 4G) -> PA [0, 4G) (devices, DTB, RAM)
#   index 510        KERNBASE            -> PA 0x80000000 (the kernel image)
# A PTE holds PPN = pa >> 12 at bit 10, so pte = (pa >> 2) | flags;
# flags 0xcf = V R W X A D (A and D preset: hardware need not set them).

#include "param.h"

#define BOOT_STACK_SIZE 16384
#define SV39_MODE       (8 << 60)
#define GIGA_RWX        0xcf
#define KERN_OFFSET     0xffffffff00000000      /* KERNBASE - RAM_BASE */
#define SBI_EXT_HSM     0x48534d                /* "HSM" */

.section .text.entry
.globl _entry
_entry:
  # MMU off: lla gives boot_lottery's physical address. No stack, no
  # memory written but the lottery, until we have won it.
  lla t0, boot_lottery
  li t1, 1
  amoswap.w.aqrl t1, t1, (t0)
  bnez t1, boot_lost
  call boot_mmu_on
  # Now running in the upper half. Clear the bss (our stack is in it, but
  # not in use yet).
  lla t0, __bss_start
  lla t1, __bss_end
1:
  bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:
  lla sp, boot_stack
  li t0, BOOT_STACK_SIZE
  add sp, sp, t0
  call main
3:
  wfi
  j 3b

.globl _entry_secondary
_entry_secondary:
  call boot_mmu_on
  # sp = boot_stack + (a1 + 1) * BOOT_STACK_SIZE
  addi t0, a1, 1
  li t1, BOOT_STACK_SIZE
  mul t0, t0, t1
  lla sp, boot_stack
  add sp, sp, t0
  call main_secondary
4:
  wfi
  j 4b

# Another hart is booting the kernel. SBI HSM hart_stop (EID "HSM", FID
# 1) returns this hart to the firmware, stopped; it returns only if HSM is
# missing or refuses.
boot_lost:
  li a7, SBI_EXT_HSM
  li a6, 1
  ecall
5:
  wfi
  j 5b

# Turn on the boot page table and return to the caller's upper-half twin.
# Called with the MMU off; clobbers t0, t1 only.
boot_mmu_on:
  lla t0, boot_pagetable
  srli t0, t0, 12
  li t1, SV39_MODE
  or t0, t0, t1
  sfence.vma zero, zero
  csrw satp, t0
  sfence.vma zero, zero
  li t1, KERN_OFFSET
  add ra, ra, t1
  ret

.section .data
# 0 until a hart claims the cold boot (see the top). Not in the bss.
.balign 4
boot_lottery:
  .word 0

.balign 4096
.globl boot_pagetable
boot_pagetable:
  .quad 0
  .quad 0
  .quad (0x80000000 >> 2) | GIGA_RWX
  .fill 253, 8, 0
  .quad (0x00000000 >> 2) | GIGA_RWX
  .quad (0x40000000 >> 2) | GIGA_RWX
  .quad (0x80000000 >> 2) | GIGA_RWX
  .quad (0xc0000000 >> 2) | GIGA_RWX
  .fill 250, 8, 0
  .quad (0x80000000 >> 2) | GIGA_RWX
  .quad 0

.section .bss
.balign 4096
.globl boot_stack
boot_stack:
  .space BOOT_STACK_SIZE * NCPU
