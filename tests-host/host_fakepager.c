// SPDX-License-Identifier: MIT
// The fake file pager of the host tests (see host_fakepager.h).
//
// It stands where kernel/vnode_pager.c stands in the kernel, so it keeps
// the same contract (vm_pager.h) and checks the VM's half of it on every
// call: a test that breaks it panics here, next to the cause, instead of
// passing by luck. State is per process, like all host state: Criterion
// runs each test in a fresh one.
#include <string.h>

#include "host_fakepager.h"
#include "lib/kassert.h"
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"

struct host_fakepager host_fakepager;

// ma[0..count-1] are obj's pages at consecutive indexes, all busy.
static void host_fakepager_check_run(const char *fn, struct vm_object *obj,
                                     struct vm_page **ma, int count)
{
  KASSERT(count > 0, ("%s: empty run", fn));
  for (int i = 0; i < count; i++) {
    KASSERT(ma[i]->object == obj,
            ("%s: page %d of the run is not object %u's", fn, i, obj->id));
    KASSERT(ma[i]->pindex == ma[0]->pindex + (vm_pindex_t)i,
            ("%s: page %d of the run is not consecutive", fn, i));
    KASSERT((ma[i]->flags & PG_BUSY) != 0,
            ("%s: page %d of the run is not busy", fn, i));
  }
}

static int host_fakepager_getpages(struct vm_object *obj, struct vm_page **ma,
                                   int count, int reqpage)
{
  MTX_ASSERT_OWNED(&obj->lock);
  host_fakepager_check_run("host_fakepager_getpages", obj, ma, count);
  KASSERT(reqpage >= 0 && reqpage < count,
          ("host_fakepager_getpages: reqpage %d of %d", reqpage, count));
  host_fakepager.getpages++;
  host_fakepager.get_count = count;
  host_fakepager.get_reqpage = reqpage;
  if (host_fakepager.get_result != VM_PAGER_OK)
    return host_fakepager.get_result;
  // Pages past the end of the file stay invalid, as a short read leaves
  // them; the caller frees them.
  for (int i = 0; i < count; i++) {
    if (ma[i]->pindex >= host_fakepager.npages)
      continue;
    if (host_fakepager.store != NULL)
      memcpy(pmap_page_kva(ma[i]),
             host_fakepager.store + ptoa(ma[i]->pindex), PAGE_SIZE);
    else
      memset(pmap_page_kva(ma[i]), host_fakepager.fill + (int)ma[i]->pindex,
             PAGE_SIZE);
    ma[i]->flags |= PG_VALID;
  }
  return VM_PAGER_OK;
}

static int host_fakepager_putpages(struct vm_object *obj, struct vm_page **ma,
                                   int count, int flags, int *rtvals)
{
  int n = host_fakepager.putpages++;
  int rv = !host_fakepager.put_fail ? VM_PAGER_OK :
           host_fakepager.put_error != 0 ? host_fakepager.put_error :
           VM_PAGER_ERROR;

  MTX_ASSERT_OWNED(&obj->lock);
  host_fakepager_check_run("host_fakepager_putpages", obj, ma, count);
  for (int i = 0; i < count; i++) {
    KASSERT((ma[i]->flags & PG_DIRTY) != 0,
            ("host_fakepager_putpages: clean page %llu written",
             (unsigned long long)ma[i]->pindex));
    rtvals[i] = rv;
    if (rv == VM_PAGER_OK && host_fakepager.store != NULL &&
        ma[i]->pindex < host_fakepager.npages)
      memcpy(host_fakepager.store + ptoa(ma[i]->pindex),
             pmap_page_kva(ma[i]), PAGE_SIZE);
  }
  if (n < HOST_FAKEPAGER_RUNS) {
    host_fakepager.put_first[n] = ma[0]->pindex;
    host_fakepager.put_count[n] = count;
  }
  host_fakepager.put_sync = (flags & VM_PAGER_PUT_SYNC) != 0;
  host_fakepager.put_flags = flags;
  host_fakepager.pages_put += count;
  return rv;
}

static bool host_fakepager_haspage(struct vm_object *obj, vm_pindex_t pindex,
                                   int *before, int *after)
{
  vm_pindex_t npages = host_fakepager.npages;

  MTX_ASSERT_OWNED(&obj->lock);
  host_fakepager.haspage++;
  if (pindex >= npages)
    return false;
  if (before != NULL)
    *before = (int)pindex;
  if (after != NULL)
    *after = (int)(npages - pindex - 1);
  return true;
}

static void host_fakepager_dealloc(struct vm_object *obj)
{
  (void)obj;
  host_fakepager.dealloc++;
}

const struct vm_pager_ops host_fakepager_ops = {
  .name = "fake",
  .getpages = host_fakepager_getpages,
  .putpages = host_fakepager_putpages,
  .haspage = host_fakepager_haspage,
  .dealloc = host_fakepager_dealloc,
};

void host_fakepager_install(vm_pindex_t npages, int fill)
{
  memset(&host_fakepager, 0, sizeof(host_fakepager));
  host_fakepager.npages = npages;
  host_fakepager.fill = fill;
  host_fakepager.get_result = VM_PAGER_OK;
  vm_pager_register(OBJT_VNODE, &host_fakepager_ops);
}

struct vm_object *host_fakepager_object(vm_pindex_t size)
{
  struct vm_object *obj = vm_object_allocate(OBJT_VNODE, size);

  KASSERT(obj != NULL, ("host_fakepager_object: out of kernel memory"));
  obj->pager_size = ptoa(host_fakepager.npages);
  return obj;
}

struct vm_object *host_fakepager_file(vm_pindex_t npages, int fill,
                                      vm_pindex_t size)
{
  host_fakepager_install(npages, fill);
  return host_fakepager_object(size);
}
