// SPDX-License-Identifier: MIT
// The machine's user address-space limit, part of the user ABI: user/user.h
// and the MI kernel (through kernel/machdep.h) include it; kernel/vm never
// does -- the VM learns the limit as the max address of each user vm_map,
// which exec and userinit create with vmspace_alloc(PAGE_SIZE, MAXUVA).
// Only a #define: user programs include this too.
#ifndef RISCV_VMPARAM_H
#define RISCV_VMPARAM_H

// The first user address that can never be mapped: the top of the Sv39
// lower half (39-bit addresses, sign-extended). Page 0 is never mapped
// either.
#define MAXUVA           0x4000000000UL

#endif
