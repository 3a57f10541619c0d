// SPDX-License-Identifier: MIT
// Helpers of the swaptests file groups (tf.h): page patterns, files made
// and read a page at a time, children waited for by pid, and the hog: a
// process writing more than RAM round and round, so free pages stay at the
// pageout daemon's low mark while it runs.
#include "user/swaptests/tf.h"

unsigned long f_filepageout(void)
{
  struct vmstats vs;

  return vmstat(&vs) == 0 ? vs.filepageout : 0;
}

// Word k of page i of a file tagged t: every word of every file differs.
uint64_t f_word(uint64_t t, uint64_t i, uint64_t k)
{
  return (t << 40 | i << 12 | k) * 0x9e3779b97f4a7c15ull + t;
}

void f_fill(uint64_t *pg, uint64_t t, uint64_t i)
{
  for (int k = 0; k < FW; k++)
    pg[k] = f_word(t, i, (uint64_t)k);
}

int f_is(const uint64_t *pg, uint64_t t, uint64_t i)
{
  for (int k = 0; k < FW; k++)
    if (pg[k] != f_word(t, i, (uint64_t)k))
      return 0;
  return 1;
}

int f_zero(const void *p, unsigned long n)
{
  const char *c = p;

  for (unsigned long i = 0; i < n; i++)
    if (c[i] != 0)
      return 0;
  return 1;
}

uint64_t f_page[FW];

// Create path with n pages tagged t through write(); its fd (O_RDWR), or -1.
int f_make(const char *path, unsigned long n, uint64_t t)
{
  int fd;

  unlink(path);
  if ((fd = open(path, O_CREATE | O_RDWR)) < 0)
    return -1;
  for (unsigned long i = 0; i < n; i++) {
    f_fill(f_page, t, i);
    if (write(fd, f_page, PGSIZE) != PGSIZE) {
      close(fd);
      return -1;
    }
  }
  return fd;
}

// Page i of fd through read(), into f_page; bytes read.
int f_pread(int fd, unsigned long i)
{
  memset(f_page, 0x5a, PGSIZE);
  if (lseek(fd, (off_t)(i * PGSIZE), SEEK_SET) < 0)
    return -1;
  return read(fd, f_page, PGSIZE);
}

uint64_t *f_map(int fd, unsigned long n, int prot)
{
  void *p = mmap(0, n * PGSIZE, prot, MAP_SHARED, fd, 0);

  return p == MAP_FAILED ? 0 : p;
}

// ---------------------------------------------------------------------------
// The hog.

static void fh_hog(int ready)
{
  unsigned long n = tl_ram_pages() + 2048;
  uint64_t *a = mmap(0, n * PGSIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANON, -1, 0);

  TL_CHILD_CHECK(a != MAP_FAILED);
  for (unsigned long pass = 0;; pass++) {
    for (unsigned long i = 0; i < n; i++)
      a[i * FW] = i + pass;
    if (pass == 0)
      TL_CHILD_CHECK(write(ready, "h", 1) == 1);
  }
}

// Start the hog; its pid once it has filled memory, or -1.
int fh_hog_start(void)
{
  int p[2], pid;
  char c;

  if (pipe(p) != 0)
    return -1;
  if ((pid = fork()) == 0)
    fh_hog(p[1]);
  if (pid > 0 && read(p[0], &c, 1) != 1)
    pid = -1;
  close(p[0]);
  close(p[1]);
  return pid;
}

// Wait for child pid; its status or TL_NOCHILD. Other children that end
// meanwhile are remembered for their own f_wait (a few at a time).
#define F_STASH 8
static struct {
  int pid, st;
} f_stash[F_STASH];

int f_wait(int pid)
{
  int st, w;

  for (int i = 0; i < F_STASH; i++)
    if (f_stash[i].pid == pid) {
      f_stash[i].pid = 0;
      return f_stash[i].st;
    }
  while ((w = wait(&st)) >= 0 && w != pid)
    for (int i = 0; i < F_STASH; i++)
      if (f_stash[i].pid == 0) {
        f_stash[i].pid = w;
        f_stash[i].st = st;
        break;
      }
  return w == pid ? st : TL_NOCHILD;
}

// Stop it; 0 if it died as killed.
int fh_hog_stop(int pid)
{
  if (pid <= 0)
    return -1;
  kill(pid);
  return f_wait(pid) == -1 ? 0 : -1;
}

