// SPDX-License-Identifier: MIT
// The page-fault handler.
//
// Every user page gets mapped here: hardware faults, the kernel's own
// accesses to user memory, mlock (VM_FAULT_WIRE) all call vm_fault(). One
// fault runs as a short pipeline whose state lives in a struct faultstate,
// one helper per step:
//
//   lookup     vm_map_lookup: entry, front object (first_object), pindex,
//              the protection to map with, wired; the map stays read-locked
//   find_page  walk first_object -> backing objects looking for the page;
//              page it in from a pager (with read-ahead), or zero-fill a new
//              page in first_object when nothing below has it
//   cow        a write (or a wired fault) that found the page below
//              first_object: move the page up when nobody else can see it,
//              else copy it up
//   enter      pmap_enter, then wire or activate the page
// Running out of pages at any step releases everything; vm_fault then
// waits for the pageout daemon to free pages (vm_pageout.h: clean file
// pages, anonymous pages written to swap) and runs the pipeline again.
//
// Invariants kept (the host pmap checks them on every pmap_enter):
//   - a page is mapped writable only if it lies in first_object, the entry
//     is not NEEDS_COPY (vm_map_lookup removes write from prot until the
//     shadow exists) and first_object has no shadows;
//   - a page found in a backing object is mapped read-only;
//   - a wired anonymous page lies in the front object of the entry that
//     wired it, never behind another object (see cow);
//   - every failure releases everything and leaves no half-made page: the
//     objects hold only pages with valid contents.
//
// Locking: called with no lock held. The map is read-locked from lookup to
// the end. first_object's lock is held for the whole walk; the objects below
// are locked hand over hand (lock the next, then drop the previous unless it
// is first_object), which is the shadow-before-backing order of vm.h. The
// page found is busied, so it cannot go away while locks are juggled. No
// spin lock is held across pager I/O except the pager's own object's, which
// the pager may drop. When the fault must sleep (a busy page) or has just
// done I/O, it releases every lock and page and starts again from the
// lookup, so it never trusts a stale lookup (the map keeps no timestamp:
// nothing is reused across a retry).
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/swap_pager.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"
#include "vm/vm_pager.h"

// Read-ahead windows in pages, by the entry's behaviour (see pagein); a
// swap object's NORMAL window is the page's aligned SWAP_CLUSTER_MAX.
#define VM_FAULT_AHEAD_NORMAL   8
#define VM_FAULT_BEHIND_NORMAL  7
#define VM_FAULT_AHEAD_SEQ      16
#define VM_FAULT_FREEBEHIND     16
#define VM_FAULT_MAXPAGES       (VM_FAULT_AHEAD_SEQ + VM_FAULT_BEHIND_NORMAL + 1)
// Swap clusters a sequential reader keeps read, or being read, ahead of
// itself (swap_pager_ra.c): two, so the disk has the next request queued
// while it finishes one.
#define VM_FAULT_RA_CLUSTERS    2
// Resident neighbours mapped around an anonymous fault, each way.
#define VM_FAULT_PREFAULT       4

// A helper's result besides the KERN_* codes: everything was released and
// the fault must start over from the lookup.
#define VM_FAULT_RETRY          (-1)

#define VM_MAP_STAT_INC(map, f) \
  __atomic_fetch_add(&(map)->stats.f, 1, __ATOMIC_RELAXED)
#define VM_MAP_STAT_ADD(map, f, n) \
  __atomic_fetch_add(&(map)->stats.f, (n), __ATOMIC_RELAXED)

// The lock contract at a step's entry: the map read-locked (the sx records
// no shared owners, so "by someone"), and obj's lock held by this thread.
#define VM_FAULT_ASSERT_LOCKED(fs, obj)    \
  do {                                     \
    SX_ASSERT_LOCKED(&(fs)->map->lock);    \
    MTX_ASSERT_OWNED(&(obj)->lock);        \
  } while (0)

struct faultstate {
  // The request.
  struct vm_map *map;               // (t)
  vm_offset_t va;                   // (t) page-aligned faulting address
  vm_prot_t fault_type;             // (t) access wanted; widened when wiring
  int fault_flags;                  // (t) VM_FAULT_*
  // From vm_map_lookup; valid while the map is read-locked.
  struct vm_map_entry *entry;       // (m)
  struct vm_object *first_object;   // (m) the entry's object
  vm_pindex_t first_pindex;         // (m) va's index in first_object
  vm_prot_t prot;                   // (m) most the entry allows now
  bool wired;                       // (m) entry wired or wiring fault
  // From the walk: the page found or made, busied by this fault, and the
  // object that holds it (locked, as is first_object).
  struct vm_object *object;         // (t)
  vm_pindex_t pindex;               // (t) index in object
  struct vm_page *m;                // (o)
  bool fresh;                       // (t) m was allocated by this fault
};

// Release the object locks and the map lock held after the walk; the page
// (if any) must already be unbusied or freed by the caller.
static void vm_fault_unlock_all(struct faultstate *fs)
{
  if (fs->object != NULL && fs->object != fs->first_object)
    mtx_unlock(&fs->object->lock);
  mtx_unlock(&fs->first_object->lock);
  vm_map_lookup_done(fs->map, fs->entry);
}

// Step 1: look the address up. On KERN_SUCCESS the map is read-locked.
// A wiring fault asks for every right the entry grants, so a writable
// private page is copied up now and never faults again while wired.
static int vm_fault_lookup(struct faultstate *fs)
{
  int rv;

  rv = vm_map_lookup(fs->map, fs->va, fs->fault_type, &fs->entry,
                     &fs->first_object, &fs->first_pindex, &fs->prot,
                     &fs->wired);
  if (rv != KERN_SUCCESS)
    return rv;
  KASSERT(fs->first_object != NULL,
          ("vm_fault_lookup: entry at %#lx has no object", fs->va));
  if ((fs->fault_flags & VM_FAULT_WIRE) != 0)
    fs->wired = true;
  fs->object = NULL;
  fs->m = NULL;
  fs->fresh = false;
  if (fs->wired)
    fs->fault_type |= fs->prot & VM_PROT_WRITE;
  return KERN_SUCCESS;
}

// Sleep until the busy page m (in object, locked) is released, after
// dropping every other lock. Returns VM_FAULT_RETRY with nothing held.
static int vm_fault_busy_wait(struct faultstate *fs, struct vm_object *obj,
                              struct vm_page *m)
{
  VM_FAULT_ASSERT_LOCKED(fs, obj);
  if (obj != fs->first_object)
    mtx_unlock(&fs->first_object->lock);
  vm_map_lookup_done(fs->map, fs->entry);
  vm_page_busy_sleep(m);   // drops obj's lock
  return VM_FAULT_RETRY;
}

// Step 2b: nothing in the chain has the page: a new zero page in
// first_object (locked; the walk dropped every other object).
static int vm_fault_zerofill(struct faultstate *fs)
{
  struct vm_page *m;

  VM_FAULT_ASSERT_LOCKED(fs, fs->first_object);
  m = vm_page_alloc(fs->first_object, fs->first_pindex, VM_ALLOC_ZERO);
  if (m == NULL) {
    vm_fault_unlock_all(fs);
    return KERN_RESOURCE_SHORTAGE;
  }
  m->flags |= PG_VALID;   // vm_page_alloc zeroed it (pmap_zero_page)
  fs->object = fs->first_object;
  fs->pindex = fs->first_pindex;
  fs->m = m;
  fs->fresh = true;
  VM_CNT_INC(v_zfod);
  VM_MAP_STAT_INC(fs->map, zfod);
  return KERN_SUCCESS;
}

// Sequential scans deactivate the resident pages just behind the fault:
// they were read once and will not be wanted again soon. obj locked.
static void vm_fault_freebehind(struct vm_object *obj, vm_pindex_t pindex)
{
  /* LAB mmap BEGIN vm_fault_freebehind: deactivate the resident pages just behind a sequential fault */
  vm_pindex_t start;
  struct vm_page *m;

  start = pindex > VM_FAULT_FREEBEHIND ? pindex - VM_FAULT_FREEBEHIND : 0;
  for (m = vm_object_page_ge(obj, start); m != NULL && m->pindex < pindex;
       m = vm_object_page_next(obj, m)) {
    if (!vm_page_active(m) || vm_page_wired(m) || (m->flags & PG_BUSY))
      continue;
    vm_page_deactivate(m);
    VM_CNT_INC(v_freebehind);
  }
  /* LAB mmap STUB
  (void)obj;
  (void)pindex;
     LAB mmap END */
}

// The read-ahead window around pindex in obj (locked): how many pages
// behind and ahead to read with it, by the entry's behaviour, clamped to
// what the pager has (before/after), to the object, and to the first
// resident page either way.
static void vm_fault_window(struct faultstate *fs, struct vm_object *obj,
                            vm_pindex_t pindex, int before, int after,
                            int *behind, int *ahead)
{
  /* LAB mmap BEGIN vm_fault_window: the read-ahead window of a fault, by the entry's behaviour */
  int b = 0, a = 0;

  if (fs->entry->behavior == VM_BEHAV_NORMAL && obj->type == OBJT_SWAP) {
    b = (int)(pindex % SWAP_CLUSTER_MAX);   // the aligned cluster that
    a = SWAP_CLUSTER_MAX - 1 - b;           // pageout wrote in one go
  } else if (fs->entry->behavior == VM_BEHAV_NORMAL) {
    b = VM_FAULT_BEHIND_NORMAL;
    a = VM_FAULT_AHEAD_NORMAL;
  } else if (fs->entry->behavior == VM_BEHAV_SEQUENTIAL) {
    a = VM_FAULT_AHEAD_SEQ;
  }
  b = MIN(b, before);
  a = MIN(a, after);
  // Nothing this mapping cannot see: a program's text would read ahead
  // into its data and symbols, pages that only sit in the cache.
  b = MIN(b, (int)atop(fs->va - fs->entry->start));
  a = MIN(a, (int)atop(fs->entry->end - fs->va) - 1);
  if ((vm_pindex_t)b > pindex)
    b = (int)pindex;
  if (obj->size > pindex && (vm_pindex_t)a > obj->size - pindex - 1)
    a = (int)(obj->size - pindex - 1);
  for (int i = 1; i <= b; i++)
    if (vm_object_page_lookup(obj, pindex - i) != NULL) {
      b = i - 1;
      break;
    }
  for (int i = 1; i <= a; i++)
    if (vm_object_page_lookup(obj, pindex + i) != NULL) {
      a = i - 1;
      break;
    }
  *behind = MAX(b, 0);
  *ahead = MAX(a, 0);
  /* LAB mmap STUB
  (void)fs;
  (void)obj;
  (void)pindex;
  (void)before;
  (void)after;
  *behind = 0;
  *ahead = 0;
     LAB mmap END */
}

// Allocate busy pages for the window [pindex - behind, pindex + ahead] of
// obj into ma[]; a failed read-ahead allocation just shrinks the window.
// Returns the count and sets *reqpage, or 0 if the wanted page itself could
// not be had.
static int vm_fault_alloc_run(struct vm_object *obj, vm_pindex_t pindex,
                              int behind, int ahead, struct vm_page **ma,
                              int *reqpage)
{
  /* LAB mmap BEGIN vm_fault_alloc_run: allocate the busy pages of the window around the wanted one */
  struct vm_page *m;
  int n = 0, k;

  m = vm_page_alloc(obj, pindex, VM_ALLOC_NORMAL);
  if (m == NULL)
    return 0;
  for (k = 0; k < behind; k++)
    if ((ma[k] = vm_page_alloc(obj, pindex - behind + k, 0)) == NULL)
      break;
  if (k < behind) {
    // Keep only the contiguous part next to the wanted page: free the rest.
    for (int i = 0; i < k; i++)
      vm_page_free(ma[i]);
    k = 0;
  }
  n = k;
  *reqpage = n;
  ma[n++] = m;
  for (int i = 1; i <= ahead; i++) {
    if ((ma[n] = vm_page_alloc(obj, pindex + i, 0)) == NULL)
      break;
    n++;
  }
  return n;
  /* LAB mmap STUB
  (void)behind;
  (void)ahead;
  if ((ma[0] = vm_page_alloc(obj, pindex, VM_ALLOC_NORMAL)) == NULL)
    return 0;
  *reqpage = 0;
  return 1;
     LAB mmap END */
}

// Asynchronous read-ahead of swap (swap_pager_ra.c). A page-in of a swap
// object whose window starts right after a resident page (the reader came
// from there), or in a MADV_SEQUENTIAL entry, also starts reading the
// VM_FAULT_RA_CLUSTERS aligned clusters after the last page it read; the
// fault that later finds the first page of such a read (PG_READAHEAD)
// starts the one VM_FAULT_RA_CLUSTERS on, so a sequential reader finds
// each cluster read, or being read, when it gets there. Never for
// MADV_RANDOM. obj locked.
static bool vm_fault_sequential(struct faultstate *fs, struct vm_object *obj,
                                vm_pindex_t first)
{
  if (obj->type != OBJT_SWAP || fs->entry->behavior == VM_BEHAV_RANDOM)
    return false;
  return fs->entry->behavior == VM_BEHAV_SEQUENTIAL ||
         (first > 0 && vm_object_page_lookup(obj, first - 1) != NULL);
}

// The first index of the aligned cluster after the one holding pindex.
static vm_pindex_t vm_fault_next_cluster(vm_pindex_t pindex)
{
  return pindex - pindex % SWAP_CLUSTER_MAX + SWAP_CLUSTER_MAX;
}

// Start a read-ahead at start in obj (locked); the map's statistics count
// its pages when it starts (vmstat's counters, when the disk is done).
static bool vm_fault_readahead(struct faultstate *fs, struct vm_object *obj,
                               vm_pindex_t start)
{
  int n = swap_pager_readahead(obj, start);

  VM_MAP_STAT_ADD(fs->map, readahead, (uint64_t)n);
  return n > 0;
}

// m (busy now, of obj, locked) is the first page of a read-ahead, wanted
// at last: start the cluster VM_FAULT_RA_CLUSTERS after m's (those between
// were started with m's).
static void vm_fault_readahead_hit(struct faultstate *fs, struct vm_object *obj,
                                   struct vm_page *m)
{
  m->flags &= ~PG_READAHEAD;
  if (fs->entry->behavior != VM_BEHAV_RANDOM)   // (the pager checks the type)
    vm_fault_readahead(fs, obj, vm_fault_next_cluster(m->pindex) +
                       (VM_FAULT_RA_CLUSTERS - 1) * SWAP_CLUSTER_MAX);
}

// Step 2a: obj (locked; first_object already unlocked by the caller) may
// have pindex on its pager. Read it with its window, keep what the pager
// filled, free what it did not, and return VM_FAULT_RETRY with everything
// released: the next pass finds the page resident. I/O happens with only
// obj's lock held (the pager may drop it) and the map read-locked, which
// keeps the whole chain referenced.
static int vm_fault_pagein(struct faultstate *fs, struct vm_object *obj,
                           vm_pindex_t pindex, int before, int after)
{
  struct vm_page *ma[VM_FAULT_MAXPAGES];
  int behind, ahead, n, reqpage, rv, got = 0;
  vm_pindex_t first, last;

  VM_FAULT_ASSERT_LOCKED(fs, obj);
  KASSERT(obj == fs->first_object || !mtx_owned(&fs->first_object->lock),
          ("vm_fault_pagein: object %u still locked for I/O",
           fs->first_object->id));
  if (fs->entry->behavior == VM_BEHAV_SEQUENTIAL)
    vm_fault_freebehind(obj, pindex);
  vm_fault_window(fs, obj, pindex, before, after, &behind, &ahead);
  n = vm_fault_alloc_run(obj, pindex, behind, ahead, ma, &reqpage);
  if (n == 0) {
    mtx_unlock(&obj->lock);
    vm_map_lookup_done(fs->map, fs->entry);
    return KERN_RESOURCE_SHORTAGE;
  }
  first = ma[0]->pindex;
  last = ma[n - 1]->pindex;
  rv = vm_pager_get_pages(obj, ma, n, reqpage);
  if (rv == VM_PAGER_OK && (ma[reqpage]->flags & PG_VALID) == 0)
    rv = VM_PAGER_ERROR;   // the pager broke its contract: fail, no panic
  for (int i = 0; i < n; i++) {
    if (rv != VM_PAGER_OK || (ma[i]->flags & PG_VALID) == 0) {
      vm_page_free(ma[i]);
      continue;
    }
    got++;
    vm_page_xunbusy(ma[i]);
    if (i == reqpage)
      vm_page_activate(ma[i]);
    else
      vm_page_deactivate(ma[i]);
  }
  if (rv == VM_PAGER_OK && vm_fault_sequential(fs, obj, first))
    for (int k = 0; k < VM_FAULT_RA_CLUSTERS; k++)
      if (!vm_fault_readahead(fs, obj, vm_fault_next_cluster(last) +
                              (vm_pindex_t)k * SWAP_CLUSTER_MAX))
        break;
  mtx_unlock(&obj->lock);
  vm_map_lookup_done(fs->map, fs->entry);
  VM_CNT_ADD(v_pagein, got);
  if (rv == VM_PAGER_BAD)
    return KERN_OUT_OF_BOUNDS;
  if (rv != VM_PAGER_OK)
    return KERN_FAILURE;
  VM_CNT_ADD(v_readahead, got - 1);
  VM_MAP_STAT_ADD(fs->map, readahead, got - 1);
  return VM_FAULT_RETRY;
}

// Does obj's pager have pindex? Anonymous objects without backing store
// never do. Past the end of a file-like object is a bus error.
static int vm_fault_pager_has(struct vm_object *obj, vm_pindex_t pindex,
                              int *before, int *after, bool *has)
{
  /* LAB mmap BEGIN vm_fault_pager_has: ask the pager for the page; a page wholly past end-of-file is a bus error */
  *has = false;
  *before = *after = 0;   // a pager may leave them unset
  if (obj->type == OBJT_DEFAULT)
    return KERN_SUCCESS;
  if ((obj->flags & OBJ_ANON) == 0 && pindex >= obj->size)
    return KERN_OUT_OF_BOUNDS;
  *has = vm_pager_has_page(obj, pindex, before, after);
  return KERN_SUCCESS;
  /* LAB mmap STUB
  *has = false;
  *before = *after = 0;
  if (obj->type == OBJT_DEFAULT)
    return KERN_SUCCESS;
  *has = vm_pager_has_page(obj, pindex, before, after);
  return KERN_SUCCESS;
     LAB mmap END */
}

// Step 2: walk the chain for the page. On KERN_SUCCESS fs->m is busy in
// fs->object, and fs->object and first_object are locked. Any other result
// (an error or VM_FAULT_RETRY) has released everything.
static int vm_fault_find_page(struct faultstate *fs)
{
  struct vm_object *obj = fs->first_object, *next;
  vm_pindex_t pindex = fs->first_pindex;
  struct vm_page *m;
  int before = 0, after = 0, rv;
  bool has;

  SX_ASSERT_LOCKED(&fs->map->lock);
  mtx_lock(&obj->lock);
  for (;;) {
    m = vm_object_page_lookup(obj, pindex);
    if (m != NULL) {
      if ((m->flags & PG_BUSY) != 0)
        return vm_fault_busy_wait(fs, obj, m);
      vm_page_xbusy(m);
      if ((m->flags & PG_READAHEAD) != 0)
        vm_fault_readahead_hit(fs, obj, m);
      fs->object = obj;
      fs->pindex = pindex;
      fs->m = m;
      return KERN_SUCCESS;
    }
    rv = vm_fault_pager_has(obj, pindex, &before, &after, &has);
    if (rv != KERN_SUCCESS || has) {
      if (obj != fs->first_object)
        mtx_unlock(&fs->first_object->lock);
      if (rv == KERN_SUCCESS)
        return vm_fault_pagein(fs, obj, pindex, before, after);
      mtx_unlock(&obj->lock);
      vm_map_lookup_done(fs->map, fs->entry);
      return rv;
    }
    if ((next = obj->backing_object) == NULL)
      break;
    pindex += atop(obj->backing_offset);
    mtx_lock(&next->lock);
    if (obj != fs->first_object)
      mtx_unlock(&obj->lock);
    obj = next;
  }
  if (obj != fs->first_object)
    mtx_unlock(&obj->lock);
  return vm_fault_zerofill(fs);
}

// Step 3: a write (or any fault in a wired entry) found fs->m in a backing
// object. Give first_object its own page: move fs->m up when the backing
// object is anonymous and seen only through first_object (its one
// reference is first_object's backing link), else copy it. On KERN_SUCCESS
// the new page is busy in first_object and fs->object is first_object; on
// failure everything is released.
//
// Wired faults copy up even for reads, so a wired page always lies in the
// front object of the entry that wired it. Together with vmspace_fork
// (wired private entries and shared objects are copied at fork, never
// shadowed) this means no chain ever reaches a wired anonymous page from
// behind: the old page here is never wired unless it is a file's.
/* LAB cow BEGIN vm_fault_cow: give the front object its own page: move or copy */
static bool vm_fault_cow_can_move(struct faultstate *fs)
{
  struct vm_object *obj = fs->object;

  return (obj->flags & OBJ_ANON) != 0 && obj->ref_count == 1 &&
         obj->shadow_count == 1 && fs->first_object->backing_object == obj &&
         !vm_page_wired(fs->m);
}

// Copy fs->m (busy in fs->object) into a new page of first_object.
static int vm_fault_cow_copy(struct faultstate *fs)
{
  struct vm_page *old = fs->m, *m;

  m = vm_page_alloc(fs->first_object, fs->first_pindex, VM_ALLOC_NORMAL);
  if (m == NULL) {
    vm_page_xunbusy(old);
    fs->m = NULL;
    vm_fault_unlock_all(fs);
    return KERN_RESOURCE_SHORTAGE;
  }
  pmap_copy_page(old, m);
  m->flags |= PG_VALID;
  // Others that share first_object may still map old at this address
  // (read-only); they must see the copy from now on, so drop their
  // mappings of old (the CVE-2021-29626 lesson). The pmap cannot tell
  // theirs from other mappings, so all go and fault back in -- except
  // wired ones: a file page may be wired through a shared mapping of the
  // file, whose munlock finds the page through that mapping.
  KASSERT(!vm_page_wired(old) || (fs->object->flags & OBJ_ANON) == 0,
          ("vm_fault_cow: wired anonymous page %p behind object %u",
           (void *)old, fs->first_object->id));
  if (fs->first_object->ref_count > 1)
    pmap_page_remove_unwired(old);
  vm_page_xunbusy(old);
  fs->m = m;
  fs->fresh = true;
  VM_CNT_INC(v_cow_faults);
  VM_MAP_STAT_INC(fs->map, cow);
  return KERN_SUCCESS;
}

static int vm_fault_cow(struct faultstate *fs)
{
  struct vm_object *obj = fs->object;
  int rv;

  VM_FAULT_ASSERT_LOCKED(fs, fs->first_object);
  MTX_ASSERT_OWNED(&obj->lock);
  KASSERT(fs->m->flags & PG_BUSY, ("vm_fault_cow: page %p not busy", fs->m));
  if (vm_fault_cow_can_move(fs)) {
    // Nobody else can reach the page: unmap it and take it.
    pmap_page_protect(fs->m, VM_PROT_NONE);
    vm_object_page_rename(fs->m, fs->first_object, fs->first_pindex);
    VM_CNT_INC(v_cow_optim);
    VM_MAP_STAT_INC(fs->map, cow_optim);
  } else if ((rv = vm_fault_cow_copy(fs)) != KERN_SUCCESS) {
    return rv;
  }
  mtx_unlock(&obj->lock);
  fs->object = fs->first_object;
  fs->pindex = fs->first_pindex;
  return KERN_SUCCESS;
}
/* LAB cow STUB
static int vm_fault_cow(struct faultstate *fs)
{
  (void)fs;
  panic("lab cow: vm_fault_cow not written");
}
   LAB cow END */

// Which neighbours of the fault vm_fault_prefault maps: [*lo, *hi] around
// first_pindex. Anonymous memory: a few each way, and once swap-backed at
// least the aligned cluster a page-in reads. A file: the window that
// read-ahead fills, by the entry's behaviour (none for RANDOM, ahead only
// for SEQUENTIAL, whose pages behind are being freed).
static void vm_fault_prefault_window(struct faultstate *fs, vm_pindex_t *lo,
                                     vm_pindex_t *hi)
{
  vm_pindex_t p = fs->first_pindex;
  vm_pindex_t behind = VM_FAULT_PREFAULT, ahead = VM_FAULT_PREFAULT;

  if (fs->first_object->type == OBJT_SWAP) {
    behind = MAX(behind, p % SWAP_CLUSTER_MAX);
    ahead = MAX(ahead, SWAP_CLUSTER_MAX - 1 - p % SWAP_CLUSTER_MAX);
  } else if ((fs->first_object->flags & OBJ_ANON) == 0) {
    switch (fs->entry->behavior) {
    case VM_BEHAV_RANDOM:
      behind = ahead = 0;
      break;
    case VM_BEHAV_SEQUENTIAL:
      behind = 0;
      ahead = VM_FAULT_AHEAD_SEQ;
      break;
    default:
      ahead = VM_FAULT_AHEAD_NORMAL;
      break;
    }
  }
  *lo = p > behind ? p - behind : 0;
  *hi = p + ahead;
}

// Map the resident, idle pages of first_object next to the fault read-only,
// so a read scan over memory that is already there (the child after fork,
// a file just read ahead) does not fault once per page. A write to one of
// them still faults, and copies or dirties it then. first_object locked.
static void vm_fault_prefault(struct faultstate *fs)
{
  struct vm_object *obj = fs->first_object;
  struct vm_map_entry *entry = fs->entry;
  vm_pindex_t lo, hi;
  vm_offset_t va;
  struct vm_page *m;
  int n = 0;

  VM_FAULT_ASSERT_LOCKED(fs, obj);
  if (fs->wired || (fs->prot & ~VM_PROT_WRITE) == VM_PROT_NONE)
    return;   // wired, or write-only: nothing to map read-only
  // A write to anonymous memory is most likely part of a run of writes
  // (first touch, copy-on-write after fork): a neighbour mapped read-only
  // would fault again on its own write, so looking for them is waste.
  if ((fs->fault_type & VM_PROT_WRITE) && (obj->flags & OBJ_ANON))
    return;
  vm_fault_prefault_window(fs, &lo, &hi);
  for (m = vm_object_page_ge(obj, lo); m != NULL && m->pindex <= hi;
       m = vm_object_page_next(obj, m)) {
    if (m->pindex == fs->first_pindex || (m->flags & PG_BUSY) != 0 ||
        (m->flags & PG_VALID) == 0)
      continue;
    va = fs->va + ptoa(m->pindex) - ptoa(fs->first_pindex);
    if (va < entry->start || va >= entry->end ||
        pmap_extract_page(fs->map->pmap, va, NULL) != NULL)
      continue;
    if (pmap_enter(fs->map->pmap, va, m, fs->prot & ~VM_PROT_WRITE, 0) !=
        KERN_SUCCESS)
      break;   // out of page-table pages: prefaulting is only a hint
    if ((obj->flags & OBJ_ANON) == 0 && !vm_page_wired(m))
      vm_page_activate(m);   // read ahead (inactive), now in use
    n++;
  }
  VM_CNT_ADD(v_prefault, n);
  VM_MAP_STAT_ADD(fs->map, prefault, n);
}

// Step 4: map fs->m (busy, in fs->object; first_object and fs->object
// locked) and release everything. Write access is given only where the
// module invariants allow it. If the pmap cannot map, a page this fault
// allocated is freed again so nothing half-done remains.
static int vm_fault_enter(struct faultstate *fs)
{
  struct vm_page *m = fs->m;
  vm_prot_t prot = fs->prot;
  unsigned flags;
  bool wire;
  int rv;

  VM_FAULT_ASSERT_LOCKED(fs, fs->first_object);
  MTX_ASSERT_OWNED(&fs->object->lock);
  KASSERT(m->flags & PG_BUSY, ("vm_fault_enter: page %p not busy", m));
  if (fs->object != fs->first_object ||
      !vm_object_front_writable(fs->first_object))
    prot &= ~VM_PROT_WRITE;
  KASSERT((fs->fault_type & ~prot) == 0,
          ("vm_fault_enter: %#x fault at %#lx but may only map %#x",
           fs->fault_type, fs->va, prot));
  wire = (fs->fault_flags & VM_FAULT_WIRE) != 0 ||
         (fs->wired && vm_page_wired(m));
  flags = (fs->fault_type & PMAP_ENTER_ACCESS_MASK) |
          (wire ? PMAP_ENTER_WIRED : 0);
  rv = pmap_enter(fs->map->pmap, fs->va, m, prot, flags);
  if (rv != KERN_SUCCESS) {
    if (fs->fresh)
      vm_page_free(m);
    else
      vm_page_xunbusy(m);
    vm_fault_unlock_all(fs);
    return rv;
  }
  if ((fs->fault_type & VM_PROT_WRITE) != 0) {
    vm_page_dirty(m);
    // The copy on swap is stale from this write on.
    if (fs->object->swap_count > 0)
      swap_pager_free_range(fs->object, fs->pindex, fs->pindex + 1);
  }
  if ((fs->fault_flags & VM_FAULT_WIRE) != 0)
    vm_page_wire(m);
  else if (!vm_page_wired(m))
    vm_page_activate(m);
  vm_page_xunbusy(m);
  if (fs->object == fs->first_object)
    vm_fault_prefault(fs);
  vm_fault_unlock_all(fs);
  return KERN_SUCCESS;
}

// One attempt at the whole fault, from the lookup to the pmap.
static int vm_fault_try(struct vm_map *map, vm_offset_t va,
                        vm_prot_t fault_type, int fault_flags)
{
  struct faultstate fs = {
    .map = map,
    .va = trunc_page(va),
    .fault_type = fault_type,
    .fault_flags = fault_flags,
  };
  int rv;

  do {
    rv = vm_fault_lookup(&fs);
    if (rv != KERN_SUCCESS)
      return rv;
    rv = vm_fault_find_page(&fs);
  } while (rv == VM_FAULT_RETRY);
  if (rv != KERN_SUCCESS)
    return rv;
  // A write needs its own page; so does any fault in a wired entry, so
  // that wired pages always live in the wired entry's front object.
  if (((fs.fault_type & VM_PROT_WRITE) != 0 || fs.wired) &&
      fs.object != fs.first_object) {
    rv = vm_fault_cow(&fs);
    if (rv != KERN_SUCCESS)
      return rv;
  }
  return vm_fault_enter(&fs);
}

// A shortage (of the page, a read-ahead run, a page-table page or a pv
// entry) has released everything: wait for the pageout daemon (or reclaim
// here when there is none), then try again, as long as paging frees
// something (others may take the pages it freed first).
int vm_fault(struct vm_map *map, vm_offset_t va, vm_prot_t fault_type,
             int fault_flags)
{
  int rv, tries = VM_RECLAIM_TRIES;

  KASSERT(fault_type != VM_PROT_NONE && (fault_type & ~VM_PROT_ALL) == 0,
          ("vm_fault: bad fault type %#x", fault_type));
  ASSERT_SLEEPABLE();                 // the fault may sleep for I/O or a page
  VM_CNT_INC(v_faults);
  VM_MAP_STAT_INC(map, faults);
  rv = vm_fault_try(map, va, fault_type, fault_flags);
  while (rv == KERN_RESOURCE_SHORTAGE && vm_pageout_retry(&tries))
    rv = vm_fault_try(map, va, fault_type, fault_flags);
  return rv;
}
