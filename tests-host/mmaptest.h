// SPDX-License-Identifier: MIT
// The fixture of the vm_mmap suite, whose tests live in two files:
// test_vm_mmap.c (mmap, munmap, the range calls, write-back, mincore) and
// test_vm_mlock.c (mlock, mlockall and the limits of MCL_FUTURE). One
// Criterion suite has one .init and .fini, so the two files share one
// state: the host vmspace vm and its map, defined in test_vm_mmap.c with
// the setup and teardown that TestSuite(vm_mmap) names there. The
// teardown runs the map checker and the strict leak check, so every test
// also proves that a refused call left the map consistent and leaked
// nothing.
#ifndef MMAPTEST_H
#define MMAPTEST_H

#include <criterion/criterion.h>

#include "lib/errno.h"
#include "vm/mman.h"
#include "vm/pmap.h"
#include "vm/vm_map.h"
#include "vm/vm_mmap.h"
#include "vm/vmspace.h"
#include "vmtest.h"

#define NPAGES 256
#define RW     (PROT_READ | PROT_WRITE)
#define PA     (MAP_PRIVATE | MAP_ANON)
#define NOLIM  RLIM_INFINITY

// The address space under test and its map (test_vm_mmap.c); set up
// afresh for every test.
extern struct vmspace *vm;
extern struct vm_map *map;

// Anonymous mmap with the usual defaults; returns the errno result.
static inline int anon(vm_offset_t addr, vm_size_t len, int prot, int flags,
                vm_offset_t *out)
{
  return vm_mmap(vm, addr, len, prot, flags, NULL, 0, true, true, NOLIM, out);
}

static inline vm_offset_t must_anon(vm_size_t len)
{
  vm_offset_t va;

  cr_assert_eq(anon(0, len, RW, PA, &va), 0);
  return va;
}

// The entry at va (the test is the map's only user, so it may keep the
// pointer after unlocking).
static inline struct vm_map_entry *lookup(vm_offset_t va)
{
  struct vm_map_entry *e;
  bool found;

  vm_map_lock_read(map);
  found = vm_map_lookup_entry(map, va, &e);
  vm_map_unlock_read(map);
  cr_assert(found, "nothing mapped at %#lx", (unsigned long)va);
  return e;
}

// A snapshot of the map to compare after a refused call.
static inline uint32_t entries(void)
{
  return map->nentries;
}

#endif
