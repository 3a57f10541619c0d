// SPDX-License-Identifier: MIT
// wc [file...]: count lines, words and bytes of each file (or standard
// input), then totals when there is more than one file.
#include "user/user.h"

struct wc_counts {
  unsigned long lines, words, bytes;
};

static char wc_buf[4096];

static int
wc_isspace(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

// Count fd into *c; returns 0 or -1 on a read error.
static int
wc_fd(int fd, struct wc_counts *c)
{
  int n, i, inword = 0;

  memset(c, 0, sizeof(*c));
  while ((n = read(fd, wc_buf, sizeof(wc_buf))) > 0) {
    c->bytes += n;
    for (i = 0; i < n; i++) {
      if (wc_buf[i] == '\n')
        c->lines++;
      if (wc_isspace(wc_buf[i])) {
        inword = 0;
      } else if (!inword) {
        inword = 1;
        c->words++;
      }
    }
  }
  return n < 0 ? -1 : 0;
}

static void
wc_print(struct wc_counts *c, const char *name)
{
  printf("%lu %lu %lu %s\n", c->lines, c->words, c->bytes, name);
}

int
main(int argc, char *argv[])
{
  struct wc_counts c, total = { 0, 0, 0 };
  int i, fd, status = 0;

  if (argc < 2) {
    if (wc_fd(STDIN_FILENO, &c) < 0)
      return 1;
    wc_print(&c, "");
    return 0;
  }
  for (i = 1; i < argc; i++) {
    fd = open(argv[i], O_RDONLY);
    if (fd < 0 || wc_fd(fd, &c) < 0) {
      fprintf(STDERR_FILENO, "wc: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    } else {
      wc_print(&c, argv[i]);
      total.lines += c.lines;
      total.words += c.words;
      total.bytes += c.bytes;
    }
    if (fd >= 0)
      close(fd);
  }
  if (argc > 2)
    wc_print(&total, "total");
  return status;
}
