// SPDX-License-Identifier: MIT
// Tests of kernel/vm/vm_pager.c: the default pager's answers for anonymous
// objects, dispatch to a registered (fake) pager, and the panics for
// unregistered types and bad registrations.
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

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

// A fake pager: page i of its backing store holds the byte i + 1, and it
// has pages 0..9. It records its calls.
static struct {
  int getpages, putpages, haspage, dealloc;
  int last_count, last_reqpage;
  bool last_sync;
} fake;

static int fake_getpages(struct vm_object *obj, struct vm_page **ma, int count,
                         int reqpage)
{
  cr_assert(mtx_owned(&obj->lock));
  fake.getpages++;
  fake.last_count = count;
  fake.last_reqpage = reqpage;
  for (int i = 0; i < count; i++) {
    memset(pmap_page_kva(ma[i]), (int)ma[i]->pindex + 1, PAGE_SIZE);
    ma[i]->flags |= PG_VALID;
  }
  return VM_PAGER_OK;
}

static int fake_putpages(struct vm_object *obj, struct vm_page **ma, int count,
                         bool sync, int *rtvals)
{
  (void)obj;
  (void)ma;
  fake.putpages++;
  fake.last_count = count;
  fake.last_sync = sync;
  for (int i = 0; i < count; i++)
    rtvals[i] = VM_PAGER_OK;
  return VM_PAGER_OK;
}

static bool fake_haspage(struct vm_object *obj, vm_pindex_t pindex, int *before,
                         int *after)
{
  (void)obj;
  fake.haspage++;
  if (pindex >= 10)
    return false;
  if (before != NULL)
    *before = (int)pindex;
  if (after != NULL)
    *after = 9 - (int)pindex;
  return true;
}

static void fake_dealloc(struct vm_object *obj)
{
  (void)obj;
  fake.dealloc++;
}

static const struct vm_pager_ops fake_ops = {
  .name = "fake",
  .getpages = fake_getpages,
  .putpages = fake_putpages,
  .haspage = fake_haspage,
  .dealloc = fake_dealloc,
};

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
  vm_pager_register(OBJT_VNODE, &fake_ops);
  struct vm_object *obj = vm_object_allocate(OBJT_VNODE, 16);
  struct vm_page *ma[3];
  int before, after, rtvals[3];

  cr_assert_eq(vm_pager_ops_of(obj), &fake_ops);
  mtx_lock(&obj->lock);
  cr_assert(vm_pager_has_page(obj, 4, &before, &after));
  cr_assert_eq(before, 4);
  cr_assert_eq(after, 5);
  cr_assert_not(vm_pager_has_page(obj, 12, NULL, NULL));
  for (int i = 0; i < 3; i++)
    ma[i] = vm_page_alloc(obj, 4 + i, 0);
  cr_assert_eq(vm_pager_get_pages(obj, ma, 3, 1), VM_PAGER_OK);
  cr_assert_eq(fake.last_count, 3);
  cr_assert_eq(fake.last_reqpage, 1);
  cr_assert_eq(((uint8_t *)pmap_page_kva(ma[1]))[PAGE_SIZE - 1], 6);
  cr_assert(ma[2]->flags & PG_VALID);
  cr_assert_eq(vm_pager_put_pages(obj, ma, 3, true, rtvals), VM_PAGER_OK);
  cr_assert(fake.last_sync);
  cr_assert_eq(rtvals[2], VM_PAGER_OK);
  cr_assert_eq(fake.haspage, 2);
  cr_assert_eq(fake.getpages, 1);
  cr_assert_eq(fake.putpages, 1);
  for (int i = 0; i < 3; i++) {
    vm_page_xunbusy(ma[i]);
    vm_page_free(ma[i]);
  }
  mtx_unlock(&obj->lock);
  vm_object_deallocate(obj);    // termination releases the pager
  cr_assert_eq(fake.dealloc, 1);
}

Test(vm_pager, registration_replaces_the_default)
{
  vm_pager_register(OBJT_SWAP, &fake_ops);
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);
  cr_assert_str_eq(vm_pager_ops_of(obj)->name, "default");
  obj->type = OBJT_SWAP;
  cr_assert_eq(vm_pager_ops_of(obj), &fake_ops);
  obj->type = OBJT_DEFAULT;
  vm_object_deallocate(obj);
}

Test(vm_pager, unregistered_type_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_VNODE, 1);

  mtx_lock(&obj->lock);
  vm_pager_has_page(obj, 0, NULL, NULL);
}

Test(vm_pager, dead_object_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  obj->type = OBJT_DEAD;
  vm_pager_ops_of(obj);
}

Test(vm_pager, dispatch_without_the_object_lock_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  vm_pager_has_page(obj, 0, NULL, NULL);
}

Test(vm_pager, incomplete_registration_panics, .signal = SIGABRT)
{
  struct vm_pager_ops ops = fake_ops;

  ops.haspage = NULL;
  vm_pager_register(OBJT_VNODE, &ops);
}

Test(vm_pager, registering_a_bad_type_panics, .signal = SIGABRT)
{
  vm_pager_register(OBJT_COUNT, &fake_ops);
}
