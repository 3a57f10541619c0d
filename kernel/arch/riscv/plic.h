// SPDX-License-Identifier: MIT
// The platform-level interrupt controller (riscv,plic0) that routes device
// interrupts to the harts' S-mode external interrupt.
#ifndef RISCV_PLIC_H
#define RISCV_PLIC_H

// Once: give every device source we use a non-zero priority.
void plic_init(void);
// Each hart: enable those sources for its S-mode context, threshold 0.
void plic_init_hart(void);
// The highest pending source for this hart (0 if none), now claimed.
int plic_claim(void);
// Tell the PLIC this hart finished with source irq.
void plic_complete(int irq);

#endif
