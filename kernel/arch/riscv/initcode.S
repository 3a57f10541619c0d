# SPDX-License-Identifier: MIT
# The first user program, embedded in the kernel image as data: userinit
# copies the bytes between initcode and initcode_end into the first
# process's page at 0x1000 (pc-relative code, so any address works), with
# sp at the top of that page. It runs exec("/init", {"/init", 0}) and, if
# that fails, keeps calling exit (which panics for init: nothing to run).
#include "syscall.h"

.section .rodata
.balign 8
.globl initcode
initcode:
  lla a0, init_path
  addi sp, sp, -16
  sd a0, 0(sp)
  sd zero, 8(sp)
  mv a1, sp
  li a7, SYS_exec
  ecall
1:
  li a0, -1
  li a7, SYS_exit
  ecall
  j 1b
init_path:
  .string "/init"
.balign 8
.globl initcode_end
initcode_end:
