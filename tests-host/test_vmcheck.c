// SPDX-License-Identifier: MIT
// The VMCHECK hooks (vm_check_level, kernel/vm/vm.h): each corrupts a
// structure behind the VM's back and expects the checker's panic from the
// next ordinary operation, not from a direct call to the checker. The host
// runs at level 1 (host_vmcheck.c); level 0 turns the hooks off. Then the
// lock contracts that comments state and assertions now check: nothing
// that may sleep under a spin mutex, pagers handed busy pages only.
#include <criterion/criterion.h>
#include <signal.h>

#include "host_panic.h"
#include "maptest.h"
#include "objtest.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"

static void setup(void)
{
  maptest_setup(256);
}

TestSuite(vmcheck, .init = setup, .fini = maptest_teardown);

// Locked, with the entry at P(10) made to claim one page of gap too many.
static struct vm_map_entry *corrupt_adj_free(void)
{
  struct vm_map_entry *e;

  cr_assert_eq(anon(10, 2), KERN_SUCCESS);
  cr_assert_eq(anon(20, 2), KERN_SUCCESS);
  vm_map_lock(&map);
  cr_assert(vm_map_lookup_entry(&map, P(10), &e));
  e->adj_free += PAGE_SIZE;
  return e;
}

Test(vmcheck, map_unlock_runs_the_map_checker, .signal = SIGABRT)
{
  corrupt_adj_free();
  expect_panic("vm_map_check: adj_free wrong at 0x1a000");
  vm_map_unlock(&map);
}

Test(vmcheck, map_downgrade_runs_the_map_checker, .signal = SIGABRT)
{
  corrupt_adj_free();
  expect_panic("vm_map_check: adj_free wrong at 0x1a000");
  vm_map_lock_downgrade(&map);
}

Test(vmcheck, level_zero_turns_the_hooks_off)
{
  struct vm_map_entry *e = corrupt_adj_free();

  vm_check_level = 0;
  vm_map_unlock(&map);
  vm_map_lock(&map);
  e->adj_free -= PAGE_SIZE;          // repaired for the teardown's check
  vm_check_level = 1;
  vm_map_unlock(&map);
}

Test(vmcheck, shadow_runs_the_object_checker, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 2);
  vm_ooffset_t off = 0;

  page_at(obj, 0, 1);
  obj->resident_count++;
  expect_panic("vm_object_check: object 1 has 1 pages, count 2");
  vm_object_shadow(&obj, &off, ptoa(2));
}

Test(vmcheck, collapse_runs_the_object_checker, .signal = SIGABRT)
{
  struct vm_object *base = vm_object_allocate(OBJT_DEFAULT, 2);
  struct vm_object *front = base;

  page_at(base, 0, 1);
  shadow(&front, 0, 2);
  front->resident_count++;           // the absorbed page makes it 2 of 1
  expect_panic("vm_object_check: object 2 has 1 pages, count 2");
  collapse(front);
}

Test(vmcheck, page_queue_change_runs_the_page_checker, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);
  struct vm_page *m = page_at(obj, 0, 1);

  mtx_lock(&obj->lock);
  vm_page_activate(m);
  vm_page_pqbatch_drain_all();       // from its hart's batch to the queue
  m->plinks.prev = &m->plinks;       // a lost back link
  expect_panic("vm_page_check: page * badly linked on queue");
  vm_page_deactivate(m);
}

// ---------------------------------------------------------------------------
// Lock contracts stated in comments, now asserted.

Test(vmcheck, sx_lock_under_a_spin_mutex_panics, .signal = SIGABRT)
{
  struct mtx m;

  mtx_init(&m, "test");
  mtx_lock(&m);
  expect_panic("sx_slock: may sleep with 1 spin locks held");
  vm_map_lock_read(&map);
}

Test(vmcheck, fault_under_a_spin_mutex_panics, .signal = SIGABRT)
{
  struct mtx m;

  cr_assert_eq(anon(10, 1), KERN_SUCCESS);
  mtx_init(&m, "test");
  mtx_lock(&m);
  expect_panic("vm_fault: may sleep with 1 spin locks held");
  vm_fault(&map, P(10), VM_PROT_READ, VM_FAULT_NORMAL);
}

Test(vmcheck, pager_read_into_an_idle_page_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);
  struct vm_page *m;

  mtx_lock(&obj->lock);
  m = vm_page_alloc(obj, 0, VM_ALLOC_NOBUSY);
  expect_panic("vm_pager_get_pages: page 0 of 1 is not busy");
  vm_pager_get_pages(obj, &m, 1, 0);
}
