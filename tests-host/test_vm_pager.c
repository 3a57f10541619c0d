// SPDX-License-Identifier: MIT
// Tests of kernel/vm/vm_pager.c: the default pager's answers for anonymous
// objects, dispatch to a registered (fake) pager, and the panics for
// unregistered types and bad registrations.
#include <criterion/criterion.h>
#include <signal.h>

#include "host_fakepager.h"
#include "host_panic.h"
#include "vm/pmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vmtest.h"

static void setup(void)
{
  vmtest_boot(64);
}

static void teardown(void)
{
  vmtest_teardown_strict();
}

TestSuite(vm_pager, .init = setup, .fini = teardown);

Test(vm_pager, default_pager_for_anonymous_types)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);

  cr_assert_str_eq(vm_pager_ops_of(obj)->name, "default");
  obj->type = OBJT_SWAP;
  cr_assert_str_eq(vm_pager_ops_of(obj)->name, "default");
  obj->type = OBJT_DEFAULT;
  vm_object_deallocate(obj);
}

Test(vm_pager, default_pager_has_nothing)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);
  int before = -1, after = -1;

  mtx_lock(&obj->lock);
  cr_assert_not(vm_pager_has_page(obj, 2, &before, &after));
  cr_assert_eq(before, 0);
  cr_assert_eq(after, 0);
  cr_assert_not(vm_pager_has_page(obj, 0, NULL, NULL));
  struct vm_page *m = vm_page_alloc(obj, 0, 0);
  cr_assert_eq(vm_pager_get_pages(obj, &m, 1, 0), VM_PAGER_FAIL);
  cr_assert_eq(m->flags & PG_VALID, 0);
  int rtval = -1;
  cr_assert_eq(vm_pager_put_pages(obj, &m, 1, true, &rtval), VM_PAGER_ERROR);
  cr_assert_eq(rtval, VM_PAGER_ERROR);
  vm_page_xunbusy(m);
  vm_page_free(m);
  vm_pager_dealloc(obj);        // nothing to release; must not fail
  mtx_unlock(&obj->lock);
  vm_object_deallocate(obj);
}

Test(vm_pager, registered_pager_gets_the_calls)
{
  host_fakepager_install(10, 1);   // page i of the file holds i + 1
  struct vm_object *obj = vm_object_allocate(OBJT_VNODE, 16);
  struct vm_page *ma[3];
  int before, after, rtvals[3];

  cr_assert_eq(vm_pager_ops_of(obj), &host_fakepager_ops);
  mtx_lock(&obj->lock);
  cr_assert(vm_pager_has_page(obj, 4, &before, &after));
  cr_assert_eq(before, 4);
  cr_assert_eq(after, 5);
  cr_assert_not(vm_pager_has_page(obj, 12, NULL, NULL));
  for (int i = 0; i < 3; i++)
    ma[i] = vm_page_alloc(obj, 4 + i, 0);
  cr_assert_eq(vm_pager_get_pages(obj, ma, 3, 1), VM_PAGER_OK);
  cr_assert_eq(host_fakepager.get_count, 3);
  cr_assert_eq(host_fakepager.get_reqpage, 1);
  cr_assert_eq(((uint8_t *)pmap_page_kva(ma[1]))[PAGE_SIZE - 1], 6);
  cr_assert(ma[2]->flags & PG_VALID);
  for (int i = 0; i < 3; i++)
    vm_page_dirty(ma[i]);       // putpages takes dirty pages (vm_pager.h)
  cr_assert_eq(vm_pager_put_pages(obj, ma, 3, true, rtvals), VM_PAGER_OK);
  cr_assert(host_fakepager.put_sync);
  cr_assert_eq(host_fakepager.put_count[0], 3);
  cr_assert_eq(rtvals[2], VM_PAGER_OK);
  cr_assert_eq(host_fakepager.haspage, 2);
  cr_assert_eq(host_fakepager.getpages, 1);
  cr_assert_eq(host_fakepager.putpages, 1);
  for (int i = 0; i < 3; i++) {
    vm_page_xunbusy(ma[i]);
    vm_page_free(ma[i]);
  }
  mtx_unlock(&obj->lock);
  vm_object_deallocate(obj);    // termination releases the pager
  cr_assert_eq(host_fakepager.dealloc, 1);
}

Test(vm_pager, registration_replaces_the_default)
{
  vm_pager_register(OBJT_SWAP, &host_fakepager_ops);
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);
  cr_assert_str_eq(vm_pager_ops_of(obj)->name, "default");
  obj->type = OBJT_SWAP;
  cr_assert_eq(vm_pager_ops_of(obj), &host_fakepager_ops);
  obj->type = OBJT_DEFAULT;
  vm_object_deallocate(obj);
}

Test(vm_pager, unregistered_type_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_VNODE, 1);

  expect_panic("vm_pager_ops_of: no pager for type");
  mtx_lock(&obj->lock);
  vm_pager_has_page(obj, 0, NULL, NULL);
}

Test(vm_pager, dead_object_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  expect_panic("vm_pager_ops_of: object * has type");
  obj->type = OBJT_DEAD;
  vm_pager_ops_of(obj);
}

Test(vm_pager, dispatch_without_the_object_lock_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  expect_panic("vm_pager_has_page: mutex vm_object not owned");
  vm_pager_has_page(obj, 0, NULL, NULL);
}

Test(vm_pager, incomplete_registration_panics, .signal = SIGABRT)
{
  struct vm_pager_ops ops = host_fakepager_ops;

  expect_panic("vm_pager_register: incomplete operations");
  ops.haspage = NULL;
  vm_pager_register(OBJT_VNODE, &ops);
}

Test(vm_pager, registering_a_bad_type_panics, .signal = SIGABRT)
{
  expect_panic("vm_pager_register: bad object type");
  vm_pager_register(OBJT_COUNT, &host_fakepager_ops);
}
