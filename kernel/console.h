// SPDX-License-Identifier: MIT
// The console: devsw[CONSOLE] over the UART, with xv6's line discipline
// (backspace, ^U kills the line, ^D ends input, ^P lists processes).
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "lib/types.h"

void console_init(void);
// A byte arrived from the UART (interrupt context).
void console_intr(int c);
// Flow control: may the UART hand over another byte? When the buffer is
// full, false, and the UART's receive interrupt has been turned off until
// a read makes room (interrupt context).
bool console_room(void);
// Write one byte for printf, synchronously.
void console_putc(int c);

// The UART (uart.c): ns16550a at platform.uart_base through the direct map.
void uart_init(void);
void uart_putc_sync(int c);
void uart_intr(void);
// Receive interrupts on or off (console flow control).
void uart_rx_enable(bool on);
extern int uart_ready;

#endif
