// SPDX-License-Identifier: MIT
// Tests of vm_mmap.c, part two: the wiring calls. mlock, munlock,
// mlockall and munlockall against a host vmspace: their argument rows in
// docs/semantics.md, RLIMIT_MEMLOCK (ENOMEM) and the system-wide limit
// (EAGAIN), counting only memory not locked yet; and mmap, mprotect, sbrk
// and stack growth under mlockall(MCL_FUTURE), which wire what they map
// within the same limits. Part of the vm_mmap suite (test_vm_mmap.c sets
// it up); the fixture is mmaptest.h's.
#include <criterion/criterion.h>

#include "mmaptest.h"
#include "vm/vm_page.h"

// --- mmap under MCL_FUTURE ----------------------------------------------------

Test(vm_mmap, wirefuture_prot_none_maps_unwired)
{
  vm_offset_t va;

  cr_assert_eq(vm_mlockall(vm, MCL_FUTURE, NOLIM), 0);
  cr_assert_eq(anon(0, 2 * PAGE_SIZE, PROT_NONE, PA, &va), 0,
               "PROT_NONE under MCL_FUTURE");
  cr_assert_eq(map->nentries, 1);
  cr_assert_eq(lookup(va)->wired_count, 0);
}

Test(vm_mmap, wirefuture_wires_and_limits)
{
  vm_offset_t va;

  cr_assert_eq(vm_mlockall(vm, MCL_FUTURE, NOLIM), 0);
  cr_assert_eq(anon(0, 2 * PAGE_SIZE, RW, PA, &va), 0);
  cr_assert_eq(pmap_wired_count(map->pmap), 2);
  cr_assert_eq(vm_mmap(vm, 0, 4 * PAGE_SIZE, RW, PA, NULL, 0, true, true,
                       3 * PAGE_SIZE, &va), -EAGAIN);
  cr_assert_eq(map->nentries, 1);
  cr_assert_eq(vm_munlockall(vm), 0);
  cr_assert_eq(pmap_wired_count(map->pmap), 0);
}


// --- wiring ---------------------------------------------------------------------

Test(vm_mmap, mlock_rounds_out)
{
  vm_offset_t va = must_anon(4 * PAGE_SIZE);

  cr_assert_eq(vm_mlock(vm, va + PAGE_SIZE - 1, 2, NOLIM), 0);
  cr_assert_eq(pmap_wired_count(map->pmap), 2);
  cr_assert_eq(vm_munlock(vm, va + PAGE_SIZE + 5, 1), 0);
  cr_assert_eq(pmap_wired_count(map->pmap), 1);
}

Test(vm_mmap, mlock_not_nested)
{
  vm_offset_t va = must_anon(2 * PAGE_SIZE);

  cr_assert_eq(vm_mlock(vm, va, 2 * PAGE_SIZE, NOLIM), 0);
  cr_assert_eq(vm_mlock(vm, va, 2 * PAGE_SIZE, NOLIM), 0);
  cr_assert_eq(vm_munlock(vm, va, 2 * PAGE_SIZE), 0);
  cr_assert_eq(pmap_wired_count(map->pmap), 0);
  cr_assert_eq(vm_munlock(vm, va, 2 * PAGE_SIZE), 0);
}

Test(vm_mmap, mlock_prot_none_enomem)
{
  vm_offset_t va;

  cr_assert_eq(anon(0, 2 * PAGE_SIZE, PROT_NONE, PA, &va), 0);
  cr_assert_eq(vm_mlock(vm, va, 2 * PAGE_SIZE, NOLIM), -ENOMEM);
  cr_assert_eq(pmap_wired_count(map->pmap), 0);
}

Test(vm_mmap, mlock_over_rlimit_enomem)
{
  vm_offset_t va = must_anon(4 * PAGE_SIZE);

  cr_assert_eq(vm_mlock(vm, va, 4 * PAGE_SIZE, 3 * PAGE_SIZE), -ENOMEM);
  cr_assert_eq(vm_mlock(vm, va, 3 * PAGE_SIZE, 3 * PAGE_SIZE), 0);
  cr_assert_eq(vm_mlock(vm, va + 3 * PAGE_SIZE, PAGE_SIZE, 3 * PAGE_SIZE),
               -ENOMEM);
}

Test(vm_mmap, mlock_over_system_limit_eagain)
{
  vm_size_t len = ptoa(vm_page_total_count() / 4 * 3 + 1);
  vm_offset_t va = must_anon(len);

  cr_assert_eq(vm_mlock(vm, va, len, NOLIM), -EAGAIN);
  cr_assert_eq(pmap_wired_count(map->pmap), 0);
}

Test(vm_mmap, mlock_overflow_einval)
{
  cr_assert_eq(vm_mlock(vm, ~(vm_offset_t)0 - 10, 5, NOLIM), -EINVAL);
  cr_assert_eq(vm_munlock(vm, PAGE_SIZE, ~(vm_size_t)0), -EINVAL);
}

Test(vm_mmap, mlockall_flags_einval)
{
  cr_assert_eq(vm_mlockall(vm, 0, NOLIM), -EINVAL);
  cr_assert_eq(vm_mlockall(vm, 4, NOLIM), -EINVAL);
  cr_assert_eq(map->flags & MAP_WIREFUTURE, 0);
}

Test(vm_mmap, mlockall_current_and_limit)
{
  vm_offset_t va = must_anon(3 * PAGE_SIZE);

  (void)va;
  cr_assert_eq(vm_mlockall(vm, MCL_CURRENT, 2 * PAGE_SIZE), -ENOMEM);
  cr_assert_eq(pmap_wired_count(map->pmap), 0);
  cr_assert_eq(vm_mlockall(vm, MCL_CURRENT, NOLIM), 0);
  cr_assert_eq(pmap_wired_count(map->pmap), 3);
  cr_assert_eq(vm_munlockall(vm), 0);
  cr_assert_eq(pmap_wired_count(map->pmap), 0);
}

Test(vm_mmap, sbrk_wires_under_mcl_future)
{
  vm_offset_t old;

  vm->vm_daddr = vm->vm_break = 0x400000;
  cr_assert_eq(vm_mlockall(vm, MCL_FUTURE, NOLIM), 0);
  cr_assert_eq(vm_sbrk(vm, 2 * PAGE_SIZE, ~0UL, NOLIM, &old), 0);
  cr_assert_eq(pmap_wired_count(map->pmap), 2);
  cr_assert_eq(vm_munlockall(vm), 0);
}

// Only memory not locked yet counts against the limits: locking locked
// pages again at the limit succeeds, and a partly locked range needs room
// for the rest only. (Each call used to count its whole range.)
Test(vm_mmap, mlock_again_at_rlimit)
{
  vm_offset_t va = must_anon(8 * PAGE_SIZE);

  cr_assert_eq(vm_mlock(vm, va, 8 * PAGE_SIZE, 8 * PAGE_SIZE), 0);
  cr_assert_eq(vm_mlock(vm, va, 8 * PAGE_SIZE, 8 * PAGE_SIZE), 0,
               "re-locking locked pages at the limit");
  cr_assert_eq(vm_mlockall(vm, MCL_CURRENT, 8 * PAGE_SIZE), 0,
               "mlockall with everything locked at the limit");
  cr_assert_eq(vm_munlock(vm, va + 4 * PAGE_SIZE, 4 * PAGE_SIZE), 0);
  cr_assert_eq(vm_mlock(vm, va, 8 * PAGE_SIZE, 7 * PAGE_SIZE), -ENOMEM);
  cr_assert_eq(pmap_wired_count(map->pmap), 4, "a refused mlock wired");
  cr_assert_eq(vm_mlock(vm, va, 8 * PAGE_SIZE, 8 * PAGE_SIZE), 0,
               "4 locked + 4 new fits a limit of 8");
  cr_assert_eq(pmap_wired_count(map->pmap), 8);
}

Test(vm_mmap, mlock_again_at_system_limit)
{
  size_t room = vm_page_total_count() / 4 * 3 - vm_cnt.v_wire_count;
  vm_offset_t va = must_anon(ptoa(room));

  cr_assert_eq(vm_mlock(vm, va, ptoa(room), NOLIM), 0);
  cr_assert_eq(vm_mlock(vm, va, ptoa(room), NOLIM), 0,
               "re-locking at the system limit");
  cr_assert_eq(vm_mlockall(vm, MCL_CURRENT, NOLIM), 0);
  cr_assert_eq(vm_munlock(vm, va, PAGE_SIZE), 0);
  cr_assert_eq(vm_mlock(vm, va, ptoa(room), NOLIM), 0, "one page of room");
  cr_assert_eq(vm_munlockall(vm), 0);
}

// PROT_NONE reserves address space: under MCL_FUTURE it maps and wires
// nothing; mprotect to an accessible protection wires it, within the
// limits (ENOMEM / EAGAIN, nothing changed).
Test(vm_mmap, prot_none_under_mcl_future)
{
  vm_size_t all = ptoa(vm_page_total_count());
  vm_offset_t va, big;

  cr_assert_eq(vm_mlockall(vm, MCL_FUTURE, NOLIM), 0);
  cr_assert_eq(anon(0, 4 * PAGE_SIZE, PROT_NONE, PA, &va), 0);
  cr_assert_eq(pmap_wired_count(map->pmap), 0);
  cr_assert_eq(vm_mprotect(vm, va, 4 * PAGE_SIZE, RW, 3 * PAGE_SIZE), -ENOMEM);
  cr_assert_eq(lookup(va)->protection, VM_PROT_NONE, "refused, yet changed");
  cr_assert_eq(vm_mprotect(vm, va, 4 * PAGE_SIZE, RW, 4 * PAGE_SIZE), 0);
  cr_assert_eq(pmap_wired_count(map->pmap), 4);
  cr_assert_eq(vm_mprotect(vm, va, 4 * PAGE_SIZE, PROT_READ, 4 * PAGE_SIZE), 0,
               "already wired: nothing new to count");
  cr_assert_eq(anon(0, all, PROT_NONE, PA, &big), 0, "a big reservation");
  cr_assert_eq(vm_mprotect(vm, big, all, RW, NOLIM), -EAGAIN);
  cr_assert_eq(lookup(big)->protection, VM_PROT_NONE);
  cr_assert_eq(vm_munlockall(vm), 0);
  cr_assert_eq(pmap_wired_count(map->pmap), 0);
}

// Heap growth under MCL_FUTURE passes the limits mmap passes: ENOMEM over
// RLIMIT_MEMLOCK, EAGAIN over the system's, the break unchanged.
Test(vm_mmap, sbrk_limits_under_mcl_future)
{
  vm_offset_t old, brk;

  vm->vm_daddr = vm->vm_break = 0x400000;
  cr_assert_eq(vm_mlockall(vm, MCL_FUTURE, NOLIM), 0);
  cr_assert_eq(vm_sbrk(vm, 3 * PAGE_SIZE, ~0UL, 2 * PAGE_SIZE, &old), -ENOMEM);
  cr_assert_eq(vm_sbrk(vm, ptoa(vm_page_total_count()), ~0UL, NOLIM, &old),
               -EAGAIN);
  cr_assert_eq(vm->vm_break, 0x400000, "a refused sbrk moved the break");
  cr_assert_eq(map->nentries, 0);
  cr_assert_eq(pmap_wired_count(map->pmap), 0);
  cr_assert_eq(vm_sbrk(vm, 2 * PAGE_SIZE, ~0UL, 2 * PAGE_SIZE, &old), 0);
  cr_assert_eq(vm_sbrk(vm, 0, ~0UL, 2 * PAGE_SIZE, &brk), 0);
  cr_assert_eq(brk, 0x400000 + 2 * PAGE_SIZE);
  cr_assert_eq(vm_munlockall(vm), 0);
}

// Stack growth too: vm_growstack turns the limits into growstack's bound.
Test(vm_mmap, growstack_limits_under_mcl_future)
{
  vm_offset_t top = 0x800000;

  cr_assert_eq(vm_map_stack(map, top - 16 * PAGE_SIZE, 16 * PAGE_SIZE,
                            PAGE_SIZE, VM_PROT_RW, VM_PROT_ALL,
                            MAP_COPY_ON_WRITE), KERN_SUCCESS);
  cr_assert_eq(vm_mlockall(vm, MCL_FUTURE, NOLIM), 0);
  cr_assert_eq(vm_growstack(vm, top - 4 * PAGE_SIZE, 2 * PAGE_SIZE),
               KERN_RESOURCE_SHORTAGE, "3 pages past a 2-page limit");
  cr_assert_eq(pmap_wired_count(map->pmap), 0);
  cr_assert_eq(vm_growstack(vm, top - 3 * PAGE_SIZE, 2 * PAGE_SIZE),
               KERN_SUCCESS);
  cr_assert_eq(pmap_wired_count(map->pmap), 2);
  cr_assert_eq(vm_munlockall(vm), 0);
}

