// SPDX-License-Identifier: MIT
// The string and memory helpers kernel code may call. On the machine they
// come from kernel/lib/string.c; on the host from the C library, whose
// prototypes these match.
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy(char *dst, const char *src, size_t n);

// Kernel only (lib/string.c): like strncpy, but always NUL-terminates dst
// (when n > 0) and does not pad.
char *safestrcpy(char *dst, const char *src, size_t n);

#endif
