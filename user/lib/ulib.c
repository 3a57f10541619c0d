// SPDX-License-Identifier: MIT
// The string and memory functions of user.h, plus atoi, gets and stat.
//
// Plain byte loops: programs here are small, and clarity beats speed. The
// build compiles this file with -fno-tree-loop-distribute-patterns so the
// compiler cannot turn the memset loop back into a call to memset.
#include "user/user.h"

size_t
strlen(const char *s)
{
  size_t n = 0;

  while (s[n] != '\0')
    n++;
  return n;
}

char *
strcpy(char *dst, const char *src)
{
  char *d = dst;

  while ((*d++ = *src++) != '\0')
    ;
  return dst;
}

// Copy at most n bytes of src; pad with NULs to n, as C's strncpy does.
char *
strncpy(char *dst, const char *src, size_t n)
{
  size_t i = 0;

  for (; i < n && src[i] != '\0'; i++)
    dst[i] = src[i];
  for (; i < n; i++)
    dst[i] = '\0';
  return dst;
}

int
strcmp(const char *a, const char *b)
{
  while (*a != '\0' && *a == *b)
    a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{
  for (; n > 0; n--, a++, b++) {
    if (*a != *b || *a == '\0')
      return (unsigned char)*a - (unsigned char)*b;
  }
  return 0;
}

// Return the first c in s (the terminating NUL counts), or NULL.
char *
strchr(const char *s, int c)
{
  for (;; s++) {
    if (*s == (char)c)
      return (char *)s;
    if (*s == '\0')
      return NULL;
  }
}

void *
memset(void *dst, int c, size_t n)
{
  unsigned char *d = dst;

  while (n-- > 0)
    *d++ = (unsigned char)c;
  return dst;
}

// Overlap-safe: copy backwards when dst lies inside [src, src + n).
void *
memmove(void *dst, const void *src, size_t n)
{
  unsigned char *d = dst;
  const unsigned char *s = src;

  if (s < d && d < s + n) {
    while (n-- > 0)
      d[n] = s[n];
  } else {
    while (n-- > 0)
      *d++ = *s++;
  }
  return dst;
}

void *
memcpy(void *dst, const void *src, size_t n)
{
  return memmove(dst, src, n);
}

int
memcmp(const void *a, const void *b, size_t n)
{
  const unsigned char *p = a, *q = b;

  for (; n > 0; n--, p++, q++) {
    if (*p != *q)
      return *p - *q;
  }
  return 0;
}

// Decimal with an optional sign; stops at the first non-digit.
int
atoi(const char *s)
{
  int neg = 0, v = 0;

  while (*s == ' ' || *s == '\t')
    s++;
  if (*s == '-' || *s == '+')
    neg = *s++ == '-';
  while (*s >= '0' && *s <= '9')
    v = v * 10 + (*s++ - '0');
  return neg ? -v : v;
}

// Read one line from standard input into buf: at most max - 1 bytes, up to
// and including a newline. At end of input buf holds what was read (empty
// when nothing was). Always NUL-terminates; returns buf.
char *
gets(char *buf, int max)
{
  int i = 0;
  char c;

  while (i + 1 < max) {
    if (read(STDIN_FILENO, &c, 1) != 1)
      break;
    buf[i++] = c;
    if (c == '\n' || c == '\r')
      break;
  }
  if (max > 0)
    buf[i] = '\0';
  return buf;
}

// stat(2) by name: open, fstat, close. -1 with errno on failure.
int
stat(const char *path, struct stat *st)
{
  int fd, r;

  fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  r = fstat(fd, st);
  close(fd);
  return r;
}
