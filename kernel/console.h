// SPDX-License-Identifier: MIT
// The console: devsw[CONSOLE] over the UART, with xv6's line discipline
// (backspace, ^U kills the line, ^D ends input, ^P lists processes).
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

void console_init(void);
// A byte arrived from the UART (interrupt context).
void console_intr(int c);
// Write one byte for printf, synchronously.
void console_putc(int c);

// The UART (uart.c): ns16550a at platform.uart_base through the direct map.
void uart_init(void);
void uart_putc_sync(int c);
void uart_intr(void);
extern int uart_ready;

#endif
