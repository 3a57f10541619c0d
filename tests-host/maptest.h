// SPDX-License-Identifier: MIT
// The fixture of the map tests (test_vm_map.c, test_vm_map_wire.c,
// test_vm_map_sync.c): one map over [MIN_VA, MAX_VA) with its own host
// pmap, addresses written as page numbers P(n), and the helpers that make
// entries and look at them.
//
//   static void setup(void) { maptest_setup(256); }
//   TestSuite(vm_map_wire, .init = setup, .fini = maptest_teardown);
//
// The teardown checks the map against the pmap (vmtest_check_map),
// removes everything and requires that nothing is left wired and that no
// page, object, entry or pmap leaked.
//
// Like objtest.h this is a header of static functions: each test file gets
// its own map, and the helpers may use Criterion, which vmtest.c (linked
// into the benchmarks) may not.
#ifndef MAPTEST_H
#define MAPTEST_H

#include <criterion/criterion.h>

#include "host_pmap.h"
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_map.h"
#include "vm/vm_page.h"
#include "vmtest.h"

#define MIN_VA  0x10000UL
#define MAX_VA  0x40000000UL
#define P(n)    (MIN_VA + (vm_offset_t)(n) * PAGE_SIZE)

static struct vm_map map;
static size_t free_at_boot;

// Boot over npages of memory and make the map.
static inline void maptest_setup(size_t npages)
{
  vmtest_boot(npages);
  vm_map_init(&map, pmap_create(), MIN_VA, MAX_VA);
  vm_cnt.v_user_wire_count = 0;
  free_at_boot = vm_page_free_count();
}

static inline void maptest_teardown(void)
{
  vmtest_check_map(&map);
  cr_assert_eq(vm_map_remove(&map, MIN_VA, MAX_VA), KERN_SUCCESS);
  vm_map_check(&map);
  cr_assert_eq(map.nentries, 0);
  cr_assert_eq(vm_cnt.v_user_wire_count, 0, "user wiring not accounted back");
  cr_assert_eq(pmap_wired_count(map.pmap), 0);
  cr_assert_eq(vm_page_free_count(), free_at_boot, "pages leaked");
  pmap_destroy(map.pmap);
  vmtest_teardown_strict();
}

// Map [P(first), P(first + npages)) of obj from offset off; the entry
// takes the caller's reference to obj. Returns vm_map_insert's result.
static inline int insert(struct vm_object *obj, vm_ooffset_t off, int first,
                         int npages, vm_prot_t prot, int cow)
{
  int rv;

  vm_map_lock(&map);
  rv = vm_map_insert(&map, obj, off, P(first), P(first + npages), prot,
                     VM_PROT_ALL, cow);
  vm_map_unlock(&map);
  return rv;
}

// Private anonymous memory, read/write.
static inline int anon(int first, int npages)
{
  return insert(NULL, 0, first, npages, VM_PROT_RW, MAP_COPY_ON_WRITE);
}

// npages anywhere (vm_map_find), private, never merged; *addr is the hint.
static inline int find(vm_offset_t *addr, int npages)
{
  return vm_map_find(&map, NULL, 0, addr, (vm_size_t)npages * PAGE_SIZE,
                     VMFS_ANY_SPACE, VM_PROT_RW, VM_PROT_ALL, MAP_NOMERGE);
}

// The entry containing va (a copy, so no lock is held afterwards), or a
// zeroed entry when nothing is mapped there.
static inline struct vm_map_entry entry_at(vm_offset_t va)
{
  struct vm_map_entry *e = vmtest_entry_at(&map, va);

  return e != NULL ? *e : (struct vm_map_entry){0};
}

// A store / load of one byte at va that must succeed (vmtest_put/get).
static inline void poke(vm_offset_t va, uint8_t c)
{
  vmtest_put(&map, va, c);
}

static inline uint8_t peek(vm_offset_t va)
{
  return vmtest_get(&map, va);
}

static inline bool mapped_in_pmap(vm_offset_t va, vm_prot_t *prot)
{
  return host_pmap_lookup(map.pmap, va, NULL, prot, NULL);
}

// An access that must succeed, as a program's load or store would.
static inline void touch(vm_offset_t va, vm_prot_t type)
{
  cr_assert_eq(vmtest_access(&map, va, type), KERN_SUCCESS,
               "access at %#lx failed", (unsigned long)va);
}

static inline void check(void)
{
  vmtest_check_map(&map);
}

#endif
