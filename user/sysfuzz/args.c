// SPDX-License-Identifier: MIT
// sysfuzz: adversarial arguments (see user/sysfuzz/sf.h).
//
// Every generator mixes ordinary values with the ones a kernel gets wrong:
// pointers into each kind of mapping the victim keeps (resident, lazy,
// PROT_NONE, read-only, file pages past end-of-file, a hole between two
// pages), the stack guard, page 0, the kernel's addresses, the last bytes
// before an unmapped page; lengths at page and integer boundaries; offsets
// that overflow. One process uses these, so there is no locking.
//
// The fuzzer must survive its own calls, so two rules hold (sf_protected):
// a range given to munmap, mprotect, madvise, minherit, msync, mlock or
// MAP_FIXED never overlaps the program, its stack, the shared status
// mapping or the scratch pages; and a pointer the kernel may write through
// (read's buffer, fstat's struct, ...) never points into them either.
#include "user/sysfuzz/sf.h"

extern char end[];                            // user/user.ld

#define SF_NPROT   8
#define STACK_LOW  (MAXUVA - 4 * PGSIZE - (8ul << 20)) // bottom of the stack's reach (exec.c)

static uint64 rng;
static uint64 stack_lo = MAXUVA;
static struct { uint64 start, end; } prot_ranges[SF_NPROT];
static int nprot;

struct sf_arena sf_arenas[SF_NARENA];
char *sf_dots, *sf_scratch;

void sf_seed(uint64 seed)
{
  rng = seed * 0x9e3779b97f4a7c15ul + 0x632be59bd9b4e019ul;
  if (rng == 0)
    rng = 1;
}

// xorshift64: small, and a seed replays the same choices.
uint64 sf_rnd(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

int sf_pick(int n)
{
  return (int)(sf_rnd() % (uint64)n);
}

void sf_protect(uint64 start, uint64 len)
{
  if (nprot < SF_NPROT) {
    prot_ranges[nprot].start = start & ~(uint64)(PGSIZE - 1);
    prot_ranges[nprot].end = start + len;
    nprot++;
  }
}

// Does [start, start + len), rounded out to pages, meet a protected range?
// A range that wraps is allowed: the kernel must refuse it (EINVAL), and
// the oracle in calls.c says so if it does not.
int sf_protected(uint64 start, uint64 len)
{
  uint64 s = start & ~(uint64)(PGSIZE - 1), e = start + len;

  if (e < start)
    return 0;
  if (len == 0)
    e = s + PGSIZE;
  for (int i = 0; i < nprot; i++)
    if (s < prot_ranges[i].end && prot_ranges[i].start < e)
      return 1;
  return 0;
}

void sf_protect_stack(uint64 lo)
{
  stack_lo = lo;
  sf_protect(lo, MAXUVA - lo);
}

void sf_arena_add(uint64 addr, uint64 len)
{
  struct sf_arena *a = &sf_arenas[sf_pick(SF_NARENA)];

  for (int i = 0; i < SF_NARENA; i++)
    if (sf_arenas[i].len == 0) {
      a = &sf_arenas[i];
      break;
    }
  a->addr = addr;
  a->len = len;
}

static struct sf_arena *some_arena(void)
{
  for (int tries = 0; tries < 4; tries++) {
    struct sf_arena *a = &sf_arenas[sf_pick(SF_NARENA)];
    if (a->len != 0)
      return a;
  }
  return &sf_arenas[0];
}

// A pointer of one kind; may point anywhere.
static uint64 any_ptr(void)
{
  static const uint64 fixed[] = {
    0, 1, PGSIZE - 1, PGSIZE, 0xffffffc000000000ul, 0xffffffc080000000ul,
    0xffffffffffffffful, 0xfffffffffffff000ul, 0x80000000ul, 0x80200000ul,
    MAXUVA - 1, MAXUVA - 8, MAXUVA - PGSIZE, MAXUVA, 0x8000000000ul,
    0x10000, STACK_LOW, STACK_LOW - 8, 0x7ffffffffffffffful,
  };
  struct sf_arena *a;
  uint64 sp;

  switch (sf_pick(10)) {
  case 0: case 1:
    return fixed[sf_pick(sizeof(fixed) / sizeof(fixed[0]))];
  case 2: case 3: case 4:                   // inside a mapping
    a = some_arena();
    return a->addr + (a->len ? sf_rnd() % a->len : 0);
  case 5: case 6:                           // just before a mapping's end
    a = some_arena();
    return a->addr + a->len - 1 - sf_pick(16);
  case 7:                                   // below the stack: lazy growth
    __asm__ volatile("mv %0, sp" : "=r"(sp));
    return sp - 64 * PGSIZE - (sf_rnd() % (4ul << 20));
  case 8:                                   // the program's text and data
    return 0x10000 + sf_rnd() % ((uint64)end - 0x10000);
  default:
    return sf_rnd();
  }
}

// A kernel write of wsize bytes at p stops at the first page it cannot
// write. The protected mappings have PROT_NONE pages on both sides and the
// program's data starts after read-only text, so only a write that starts
// inside one can reach it; the stack has lazy pages below it, so a write
// from below must end short of it.
uint64 sf_ptr(uint64 wsize)
{
  uint64 p;

  for (int tries = 0; tries < 8; tries++) {
    p = any_ptr();
    if (wsize == 0)
      return p;
    if (!sf_protected(p, 1) &&
        !(p < stack_lo && (p + wsize < p || p + wsize > stack_lo)))
      return p;
  }
  return 0;
}

uint64 sf_len(void)
{
  static const uint64 fixed[] = {
    0, 1, 2, 7, 8, PGSIZE - 1, PGSIZE, PGSIZE + 1, 2 * PGSIZE, 3 * PGSIZE,
    64 * 1024, 1ul << 20, 0x7fffffff, 0x80000000ul, 0xffffffff,
    0x100000000ul, 1ul << 63, ~0ul, ~0ul - PGSIZE + 1, ~0ul - PGSIZE + 2,
    MAXUVA, MAXUVA + PGSIZE,
  };

  switch (sf_pick(4)) {
  case 0: case 1:
    return fixed[sf_pick(sizeof(fixed) / sizeof(fixed[0]))];
  case 2:
    return 1 + sf_rnd() % (4 * PGSIZE);
  default:
    return sf_rnd() >> sf_pick(64);
  }
}

// A length for a call at addr: often exactly to the end of a mapping, to
// MAXUVA, or one that wraps around to 0.
uint64 sf_len_for(uint64 addr)
{
  struct sf_arena *a;

  switch (sf_pick(6)) {
  case 0:
    a = some_arena();
    if (addr >= a->addr && addr < a->addr + a->len)
      return a->addr + a->len - addr + sf_pick(2) * PGSIZE;
    return sf_len();
  case 1:
    return sf_pick(2) ? MAXUVA - addr : -addr;
  default:
    return sf_len();
  }
}

// An address and length for a range call, never covering what the fuzzer
// runs on. Page-aligned mostly: the kernel checks more when the alignment
// is right.
uint64 sf_range(uint64 *len)
{
  for (int tries = 0; tries < 16; tries++) {
    uint64 addr = sf_ptr(0), l;
    if (sf_pick(4) != 0)
      addr &= ~(uint64)(PGSIZE - 1);
    l = sf_len_for(addr);
    if (sf_pick(3) != 0 && l < (1ul << 40))
      l = (l + PGSIZE - 1) & ~(uint64)(PGSIZE - 1);
    if (!sf_protected(addr, l)) {
      *len = l;
      return addr;
    }
  }
  *len = PGSIZE;
  return 0;                 // page 0: never mapped, never protected
}

long sf_off(void)
{
  static const long fixed[] = {
    0, 1, 100, PGSIZE - 1, PGSIZE, PGSIZE + 1, 2 * PGSIZE, 6000, 5 * PGSIZE,
    1l << 20, 1l << 22, 1l << 32, 1l << 40, -1, -PGSIZE,
    0x7fffffffffffffffl, 0x7ffffffffffff000l, (long)(1ul << 63),
  };

  if (sf_pick(3) == 0)
    return (long)sf_pick(24) * PGSIZE;
  return fixed[sf_pick(sizeof(fixed) / sizeof(fixed[0]))];
}

// An int argument: small values, boundaries, and garbage in the upper half
// of the register (the kernel reads every argument as 64 bits).
long sf_int(void)
{
  static const long fixed[] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 17, 255, 0x7fffffff, -1, -2,
    (long)0x80000000u, (long)0xffffffffu, (long)0x80000000ffffffffl,
    (long)(1ul << 63), 0x100000001l,
  };

  if (sf_pick(2) == 0)
    return sf_pick(8);
  if (sf_pick(4) == 0)
    return (long)sf_rnd();
  return fixed[sf_pick(sizeof(fixed) / sizeof(fixed[0]))];
}

int sf_prot(void)
{
  if (sf_pick(8) == 0)
    return (int)sf_int();
  return sf_pick(8);
}

int sf_mapflags(void)
{
  static const int bits[] = {MAP_SHARED, MAP_PRIVATE, MAP_ANON, MAP_FIXED,
                             MAP_EXCL, MAP_STACK};
  int f;

  if (sf_pick(10) == 0)
    return (int)sf_int();
  f = sf_pick(2) ? MAP_PRIVATE : MAP_SHARED;
  if (sf_pick(2))
    f |= MAP_ANON;
  for (int i = 0; i < 2; i++)
    if (sf_pick(4) == 0)
      f |= bits[sf_pick(6)];
  return f;
}

// A path: mostly a name of the pool (calls.c; the only files the fuzzer
// creates, in rodata, which the kernel only reads), else a bad pointer or
// a string of '.' with no NUL before the PROT_NONE page after sf_dots
// (EFAULT, or ENAMETOOLONG when it is longer than MAXPATH). Never random
// bytes: they could name a program of the image and truncate it.
uint64 sf_path(void)
{
  switch (sf_pick(8)) {
  case 0:
    return sf_ptr(0);
  case 1:                                   // unterminated: '.' up to PROT_NONE
    return (uint64)sf_dots + PGSIZE - 1 - sf_pick(200);
  default:
    return (uint64)sf_pool_name(sf_pick(sf_pool_size()));
  }
}
