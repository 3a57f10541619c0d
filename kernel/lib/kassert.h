// SPDX-License-Identifier: MIT
// Assertions, on in every build. KASSERT's message is a parenthesised printf
// argument list that starts with the function name:
//   KASSERT(m->wire_count > 0, ("vm_page_unwire: page %p not wired", m));
// panic() is a link-time seam: the kernel prints and halts, the host aborts.
#ifndef LIB_KASSERT_H
#define LIB_KASSERT_H

__attribute__((noreturn, format(printf, 1, 2)))
void panic(const char *fmt, ...);

#define KASSERT(cond, msg)            \
  do {                                \
    if (__builtin_expect(!(cond), 0)) \
      panic msg;                      \
  } while (0)

#define CTASSERT(x) _Static_assert(x, #x)

#endif
