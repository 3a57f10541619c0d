// SPDX-License-Identifier: MIT
// The ns16550a UART of QEMU virt, at platform.uart_base through the direct
// map. Output is synchronous (poll until the transmit holding register is
// empty: QEMU's UART drains at once); input is interrupt driven: the PLIC
// delivers platform.uart_irq and uart_intr hands each received byte to the
// console's line discipline. When the console's buffer is full, the bytes
// stay in the UART and the receive interrupt goes off (console_room) until
// a read makes room: QEMU then stops taking input, so none is lost.
//
// Registers (one byte each; 16550 datasheet): RBR/THR 0, IER 1, FCR 2,
// LCR 3, LSR 5. With LCR.DLAB set, 0 and 1 are the baud divisor.
//
// FCR is left as the firmware set it: changing the FIFO enable bit makes
// QEMU discard the bytes already received, and input piped into QEMU
// (`printf 'ls\n' | make qemu`) may be waiting by the time we get here.
#include "console.h"
#include "cpu.h"
#include "machdep.h"
#include "platform.h"

#define RHR 0                  // receive holding register
#define THR 0                  // transmit holding register
#define IER 1                  // interrupt enable
#define IER_RX_ENABLE  0x01
#define LCR 3                  // line control
#define LCR_EIGHT_BITS  0x03
#define LCR_BAUD_LATCH  0x80
#define LSR 5                  // line status
#define LSR_RX_READY    0x01
#define LSR_TX_IDLE     0x20

int uart_ready;

static volatile uint8_t *uart_reg(int r)
{
  return (volatile uint8_t *)PHYS_TO_DMAP(platform.uart_base) + r;
}

void uart_init(void)
{
  if (platform.uart_base == 0)
    return;                         // stay on the SBI console
  *uart_reg(IER) = 0x00;
  *uart_reg(LCR) = LCR_BAUD_LATCH;
  *uart_reg(0) = 0x03;              // 38.4K baud
  *uart_reg(1) = 0x00;
  *uart_reg(LCR) = LCR_EIGHT_BITS;
  *uart_reg(IER) = IER_RX_ENABLE;
  uart_ready = 1;
}

// Write one byte, waiting for room. Safe from any context.
void uart_putc_sync(int c)
{
  push_off();
  while ((*uart_reg(LSR) & LSR_TX_IDLE) == 0)
    ;
  *uart_reg(THR) = c;
  pop_off();
}

// Called with the console's lock held, so the receive interrupt's state
// always matches the console's rx_held.
void uart_rx_enable(bool on)
{
  *uart_reg(IER) = on ? IER_RX_ENABLE : 0;
}

// Drain the receive register into the console while it has room.
// Interrupt context.
void uart_intr(void)
{
  while ((*uart_reg(LSR) & LSR_RX_READY) && console_room())
    console_intr(*uart_reg(RHR));
}
