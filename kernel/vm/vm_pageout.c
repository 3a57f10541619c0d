// SPDX-License-Identifier: MIT
// Page reclaim (vm_pageout.h): a pageout scan over the paging queues, run
// by whoever ran out of pages, that frees clean pages of files.
//
// Which pages. A page may be thrown away only if its contents can be had
// again. Anonymous memory has no other copy (there is no swap), so it is
// never reclaimed. A page of a file (OBJT_VNODE) object can be read from
// the file again as long as memory and file agree, so, with its object
// locked, a page is freed when
//   - its object is a file object that is not being terminated (OBJ_DEAD:
//     vm_object_terminate writes back and frees the pages itself);
//   - it is not busy (a fault, a page-in or a write-back is using it) and
//     holds valid data;
//   - it is not wired. Wired pages sit on no queue, so the scan never even
//     meets one: mlock'ed pages, and the page a read() or write() copies
//     through (vnode_pager.c wires it across the user copy);
//   - it is clean once unmapped. Its mappings are removed first
//     (pmap_page_protect(m, VM_PROT_NONE)), then neither PG_DIRTY nor the
//     pmap's modified bit may be set. Unmapping first closes the race with
//     a process storing to the page: after it no store reaches the page
//     without a fault, and a fault needs the object lock, which the scan
//     holds until the page is freed.
//
// Order. The inactive queue from its head: MADV_DONTNEED puts its pages
// there (vm_page_deactivate_noreuse); behind them wait pages nobody has
// touched since they were read ahead or freed behind a sequential scan,
// oldest first. Then the active queue, from the page activated longest
// ago. There are no referenced bits in this policy yet: a page in use is
// taken too if it is old enough, and simply faults back in.
//
// Every page looked at leaves the head of its queue -- freed, moved to
// another queue, or sent to the tail -- so a pass looks at each page at
// most once. It stops when the target is met or after as many pages as
// the queue held when it began: O(pages looked at), no allocation.
//
// Pages that stay:
//   dirty file page       -> laundry queue: it must be written before it
//                            can go. msync, munmap and exit write it
//                            (vm_object_page_clean), which puts it back on
//                            the inactive queue, clean.
//   anonymous, inactive   -> laundry queue too: a swap pager would write
//                            it out; with none, it waits there for its
//                            next use (a fault activates it again).
//   anonymous, active     -> tail of the active queue: in use.
//   busy, invalid, object dying or locked elsewhere
//                         -> tail of its queue, to be tried next time.
//
// Locking: called with nothing held. The scan holds the page queue lock
// only to pick the page at a queue's head and try-lock its object (see
// vm_pageout_next for why the object is safe to touch), then works with
// that object lock alone, which is what every page operation needs.
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"

#define VM_PAGEOUT_TARGET_MIN  32     // pages
#define VM_PAGEOUT_TARGET_DIV  128    // of all pages

size_t vm_pageout_target(void)
{
  return MAX((size_t)VM_PAGEOUT_TARGET_MIN,
             vm_page_total_count() / VM_PAGEOUT_TARGET_DIV);
}

// Take the page at the head of queue q and, if it can be had without
// waiting, its object's lock. Returns NULL when q is empty. Otherwise
// returns the page, with *objp its object, locked, or NULL when the page
// has no object or its object is locked by someone else: then the page has
// been sent to the tail of q. The queue lock is released either way.
//
// Why touching the object is safe. The scan starts from a queue with only
// the queue lock held, but object locks come BEFORE the queue lock in the
// lock order (vm.h): a thread holding an object lock may be waiting for
// the queue lock right now (every vm_page_activate does that). Waiting
// here for the object's lock could therefore deadlock, so it is only
// tried, and the page skipped if that fails. As for the object's memory:
//   - m itself is always valid memory: struct vm_page lives in the page
//     array, which is never freed;
//   - m is on queue q, and stays on it while we hold the queue lock;
//   - the owner of a queued page changes only under the queue lock too
//     (vm_page_free dequeues before unlinking, vm_object_page_rename
//     switches owners under it), so m->object is m's owner throughout;
//   - an object is freed only after its last page has left it
//     (vm_object_free checks resident_count == 0), and m cannot leave.
// So obj is alive while the queue lock is held, and mtx_trylock on it is
// safe. Once we hold obj's lock, m cannot leave obj (unlinking needs that
// lock) nor change queues (vm_page.h), and the queue lock may go.
static struct vm_page *vm_pageout_next(int q, struct vm_object **objp)
{
  struct vm_object *obj = NULL;
  struct vm_page *m;

  vm_page_queue_lock();
  m = vm_page_queue_first_locked(q);
  if (m != NULL) {
    obj = m->object;
    if (obj == NULL || !mtx_trylock(&obj->lock)) {
      vm_page_queue_rotate_locked(m);
      obj = NULL;
    }
  }
  vm_page_queue_unlock();
  *objp = obj;
  return m;
}

// Send m (its object locked) to the tail of its queue: maybe next time.
static void vm_pageout_requeue(struct vm_page *m)
{
  vm_page_queue_lock();
  vm_page_queue_rotate_locked(m);
  vm_page_queue_unlock();
}

// Is m, with its object obj locked, a file page that may be freed if it
// turns out to be clean?
static bool vm_pageout_candidate(struct vm_page *m, struct vm_object *obj)
{
  return obj->type == OBJT_VNODE && (obj->flags & OBJ_DEAD) == 0 &&
         (m->flags & (PG_BUSY | PG_VALID)) == PG_VALID;
}

// Unmap m and say whether it is clean. A page already marked dirty keeps
// its mappings: it cannot be freed anyway. A store through a mapping
// since the last write-back shows as the pmap's modified bit, which
// survives the unmapping and is moved into PG_DIRTY here.
static bool vm_pageout_unmap_clean(struct vm_page *m)
{
  if ((m->flags & PG_DIRTY) != 0)
    return false;
  pmap_page_protect(m, VM_PROT_NONE);
  if (pmap_is_modified(m)) {
    vm_page_dirty(m);
    return false;
  }
  return true;
}

// Deal with m, just taken from the head of queue q, its object obj locked:
// free it (true) or move it on as the module comment says (false). obj
// stays locked.
static bool vm_pageout_page(struct vm_page *m, struct vm_object *obj, int q)
{
  KASSERT(m->object == obj && m->queue == q && !vm_page_wired(m),
          ("vm_pageout_page: page %p moved under object %u's lock",
           (void *)m, obj->id));
  if ((obj->flags & OBJ_ANON) != 0) {
    if (q == PQ_INACTIVE)
      vm_page_launder(m);
    else
      vm_page_activate(m);
    return false;
  }
  if (!vm_pageout_candidate(m, obj)) {
    vm_pageout_requeue(m);
    return false;
  }
  if (!vm_pageout_unmap_clean(m)) {
    vm_page_launder(m);
    return false;
  }
  vm_page_free(m);
  return true;
}

// One pass over queue q from its head, freeing up to target pages.
static size_t vm_pageout_scan(int q, size_t target)
{
  size_t budget = vm_page_queue_count(q), freed = 0;
  struct vm_object *obj;
  struct vm_page *m;

  while (freed < target && budget-- > 0 &&
         (m = vm_pageout_next(q, &obj)) != NULL) {
    if (obj == NULL)
      continue;                 // skipped, now at the tail
    if (vm_pageout_page(m, obj, q))
      freed++;
    mtx_unlock(&obj->lock);
  }
  return freed;
}

size_t vm_pageout_reclaim(size_t target)
{
  size_t freed;

  KASSERT(!vm_page_queue_owned(),
          ("vm_pageout_reclaim: called with the page queue lock held"));
  freed = vm_pageout_scan(PQ_INACTIVE, target);
  if (freed < target)
    freed += vm_pageout_scan(PQ_ACTIVE, target - freed);
  VM_CNT_ADD(v_reclaimed, freed);
  return freed;
}
