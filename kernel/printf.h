// SPDX-License-Identifier: MIT
// Formatted output to the console (the UART, or the SBI console before the
// UART is set up). One lock serialises whole printf calls between harts.
#ifndef KERNEL_PRINTF_H
#define KERNEL_PRINTF_H

// Understands %d %u %ld %lu %x %lx %p %s %c %% (and the ll and z sizes).
// Returns the number of bytes written.
__attribute__((format(printf, 1, 2)))
int printf(const char *fmt, ...);

void printf_init(void);

// Set once a panic starts: other harts stop printing and spin.
extern volatile int panicking;

#endif
