// SPDX-License-Identifier: MIT
// Memory objects, part two: the per-range operations the map calls on an
// object -- coalesce (grow an anonymous object for a neighbouring range),
// page_remove (unmap and free), page_clean (write dirty pages through the
// pager, for msync, munmap and termination) and madvise (DONTNEED, FREE).
// Every function requires obj locked and leaves it locked; the lock is
// dropped only around a busy page's sleep and inside the pager's putpages.
// Life cycle and shadow chains are in vm_object.c.
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/swap_pager.h"
#include "vm/vm_object.h"
#include "vm/vm_object_internal.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"

// Most pages handed to the pager in one putpages call.
#define VM_OBJECT_CLEAN_RUN 16

typedef unsigned long long ull;         // for printing pindexes


// Grow prev so the pages after its mapped range can map it too. Requires a
// private, unshadowed, unbacked anonymous object: with a backing object the
// new range would see the backing object's pages instead of zeros.
bool vm_object_coalesce(struct vm_object *prev, vm_ooffset_t prev_offset,
                        vm_size_t prev_size, vm_size_t next_size)
{
  vm_pindex_t next_pindex, next_end;
  bool ok;

  if (prev == NULL)
    return true;
  mtx_lock(&prev->lock);
  vm_object_collapse(prev);
  next_pindex = atop(prev_offset) + atop(prev_size);
  ok = (prev->flags & OBJ_ANON) != 0 && vm_object_refs(prev) == 1 &&
       prev->shadow_count == 0 && prev->backing_object == NULL &&
       !__builtin_add_overflow(next_pindex, atop(next_size), &next_end);
  if (ok) {
    // Pages left over from an earlier unmapping must not reappear.
    vm_object_page_remove(prev, next_pindex, next_end, 0);
    if (next_end > prev->size)
      prev->size = next_end;
  }
  mtx_unlock(&prev->lock);
  return ok;
}

void vm_object_page_remove(struct vm_object *obj, vm_pindex_t start,
                           vm_pindex_t end, int flags)
{
  struct vm_page *m, *next;
  vm_pindex_t pindex;

  MTX_ASSERT_OWNED(&obj->lock);
  // Off the queues a batch at a time, unless dirty pages are to stay.
  if ((flags & OBJPR_CLEANONLY) == 0)
    vm_page_dequeue_range(obj, start, end);
  for (m = vm_object_page_ge(obj, start); vm_object_in_range(m, end);
       m = next) {
    next = vm_object_page_next(obj, m);
    if ((m->flags & PG_BUSY) != 0) {
      pindex = m->pindex;
      vm_object_busy_wait(obj, m);   // lock dropped: look again
      next = vm_object_page_ge(obj, pindex);
      continue;
    }
    if (vm_page_wired(m)) {
      KASSERT((flags & OBJPR_NOTWIRED) != 0,
              ("vm_object_page_remove: object %u page %llu is wired",
               obj->id, (ull)m->pindex));
      continue;
    }
    if ((flags & OBJPR_CLEANONLY) != 0) {
      pmap_page_protect(m, VM_PROT_READ);   // no new writes after the test
      if (vm_object_page_test_dirty(m))
        continue;
    }
    pmap_page_protect(m, VM_PROT_NONE);
    vm_page_free(m);
  }
  // The pages on swap go too (after the loop, which waited for every
  // busy page, so no page-out of the range is still recording blocks).
  if (obj->swap_count > 0)
    swap_pager_free_range(obj, start, end);
}

// Gather the next run of consecutive dirty pages at or after *pindex and
// below end into ma (at most VM_OBJECT_CLEAN_RUN), busying them. Returns
// the run's length (0 when there is none) and moves *pindex past it.
static int vm_object_clean_gather(struct vm_object *obj, vm_pindex_t *pindex,
                                  vm_pindex_t end, struct vm_page **ma)
{
  struct vm_page *m;
  int count = 0;

  m = vm_object_page_ge(obj, *pindex);
  while (vm_object_in_range(m, end) && count < VM_OBJECT_CLEAN_RUN) {
    if (count > 0 && m->pindex != ma[count - 1]->pindex + 1)
      break;
    if ((m->flags & PG_BUSY) != 0) {
      if (count > 0)
        break;
      *pindex = m->pindex;
      vm_object_busy_wait(obj, m);
      m = vm_object_page_ge(obj, *pindex);
      continue;
    }
    if (!vm_object_page_test_dirty(m)) {
      if (count > 0)
        break;
    } else {
      vm_page_xbusy(m);
      ma[count++] = m;
    }
    m = vm_object_page_next(obj, m);
  }
  if (count > 0)
    *pindex = ma[count - 1]->pindex + 1;
  return count;
}

// Write one run. Write access is removed first, so a write during or
// after the I/O faults and dirties the page again; a wired page keeps its
// write access (a wired page never faults) and therefore stays dirty.
// A page the pageout scan parked on the laundry queue because it was dirty
// goes back to the inactive queue once clean: it may be reclaimed now.
// A page the pager failed to write stays dirty. Returns KERN_SUCCESS, or
// the first failure: KERN_NO_SPACE (the store is full), KERN_MEMORY_ERROR.
static int vm_object_clean_run(struct vm_object *obj, struct vm_page **ma,
                               int count, bool sync)
{
  int rtvals[VM_OBJECT_CLEAN_RUN];
  int i, error = KERN_SUCCESS;

  for (i = 0; i < count; i++) {
    rtvals[i] = VM_PAGER_ERROR;
    if (vm_page_wired(ma[i]))
      continue;
    pmap_page_protect(ma[i], VM_PROT_READ);
    if (pmap_is_modified(ma[i])) {
      vm_page_dirty(ma[i]);
      pmap_clear_modify(ma[i]);
    }
  }
  (void)vm_pager_put_pages(obj, ma, count, sync ? VM_PAGER_PUT_SYNC : 0,
                           rtvals);
  for (i = 0; i < count; i++) {
    if (rtvals[i] != VM_PAGER_OK) {
      if (error == KERN_SUCCESS)
        error = rtvals[i] == VM_PAGER_NOSPACE ? KERN_NO_SPACE : KERN_MEMORY_ERROR;
    } else if (!vm_page_wired(ma[i])) {
      ma[i]->flags &= ~PG_DIRTY;
      if (vm_page_queue_of(ma[i]) == PQ_LAUNDRY)
        vm_page_deactivate(ma[i]);
    }
    vm_page_xunbusy(ma[i]);
  }
  return error;
}

// end 0 means to the end of the object, as for vm_object_page_remove.
// Every file pager has putpages (vm_pager_register insists).
int vm_object_page_clean(struct vm_object *obj, vm_pindex_t start,
                         vm_pindex_t end, bool sync)
{
  struct vm_page *ma[VM_OBJECT_CLEAN_RUN];
  vm_pindex_t pindex = start;
  int count, rv, error = KERN_SUCCESS;

  MTX_ASSERT_OWNED(&obj->lock);
  if ((obj->flags & OBJ_ANON) != 0)
    return KERN_SUCCESS;                    // no pager copy to bring up to date
  while ((count = vm_object_clean_gather(obj, &pindex, end, ma)) > 0) {
    rv = vm_object_clean_run(obj, ma, count, sync);
    if (error == KERN_SUCCESS)
      error = rv;
    if (pindex == 0)
      break;                                // wrapped past the last index
  }
  return error;
}

// May obj's pages be discarded by MADV_FREE? Only when nothing else can
// see them, and nothing older shows through: with a backing object, a
// freed page would uncover the backing page, which is older data.
static bool vm_object_can_discard(struct vm_object *obj)
{
  return (obj->flags & OBJ_ANON) != 0 && vm_object_refs(obj) == 1 &&
         obj->shadow_count == 0 && obj->backing_object == NULL;
}

// Busy and wired pages are skipped: advice is only advice. Only obj's own
// pages are affected, not those of its backing objects.
void vm_object_madvise(struct vm_object *obj, vm_pindex_t start,
                       vm_pindex_t end, int advice)
{
  struct vm_page *m, *next;

  MTX_ASSERT_OWNED(&obj->lock);
  if (advice != VM_BEHAV_DONTNEED && advice != VM_BEHAV_FREE)
    return;
  if (advice == VM_BEHAV_FREE && !vm_object_can_discard(obj))
    return;
  for (m = vm_object_page_ge(obj, start); vm_object_in_range(m, end);
       m = next) {
    next = vm_object_page_next(obj, m);
    if (vm_page_wired(m) || (m->flags & PG_BUSY) != 0)
      continue;
    if (advice == VM_BEHAV_DONTNEED) {
      // First in line for reclaim; forget the uses that came before, or
      // the daemon would give it back to the active queue.
      (void)pmap_ts_referenced(m);
      vm_page_deactivate_noreuse(m);
    } else {
      pmap_page_protect(m, VM_PROT_NONE);
      vm_page_free(m);
    }
  }
  // Freed pages read as zeros from now on, whether they were in memory
  // or on swap (a wired or busy page skipped above has its copy in memory).
  if (advice == VM_BEHAV_FREE && obj->swap_count > 0)
    swap_pager_free_range(obj, start, end);
}
