// SPDX-License-Identifier: MIT
// The fixture of the tests over whole address spaces (test_vmspace.c,
// test_vm_reach.c): up to NVS processes' vmspaces vs[i], made by space()
// or fork_into(), with user addresses written as page numbers VA(n).
//
//   static void setup(void) { vmtest_boot(NPAGES); }
//   TestSuite(vmspace, .init = setup, .fini = spacetest_teardown);
//
// drop(i) ends process i as exit would: its map is checked against its
// pmap first, then freed. The teardown drops every process still alive
// and runs the strict leak check, so a test that leaves a page, object or
// entry behind fails.
//
// A header of static functions, like maptest.h: each test file has its own
// processes, and the helpers may use Criterion.
#ifndef SPACETEST_H
#define SPACETEST_H

#include <criterion/criterion.h>

#include "vm/vm_map.h"
#include "vm/vmspace.h"
#include "vmtest.h"

#define BASE   0x100000UL
#define VA(n)  (BASE + ptoa(n))
#define NVS    8

static struct vmspace *vs[NVS];

static inline struct vm_map *M(int i)
{
  return &vs[i]->vm_map;
}

// A new, empty process i.
static inline void space(int i)
{
  vs[i] = vmspace_alloc(PAGE_SIZE, 0x4000000000UL);
  cr_assert_not_null(vs[i]);
}

// Process child as a fork of process parent; both maps checked.
static inline void fork_into(int child, int parent)
{
  vs[child] = vmspace_fork(vs[parent]);
  cr_assert_not_null(vs[child]);
  vmtest_check_map(M(parent));
  vmtest_check_map(M(child));
}

static inline void drop(int i)
{
  vmtest_check_map(&vs[i]->vm_map);
  vmspace_free(vs[i]);
  vs[i] = NULL;
}

static inline void spacetest_teardown(void)
{
  for (int i = 0; i < NVS; i++)
    if (vs[i] != NULL)
      drop(i);
  vmtest_teardown_strict();
}

#endif
