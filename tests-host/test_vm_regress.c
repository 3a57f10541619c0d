// SPDX-License-Identifier: MIT
// Regressions found by user/vmstress, each reduced to the few map calls
// that reproduce it.
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_page.h"
#include "vm/vmspace.h"
#include "vmtest.h"

#define BASE   0x200000UL
#define VA(i)  (BASE + ptoa(i))
#define NP     4

static void setup(void)
{
  vmtest_boot(256);
}

static void teardown(void)
{
  vmtest_teardown_strict();
}

TestSuite(vm_regress, .init = setup, .fini = teardown);

// Page page of vs, one byte (vmtest_put / vmtest_get).
static void put(struct vmspace *vs, int page, uint8_t v)
{
  vmtest_put(&vs->vm_map, VA(page), v);
}

static uint8_t get(struct vmspace *vs, int page)
{
  return vmtest_get(&vs->vm_map, VA(page));
}

// A shared anonymous mapping (mmap MAP_SHARED|MAP_ANON: object allocated
// at once, inheritance SHARE, no MAP_ENTRY_COW), whose pages are now
// private to this process, is wired and given INHERIT_COPY. fork must copy
// it eagerly like any wired private memory: a lazy copy leaves the wired
// pages in an object the child shadows, and the child's first write then
// copies a wired anonymous page from behind its front object (the
// vm_fault_cow KASSERT), while the parent's wired entry turns NEEDS_COPY.
Test(vm_regress, wired_shared_anon_copied_at_fork)
{
  struct vmspace *p, *c;
  struct vm_object *obj;
  struct vm_map *map;

  p = vmspace_alloc(PAGE_SIZE, 0x4000000000UL);
  map = &p->vm_map;
  obj = vm_object_allocate(OBJT_DEFAULT, NP);
  cr_assert_not_null(obj);
  vm_map_lock(map);
  cr_assert_eq(vm_map_insert(map, obj, 0, VA(0), VA(NP), VM_PROT_RW,
                             VM_PROT_ALL, MAP_INHERIT_SHARE), KERN_SUCCESS);
  vm_map_unlock(map);
  for (int i = 0; i < NP; i++)
    put(p, i, (uint8_t)(1 + i));
  cr_assert_eq(vm_map_wire(map, VA(0), VA(NP), VM_MAP_WIRE_USER),
               KERN_SUCCESS);
  cr_assert_eq(vm_map_inherit(map, VA(0), VA(NP), VM_INHERIT_COPY),
               KERN_SUCCESS);
  c = vmspace_fork(p);
  cr_assert_not_null(c);
  vmtest_check_map(&p->vm_map);
  vmtest_check_map(&c->vm_map);
  put(c, 1, 0x51);                  // panicked here before the fix
  put(p, 2, 0x62);                  // the parent's wired page, in place
  for (int i = 0; i < NP; i++) {
    cr_assert_eq(get(c, i), i == 1 ? 0x51 : 1 + i, "child page %d", i);
    cr_assert_eq(get(p, i), i == 2 ? 0x62 : 1 + i, "parent page %d", i);
  }
  vmtest_check_map(&p->vm_map);
  vmtest_check_map(&c->vm_map);
  vmspace_free(c);
  vmspace_free(p);
}

// --- A random model in the shape of user/vmstress ---------------------------
//
// Like test_fork_model.c, with what vmstress does and that one does not:
// shared anonymous regions (object made at map time, inheritance SHARE, no
// MAP_ENTRY_COW), madvise (WILLNEED, DONTNEED, FREE), and unmapping the top
// or bottom pages of a region. MADV_FREE may turn a page into zeros only
// when no other process's model shares it and the region is not wired.
// Knobs: VMTEST_SEED, RM_ROUNDS (default 4), RM_TRACE=1 (print each step),
// RM_PARANOID=1 (check every region after every step), RM_DUMP=step with
// RM_DUMPREG=r (print the object chains behind region r from that step of
// the second round).

#define RM_NPROC   5
#define RM_NREG    4
#define RM_PAGES   6
#define RM_SIZE    (RM_PAGES * PAGE_SIZE)
#define RM_VA(r)   (0x100000UL + (vm_offset_t)(r) * 2 * RM_SIZE)
#define RM_STEPS   6000
#define RM_LO(g, r) (RM_VA(r) + ptoa((g)->lo))

struct rm_buf {
  int refs;
  uint8_t bytes[RM_SIZE];
};

struct rm_region {
  struct rm_buf *buf;       // NULL: unmapped
  int lo;                   // first page still mapped
  int npages;
  vm_prot_t prot;
  vm_inherit_t inherit;
  bool wired;
};

struct rm_proc {
  struct vmspace *vm;
  struct rm_region reg[RM_NREG];
};

static struct rm_proc rm[RM_NPROC];
static unsigned long rm_step;
static uint64_t rm_seed;

#define RCHECK(cond, fmt, ...) \
  cr_assert(cond, "seed %#llx step %lu: " fmt, (unsigned long long)rm_seed, \
            rm_step, ##__VA_ARGS__)

static struct rm_buf *rm_buf_new(const struct rm_buf *from)
{
  struct rm_buf *b = calloc(1, sizeof(*b));

  RCHECK(b != NULL, "host out of memory");
  if (from != NULL)
    memcpy(b->bytes, from->bytes, RM_SIZE);
  b->refs = 1;
  return b;
}

static void rm_buf_drop(struct rm_buf *b)
{
  if (b != NULL && --b->refs == 0)
    free(b);
}

static void rm_map(struct rm_proc *p, int r)
{
  struct vm_map *map = &p->vm->vm_map;
  struct vm_object *obj = NULL;
  bool shared = vmtest_rand_below(2);
  int rv;

  if (shared)
    RCHECK((obj = vm_object_allocate(OBJT_DEFAULT, RM_PAGES)) != NULL, "obj");
  vm_map_lock(map);
  rv = vm_map_insert(map, obj, 0, RM_VA(r), RM_VA(r) + RM_SIZE, VM_PROT_RW,
                     VM_PROT_ALL, shared ? MAP_INHERIT_SHARE : MAP_COPY_ON_WRITE);
  vm_map_unlock(map);
  RCHECK(rv == KERN_SUCCESS, "map region %d: %d", r, rv);
  p->reg[r] = (struct rm_region){ rm_buf_new(NULL), 0, RM_PAGES, VM_PROT_RW,
                                  shared ? VM_INHERIT_SHARE : VM_INHERIT_COPY,
                                  false };
}

static void rm_exit(struct rm_proc *p)
{
  vmspace_free(p->vm);
  p->vm = NULL;
  for (int r = 0; r < RM_NREG; r++) {
    rm_buf_drop(p->reg[r].buf);
    p->reg[r].buf = NULL;
  }
}

static void rm_fork(struct rm_proc *parent)
{
  struct rm_proc *c = NULL;

  for (int i = 0; i < RM_NPROC && c == NULL; i++)
    if (rm[i].vm == NULL)
      c = &rm[i];
  if (c == NULL)
    return;
  c->vm = vmspace_fork(parent->vm);
  RCHECK(c->vm != NULL, "fork");
  for (int r = 0; r < RM_NREG; r++) {
    struct rm_region *pr = &parent->reg[r], *cr = &c->reg[r];
    *cr = (struct rm_region){ NULL, pr->lo, pr->npages, pr->prot, pr->inherit,
                              false };
    if (pr->buf == NULL || pr->inherit == VM_INHERIT_NONE)
      continue;
    if (pr->inherit == VM_INHERIT_SHARE) {
      cr->buf = pr->buf;
      pr->buf->refs++;
    } else {
      cr->buf = rm_buf_new(pr->inherit == VM_INHERIT_COPY ? pr->buf : NULL);
    }
  }
}

static void rm_write(struct rm_proc *p, int r)
{
  struct rm_region *g = &p->reg[r];
  uint8_t v = (uint8_t)(1 + vmtest_rand_below(255));
  size_t off;

  if (g->buf == NULL || !(g->prot & VM_PROT_WRITE))
    return;
  off = vmtest_rand_below((uint64_t)g->npages * PAGE_SIZE);
  RCHECK(vmtest_write(&p->vm->vm_map, RM_LO(g, r) + off, &v, 1) == KERN_SUCCESS,
         "write region %d", r);
  g->buf->bytes[ptoa(g->lo) + off] = v;
}

static void rm_check(struct rm_proc *p, int r)
{
  static uint8_t data[RM_SIZE];
  struct rm_region *g = &p->reg[r];
  size_t len;

  if (g->buf == NULL || !(g->prot & VM_PROT_READ))
    return;
  len = (size_t)g->npages * PAGE_SIZE;
  RCHECK(vmtest_read(&p->vm->vm_map, RM_LO(g, r), data, len) == KERN_SUCCESS,
         "read region %d", r);
  for (size_t i = 0; i < len; i++)
    RCHECK(data[i] == g->buf->bytes[ptoa(g->lo) + i], "process %d region %d "
           "byte %zu reads %u, model %u", (int)(p - rm), r, ptoa(g->lo) + i,
           data[i], g->buf->bytes[ptoa(g->lo) + i]);
}

static void rm_advise(struct rm_proc *p, int r)
{
  static const int advice[] = {VM_BEHAV_WILLNEED, VM_BEHAV_DONTNEED,
                               VM_BEHAV_FREE, VM_BEHAV_FREE};
  static uint8_t data[PAGE_SIZE];
  static const uint8_t zero[PAGE_SIZE];
  struct rm_region *g = &p->reg[r];
  int a = advice[vmtest_rand_below(nitems(advice))];

  if (g->buf == NULL)
    return;
  if (a == VM_BEHAV_FREE && !(g->prot & VM_PROT_READ))
    a = VM_BEHAV_DONTNEED;        // the model could not see what FREE did
  RCHECK(vm_map_madvise(&p->vm->vm_map, RM_LO(g, r),
                        RM_LO(g, r) + ptoa(g->npages), a) == KERN_SUCCESS,
         "madvise %d region %d", a, r);
  if (a != VM_BEHAV_FREE || !(g->prot & VM_PROT_READ))
    return;
  for (int i = g->lo; i < g->lo + g->npages; i++) {
    uint8_t *want = g->buf->bytes + ptoa(i);
    RCHECK(vmtest_read(&p->vm->vm_map, RM_VA(r) + ptoa(i), data, PAGE_SIZE) ==
           KERN_SUCCESS, "read");
    if (memcmp(data, want, PAGE_SIZE) == 0)
      continue;
    RCHECK(memcmp(data, zero, PAGE_SIZE) == 0 && !g->wired &&
           g->buf->refs == 1, "MADV_FREE: process %d region %d page %d lost "
           "(wired %d, sharers %d)", (int)(p - rm), r, i, g->wired,
           g->buf->refs);
    memset(want, 0, PAGE_SIZE);
  }
}

// Debugging aid: the chain behind every live process's region r.
static void rm_dump(int r)
{
  for (int i = 0; i < RM_NPROC; i++) {
    struct vm_map_entry *e;
    bool found;
    if (rm[i].vm == NULL)
      continue;
    vm_map_lock_read(&rm[i].vm->vm_map);
    found = vm_map_lookup_entry(&rm[i].vm->vm_map, RM_VA(r), &e);
    vm_map_unlock_read(&rm[i].vm->vm_map);
    if (!found)
      continue;
    fprintf(stderr, "  proc %d buf %p entry eflags %#x inh %d prot %d wired %d "
            "off %#lx\n", i, (void *)rm[i].reg[r].buf, e->eflags,
            e->inheritance, e->protection, e->wired_count,
            (unsigned long)e->offset);
    for (struct vm_object *o = e->object; o != NULL; o = o->backing_object) {
      fprintf(stderr, "    obj %u flags %#x ref %d shadows %d boff %#lx:", o->id,
              o->flags, o->ref_count, o->shadow_count,
              (unsigned long)o->backing_offset);
      mtx_lock(&o->lock);
      for (struct vm_page *m = vm_object_page_ge(o, 0); m != NULL;
           m = vm_object_page_next(o, m)) {
        uint8_t *b = pmap_page_kva(m);
        int nz = 0;
        for (size_t j = 0; j < PAGE_SIZE; j++)
          nz += b[j] != 0;
        fprintf(stderr, " [%lu w%d nz%d]", (unsigned long)m->pindex,
                m->wire_count, nz);
      }
      mtx_unlock(&o->lock);
      fprintf(stderr, "\n");
    }
  }
}

static void rm_step_one(void)
{
  int live[RM_NPROC], n = 0, r = (int)vmtest_rand_below(RM_NREG);
  uint64_t k = vmtest_rand_below(100);
  struct rm_proc *p;
  struct rm_region *g;

  for (int i = 0; i < RM_NPROC; i++)
    if (rm[i].vm != NULL)
      live[n++] = i;
  p = &rm[live[vmtest_rand_below((uint64_t)n)]];
  g = &p->reg[r];
  if (getenv("RM_DUMP") != NULL && (unsigned long)atol(getenv("RM_DUMP")) <= rm_step &&
      rm_seed == vmtest_seed() + 1)
    rm_dump(getenv("RM_DUMPREG") ? atoi(getenv("RM_DUMPREG")) : r);
  if (getenv("RM_TRACE") != NULL)
    fprintf(stderr, "step %lu: proc %d region %d op %d buf %p n %d prot %d "
            "inh %d wired %d\n", rm_step, (int)(p - rm), r, (int)k,
            (void *)g->buf, g->npages, g->prot, g->inherit, g->wired);
  if (k < 8) {
    rm_fork(p);
  } else if (k < 12) {
    if (n > 1)
      rm_exit(p);
  } else if (k < 40) {
    rm_write(p, r);
  } else if (k < 55) {
    rm_check(p, r);
  } else if (k < 60) {
    static const vm_prot_t prots[] = {VM_PROT_READ, VM_PROT_RW, VM_PROT_NONE};
    vm_prot_t prot = prots[vmtest_rand_below(g->wired ? 2 : 3)];
    if (g->buf != NULL) {
      RCHECK(vm_map_protect(&p->vm->vm_map, RM_LO(g, r),
                            RM_LO(g, r) + ptoa(g->npages), prot, false) ==
             KERN_SUCCESS, "mprotect");
      g->prot = prot;
    }
  } else if (k < 68) {
    if (g->buf != NULL && g->wired) {
      RCHECK(vm_map_unwire(&p->vm->vm_map, RM_LO(g, r), RM_LO(g, r) +
                           ptoa(g->npages), VM_MAP_WIRE_USER) == KERN_SUCCESS,
             "munlock");
      g->wired = false;
    } else if (g->buf != NULL && g->prot != VM_PROT_NONE) {
      RCHECK(vm_map_wire(&p->vm->vm_map, RM_LO(g, r),
                         RM_LO(g, r) + ptoa(g->npages),
                         VM_MAP_WIRE_USER) == KERN_SUCCESS, "mlock");
      g->wired = true;
    }
  } else if (k < 76) {
    static const vm_inherit_t inh[] = {VM_INHERIT_SHARE, VM_INHERIT_COPY,
                                       VM_INHERIT_COPY, VM_INHERIT_NONE,
                                       VM_INHERIT_ZERO};
    vm_inherit_t i = inh[vmtest_rand_below(nitems(inh))];
    if (g->buf != NULL) {
      RCHECK(vm_map_inherit(&p->vm->vm_map, RM_LO(g, r),
                            RM_LO(g, r) + ptoa(g->npages), i) == KERN_SUCCESS,
             "minherit");
      g->inherit = i;
    }
  } else if (k < 86) {
    rm_advise(p, r);
  } else if (k < 92) {
    if (g->buf != NULL) {               // unmap the top or bottom pages
      int keep = (int)vmtest_rand_below((uint64_t)g->npages);
      int k = g->npages - keep;
      if (vmtest_rand_below(2)) {
        RCHECK(vm_map_remove(&p->vm->vm_map, RM_LO(g, r) + ptoa(keep),
                             RM_LO(g, r) + ptoa(g->npages)) == KERN_SUCCESS,
               "munmap");
      } else {
        RCHECK(vm_map_remove(&p->vm->vm_map, RM_LO(g, r),
                             RM_LO(g, r) + ptoa(k)) == KERN_SUCCESS, "munmap");
        g->lo += k;
      }
      g->npages = keep;
      if (keep == 0) {
        rm_buf_drop(g->buf);
        g->buf = NULL;
        g->wired = false;
      }
    }
  } else if (g->buf == NULL) {
    rm_map(p, r);
  } else {
    rm_check(p, r);
  }
  for (int i = 0; i < RM_NPROC; i++)
    if (rm[i].vm != NULL) {
      vmtest_check_map(&rm[i].vm->vm_map);
      if (getenv("RM_PARANOID") != NULL)
        for (int q = 0; q < RM_NREG; q++)
          rm_check(&rm[i], q);
    }
}

Test(vm_regress, vmstress_model, .timeout = 600)
{
  size_t free0 = vm_page_free_count();
  int rounds = getenv("RM_ROUNDS") != NULL ? atoi(getenv("RM_ROUNDS")) : 4;

  for (int round = 0; round < rounds; round++) {
    rm_seed = vmtest_seed() + (uint64_t)round;
    vmtest_srand(rm_seed);
    rm[0].vm = vmspace_alloc(PAGE_SIZE, 0x4000000000UL);
    RCHECK(rm[0].vm != NULL, "vmspace_alloc");
    for (int r = 0; r < RM_NREG; r++)
      rm_map(&rm[0], r);
    for (rm_step = 0; rm_step < RM_STEPS; rm_step++)
      rm_step_one();
    for (int i = 0; i < RM_NPROC; i++)
      if (rm[i].vm != NULL) {
        for (int r = 0; r < RM_NREG; r++)
          rm_check(&rm[i], r);
        rm_exit(&rm[i]);
      }
    RCHECK(vm_page_free_count() == free0, "pages leaked: %zu",
           free0 - vm_page_free_count());
  }
}
