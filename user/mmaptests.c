// SPDX-License-Identifier: MIT
// mmaptests [-l | group...]: the in-kernel suite of the memory system calls.
//
// Every row of docs/semantics.md's table for mmap, munmap, mprotect, madvise,
// minherit, mlock, munlock, mlockall, munlockall, mincore and msync, and
// the Behaviour paragraphs on anonymous memory, fork inheritance,
// copy-on-write, wiring and madvise; the contract groups try each row's
// remaining combinations. Groups live in user/mmaptests/; each ends with
// the free-page leak check; -l lists them. "mmaptests -limits CUR MAX" is a helper the
// suite execs (mt_limits_probe). Prints "mmaptests: N passed, M
// failed" last and exits 1 if anything failed.
#include "user/mmaptests/mt.h"

struct mt_group {
  const char *name;
  void (*body)(void);
};

static const struct mt_group mt_groups[] = {
  { "mmap_args", mt_mmap_args },
  { "range_args", mt_range_args },
  { "wire", mt_wire },
  { "advice", mt_advice },
  { "fork", mt_fork },
  { "contract_args", mt_contract_args },
  { "contract_behav", mt_contract_behav },
};

#define MT_NGROUPS ((int)(sizeof(mt_groups) / sizeof(mt_groups[0])))

char *
mt_anon(int npages)
{
  return mmap(0, (size_t)npages * PGSIZE, PROT_READ | PROT_WRITE,
              MAP_PRIVATE | MAP_ANON, -1, 0);
}

int
mt_make_file(const char *path, int n)
{
  char buf[512];
  int fd, i, k;

  if ((fd = open(path, O_CREATE | O_TRUNC | O_RDWR)) < 0)
    return -1;
  for (i = 0; i < n; i += k) {
    k = n - i < (int)sizeof(buf) ? n - i : (int)sizeof(buf);
    for (int j = 0; j < k; j++)
      buf[j] = mt_byte(i + j);
    if (write(fd, buf, k) != k) {
      close(fd);
      return -1;
    }
  }
  close(fd);
  return 0;
}

int
mt_resident(const void *p, int npages)
{
  char vec[256];
  int n = 0;

  if (npages > (int)sizeof(vec) || mincore(p, (size_t)npages * PGSIZE, vec) < 0)
    return -1;
  for (int i = 0; i < npages; i++)
    n += vec[i] & MINCORE_INCORE;
  return n;
}

int
mt_faults(unsigned long *n)
{
  static struct vmstats vs;

  // The first call may take a copy-on-write fault on vs, which the
  // second one counts.
  if (vmstat(&vs) < 0 || vmstat(&vs) < 0)
    return -1;
  *n = vs.faults;
  return 0;
}

// Warm kernel caches once (slab zones, a fork, a file) so the groups' leak
// checks see only real leaks.
static void
mt_warmup(void)
{
  char *m = mt_anon(4);
  int pid;

  if (m != MAP_FAILED) {
    memset(m, 1, 4 * PGSIZE);
    munmap(m, 4 * PGSIZE);
  }
  if ((pid = fork()) == 0)
    exit(0);
  tl_reap();
  mt_make_file("mt-warm", 9000);
  unlink("mt-warm");
}

static const char *
mt_group_name(int i)
{
  return mt_groups[i].name;
}

int
main(int argc, char **argv)
{
  int i, k;

  if (argc > 1 && strcmp(argv[1], "-limits") == 0)
    return mt_limits_probe(argc, argv);
  if ((k = tl_args("mmaptests", argc, argv, mt_group_name, MT_NGROUPS)) >= 0)
    return k;
  tl_start("mmaptests");
  mt_warmup();
  for (k = 0; k < MT_NGROUPS; k++) {
    for (i = 1; i < argc && strcmp(argv[i], mt_groups[k].name) != 0; i++)
      ;
    if (argc < 2 || i < argc)
      tl_group(mt_groups[k].name, mt_groups[k].body);
  }
  return tl_finish();
}
