// SPDX-License-Identifier: MIT
// Helpers of the swaptests groups in t_sys.c, t_fork.c and t_lock.c
// (user/swaptests/sys.h).
#include "user/swaptests/sys.h"

void ss_fill(char *b, unsigned long n, int s)
{
  for (unsigned long i = 0; i < n; i++)
    b[i] = ss_pb(i, s);
}

long ss_check(const char *b, unsigned long n, int s)
{
  for (unsigned long i = 0; i < n; i++)
    if (b[i] != ss_pb(i, s))
      return (long)i;
  return -1;
}

long ss_zcheck(const char *b, unsigned long n)
{
  for (unsigned long i = 0; i < n; i++)
    if (b[i] != 0)
      return (long)i;
  return -1;
}

char *ss_anon(unsigned long npages)
{
  char *p = mmap(0, npages * PGSIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANON, -1, 0);
  return p == MAP_FAILED ? 0 : p;
}

unsigned long ss_swap_used(void)
{
  struct vmstats vs;

  return vmstat(&vs) == 0 ? vs.swap_used : 0;
}

unsigned long ss_room(void)
{
  struct vmstats vs;

  return vmstat(&vs) == 0 ? vs.free + vs.swap_total - vs.swap_used : 0;
}

int ss_have_swap(void)
{
  struct vmstats vs;

  return vmstat(&vs) == 0 && vs.swap_total > 0;
}

static char vec[32768];

long ss_resident(const void *a, unsigned long n)
{
  long in = 0;

  if (n > sizeof(vec) || mincore(a, n * PGSIZE, vec) != 0)
    return -1;
  for (unsigned long i = 0; i < n; i++)
    in += vec[i] & 1;
  return in;
}

long ss_swap_out(const void *a, unsigned long n)
{
  long in = -1;

  for (int pass = 0; pass < 4 && in != 0; pass++)
    in = vmreclaim(1L << 40) < 0 ? -1 : ss_resident(a, n);
  return in;
}

int ss_start_child(void (*fn)(void *, int), void *arg)
{
  int p[2], pid;
  char c;

  if (pipe(p) != 0)
    return -1;
  if ((pid = fork()) == 0) {
    close(p[0]);
    fn(arg, p[1]);
    exit(0);
  }
  close(p[1]);
  if (pid > 0 && read(p[0], &c, 1) != 1) {
    kill(pid);
    wait(0);
    pid = -1;
  }
  close(p[0]);
  return pid;
}

static int helper_bad;   // a helper reaped by ss_wait_for had failed

int ss_wait_for(int pid, int *st)
{
  int w;

  while ((w = wait(st)) != pid && w >= 0)
    helper_bad |= *st != 0 && *st != -1;
  return w;
}

int ss_stop_helper(int pid)
{
  int st = 0;

  kill(pid);
  if (ss_wait_for(pid, &st) == pid)
    helper_bad |= st != 0 && st != -1;
  return helper_bad;
}
