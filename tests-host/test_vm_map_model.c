// SPDX-License-Identifier: MIT
// Randomised model test of the address map: long random sequences of
// insert, find, fixed, delete, protect, inherit, madvise and user reads and
// writes against a reference model that is just an array of pages, each
// with its attributes and the byte last written to it.
//
// After every step the map is expanded page by page and compared with the
// model, and vmtest_check_map runs (vm_map_check plus the pmap checks).
// While no page has been touched every entry is still object-less, so the
// map must hold exactly one entry per maximal run of identical pages: this
// checks that every operation merges what it can. Once pages are touched
// the data is checked instead: every read returns what the model says
// (after MADV_FREE: the last write or zeros).
//
// The seed comes from vmtest_seed() and is printed with any failure;
// rerun with VMTEST_SEED=n to replay.
#include <criterion/criterion.h>
#include <string.h>

#include "host_pmap.h"
#include "vm/pmap.h"
#include "vm/vm_map.h"
#include "vm/vm_page.h"
#include "vmtest.h"

#define NPAGES   512                     // physical pages
#define NP       192                     // pages of address space
#define MIN_VA   0x100000UL
#define P(n)     (MIN_VA + (vm_offset_t)(n) * PAGE_SIZE)
#define STEPS    6000                    // per phase; two phases

struct mpage {
  bool mapped;
  bool cow;
  vm_prot_t prot, max;
  vm_inherit_t inherit;
  uint8_t behav;
  uint8_t data;                          // last byte written at offset 0
  bool maybe_zero;                       // MADV_FREE: data or 0
};

static struct vm_map map;
static struct mpage model[NP];
static uint64_t seed;
static int step;
static bool touched;

static void setup(void)
{
  vmtest_boot(NPAGES);
  seed = vmtest_seed();
  vm_map_init(&map, pmap_create(), P(0), P(NP));
  memset(model, 0, sizeof(model));
  touched = false;
}

static void teardown(void)
{
  vmtest_check_map(&map);
  cr_assert_eq(vm_map_remove(&map, P(0), P(NP)), KERN_SUCCESS);
  pmap_destroy(map.pmap);
  vmtest_teardown_strict();
}

TestSuite(vm_map_model, .init = setup, .fini = teardown, .timeout = 120);

#define FAILMSG "seed %#llx step %d: "
#define FAILARGS (unsigned long long)seed, step

static int rnd(int n)
{
  return (int)vmtest_rand_below((uint64_t)n);
}

// A random range [*a, *b) of at least one page inside the map.
static void rnd_range(int *a, int *b, int maxlen)
{
  *a = rnd(NP);
  *b = *a + 1 + rnd(maxlen);
  if (*b > NP)
    *b = NP;
}

static bool model_any_mapped(int a, int b)
{
  for (int i = a; i < b; i++)
    if (model[i].mapped)
      return true;
  return false;
}

static bool model_all_mapped(int a, int b)
{
  for (int i = a; i < b; i++)
    if (!model[i].mapped)
      return false;
  return true;
}

static void model_map(int a, int b, vm_prot_t prot, vm_prot_t max, int cow)
{
  for (int i = a; i < b; i++)
    model[i] = (struct mpage){
      .mapped = true, .cow = (cow & MAP_COPY_ON_WRITE) != 0,
      .prot = prot, .max = max,
      .inherit = (cow & MAP_INHERIT_SHARE) ? VM_INHERIT_SHARE : VM_INHERIT_COPY,
      .behav = VM_BEHAV_NORMAL,
    };
}

// A random protection; write implies read, as vm_mmap makes it (RISC-V
// has no write-only pages).
static vm_prot_t rnd_prot(void)
{
  vm_prot_t prot = (vm_prot_t)rnd(8);

  return (prot & VM_PROT_WRITE) ? prot | VM_PROT_READ : prot;
}

static void rnd_attrs(vm_prot_t *prot, vm_prot_t *max, int *cow)
{
  *max = rnd(3) == 0 ? rnd_prot() : VM_PROT_ALL;
  *prot = rnd_prot() & *max;
  *cow = (rnd(2) ? MAP_COPY_ON_WRITE : 0) | (rnd(3) == 0 ? MAP_INHERIT_SHARE : 0);
}

// --- operations -----------------------------------------------------------

static void op_insert(void)
{
  vm_prot_t prot, max;
  int a, b, cow, rv;

  rnd_range(&a, &b, 8);
  rnd_attrs(&prot, &max, &cow);
  vm_map_lock(&map);
  rv = vm_map_insert(&map, NULL, 0, P(a), P(b), prot, max, cow);
  vm_map_unlock(&map);
  cr_assert_eq(rv, model_any_mapped(a, b) ? KERN_NO_SPACE : KERN_SUCCESS,
               FAILMSG "insert %d-%d: %d", FAILARGS, a, b, rv);
  if (rv == KERN_SUCCESS)
    model_map(a, b, prot, max, cow);
}

static void op_find(void)
{
  int hint = rnd(NP), len = 1 + rnd(12), want = -1, rv, cow;
  vm_offset_t addr = P(hint);
  vm_prot_t prot, max;

  for (int s = hint; s + len <= NP && want < 0; s++)
    if (!model_any_mapped(s, s + len))
      want = s;
  rnd_attrs(&prot, &max, &cow);
  rv = vm_map_find(&map, NULL, 0, &addr, (vm_size_t)len * PAGE_SIZE,
                   VMFS_ANY_SPACE, prot, max, cow);
  cr_assert_eq(rv, want >= 0 ? KERN_SUCCESS : KERN_NO_SPACE,
               FAILMSG "find %d+%d: %d", FAILARGS, hint, len, rv);
  if (rv != KERN_SUCCESS)
    return;
  cr_assert_eq(addr, P(want), FAILMSG "find %d+%d at %#lx, want page %d",
               FAILARGS, hint, len, (unsigned long)addr, want);
  model_map(want, want + len, prot, max, cow);
}

static void op_fixed(void)
{
  vm_prot_t prot, max;
  int a, b, cow, rv;
  bool excl = rnd(3) == 0;

  rnd_range(&a, &b, 10);
  rnd_attrs(&prot, &max, &cow);
  rv = vm_map_fixed(&map, NULL, 0, P(a), P(b) - P(a), prot, max,
                    cow | (excl ? MAP_CHECK_EXCL : 0));
  cr_assert_eq(rv, excl && model_any_mapped(a, b) ? KERN_NO_SPACE :
               KERN_SUCCESS, FAILMSG "fixed %d-%d: %d", FAILARGS, a, b, rv);
  if (rv == KERN_SUCCESS)
    model_map(a, b, prot, max, cow);
}

static void op_delete(void)
{
  int a, b;

  rnd_range(&a, &b, 12);
  cr_assert_eq(vm_map_remove(&map, P(a), P(b)), KERN_SUCCESS,
               FAILMSG "delete", FAILARGS);
  for (int i = a; i < b; i++)
    model[i].mapped = false;
}

static void op_protect(void)
{
  vm_prot_t prot = rnd_prot();
  bool set_max = rnd(4) == 0;
  int a, b, want = KERN_SUCCESS, rv;

  rnd_range(&a, &b, 8);
  if (!model_all_mapped(a, b))
    want = KERN_INVALID_ADDRESS;
  for (int i = a; i < b && want == KERN_SUCCESS; i++)
    if (prot & ~model[i].max)
      want = KERN_PROTECTION_FAILURE;
  rv = vm_map_protect(&map, P(a), P(b), prot, set_max);
  cr_assert_eq(rv, want, FAILMSG "protect %d-%d %#x: %d want %d", FAILARGS, a,
               b, prot, rv, want);
  for (int i = a; i < b && rv == KERN_SUCCESS; i++) {
    if (set_max) {
      model[i].max = prot;
      model[i].prot &= prot;
    } else {
      model[i].prot = prot;
    }
  }
}

static void op_inherit(void)
{
  vm_inherit_t inh = (vm_inherit_t)rnd(5);   // 4 is invalid
  int a, b, want, rv;

  rnd_range(&a, &b, 8);
  want = inh > VM_INHERIT_ZERO ? KERN_INVALID_ARGUMENT :
         !model_all_mapped(a, b) ? KERN_INVALID_ADDRESS : KERN_SUCCESS;
  rv = vm_map_inherit(&map, P(a), P(b), inh);
  cr_assert_eq(rv, want, FAILMSG "inherit: %d want %d", FAILARGS, rv, want);
  for (int i = a; i < b && rv == KERN_SUCCESS; i++)
    model[i].inherit = inh;
}

static void op_madvise(void)
{
  int advice = rnd(7);                         // 6 is invalid
  int a, b, want, rv;

  rnd_range(&a, &b, 8);
  want = advice > VM_BEHAV_FREE ? KERN_INVALID_ARGUMENT :
         !model_all_mapped(a, b) ? KERN_INVALID_ADDRESS : KERN_SUCCESS;
  rv = vm_map_madvise(&map, P(a), P(b), advice);
  cr_assert_eq(rv, want, FAILMSG "madvise %d: %d want %d", FAILARGS, advice, rv,
               want);
  for (int i = a; i < b && rv == KERN_SUCCESS; i++) {
    if (advice <= VM_BEHAV_SEQUENTIAL)
      model[i].behav = (uint8_t)advice;
    else if (advice == VM_BEHAV_FREE && model[i].cow)
      model[i].maybe_zero = true;
  }
}

// Write a fresh byte to a writable page, or read a readable one and
// compare with the model.
static void op_touch(void)
{
  int i = rnd(NP);
  uint8_t c;

  if (!model[i].mapped)
    return;
  touched = true;
  if (rnd(2) && (model[i].prot & VM_PROT_WRITE)) {
    c = (uint8_t)(1 + rnd(255));
    cr_assert_eq(vmtest_write(&map, P(i), &c, 1), KERN_SUCCESS,
                 FAILMSG "write page %d", FAILARGS, i);
    model[i].data = c;
    model[i].maybe_zero = false;
  } else if (model[i].prot & VM_PROT_READ) {
    cr_assert_eq(vmtest_read(&map, P(i), &c, 1), KERN_SUCCESS,
                 FAILMSG "read page %d", FAILARGS, i);
    cr_assert(c == model[i].data || (model[i].maybe_zero && c == 0),
              FAILMSG "page %d reads %d, model %d", FAILARGS, i, c,
              model[i].data);
    model[i].data = c;
    model[i].maybe_zero = false;
  }
}

// --- comparison -----------------------------------------------------------

static bool same_attrs(const struct mpage *x, const struct mpage *y)
{
  return x->cow == y->cow && x->prot == y->prot && x->max == y->max &&
         x->inherit == y->inherit && x->behav == y->behav;
}

static void compare(void)
{
  struct vm_map_entry *e;
  int runs = 0, covered = 0;

  vmtest_check_map(&map);
  vm_map_lock_read(&map);
  for (e = vm_map_entry_first(&map); e != NULL; e = vm_map_entry_next(e)) {
    struct mpage got = {
      .mapped = true, .cow = (e->eflags & MAP_ENTRY_COW) != 0,
      .prot = e->protection, .max = e->max_protection,
      .inherit = e->inheritance, .behav = e->behavior,
    };
    for (vm_offset_t va = e->start; va < e->end; va += PAGE_SIZE) {
      int i = (int)((va - MIN_VA) / PAGE_SIZE);
      cr_assert(model[i].mapped && same_attrs(&model[i], &got),
                FAILMSG "page %d differs from the model", FAILARGS, i);
      covered++;
    }
  }
  vm_map_unlock_read(&map);
  for (int i = 0; i < NP; i++) {
    covered -= model[i].mapped;
    if (model[i].mapped && (i == 0 || !model[i - 1].mapped ||
                            !same_attrs(&model[i - 1], &model[i])))
      runs++;
  }
  cr_assert_eq(covered, 0, FAILMSG "the map and the model cover different "
               "pages", FAILARGS);
  if (!touched)
    cr_assert_eq(map.nentries, (uint32_t)runs,
                 FAILMSG "%u entries for %d runs: a merge was missed",
                 FAILARGS, map.nentries, runs);
  else
    cr_assert_geq(map.nentries, (uint32_t)runs, FAILMSG "over-merged",
                  FAILARGS);
}

static void run(int steps, bool touches)
{
  static void (*const ops[])(void) = {
    op_insert, op_insert, op_find, op_fixed, op_delete, op_protect,
    op_protect, op_inherit, op_madvise,
  };

  for (int n = 0; n < steps; n++, step++) {
    if (touches && rnd(3) == 0)
      op_touch();
    else
      ops[rnd(nitems(ops))]();
    compare();
  }
}

Test(vm_map_model, random_operations_without_faults)
{
  run(2 * STEPS, false);
}

Test(vm_map_model, random_operations_with_reads_and_writes)
{
  run(STEPS, false);
  run(STEPS, true);
}
