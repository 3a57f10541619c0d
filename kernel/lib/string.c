// SPDX-License-Identifier: MIT
// The kernel's string and memory helpers (lib/string.h). The compiler may
// emit calls to memset/memcpy/memmove for struct copies and zeroing, so
// these are plain C and must not call themselves through the compiler:
// kernel.mk passes -fno-tree-loop-distribute-patterns, which keeps gcc from
// turning the loops below back into calls. Word-at-a-time paths for aligned memset/memcpy, since
// page zeroing and copying go through them.
#include "lib/string.h"
#include "lib/types.h"

void *memset(void *dst, int c, size_t n)
{
  unsigned char *d = dst;
  if ((((uintptr_t)d | n) & 7) == 0) {
    uint64_t w = (unsigned char)c;
    w |= w << 8;
    w |= w << 16;
    w |= w << 32;
    for (uint64_t *dw = dst; n > 0; n -= 8)
      *dw++ = w;
    return dst;
  }
  while (n-- > 0)
    *d++ = (unsigned char)c;
  return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
  if ((((uintptr_t)dst | (uintptr_t)src | n) & 7) == 0) {
    uint64_t *d = dst;
    const uint64_t *s = src;
    for (; n > 0; n -= 8)
      *d++ = *s++;
    return dst;
  }
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n-- > 0)
    *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (s < d && s + n > d) {         // overlap with src first: copy backwards
    d += n;
    s += n;
    while (n-- > 0)
      *--d = *--s;
    return dst;
  }
  while (n-- > 0)
    *d++ = *s++;
  return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
  const unsigned char *x = a, *y = b;
  for (; n > 0; n--, x++, y++)
    if (*x != *y)
      return *x - *y;
  return 0;
}

size_t strlen(const char *s)
{
  size_t n = 0;
  while (s[n])
    n++;
  return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
  for (; n > 0 && *a && *a == *b; n--, a++, b++)
    ;
  if (n == 0)
    return 0;
  return (unsigned char)*a - (unsigned char)*b;
}

char *strncpy(char *dst, const char *src, size_t n)
{
  char *d = dst;
  for (; n > 0 && *src; n--)
    *d++ = *src++;
  for (; n > 0; n--)
    *d++ = 0;
  return dst;
}

char *safestrcpy(char *dst, const char *src, size_t n)
{
  char *d = dst;
  if (n == 0)
    return dst;
  while (--n > 0 && *src)
    *d++ = *src++;
  *d = 0;
  return dst;
}
