// SPDX-License-Identifier: MIT
// grep pattern [file...]: print the lines that match pattern.
//
// Patterns are a small regular-expression language: a literal character,
// '.' (any character), 'x*' (zero or more of the preceding x), a leading
// '^' (anchor at line start) and a trailing '$' (anchor at line end). The
// matcher backtracks, trying the shortest run for each star first; that is
// exponential only for patterns with many stars, fine for a teaching shell.
#include "user/user.h"

#define GREP_LINE 1024

static int grep_here(const char *re, const char *s);

// Does c match the pattern atom a?
static int
grep_atom(char a, char c)
{
  return c != '\0' && (a == '.' || a == c);
}

// Match "a*" followed by rest at s: try 0, 1, 2 ... copies of a.
static int
grep_star(char a, const char *rest, const char *s)
{
  for (;;) {
    if (grep_here(rest, s))
      return 1;
    if (!grep_atom(a, *s))
      return 0;
    s++;
  }
}

// Does re match a prefix of s?
static int
grep_here(const char *re, const char *s)
{
  for (;;) {
    if (re[0] == '\0')
      return 1;
    if (re[1] == '*')
      return grep_star(re[0], re + 2, s);
    if (re[0] == '$' && re[1] == '\0')
      return *s == '\0';
    if (!grep_atom(re[0], *s))
      return 0;
    re++;
    s++;
  }
}

// Does re match anywhere in line?
static int
grep_match(const char *re, const char *line)
{
  if (re[0] == '^')
    return grep_here(re + 1, line);
  do {
    if (grep_here(re, line))
      return 1;
  } while (*line++ != '\0');
  return 0;
}

// Print the matching lines of fd. Lines longer than GREP_LINE - 1 bytes are
// judged in pieces. Returns the number of lines printed, or -1 on error.
static int
grep_fd(const char *re, int fd)
{
  static char buf[GREP_LINE];
  int len = 0, n, found = 0, i, start;

  while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
    len += n;
    start = 0;
    for (i = 0; i < len; i++) {
      if (buf[i] != '\n')
        continue;
      buf[i] = '\0';
      if (grep_match(re, buf + start) && ++found)
        printf("%s\n", buf + start);
      start = i + 1;
    }
    if (start == 0 && len == sizeof(buf) - 1) {
      buf[len] = '\0';   // no newline in a full buffer: judge this piece
      if (grep_match(re, buf) && ++found)
        printf("%s\n", buf);
      start = len;
    }
    memmove(buf, buf + start, len - start);
    len -= start;
  }
  if (len > 0) {
    buf[len] = '\0';
    if (grep_match(re, buf) && ++found)
      printf("%s\n", buf);
  }
  return n < 0 ? -1 : found;
}

int
main(int argc, char *argv[])
{
  int i, fd, r, found = 0, failed = 0;

  if (argc < 2) {
    fprintf(STDERR_FILENO, "usage: grep pattern [file...]\n");
    return 2;
  }
  if (argc == 2)
    return grep_fd(argv[1], STDIN_FILENO) > 0 ? 0 : 1;
  for (i = 2; i < argc; i++) {
    fd = open(argv[i], O_RDONLY);
    r = fd < 0 ? -1 : grep_fd(argv[1], fd);
    if (r < 0) {
      fprintf(STDERR_FILENO, "grep: %s: %s\n", argv[i], strerror(errno));
      failed = 1;
    } else {
      found += r;
    }
    if (fd >= 0)
      close(fd);
  }
  return failed ? 2 : found > 0 ? 0 : 1;
}
