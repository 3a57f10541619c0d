// SPDX-License-Identifier: MIT
// Regression tests in the shape of FreeBSD's CVE-2021-29626: copy-on-write
// memory that is also shared. A process P has private memory whose pages
// already live in a backing object (an earlier COPY fork, sibling X, put a
// shadow in front); P gives it INHERIT_SHARE and forks C, so P and C share
// one shadow over those backing pages. C forks a grandchild G, which
// inherits SHARE, or COPY if C asked for it. When G writes, the page is
// copied up into the shared shadow, and every process must then see
// exactly what docs/semantics.md promises: those who share see the write at
// once (no stale mapping of the old backing page may survive), those with
// a copy never see it, and X, forked before any of this, sees none of it.
//
// Each scenario runs in variants: lazy (P never touched the pages before
// the forks), wired (P mlock'd the range first), with or without the
// sibling X, and with intermediate processes exiting (collapse chances).
#include <criterion/criterion.h>

#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vmspace.h"
#include "vmtest.h"

#define NPAGES 256
#define BASE   0x200000UL
#define VA(i)  (BASE + ptoa(i))
#define NP     4

enum { P, X, C, G, NPROC };

#define V_LAZY      0x01   // P never wrote before the forks
#define V_WIRED     0x02   // P wired the range before the forks
#define V_SIBLING   0x04   // X forked (COPY) before the SHARE fork
#define V_COPY      0x08   // G inherits COPY instead of SHARE
#define V_EXIT_C    0x10   // C exits right after forking G
#define V_EXIT_X    0x20   // X exits before G writes
#define V_ALL       0x40

static struct vmspace *vs[NPROC];
static uint8_t model[NPROC][NP];     // what each process must read
static int variant;

static void setup(void)
{
  vmtest_boot(NPAGES);
}

static void teardown(void)
{
  for (int i = 0; i < NPROC; i++)
    if (vs[i] != NULL) {
      vmtest_check_map(&vs[i]->vm_map);
      vmspace_free(vs[i]);
      vs[i] = NULL;
    }
  vmtest_teardown_strict();
}

TestSuite(cve, .init = setup, .fini = teardown);

static void put(int p, int page, uint8_t v)
{
  cr_assert_eq(vmtest_write(&vs[p]->vm_map, VA(page), &v, 1), KERN_SUCCESS,
               "variant %#x: write by %d", variant, p);
}

// Every live process reads every page and must see its model.
static void check_all(const char *when)
{
  uint8_t v;

  for (int p = 0; p < NPROC; p++) {
    if (vs[p] == NULL)
      continue;
    vmtest_check_map(&vs[p]->vm_map);
    for (int i = 0; i < NP; i++) {
      cr_assert_eq(vmtest_read(&vs[p]->vm_map, VA(i), &v, 1), KERN_SUCCESS);
      cr_assert_eq(v, model[p][i], "variant %#x, %s: process %d page %d "
                   "reads %u, expected %u", variant, when, p, i, v,
                   model[p][i]);
    }
  }
}

static void fork_proc(int child, int parent)
{
  vs[child] = vmspace_fork(vs[parent]);
  cr_assert_not_null(vs[child]);
  for (int i = 0; i < NP; i++)
    model[child][i] = model[parent][i];
}

static void exit_proc(int p)
{
  vmtest_check_map(&vs[p]->vm_map);
  vmspace_free(vs[p]);
  vs[p] = NULL;
}

// A write by p at page, seen by every live process in its sharing group.
static void write_group(int p, int page, uint8_t v, const bool *group)
{
  put(p, page, v);
  for (int q = 0; q < NPROC; q++)
    if (q == p || (group[p] && group[q]))
      model[q][page] = v;
}

// One function on purpose: it reads as the story told at the top.
static void scenario(int v)
{
  struct vm_map *map;
  bool group[NPROC] = {false};

  variant = v;
  vs[P] = vmspace_alloc(PAGE_SIZE, 0x4000000000UL);
  map = &vs[P]->vm_map;
  vm_map_lock(map);
  cr_assert_eq(vm_map_insert(map, NULL, 0, VA(0), VA(NP), VM_PROT_RW,
                             VM_PROT_ALL, MAP_COPY_ON_WRITE), KERN_SUCCESS);
  vm_map_unlock(map);
  if (!(v & V_LAZY))
    for (int i = 0; i < NP; i++) {
      put(P, i, (uint8_t)(1 + i));
      model[P][i] = (uint8_t)(1 + i);
    }
  if (v & V_WIRED)
    cr_assert_eq(vm_map_wire(map, VA(0), VA(NP), VM_MAP_WIRE_USER),
                 KERN_SUCCESS);
  if (v & V_SIBLING) {
    fork_proc(X, P);
    check_all("after X");
  }
  cr_assert_eq(vm_map_inherit(map, VA(0), VA(NP), VM_INHERIT_SHARE),
               KERN_SUCCESS);
  fork_proc(C, P);
  check_all("after C");          // P and C map the backing pages now
  if (v & V_COPY)
    cr_assert_eq(vm_map_inherit(&vs[C]->vm_map, VA(0), VA(NP),
                                VM_INHERIT_COPY), KERN_SUCCESS);
  fork_proc(G, C);
  check_all("after G");
  group[P] = group[C] = true;
  group[G] = !(v & V_COPY);
  if (v & V_EXIT_C)
    exit_proc(C);
  if (v & V_EXIT_X && vs[X] != NULL)
    exit_proc(X);
  write_group(G, 1, 0x51, group);
  write_group(G, 2, 0x52, group);
  check_all("after G writes");
  write_group(P, 2, 0x62, group);
  write_group(P, 3, 0x63, group);
  check_all("after P writes");
  if (vs[C] != NULL) {
    write_group(C, 0, 0x70, group);
    check_all("after C writes");
  }
  if (vs[X] != NULL) {
    write_group(X, 1, 0x81, group);
    check_all("after X writes");
  }
  exit_proc(P);
  check_all("after P exits");
}

// Each test covers the variants with its fixed bits set and the free bits
// in any combination; each combination boots a fresh VM.
static void run(int fixed, int free_bits)
{
  for (int v = 0; v < V_ALL; v++) {
    if ((v & fixed) != fixed || (v & ~(fixed | free_bits)) != 0)
      continue;
    scenario(v);
    teardown();
    setup();
    for (int p = 0; p < NPROC; p++)
      for (int i = 0; i < NP; i++)
        model[p][i] = 0;
  }
}

Test(cve, grandchild_shares_with_stale_backing_mappings)
{
  run(V_SIBLING, V_EXIT_C | V_EXIT_X);
}

Test(cve, grandchild_copies)
{
  run(V_SIBLING | V_COPY, V_EXIT_C | V_EXIT_X);
}

Test(cve, lazy_pages)
{
  run(V_LAZY, V_SIBLING | V_COPY | V_EXIT_C | V_EXIT_X);
}

Test(cve, wired_before_fork)
{
  run(V_WIRED, V_SIBLING | V_COPY | V_EXIT_C | V_EXIT_X);
}

Test(cve, without_sibling)
{
  run(0, V_COPY | V_EXIT_C);
}

Test(cve, lazy_and_wired)
{
  run(V_LAZY | V_WIRED, V_SIBLING | V_COPY | V_EXIT_C);
}
