// SPDX-License-Identifier: MIT
// Kernel printf and panic.
//
// printf formats into the console one byte at a time (console_putc: the
// UART once it is set up, the SBI console before). A spin mutex keeps the
// output of concurrent printf calls from interleaving. panic prints its
// message without the lock (the lock holder may be the one panicking) and
// powers the machine off with a failure status, so headless runs end and
// `make check` sees the failure.
#include <stdarg.h>

#include "console.h"
#include "cpu.h"
#include "lib/kassert.h"
#include "lib/lock.h"
#include "machdep.h"
#include "printf.h"

volatile int panicking;
static struct mtx printf_lock;
static bool printf_locking;         // off until printf_init, and in panic

void printf_init(void)
{
  mtx_init(&printf_lock, "printf");
  printf_locking = true;
}

static int print_number(uint64_t x, int base, bool neg)
{
  static const char digits[] = "0123456789abcdef";
  char buf[24];
  int n = 0, out = 0;

  do {
    buf[n++] = digits[x % base];
    x /= base;
  } while (x != 0);
  if (neg)
    buf[n++] = '-';
  while (n > 0) {
    console_putc(buf[--n]);
    out++;
  }
  return out;
}

static int print_string(const char *s)
{
  int n = 0;
  if (s == NULL)
    s = "(null)";
  for (; *s; s++, n++)
    console_putc(*s);
  return n;
}

// One conversion at fmt (just past the '%'); advances *fmtp past it.
static int print_conversion(const char **fmtp, va_list *ap)
{
  const char *f = *fmtp;
  int lng = 0;
  while (*f == 'l' || *f == 'z') {  // long and size_t are both 64 bits
    lng++;
    f++;
  }
  *fmtp = f + 1;
  switch (*f) {
  case 'd': {
    int64_t v = lng ? va_arg(*ap, int64_t) : va_arg(*ap, int);
    return print_number(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0);
  }
  case 'u':
    return print_number(lng ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned), 10, false);
  case 'x':
    return print_number(lng ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned), 16, false);
  case 'p':
    console_putc('0');
    console_putc('x');
    return 2 + print_number((uint64_t)va_arg(*ap, void *), 16, false);
  case 's':
    return print_string(va_arg(*ap, const char *));
  case 'c':
    console_putc(va_arg(*ap, int));
    return 1;
  case '%':
    console_putc('%');
    return 1;
  case '\0':
    *fmtp = f;
    return 0;
  default:                          // unknown: show it as written
    console_putc('%');
    console_putc(*f);
    return 2;
  }
}

static int vprintf_unlocked(const char *fmt, va_list ap)
{
  int n = 0;
  va_list aq;
  va_copy(aq, ap);
  while (*fmt) {
    if (*fmt != '%') {
      console_putc(*fmt++);
      n++;
      continue;
    }
    fmt++;
    n += print_conversion(&fmt, &aq);
  }
  va_end(aq);
  return n;
}

int printf(const char *fmt, ...)
{
  va_list ap;
  int n;
  bool locking = printf_locking && !panicking;

  if (locking)
    mtx_lock(&printf_lock);
  va_start(ap, fmt);
  n = vprintf_unlocked(fmt, ap);
  va_end(ap);
  if (locking)
    mtx_unlock(&printf_lock);
  return n;
}

void panic(const char *fmt, ...)
{
  va_list ap;

  intr_off();
  if (panicking == cpuid() + 1)   // this hart faulted in its own panic
    md_halt(1);
  while (panicking)               // another hart is printing: let it end
    ;
  panicking = cpuid() + 1;
  print_string("panic: ");
  va_start(ap, fmt);
  vprintf_unlocked(fmt, ap);
  va_end(ap);
  print_string("\n");
  md_backtrace();
  md_halt(1);
}
