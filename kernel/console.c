// SPDX-License-Identifier: MIT
// The console device (devsw[CONSOLE]): reads come a line at a time from the
// UART through a small line discipline, writes go straight to the UART.
//
// Line discipline (input side, in interrupt context): printable bytes are
// echoed and buffered; backspace/DEL erases one, ^U the whole line, ^D ends
// the input (a read returns what is buffered, or 0 at the start of a line),
// ^P prints the process list. A read sleeps until a whole line (or ^D) is
// in the buffer.
//
// Locking: cons.lock (a spin mutex) protects the buffer and its indexes;
// readers sleep on &cons.r.
#include "arch/riscv/sbi.h"
#include "console.h"
#include "file.h"
#include "lib/errno.h"
#include "lib/lock.h"
#include "proc.h"
#include "uaccess.h"

#define CTRL(x)    ((x) - '@')
#define BACKSPACE  0x100            // console_putc: erase the previous byte
#define INPUT_BUF  128

static struct {
  struct mtx lock;
  char buf[INPUT_BUF];
  uint32_t r;                       // next byte to read
  uint32_t w;                       // end of the lines readers may take
  uint32_t e;                       // end of the line being edited
} cons;

void console_putc(int c)
{
  if (c == BACKSPACE) {
    console_putc('\b');
    console_putc(' ');
    console_putc('\b');
    return;
  }
  if (uart_ready)
    uart_putc_sync(c);
  else
    sbi_console_putchar(c);
}

static int console_write(int user_src, uint64_t src, int n)
{
  char c;
  int i;
  for (i = 0; i < n; i++) {
    if (either_copyin(&c, user_src, src + i, 1) < 0)
      break;
    console_putc(c);
  }
  return i;
}

// Copy up to n bytes of input, stopping after a newline. Sleeps until a
// line is ready; returns what was copied, or -EINTR if killed first.
static int console_read(int user_dst, uint64_t dst, int n)
{
  int target = n;

  mtx_lock(&cons.lock);
  while (n > 0) {
    while (cons.r == cons.w) {
      if (killed(myproc())) {
        mtx_unlock(&cons.lock);
        return -EINTR;
      }
      sleep(&cons.r, &cons.lock);
    }
    char c = cons.buf[cons.r++ % INPUT_BUF];
    if (c == CTRL('D')) {
      if (n < target)
        cons.r--;                   // keep ^D for the next read: it returns 0
      break;
    }
    if (either_copyout(user_dst, dst++, &c, 1) < 0)
      break;
    n--;
    if (c == '\n')
      break;
  }
  mtx_unlock(&cons.lock);
  return target - n;
}

// A byte from the UART.
void console_intr(int c)
{
  mtx_lock(&cons.lock);
  switch (c) {
  case CTRL('P'):
    mtx_unlock(&cons.lock);
    procdump();
    return;
  case CTRL('U'):
    while (cons.e != cons.w && cons.buf[(cons.e - 1) % INPUT_BUF] != '\n') {
      cons.e--;
      console_putc(BACKSPACE);
    }
    break;
  case CTRL('H'):
  case '\x7f':
    if (cons.e != cons.w) {
      cons.e--;
      console_putc(BACKSPACE);
    }
    break;
  default:
    if (c == 0 || cons.e - cons.r >= INPUT_BUF)
      break;
    c = (c == '\r') ? '\n' : c;
    console_putc(c);
    cons.buf[cons.e++ % INPUT_BUF] = c;
    if (c == '\n' || c == CTRL('D') || cons.e - cons.r == INPUT_BUF) {
      cons.w = cons.e;
      wakeup(&cons.r);
    }
    break;
  }
  mtx_unlock(&cons.lock);
}

void console_init(void)
{
  mtx_init(&cons.lock, "cons");
  devsw[CONSOLE].read = console_read;
  devsw[CONSOLE].write = console_write;
}
