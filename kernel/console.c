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
// Flow control: input is never dropped. When the buffer is full the UART
// driver leaves further bytes in the UART (console_room says no, and turns
// the receive interrupt off); a read that makes room turns it back on, and
// the UART interrupts again for the bytes it kept. Input piped into QEMU
// then waits in QEMU's UART FIFO and pipe, however long it is.
//
// User memory is never touched with cons.lock held (a copy may fault and
// sleep for the disk): bytes go through a buffer on the kernel stack,
// taken from or given to the ring under the lock and copied without it.
//
// Locking: cons.lock (a spin mutex) protects the buffer, its indexes and
// rx_held; readers sleep on &cons.r.
#include "console.h"
#include "file.h"
#include "lib/errno.h"
#include "lib/lock.h"
#include "machdep.h"
#include "proc.h"
#include "uaccess.h"
#include "vm/vm.h"

#define CTRL(x)    ((x) - '@')
#define BACKSPACE  0x100            // console_putc: erase the previous byte
#define INPUT_BUF  128
#define CONS_CHUNK 128              // bytes per user copy (kernel stack)

static struct {
  struct mtx lock;
  char buf[INPUT_BUF];
  uint32_t r;                       // next byte to read
  uint32_t w;                       // end of the lines readers may take
  uint32_t e;                       // end of the line being edited
  bool rx_held;                     // the UART keeps input: buffer was full
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
    md_console_putc(c);
}

// Write n bytes from src. A chunk never crosses a page boundary, so one
// that cannot be copied in fails as a whole and everything before the bad
// page has been written. Returns the bytes written, or -EFAULT if none.
static int console_write(int user_src, uint64_t src, int n)
{
  char buf[CONS_CHUNK];
  int done = 0;

  while (done < n) {
    uint64_t a = src + done;
    int m = MIN(n - done, (int)sizeof(buf));
    m = MIN(m, (int)(PAGE_SIZE - a % PAGE_SIZE));
    if (either_copyin(buf, user_src, a, m) < 0)
      return done > 0 ? done : -EFAULT;
    for (int i = 0; i < m; i++)
      console_putc(buf[i]);
    done += m;
  }
  return done;
}

// The reader made room: let the UART deliver what it kept. Requires
// cons.lock.
static void console_rx_resume_locked(void)
{
  if (cons.rx_held && cons.e - cons.r < INPUT_BUF) {
    cons.rx_held = false;
    uart_rx_enable(true);
  }
}

// Move up to max bytes of ready input into buf, up to and including a
// newline (then *end is set). A ^D also ends the read; it is consumed only
// when it would be the read's first byte (first and nothing taken), so
// that read returns 0 and a read with bytes before the ^D leaves it for
// the next one. Returns the bytes moved. Requires cons.lock.
static int console_take_locked(char *buf, int max, bool first, bool *end)
{
  int m = 0;

  while (m < max && cons.r != cons.w) {
    char c = cons.buf[cons.r % INPUT_BUF];
    if (c == CTRL('D')) {
      if (first && m == 0)
        cons.r++;
      *end = true;
      break;
    }
    cons.r++;
    buf[m++] = c;
    if (c == '\n') {
      *end = true;
      break;
    }
  }
  console_rx_resume_locked();
  return m;
}

// Copy up to n bytes of input, stopping after a newline. Sleeps until a
// line is ready. Returns what was copied; -EINTR if killed before any byte
// was, -EFAULT if dst is bad (the bytes taken for the failed copy are
// lost, as for a pipe).
static int console_read(int user_dst, uint64_t dst, int n)
{
  char buf[CONS_CHUNK];
  int done = 0;
  bool end = false;

  while (done < n && !end) {
    mtx_lock(&cons.lock);
    while (cons.r == cons.w) {
      if (killed(myproc())) {
        mtx_unlock(&cons.lock);
        return done > 0 ? done : -EINTR;
      }
      sleep(&cons.r, &cons.lock);
    }
    int m = console_take_locked(buf, MIN(n - done, (int)sizeof(buf)),
                                done == 0, &end);
    mtx_unlock(&cons.lock);
    if (either_copyout(user_dst, dst + done, buf, m) < 0)
      return done > 0 ? done : -EFAULT;
    done += m;
  }
  return done;
}

// May the UART hand over another byte? No when the buffer is full: then
// the UART's receive interrupt goes off until a read makes room (see the
// top). Interrupt context, before the UART's receive register is read.
bool console_room(void)
{
  mtx_lock(&cons.lock);
  bool room = cons.e - cons.r < INPUT_BUF;
  if (!room && !cons.rx_held) {
    cons.rx_held = true;
    uart_rx_enable(false);
  }
  mtx_unlock(&cons.lock);
  return room;
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
