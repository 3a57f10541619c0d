// SPDX-License-Identifier: MIT
// Page reclaim (vm_pageout.h): a pageout scan over the paging queues, run
// by whoever ran out of pages, that frees clean pages of files and, when
// swap is attached, sends anonymous pages to swap; and the passes of the
// pageout daemon (vm_pageout_daemon.c), which also write dirty file pages
// back to their files ("Laundering").
//
// Which pages. A page may be thrown away only if its contents can be had
// again. Anonymous memory has no other copy unless swap holds one: without
// a swap device it is never reclaimed; with one, see "Anonymous pages"
// below. A page of a file (OBJT_VNODE) object can be read from
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
// ago. The synchronous scan (vm_pageout_reclaim, for a caller that
// cannot wait) looks at no referenced bits: a page in use is taken too if
// it is old enough, and simply faults back in. The pageout daemon's passes
// do (refs): they age active pages by the referenced bit
// (pmap_ts_referenced, cleared as it is read) and give a referenced
// inactive page a second chance (docs/paging.md).
//
// Anonymous pages, with swap (vm_pageout_anon): any queue's page that is
// not busy, wired or invalid, of an object not dying or collapsing, is
// unmapped; if it is clean and swap holds its copy it is freed at once;
// otherwise it is written to swap together with the neighbours in its
// object that may go too (one cluster, one request: vm_pageout_cluster),
// and the pages written are freed. The object lock is dropped for the
// write, with the pages busy and the pageout code's reference on the
// object (vm_object_pageout_hold: never the last to go). A page that fails
// to be written stays dirty and resident, on the laundry queue, and after
// a failed write the sweep writes no more (swap_pager_write_failed: one
// failed request a sweep, not one for each page of the cluster it failed
// and each of their neighbours). The laundry queue is scanned between the
// inactive and the active queue.
//
// Every page looked at leaves the head of its queue -- freed, moved to
// another queue, or sent to the tail -- so a pass looks at each page at
// most once. It stops when the target is met or after as many pages as
// the queue held when it began: O(pages looked at), no allocation.
//
// Pages that stay:
//   dirty file page       -> laundry queue: it must be written before it
//                            can go. The daemon writes and frees it
//                            ("Laundering file pages" below); msync,
//                            munmap and exit write it too
//                            (vm_object_page_clean), which puts it back on
//                            the inactive queue, clean.
//   anonymous, no swap,   -> laundry queue too: with no swap it waits
//   inactive                 there for its next use (a fault activates
//                            it again).
//   anonymous, no swap,   -> tail of the active queue: in use.
//   active
//   busy, invalid, object dying or locked elsewhere
//                         -> tail of its queue, to be tried next time.
//
// Locking: called with nothing held; may sleep for swap I/O. The scan
// holds the page queue lock only to pick the page at a queue's head and
// try-lock its object (see vm_pageout_next for why the object is safe to
// touch), then works with that object lock alone, which is what every
// page operation needs.
#include "lib/lock.h"
#include "lib/string.h"
#include "vm/pmap.h"
#include "vm/swap_pager.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"
#include "vm/vm_pager.h"

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
// the queue lock right now (vm_page_deactivate does that). Waiting
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
    KASSERT(obj == NULL || obj->magic == VM_OBJECT_MAGIC,   // (trylock writes)
            ("vm_pageout_next: page %p on queue %d has a dead owner", m, q));
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

// May the page m of obj (locked) be written out and freed now (to swap,
// or for a file page to its file)? Not while a collapse moves obj's pages
// or obj is dying, nor while m is busy, wired or holds nothing yet.
static bool vm_pageout_write_candidate(struct vm_page *m, struct vm_object *obj)
{
  return (obj->flags & (OBJ_DEAD | OBJ_COLLAPSING)) == 0 &&
         (m->flags & (PG_BUSY | PG_VALID)) == PG_VALID && !vm_page_wired(m);
}

// Unmap the page m and say whether it must be written before it may be
// freed: it is dirty, or (anonymous) swap holds no copy of it. (A clean
// anonymous page with no copy may be a zero page or a copy of a backing
// object's page; writing it is always right, guessing is not. A clean
// file page has its copy in the file.)
static bool vm_pageout_needs_write(struct vm_page *m, struct vm_object *obj)
{
  pmap_page_protect(m, VM_PROT_NONE);
  if (pmap_is_modified(m))
    vm_page_dirty(m);
  return (m->flags & PG_DIRTY) != 0 ||
         ((obj->flags & OBJ_ANON) != 0 &&
          swap_pager_lookup(obj, m->pindex) == SWAPBLK_NONE);
}

// May the neighbour at pindex of obj join a cluster being written? It
// must be resident, queued (not wired), idle and valid, and need a write
// (which unmaps it). For the daemon (refs) it must also be on the inactive
// or laundry queue: the aging kept the pages in use on the active one.
// Returns it, or NULL.
static struct vm_page *vm_pageout_neighbour(struct vm_object *obj,
                                            vm_pindex_t pindex, bool refs)
{
  struct vm_page *p = vm_object_page_lookup(obj, pindex);

  if (p == NULL || vm_page_queue_of(p) == PQ_NONE ||
      (refs && vm_page_active(p)) ||
      !vm_pageout_write_candidate(p, obj) ||
      !vm_pageout_needs_write(p, obj))
    return NULL;
  return p;
}

// Gather into out[] up to max neighbours of pindex in obj, going one way
// (dir: -1 behind, +1 ahead), up to the first that may not join; going
// behind, max <= pindex. Returns how many.
static int vm_pageout_gather(struct vm_object *obj, vm_pindex_t pindex,
                             int dir, int max, struct vm_page **out, bool refs)
{
  struct vm_page *p;
  int n = 0;

  while (n < max &&
         (p = vm_pageout_neighbour(obj, pindex + (vm_pindex_t)(dir * (n + 1)),
                                   refs)) != NULL)
    out[n++] = p;
  return n;
}

// Gather the cluster around m (already unmapped, needing a write) into ma,
// in index order: the pages of obj next to m that may join it, within m's
// aligned cluster (the SWAP_CLUSTER_MAX indexes from a multiple of
// SWAP_CLUSTER_MAX). The queues hand pages out in no useful order; the
// alignment keeps a scan that meets a run in its middle from cutting it
// into two short writes, and a swap page's fault reads its aligned
// cluster back in one request (vm_fault_window). Busies them all; returns
// how many.
static int vm_pageout_cluster(struct vm_page *m, struct vm_object *obj,
                              struct vm_page **ma, bool refs)
{
  struct vm_page *behind[SWAP_CLUSTER_MAX - 1], *ahead[SWAP_CLUSTER_MAX - 1];
  int nb, na, n = 0, edge = (int)(m->pindex % SWAP_CLUSTER_MAX);

  nb = vm_pageout_gather(obj, m->pindex, -1, edge, behind, refs);
  na = vm_pageout_gather(obj, m->pindex, +1, SWAP_CLUSTER_MAX - 1 - edge,
                         ahead, refs);
  for (int i = nb - 1; i >= 0; i--)
    ma[n++] = behind[i];
  ma[n++] = m;
  for (int i = 0; i < na; i++)
    ma[n++] = ahead[i];
  for (int i = 0; i < n; i++)
    vm_page_xbusy(ma[i]);
  return n;
}

// A busy page of a cluster that was not written: it stays dirty and
// resident, back on the laundry queue for a later try.
static void vm_pageout_keep(struct vm_page *m)
{
  vm_page_xunbusy(m);
  vm_page_launder(m);
}

// Write the busy cluster ma[0..n-1] of obj (locked) through its pager
// with flags, and free the pages written. A page that could not be
// written stays dirty and resident (back on the laundry queue, for a later
// try), and *unwritten says there was one. obj's lock is dropped around
// the I/O; the caller's reference keeps obj alive meanwhile, and the busy
// pages keep faults, unmapping and collapse away from them (unmapped and
// busy, a freed page was seen by nobody). Returns the pages freed.
static size_t vm_pageout_put_cluster(struct vm_object *obj,
                                     struct vm_page **ma, int n, int flags,
                                     bool *unwritten)
{
  int rtvals[SWAP_CLUSTER_MAX];
  size_t freed = 0;

  *unwritten = false;
  (void)vm_pager_put_pages(obj, ma, n, flags, rtvals);
  for (int i = 0; i < n; i++) {
    if (rtvals[i] == VM_PAGER_OK) {
      ma[i]->flags &= ~PG_DIRTY;
      vm_page_free(ma[i]);          // wakes whoever waits for it
      freed++;
    } else {
      vm_pageout_keep(ma[i]);
      *unwritten = true;
    }
  }
  return freed;
}

// The same, for an anonymous object's cluster: to swap. After a failed
// write in this sweep nothing is tried (swap_pager_write_failed): the
// pages stay as a failed write leaves them.
static size_t vm_pageout_swap_cluster(struct vm_object *obj,
                                      struct vm_page **ma, int n)
{
  size_t freed;
  bool unwritten;

  if (swap_pager_write_failed()) {
    for (int i = 0; i < n; i++)
      vm_pageout_keep(ma[i]);
    return 0;
  }
  swap_pager_make_swap(obj);
  freed = vm_pageout_put_cluster(obj, ma, n, VM_PAGER_PUT_SYNC, &unwritten);
  VM_CNT_ADD(v_pageout, freed);
  return freed;
}

/* LAB pageout BEGIN vm_pageout_page: free clean pages, launder dirty ones, page out to swap */
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

// An anonymous page, with swap attached: a clean page whose copy is on
// swap is freed at once; any other is written out with its neighbours
// and freed. Returns the pages freed (0: m moved on to the tail of its
// queue, or failed to be written). obj locked, and again on return; the
// lock is dropped across the write, under the pageout code's reference,
// which *ref says the caller must drop (vm_object_pageout_release, once
// unlocked). An object whose last users are letting go of it is left to
// them.
static size_t vm_pageout_anon(struct vm_page *m, struct vm_object *obj,
                              bool refs, bool *ref)
{
  struct vm_page *ma[SWAP_CLUSTER_MAX];
  int n;

  if (!vm_pageout_write_candidate(m, obj) ||
      (swap_pager_full() && ((m->flags & PG_DIRTY) != 0 ||
                             swap_pager_lookup(obj, m->pindex) == SWAPBLK_NONE))) {
    vm_pageout_requeue(m);            // (with swap full: it cannot be written)
    return 0;
  }
  if (!vm_pageout_needs_write(m, obj)) {
    vm_page_free(m);
    return 1;
  }
  if (!vm_object_pageout_hold(obj)) {
    vm_pageout_requeue(m);            // its last users are letting go
    return 0;
  }
  *ref = true;
  n = vm_pageout_cluster(m, obj, ma, refs);
  return vm_pageout_swap_cluster(obj, ma, n);
}

// Deal with m, just taken from the head of queue q, its object obj locked:
// free it (and, for a page written to swap, its cluster) or move it on as
// the module comment says. Returns the pages freed. obj stays locked;
// *ref says that a reference was taken on obj for the caller to drop.
static size_t vm_pageout_page(struct vm_page *m, struct vm_object *obj, int q,
                              bool refs, bool *ref)
{
  KASSERT(m->object == obj && m->queue == q && !vm_page_wired(m),
          ("vm_pageout_page: page %p moved under object %u's lock",
           (void *)m, obj->id));
  // The daemon gives a page used since it last looked a second chance:
  // to the active queue's tail (the referenced bits are cleared as read).
  if (refs && q != PQ_LAUNDRY && pmap_ts_referenced(m) > 0) {
    vm_page_activate(m);
    return 0;
  }
  if ((obj->flags & OBJ_ANON) != 0) {
    if (swap_pager_available())
      return vm_pageout_anon(m, obj, refs, ref);
    if (q == PQ_INACTIVE)
      vm_page_launder(m);
    else if (q == PQ_ACTIVE)
      vm_page_activate(m);
    else
      vm_pageout_requeue(m);
    return 0;
  }
  if (!vm_pageout_candidate(m, obj)) {
    vm_pageout_requeue(m);
    return 0;
  }
  if (!vm_pageout_unmap_clean(m)) {
    if (q == PQ_LAUNDRY)
      vm_pageout_requeue(m);
    else
      vm_page_launder(m);
    return 0;
  }
  vm_page_free(m);
  return 1;
}

/* LAB pageout STUB
static size_t vm_pageout_page(struct vm_page *m, struct vm_object *obj, int q,
                              bool refs, bool *ref)
{
  (void)obj;
  (void)q;
  (void)refs;
  (void)ref;
  (void)vm_pageout_cluster;       // given: yours pages anonymous memory out
  (void)vm_pageout_swap_cluster;  // with these two
  vm_pageout_requeue(m);          // keeps every page: the scan frees nothing
  return 0;
}
   LAB pageout END */

// One pass over queue q from its head, freeing up to target pages; with
// refs, referenced pages are kept (the daemon's passes).
static size_t vm_pageout_scan(int q, size_t target, bool refs)
{
  size_t budget = vm_page_queue_count(q), freed = 0;
  struct vm_object *obj;
  struct vm_page *m;
  bool ref;

  while (freed < target && budget-- > 0 &&
         (m = vm_pageout_next(q, &obj)) != NULL) {
    if (obj == NULL)
      continue;                 // skipped, now at the tail
    ref = false;
    freed += vm_pageout_page(m, obj, q, refs, &ref);
    mtx_unlock(&obj->lock);
    if (ref)
      vm_object_pageout_release(obj);
  }
  return freed;
}

// The queues from the inactive head on, as vm_pageout_reclaim says. With
// refs (the daemon) referenced pages stay, and the active queue is left
// to the aging, which has just looked at its pages: a second look in the
// same pass would find their referenced bits cleared by the first. Pages
// freed, the pagers' trim operations end the cached objects (vm_object.h)
// left with none.
static size_t vm_pageout_reclaim_queues(size_t target, bool refs)
{
  static const int order[] = { PQ_INACTIVE, PQ_LAUNDRY, PQ_ACTIVE };
  size_t freed = 0;

  KASSERT(!vm_page_queue_owned(),
          ("vm_pageout_reclaim: called with the page queue lock held"));
  swap_pager_retry_writes();    // a disk that failed gets one more try
  for (int i = 0; i < 3 && freed < target; i++) {
    if ((order[i] == PQ_LAUNDRY && !swap_pager_available()) ||
        (order[i] == PQ_ACTIVE && refs))
      continue;                 // nothing there can be cleaned
    freed += vm_pageout_scan(order[i], target - freed, refs);
  }
  VM_CNT_ADD(v_reclaimed, freed);
  if (freed > 0)
    vm_pager_trim();            // cached objects left with no page go
  return freed;
}

size_t vm_pageout_reclaim(size_t target)
{
  vm_page_pqbatch_drain_all();  // the scan sees only the queues' pages
  return vm_pageout_reclaim_queues(target, false);
}

// ---------------------------------------------------------------------------
// Laundering file pages: the daemon writes the dirty pages of files that
// the scan parked on the laundry queue, so that a process dirtying a
// MAP_SHARED file larger than memory is paged out like anonymous memory
// is, instead of waiting for msync, munmap or exit (and meanwhile for the
// out-of-memory killer). Only the daemon does this (vm_pageout_pass):
// vm_pageout_reclaim runs in whoever ran short, which may hold a log
// reservation or an inode lock that the write would need.
//
// Each dirty file page at the laundry queue's head is unmapped and written
// through its pager (vnode_pager.c putpages) together with its dirty
// neighbours on the inactive and laundry queues (vm_pageout_cluster, one
// transaction per batch), then freed. The hazards, and how each is met:
//   - Deadlock. putpages needs a log reservation (begin_op) and the inode
//     lock, and a thread holding either may, through a chain of waits, be
//     waiting for a free page, that is for this daemon (a user copy under
//     an inode lock would be one link; none is left, file.c, but the
//     daemon does not bet on it). So the write is asked for with
//     VM_PAGER_PUT_NOWAIT: the pager only tries the reservation and the
//     lock and answers VM_PAGER_AGAIN instead of sleeping; the pages stay
//     dirty on the laundry queue and the object is tried again next pass.
//     The daemon's end_op may be the last and commit the log, which locks
//     every buffer of the transaction: no thread holds a buffer across a
//     user copy (fs.c readi/writei move kernel memory only), so the
//     commit waits only for the disk.
//   - The object's life. Its lock is dropped during the write; the
//     pageout code's reference (vm_object_pageout_hold, dropped by
//     vm_pageout_launder, as for swap) keeps it from being terminated, and
//     the busy pages keep faults, read(), write(), msync and truncation
//     away from them. That reference is never the last to go: a last
//     munmap or exit during the write waits for it, and then terminates
//     the object (or caches it) itself, so terminate's write-back and the
//     inode's release, which wait for the log, never run in the daemon.
//   - A failed write (I/O error, full disk, VM_PAGER_AGAIN) leaves the page
//     dirty and resident, back on the laundry queue: nothing is lost, and
//     msync, munmap, exit or the object's end write it as before.
//   - Truncation. The pager clips every write to the file's size on disk
//     under the inode lock, and skips the write while a truncation has cut
//     the disk but not yet the cache (vnode_pager_truncating), so no page
//     past the end is written and no truncated data comes back. ip->wlock
//     (write()s one at a time) is not needed: a page write() is copying
//     into is wired, so never on a queue, and write() waits for our busy
//     pages before it touches one.
// A page the scan finds clean (msync got there first) is simply freed.

// Write the busy cluster ma[0..n-1] of the file object obj (locked; a
// reference held by the caller) without waiting for anyone, and free the
// pages written. If a page was not written, *failed becomes obj. Returns
// the pages freed.
static size_t vm_pageout_file_cluster(struct vm_object *obj,
                                      struct vm_page **ma, int n,
                                      struct vm_object **failed)
{
  size_t freed;
  bool unwritten;

  freed = vm_pageout_put_cluster(obj, ma, n, VM_PAGER_PUT_NOWAIT, &unwritten);
  if (unwritten)
    *failed = obj;
  VM_CNT_ADD(v_filepageout, freed);
  return freed;
}

// Deal with m, just taken from the laundry queue's head, its object obj
// locked: write it (and its cluster) and free it, free it if it is clean,
// or send it to the tail. *failed is the object a write failed for in
// this pass: its pages wait for the next (a pager that could not get the
// log or the inode lock would not get it for the next page either). obj
// stays locked; *ref says that a reference was taken on obj for the
// caller to drop. An object with no reference left is letting go of its
// last one: the pager's cache operation (vnode_cache_keep) is writing its
// dirty pages back, so they are left to it. Returns the pages freed.
static size_t vm_pageout_file_page(struct vm_page *m, struct vm_object *obj,
                                   bool *ref, struct vm_object **failed)
{
  struct vm_page *ma[SWAP_CLUSTER_MAX];
  int n;

  if (obj == *failed || obj->type != OBJT_VNODE ||
      !vm_pageout_write_candidate(m, obj)) {
    vm_pageout_requeue(m);          // anonymous, busy, dying, failed already
    return 0;
  }
  if (!vm_pageout_needs_write(m, obj)) {
    vm_page_free(m);                // clean: the file holds its data
    return 1;
  }
  if (!vm_object_pageout_hold(obj)) {
    vm_pageout_requeue(m);          // its last users are letting go
    return 0;
  }
  *ref = true;
  n = vm_pageout_cluster(m, obj, ma, true);
  return vm_pageout_file_cluster(obj, ma, n, failed);
}

// One pass over the laundry queue from its head, writing and freeing file
// pages until target pages are freed or every page queued at the start
// was looked at.
static size_t vm_pageout_launder(size_t target)
{
  size_t budget = vm_page_queue_count(PQ_LAUNDRY), freed = 0;
  struct vm_object *failed = NULL;    // only compared: it may be gone
  struct vm_object *obj;
  struct vm_page *m;
  bool ref;

  while (freed < target && budget-- > 0 &&
         (m = vm_pageout_next(PQ_LAUNDRY, &obj)) != NULL) {
    if (obj == NULL)
      continue;                 // skipped, now at the tail
    ref = false;
    freed += vm_pageout_file_page(m, obj, &ref, &failed);
    mtx_unlock(&obj->lock);
    if (ref)
      vm_object_pageout_release(obj);   // never the last: see above
  }
  VM_CNT_ADD(v_reclaimed, freed);
  return freed;
}

// ---------------------------------------------------------------------------
// A pass of the pageout daemon (vm_pageout_daemon.c says when it runs one
// and what its steps are for): aging, then the scan keeping referenced
// pages, then laundering, then, when urgent, the scan without them.

#define VM_PAGEOUT_AGE_PER_PAGE 4     // active pages looked at per page wanted

// The high mark: a pass frees up to here.
static size_t vm_pageout_high(void)
{
  return 2 * vm_pageout_free_min();
}

/* LAB pageout BEGIN vm_pageout_age: deactivate the pages not referenced since the last look */
// Is the inactive queue short of a third of the queued pages?
static bool vm_pageout_inactive_short(void)
{
  size_t act = vm_page_queue_count(PQ_ACTIVE);
  size_t inact = vm_page_queue_count(PQ_INACTIVE);

  return 3 * inact < act + inact;
}

size_t vm_pageout_age(size_t budget)
{
  struct vm_object *obj;
  struct vm_page *m;
  size_t moved = 0;

  // Each page at most once: a second look in the same call would find the
  // bits the first one cleared.
  budget = MIN(budget, vm_page_queue_count(PQ_ACTIVE));
  while (budget-- > 0 && vm_pageout_inactive_short() &&
         (m = vm_pageout_next(PQ_ACTIVE, &obj)) != NULL) {
    if (obj == NULL)
      continue;                 // skipped, now at the tail
    if (pmap_ts_referenced(m) > 0) {
      vm_page_activate(m);      // used: to the tail
    } else {
      vm_page_deactivate(m);
      moved++;
    }
    mtx_unlock(&obj->lock);
  }
  return moved;
}

/* LAB pageout STUB
size_t vm_pageout_age(size_t budget)
{
  (void)budget;
  return 0;                       // ages nothing: the active queue stays put
}
   LAB pageout END */

size_t vm_pageout_pass_target(bool urgent)
{
  size_t free = vm_page_free_count(), high = vm_pageout_high();
  size_t target = free < high ? high - free : 0;

  return urgent && target == 0 ? vm_pageout_free_min() : target;
}

size_t vm_pageout_pass(bool urgent)
{
  size_t target = vm_pageout_pass_target(urgent), freed;

  if (target == 0)
    return 0;
  // The scan and the aging walk the queues alone: no page may wait in a
  // hart's batch of activations while memory is short.
  vm_page_pqbatch_drain_all();
  // Aging work in proportion to the pages wanted: a pass must not cost a
  // walk of the whole active queue when it frees a few dozen pages.
  (void)vm_pageout_age(VM_PAGEOUT_AGE_PER_PAGE * target);
  freed = vm_pageout_reclaim_queues(target, true);
  if (freed < target)
    freed += vm_pageout_launder(target - freed);
  if (urgent && freed < target)
    freed += vm_pageout_reclaim_queues(target - freed, false);
  return freed;
}
