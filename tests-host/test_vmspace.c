// SPDX-License-Identifier: MIT
// Tests of vmspace.c and vm_sbrk: fork by inheritance (SHARE, COPY, NONE,
// ZERO, and grandchildren), copy-on-write isolation, wired ranges copied at
// fork, long fork chains that must stay short and leak nothing, sbrk, and
// fork under kernel-memory failure.
#include <criterion/criterion.h>
#include <string.h>

#include "host_kmem.h"
#include "host_pmap.h"
#include "lib/errno.h"
#include "spacetest.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vmspace.h"
#include "vmtest.h"

#define NPAGES 512

static void setup(void)
{
  vmtest_boot(NPAGES);
}

TestSuite(vmspace, .init = setup, .fini = spacetest_teardown);

static void map_anon(int i, int first, int npages, int cow)
{
  struct vm_map *map = M(i);
  int rv;

  vm_map_lock(map);
  rv = vm_map_insert(map, NULL, 0, VA(first), VA(first + npages), VM_PROT_RW,
                     VM_PROT_ALL, cow);
  vm_map_unlock(map);
  cr_assert_eq(rv, KERN_SUCCESS);
}

static void inherit(int i, int first, int npages, vm_inherit_t inh)
{
  cr_assert_eq(vm_map_inherit(M(i), VA(first), VA(first + npages), inh),
               KERN_SUCCESS);
}

// Space i's byte at va and its entry there (vmtest.h).
static void put(int i, vm_offset_t va, uint8_t v) { vmtest_put(M(i), va, v); }
static uint8_t get(int i, vm_offset_t va) { return vmtest_get(M(i), va); }

static struct vm_map_entry *entry_at(int i, vm_offset_t va)
{
  return vmtest_entry_at(M(i), va);
}

// --- inheritance --------------------------------------------------------------

Test(vmspace, alloc_and_free)
{
  space(0);
  vmspace_ref(vs[0]);
  vmspace_free(vs[0]);
  map_anon(0, 0, 2, MAP_COPY_ON_WRITE);
  put(0, VA(1), 1);
  cr_assert_eq(vmspace_resident_count(vs[0]), 1);
}

Test(vmspace, fork_copy_isolates_both_ways)
{
  space(0);
  map_anon(0, 0, 4, MAP_COPY_ON_WRITE);
  for (int i = 0; i < 4; i++)
    put(0, VA(i), (uint8_t)(10 + i));
  fork_into(1, 0);
  put(0, VA(0), 50);
  put(1, VA(1), 61);
  cr_assert_eq(get(0, VA(0)), 50);
  cr_assert_eq(get(1, VA(0)), 10);
  cr_assert_eq(get(0, VA(1)), 11);
  cr_assert_eq(get(1, VA(1)), 61);
  cr_assert_eq(get(0, VA(2)), 12);
  cr_assert_eq(get(1, VA(2)), 12);
}

Test(vmspace, fork_costs_no_page)
{
  size_t free0;

  space(0);
  map_anon(0, 0, 32, MAP_COPY_ON_WRITE);
  for (int i = 0; i < 32; i++)
    put(0, VA(i), 1);
  free0 = vm_page_free_count();
  fork_into(1, 0);
  cr_assert_eq(vm_page_free_count(), free0);
}

Test(vmspace, fork_write_protects_parent)
{
  vm_prot_t prot;

  space(0);
  map_anon(0, 0, 1, MAP_COPY_ON_WRITE);
  put(0, VA(0), 1);
  fork_into(1, 0);
  cr_assert(host_pmap_lookup(M(0)->pmap, VA(0), NULL, &prot, NULL));
  cr_assert_eq(prot & VM_PROT_WRITE, 0);
  cr_assert(entry_at(0, VA(0))->eflags & MAP_ENTRY_NEEDS_COPY);
  cr_assert(entry_at(1, VA(0))->eflags & MAP_ENTRY_NEEDS_COPY);
}

Test(vmspace, fork_untouched_entry_has_no_object)
{
  space(0);
  map_anon(0, 0, 4, MAP_COPY_ON_WRITE);
  fork_into(1, 0);
  cr_assert_null(entry_at(1, VA(0))->object);
  put(1, VA(0), 3);
  cr_assert_eq(get(0, VA(0)), 0);
}

Test(vmspace, fork_share_sees_writes_both_ways)
{
  space(0);
  map_anon(0, 0, 2, MAP_COPY_ON_WRITE);
  inherit(0, 0, 2, VM_INHERIT_SHARE);
  fork_into(1, 0);
  put(0, VA(0), 1);
  put(1, VA(1), 2);
  cr_assert_eq(get(1, VA(0)), 1);
  cr_assert_eq(get(0, VA(1)), 2);
  cr_assert_eq(entry_at(0, VA(0))->object, entry_at(1, VA(0))->object);
  cr_assert_eq(entry_at(1, VA(0))->inheritance, VM_INHERIT_SHARE);
}

Test(vmspace, fork_share_after_copy_gets_own_shadow)
{
  space(0);
  map_anon(0, 0, 1, MAP_COPY_ON_WRITE);
  put(0, VA(0), 1);
  fork_into(1, 0);                 // COPY: 0 is NEEDS_COPY now
  inherit(0, 0, 1, VM_INHERIT_SHARE);
  fork_into(2, 0);                 // SHARE: 0 and 2 share from now on
  put(2, VA(0), 7);
  cr_assert_eq(get(0, VA(0)), 7);
  cr_assert_eq(get(1, VA(0)), 1);
  put(0, VA(0), 8);
  cr_assert_eq(get(2, VA(0)), 8);
  cr_assert_eq(get(1, VA(0)), 1);
  put(1, VA(0), 9);
  cr_assert_eq(get(0, VA(0)), 8);
}

Test(vmspace, fork_none_leaves_hole)
{
  space(0);
  map_anon(0, 0, 2, MAP_COPY_ON_WRITE);
  map_anon(0, 4, 2, MAP_COPY_ON_WRITE);
  inherit(0, 4, 2, VM_INHERIT_NONE);
  put(0, VA(4), 1);
  fork_into(1, 0);
  cr_assert_null(entry_at(1, VA(4)));
  cr_assert_eq(vm_fault(M(1), VA(4), VM_PROT_READ, 0), KERN_INVALID_ADDRESS);
  cr_assert_eq(get(0, VA(4)), 1);
  cr_assert_not_null(entry_at(1, VA(0)));
}

Test(vmspace, fork_zero_gives_fresh_zeros_to_grandchildren)
{
  space(0);
  map_anon(0, 0, 2, MAP_COPY_ON_WRITE);
  put(0, VA(0), 5);
  inherit(0, 0, 2, VM_INHERIT_ZERO);
  fork_into(1, 0);
  cr_assert_eq(get(1, VA(0)), 0);
  cr_assert_eq(entry_at(1, VA(0))->inheritance, VM_INHERIT_ZERO);
  put(1, VA(0), 6);
  fork_into(2, 1);
  cr_assert_eq(get(2, VA(0)), 0);
  cr_assert_eq(entry_at(2, VA(0))->inheritance, VM_INHERIT_ZERO);
  cr_assert_eq(get(0, VA(0)), 5);
  cr_assert_eq(get(1, VA(0)), 6);
}

Test(vmspace, fork_grandchildren_copy)
{
  space(0);
  map_anon(0, 0, 1, MAP_COPY_ON_WRITE);
  put(0, VA(0), 1);
  fork_into(1, 0);
  put(1, VA(0), 2);
  fork_into(2, 1);
  put(2, VA(0), 3);
  cr_assert_eq(get(0, VA(0)), 1);
  cr_assert_eq(get(1, VA(0)), 2);
  cr_assert_eq(get(2, VA(0)), 3);
  drop(1);
  cr_assert_eq(get(0, VA(0)), 1);
  cr_assert_eq(get(2, VA(0)), 3);
}

Test(vmspace, fork_copy_of_shared_memory_is_a_snapshot)
{
  space(0);
  map_anon(0, 0, 2, MAP_COPY_ON_WRITE);
  put(0, VA(0), 1);
  inherit(0, 0, 2, VM_INHERIT_SHARE);
  fork_into(1, 0);                  // 0 and 1 share
  inherit(1, 0, 2, VM_INHERIT_COPY);
  fork_into(2, 1);                  // 2 copies what 0 and 1 share
  put(0, VA(0), 2);
  put(1, VA(1), 3);
  cr_assert_eq(get(1, VA(0)), 2, "0 and 1 still share");
  cr_assert_eq(get(0, VA(1)), 3);
  cr_assert_eq(get(2, VA(0)), 1, "the copy does not see later writes");
  cr_assert_eq(get(2, VA(1)), 0);
  put(2, VA(0), 4);
  cr_assert_eq(get(0, VA(0)), 2);
}

Test(vmspace, fork_copies_layout)
{
  space(0);
  vs[0]->vm_daddr = VA(0);
  vs[0]->vm_break = VA(3) + 5;
  vs[0]->vm_maxsaddr = VA(100);
  fork_into(1, 0);
  cr_assert_eq(vs[1]->vm_daddr, VA(0));
  cr_assert_eq(vs[1]->vm_break, VA(3) + 5);
  cr_assert_eq(vs[1]->vm_maxsaddr, VA(100));
}

// --- wiring -------------------------------------------------------------------

Test(vmspace, fork_copies_wired_private_range)
{
  size_t free0;
  bool wired;

  space(0);
  map_anon(0, 0, 4, MAP_COPY_ON_WRITE);
  put(0, VA(1), 1);
  cr_assert_eq(vm_map_wire(M(0), VA(0), VA(4), VM_MAP_WIRE_USER),
               KERN_SUCCESS);
  put(0, VA(2), 2);
  free0 = vm_page_free_count();
  fork_into(1, 0);
  cr_assert_eq(vm_page_free_count(), free0 - 4, "4 wired pages copied");
  cr_assert_eq(entry_at(1, VA(0))->wired_count, 0);
  cr_assert_eq(entry_at(1, VA(0))->eflags & MAP_ENTRY_USER_WIRED, 0);
  cr_assert_eq(entry_at(0, VA(0))->eflags & MAP_ENTRY_NEEDS_COPY, 0);
  cr_assert_eq(get(1, VA(1)), 1);
  cr_assert_eq(get(1, VA(2)), 2);
  put(1, VA(1), 9);
  put(0, VA(2), 8);
  cr_assert_eq(get(0, VA(1)), 1);
  cr_assert_eq(get(1, VA(2)), 2);
  cr_assert(host_pmap_lookup(M(0)->pmap, VA(2), NULL, NULL, &wired));
  cr_assert(wired);
  cr_assert_eq(vmspace_wired_count(vs[1]), 0);
  cr_assert_eq(vm_map_unwire(M(0), VA(0), VA(4), VM_MAP_WIRE_USER),
               KERN_SUCCESS);
}

Test(vmspace, child_map_not_wirefuture)
{
  space(0);
  M(0)->flags |= MAP_WIREFUTURE;
  fork_into(1, 0);
  cr_assert_eq(M(1)->flags & MAP_WIREFUTURE, 0);
  M(0)->flags &= ~MAP_WIREFUTURE;
}

// --- long chains --------------------------------------------------------------

Test(vmspace, hundred_generations_parent_survives)
{
  uint8_t model[4] = {0};
  struct vm_object *obj;
  size_t free0;

  free0 = vm_page_free_count();
  space(0);
  map_anon(0, 0, 4, MAP_COPY_ON_WRITE);
  for (int g = 0; g < 100; g++) {
    fork_into(1, 0);
    put(1, VA(g % 4), (uint8_t)(g + 100));
    for (int i = 0; i < 4; i++)
      cr_assert_eq(get(1, VA(i)), i == g % 4 ? g + 100 : model[i]);
    put(0, VA((g + 1) % 4), (uint8_t)g);
    model[(g + 1) % 4] = (uint8_t)g;
    drop(1);
    obj = entry_at(0, VA(0))->object;
    cr_assert_leq(vm_object_shadow_depth(obj), 3, "generation %d: depth %d", g,
                  vm_object_shadow_depth(obj));
  }
  for (int i = 0; i < 4; i++)
    cr_assert_eq(get(0, VA(i)), model[i]);
  drop(0);
  cr_assert_eq(vm_page_free_count(), free0);
}

Test(vmspace, hundred_generations_child_survives)
{
  size_t free0;
  struct vm_object *obj;
  int cur = 0;

  free0 = vm_page_free_count();
  space(0);
  map_anon(0, 0, 4, MAP_COPY_ON_WRITE);
  put(0, VA(0), 1);
  for (int g = 0; g < 100; g++) {
    int next = 1 - cur;
    fork_into(next, cur);
    put(next, VA(g % 4), (uint8_t)g);
    put(cur, VA(3), 0xff);   // the parent's last write, then it exits
    drop(cur);
    cur = next;
    obj = entry_at(cur, VA(0))->object;
    cr_assert_leq(vm_object_shadow_depth(obj), 3, "generation %d: depth %d", g,
                  vm_object_shadow_depth(obj));
    cr_assert_eq(get(cur, VA(g % 4)), (uint8_t)g);
  }
  drop(cur);
  cr_assert_eq(vm_page_free_count(), free0);
}

// --- sbrk -----------------------------------------------------------------------

static void heap(int i)
{
  space(i);
  vs[i]->vm_daddr = VA(0);
  vs[i]->vm_break = VA(0);
}

Test(vmspace, sbrk_grows_lazily_and_shrinks)
{
  vm_offset_t old;
  size_t free0;

  heap(0);
  free0 = vm_page_free_count();
  cr_assert_eq(vm_sbrk(vs[0], 3 * PAGE_SIZE + 10, ~0UL, RLIM_INFINITY, &old), 0);
  cr_assert_eq(old, VA(0));
  cr_assert_eq(vs[0]->vm_break, VA(3) + 10);
  cr_assert_eq(vm_page_free_count(), free0, "growth is lazy");
  cr_assert_eq(get(0, VA(3) + 4000), 0);
  put(0, VA(3), 1);
  put(0, VA(2), 1);
  cr_assert_eq(vm_sbrk(vs[0], 100, ~0UL, RLIM_INFINITY, &old), 0);
  cr_assert_eq(old, VA(3) + 10);
  cr_assert_eq(M(0)->nentries, 1, "one heap entry");
  cr_assert_eq(vm_sbrk(vs[0], -(long)(2 * PAGE_SIZE), ~0UL, RLIM_INFINITY, &old), 0);
  cr_assert_eq(vs[0]->vm_break, VA(1) + 110);
  cr_assert_null(entry_at(0, VA(2)));
  cr_assert_eq(vm_fault(M(0), VA(3), VM_PROT_READ, 0), KERN_INVALID_ADDRESS);
  cr_assert_eq(vm_page_free_count(), free0, "the pages at VA(2), VA(3) are freed");
  cr_assert_eq(vm_sbrk(vs[0], PAGE_SIZE, ~0UL, RLIM_INFINITY, &old), 0);
  cr_assert_eq(get(0, VA(2)), 0, "regrown memory is zero");
}

Test(vmspace, sbrk_zero_returns_break)
{
  vm_offset_t old;

  heap(0);
  cr_assert_eq(vm_sbrk(vs[0], 0, ~0UL, RLIM_INFINITY, &old), 0);
  cr_assert_eq(old, VA(0));
  cr_assert_eq(M(0)->nentries, 0);
}

Test(vmspace, sbrk_limits)
{
  vm_offset_t old;

  heap(0);
  cr_assert_eq(vm_sbrk(vs[0], 5 * PAGE_SIZE, 4 * PAGE_SIZE, RLIM_INFINITY, &old), -ENOMEM);
  cr_assert_eq(vm_sbrk(vs[0], 4 * PAGE_SIZE, 4 * PAGE_SIZE, RLIM_INFINITY, &old), 0);
  cr_assert_eq(vm_sbrk(vs[0], 1, 4 * PAGE_SIZE, RLIM_INFINITY, &old), -ENOMEM);
  cr_assert_eq(vm_sbrk(vs[0], -(long)(5 * PAGE_SIZE), ~0UL, RLIM_INFINITY, &old), -EINVAL);
  cr_assert_eq(vm_sbrk(vs[0], (long)(0x4000000000UL), ~0UL, RLIM_INFINITY, &old), -ENOMEM);
  cr_assert_eq(vs[0]->vm_break, VA(4));
}

Test(vmspace, sbrk_into_another_mapping)
{
  vm_offset_t old;

  heap(0);
  map_anon(0, 4, 1, MAP_COPY_ON_WRITE);
  cr_assert_eq(vm_sbrk(vs[0], 4 * PAGE_SIZE, ~0UL, RLIM_INFINITY, &old), 0);
  cr_assert_eq(vm_sbrk(vs[0], 1, ~0UL, RLIM_INFINITY, &old), -ENOMEM);
  cr_assert_eq(vs[0]->vm_break, VA(4));
}

Test(vmspace, sbrk_wires_under_wirefuture)
{
  vm_offset_t old;
  bool wired;

  heap(0);
  M(0)->flags |= MAP_WIREFUTURE;
  cr_assert_eq(vm_sbrk(vs[0], 2 * PAGE_SIZE, ~0UL, RLIM_INFINITY, &old), 0);
  cr_assert(host_pmap_lookup(M(0)->pmap, VA(1), NULL, NULL, &wired));
  cr_assert(wired);
  cr_assert_eq(vmspace_wired_count(vs[0]), 2);
  M(0)->flags &= ~MAP_WIREFUTURE;
}

// --- failure --------------------------------------------------------------------

Test(vmspace, fork_under_kmem_failure_leaks_nothing)
{
  struct vmspace *child;
  size_t kmem0, objs0, free0;
  int n;

  space(0);
  map_anon(0, 0, 2, MAP_COPY_ON_WRITE);
  map_anon(0, 4, 2, MAP_COPY_ON_WRITE);
  map_anon(0, 8, 2, MAP_COPY_ON_WRITE);
  inherit(0, 4, 2, VM_INHERIT_SHARE);
  inherit(0, 8, 2, VM_INHERIT_ZERO);
  put(0, VA(0), 1);
  put(0, VA(5), 2);
  for (n = 0; n < 100; n++) {
    kmem0 = host_kmem_live();
    objs0 = vm_object_count();
    free0 = vm_page_free_count();
    host_kmem_fail_after(n);
    child = vmspace_fork(vs[0]);
    host_kmem_fail_after(-1);
    vmtest_check_map(M(0));
    if (child != NULL)
      break;
    cr_assert_leq(host_kmem_live(), kmem0, "n=%d", n);
    cr_assert_leq(vm_object_count(), objs0 + 1, "n=%d", n);
    cr_assert_eq(vm_page_free_count(), free0);
    cr_assert_eq(get(0, VA(0)), 1);
    cr_assert_eq(get(0, VA(5)), 2);
  }
  cr_assert_not_null(child, "fork never succeeded");
  cr_assert_gt(n, 0);
  vs[1] = child;
  cr_assert_eq(get(1, VA(0)), 1);
  cr_assert_eq(get(1, VA(5)), 2);
  put(1, VA(5), 3);
  cr_assert_eq(get(0, VA(5)), 3);
}

// --- stacks -----------------------------------------------------------------------

Test(vmspace, fork_keeps_stack_growth_room)
{
  space(0);
  cr_assert_eq(vm_map_stack(M(0), VA(0), 16 * PAGE_SIZE, PAGE_SIZE,
                            VM_PROT_RW, VM_PROT_ALL, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  put(0, VA(15), 1);
  fork_into(1, 0);
  cr_assert_eq(vm_map_growstack(M(1), VA(10), 0), KERN_SUCCESS);
  put(1, VA(10), 2);
  cr_assert_eq(get(1, VA(15)), 1);
  cr_assert_eq(vm_fault(M(0), VA(10), VM_PROT_READ, 0), KERN_INVALID_ADDRESS);
  vmtest_check_map(M(1));
}

// --- errno translation (vm_mmap.c) ----------------------------------------------

Test(vmspace, kern_to_errno_table)
{
  cr_assert_eq(vm_kern_to_errno(KERN_SUCCESS), 0);
  cr_assert_eq(vm_kern_to_errno(KERN_INVALID_ADDRESS), ENOMEM);
  cr_assert_eq(vm_kern_to_errno(KERN_NO_SPACE), ENOMEM);
  cr_assert_eq(vm_kern_to_errno(KERN_PROTECTION_FAILURE), EACCES);
  cr_assert_eq(vm_kern_to_errno(KERN_INVALID_ARGUMENT), EINVAL);
  cr_assert_eq(vm_kern_to_errno(KERN_FAILURE), EINVAL);
  cr_assert_eq(vm_kern_to_errno(KERN_RESOURCE_SHORTAGE), ENOMEM);
  cr_assert_eq(vm_kern_to_errno(KERN_OUT_OF_BOUNDS), EFAULT);
  cr_assert_eq(vm_kern_to_errno(1234), EINVAL);
}

Test(vmspace, sbrk_wire_failure_undoes_growth)
{
  vm_offset_t old;
  struct vm_page *hog[NPAGES + 1];
  int n = 0;

  heap(0);
  M(0)->flags |= MAP_WIREFUTURE;
  while ((hog[n] = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY)) != NULL)
    n++;
  cr_assert_eq(vm_sbrk(vs[0], 2 * PAGE_SIZE, ~0UL, RLIM_INFINITY, &old), -ENOMEM);
  while (n > 0)
    vm_page_free(hog[--n]);
  cr_assert_eq(vs[0]->vm_break, VA(0));
  cr_assert_eq(M(0)->nentries, 0);
  M(0)->flags &= ~MAP_WIREFUTURE;
}
