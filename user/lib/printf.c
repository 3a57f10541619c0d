// SPDX-License-Identifier: MIT
// printf and friends.
//
// One formatter, fmt_run(), writes into a struct fmtsink: either a bounded
// string (snprintf) or a buffer flushed to a file descriptor (fprintf). The
// file buffer lives on the caller's stack and is flushed when full and once
// at the end, so a short line is a single write(): output of concurrent
// processes interleaves by lines, not by characters.
//
// Conversions: %d %i %u %x %X %p %s %c %%, with the length modifiers l, ll
// and z, an optional '-' (left-justify) or '0' (zero-pad) flag, and a
// decimal field width. Anything else is copied through as written.
#include "user/user.h"

#define FMT_FDBUF 256

struct fmtsink {
  char *buf;     // where bytes go
  size_t cap;    // bytes buf can hold (string: minus the final NUL)
  size_t len;    // bytes in buf now
  int fd;        // flush target, or -1 for a string sink
  int total;     // bytes produced so far (the return value)
};

static void
fmt_flush(struct fmtsink *s)
{
  if (s->fd >= 0 && s->len > 0)
    write(s->fd, s->buf, (int)s->len);
  s->len = 0;
}

// A string sink counts bytes past its capacity but drops them.
static void
fmt_putc(struct fmtsink *s, char c)
{
  s->total++;
  if (s->len == s->cap) {
    if (s->fd < 0)
      return;
    fmt_flush(s);
  }
  s->buf[s->len++] = c;
}

// Emit str (n bytes) padded to width: spaces on the left unless left is
// set, or zeros after any sign when zero is set.
static void
fmt_field(struct fmtsink *s, const char *str, int n, int width, int left,
          int zero)
{
  int pad = width > n ? width - n : 0;

  if (zero && !left) {
    if (n > 0 && *str == '-') {
      fmt_putc(s, *str++);
      n--;
    }
    for (; pad > 0; pad--)
      fmt_putc(s, '0');
  }
  for (; pad > 0 && !left; pad--)
    fmt_putc(s, ' ');
  while (n-- > 0)
    fmt_putc(s, *str++);
  for (; pad > 0; pad--)
    fmt_putc(s, ' ');
}

// Format v in base into the end of tmp[24]; return the first digit's index.
static int
fmt_number(char tmp[24], unsigned long long v, int base, int neg, int upper)
{
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  int i = 24;

  do {
    tmp[--i] = digits[v % base];
    v /= base;
  } while (v != 0);
  if (neg)
    tmp[--i] = '-';
  return i;
}

// Fetch one integer argument of the given size and signedness.
static unsigned long long
fmt_arg(va_list *ap, int lng, int is_signed, int *neg)
{
  long long v;

  *neg = 0;
  if (!is_signed)
    return lng ? va_arg(*ap, unsigned long long) : va_arg(*ap, unsigned int);
  v = lng ? va_arg(*ap, long long) : va_arg(*ap, int);
  if (v < 0) {
    *neg = 1;
    return -(unsigned long long)v;
  }
  return v;
}

// Handle one conversion character c with its flags; returns 0 if c is not
// a conversion we know (the caller then copies it through).
static int
fmt_conv(struct fmtsink *s, char c, va_list *ap, int lng, int width, int left,
         int zero)
{
  char tmp[24];
  const char *str;
  int i, neg;
  unsigned long long v;

  switch (c) {
  case 'd': case 'i': case 'u': case 'x': case 'X':
    v = fmt_arg(ap, lng, c == 'd' || c == 'i', &neg);
    i = fmt_number(tmp, v, c == 'x' || c == 'X' ? 16 : 10, neg, c == 'X');
    fmt_field(s, tmp + i, 24 - i, width, left, zero);
    return 1;
  case 'p':
    v = (unsigned long long)(uintptr_t)va_arg(*ap, void *);
    i = fmt_number(tmp, v, 16, 0, 0);
    tmp[--i] = 'x';
    tmp[--i] = '0';
    fmt_field(s, tmp + i, 24 - i, width, left, 0);
    return 1;
  case 's':
    str = va_arg(*ap, const char *);
    if (str == NULL)
      str = "(null)";
    fmt_field(s, str, (int)strlen(str), width, left, 0);
    return 1;
  case 'c':
    tmp[0] = (char)va_arg(*ap, int);
    fmt_field(s, tmp, 1, width, left, 0);
    return 1;
  case '%':
    fmt_putc(s, '%');
    return 1;
  }
  return 0;
}

// Walk fmt, copying literal text and expanding conversions.
static void
fmt_run(struct fmtsink *s, const char *fmt, va_list ap)
{
  const char *start;
  int left, zero, width, lng;
  va_list aq;

  va_copy(aq, ap);
  for (; *fmt != '\0'; fmt++) {
    if (*fmt != '%') {
      fmt_putc(s, *fmt);
      continue;
    }
    start = fmt++;
    left = zero = width = lng = 0;
    for (; *fmt == '-' || *fmt == '0'; fmt++)
      *fmt == '-' ? (left = 1) : (zero = 1);
    for (; *fmt >= '0' && *fmt <= '9'; fmt++)
      width = width * 10 + (*fmt - '0');
    for (; *fmt == 'l' || *fmt == 'z'; fmt++)
      lng = 1;
    if (*fmt == '\0' || !fmt_conv(s, *fmt, &aq, lng, width, left, zero)) {
      for (; start <= fmt && *start != '\0'; start++)
        fmt_putc(s, *start);
      if (*fmt == '\0')
        break;
    }
  }
  va_end(aq);
}

int
vfprintf(int fd, const char *fmt, va_list ap)
{
  char buf[FMT_FDBUF];
  struct fmtsink s = { buf, sizeof(buf), 0, fd, 0 };

  fmt_run(&s, fmt, ap);
  fmt_flush(&s);
  return s.total;
}

int
fprintf(int fd, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vfprintf(fd, fmt, ap);
  va_end(ap);
  return n;
}

int
printf(const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vfprintf(STDOUT_FILENO, fmt, ap);
  va_end(ap);
  return n;
}

// Like C's vsnprintf: writes at most size - 1 bytes plus a NUL, returns the
// length the whole result would have had.
int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
  struct fmtsink s = { buf, size > 0 ? size - 1 : 0, 0, -1, 0 };

  fmt_run(&s, fmt, ap);
  if (size > 0)
    buf[s.len] = '\0';
  return s.total;
}

int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}
