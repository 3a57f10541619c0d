// SPDX-License-Identifier: MIT
// The pager switch: one table of operations per object type, and the
// default pager that anonymous objects use.
//
// Interface: vm_pager_register() fills a slot at start-up (the kernel's
// vnode pager, host tests' fake pagers); vm_object and vm_fault call the
// vm_pager_* dispatchers, which look the slot up by obj->type. OBJT_DEFAULT
// and OBJT_SWAP start out with the default pager (the swap pager takes
// OBJT_SWAP over when a swap device is attached); using a type nobody
// registered (or OBJT_DEAD) is a kernel bug and panics.
//
// The default pager stands for "nothing on backing store yet": it never
// has a page (so the fault path zero-fills), cannot read one, and cannot
// write one (there is no swap yet, so dirty anonymous pages stay in RAM).
//
// Locking: the table is written only at start-up, before any object of
// that type exists, and read without a lock afterwards. The dispatchers
// keep the object lock contract of vm_pager.h: getpages, putpages and
// haspage are called with obj locked (the first two may drop and retake
// it); dealloc runs on an object nobody else can reach; cache runs with
// obj locked and unreferenced, trim with nothing held.
#include "lib/lock.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"

static int default_pager_getpages(struct vm_object *obj, struct vm_page **ma,
                                  int count, int reqpage)
{
  (void)obj;
  (void)ma;
  (void)count;
  (void)reqpage;
  return VM_PAGER_FAIL;
}

// No backing store: every page stays dirty in memory.
static int default_pager_putpages(struct vm_object *obj, struct vm_page **ma,
                                  int count, int flags, int *rtvals)
{
  (void)obj;
  (void)ma;
  (void)flags;
  for (int i = 0; i < count; i++)
    rtvals[i] = VM_PAGER_ERROR;
  return VM_PAGER_ERROR;
}

static bool default_pager_haspage(struct vm_object *obj, vm_pindex_t pindex,
                                  int *before, int *after)
{
  (void)obj;
  (void)pindex;
  if (before != NULL)
    *before = 0;
  if (after != NULL)
    *after = 0;
  return false;
}

static void default_pager_dealloc(struct vm_object *obj)
{
  (void)obj;
}

static const struct vm_pager_ops default_pager_ops = {
  .name = "default",
  .getpages = default_pager_getpages,
  .putpages = default_pager_putpages,
  .haspage = default_pager_haspage,
  .dealloc = default_pager_dealloc,
};

static const struct vm_pager_ops *vm_pager_table[OBJT_COUNT] = {
  [OBJT_DEFAULT] = &default_pager_ops,
  [OBJT_SWAP] = &default_pager_ops,
};

void vm_pager_register(int type, const struct vm_pager_ops *ops)
{
  KASSERT(type >= 0 && type < OBJT_COUNT && type != OBJT_DEAD,
          ("vm_pager_register: bad object type %d", type));
  KASSERT(ops != NULL && ops->getpages != NULL && ops->putpages != NULL &&
          ops->haspage != NULL && ops->dealloc != NULL,
          ("vm_pager_register: incomplete operations for type %d", type));
  vm_pager_table[type] = ops;
}

void vm_pager_register_default(int type)
{
  KASSERT(type == OBJT_DEFAULT || type == OBJT_SWAP,
          ("vm_pager_register_default: type %d is not anonymous", type));
  vm_pager_table[type] = &default_pager_ops;
}

const struct vm_pager_ops *vm_pager_ops_of(const struct vm_object *obj)
{
  const struct vm_pager_ops *ops;

  KASSERT(obj->type < OBJT_COUNT && obj->type != OBJT_DEAD,
          ("vm_pager_ops_of: object %u has type %d", obj->id, obj->type));
  ops = vm_pager_table[obj->type];
  KASSERT(ops != NULL, ("vm_pager_ops_of: no pager for type %d (object %u)",
                        obj->type, obj->id));
  return ops;
}

// The pages a pager reads or writes are busy, so they stay put while it
// drops the object lock for the I/O.
static void vm_pager_assert_busy(const char *fn, struct vm_page **ma,
                                 int count)
{
  for (int i = 0; i < count; i++)
    KASSERT(ma[i] != NULL && (ma[i]->flags & PG_BUSY) != 0,
            ("%s: page %d of %d is not busy", fn, i, count));
}

int vm_pager_get_pages(struct vm_object *obj, struct vm_page **ma, int count,
                       int reqpage)
{
  MTX_ASSERT_OWNED(&obj->lock);
  KASSERT(count > 0 && reqpage >= 0 && reqpage < count,
          ("vm_pager_get_pages: page %d of %d", reqpage, count));
  vm_pager_assert_busy(__func__, ma, count);
  return vm_pager_ops_of(obj)->getpages(obj, ma, count, reqpage);
}

int vm_pager_put_pages(struct vm_object *obj, struct vm_page **ma, int count,
                       int flags, int *rtvals)
{
  MTX_ASSERT_OWNED(&obj->lock);
  KASSERT(count > 0 && rtvals != NULL,
          ("vm_pager_put_pages: %d pages", count));
  vm_pager_assert_busy(__func__, ma, count);
  return vm_pager_ops_of(obj)->putpages(obj, ma, count, flags, rtvals);
}

bool vm_pager_has_page(struct vm_object *obj, vm_pindex_t pindex, int *before,
                       int *after)
{
  MTX_ASSERT_OWNED(&obj->lock);
  return vm_pager_ops_of(obj)->haspage(obj, pindex, before, after);
}

void vm_pager_dealloc(struct vm_object *obj)
{
  MTX_ASSERT_OWNED(&obj->lock);
  vm_pager_ops_of(obj)->dealloc(obj);
}

bool vm_pager_cache(struct vm_object *obj)
{
  const struct vm_pager_ops *ops = vm_pager_ops_of(obj);

  MTX_ASSERT_OWNED(&obj->lock);
  return ops->cache != NULL && ops->cache(obj);
}

void vm_pager_trim(void)
{
  for (int type = 0; type < OBJT_COUNT; type++)
    if (vm_pager_table[type] != NULL && vm_pager_table[type]->trim != NULL)
      vm_pager_table[type]->trim();
}
