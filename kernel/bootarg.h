// SPDX-License-Identifier: MIT
// Boot arguments (bootarg.c).
#ifndef KERNEL_BOOTARG_H
#define KERNEL_BOOTARG_H

#include "lib/types.h"

// The value of the boot argument "name=value": a pointer to its first
// character, the value running to the next space or the end; for a bare
// "name", an empty value (a pointer to that space or the end). NULL when
// name is not there.
const char *bootarg(const char *name);

// The decimal number "name=N" gives, or absent when name is missing or its
// value does not start with a digit.
long bootarg_long(const char *name, long absent);

#endif
