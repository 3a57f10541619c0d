// SPDX-License-Identifier: MIT
// Address map operations on the pages of a range, which leave its entries
// as they are: the advice that acts at once (WILLNEED, DONTNEED, FREE) and
// msync / write-back of file pages. (Advice stored in the entries, and
// everything else that changes them, is in vm_map_ops.c and
// vm_map_wire.c.)
//
// Locking: each operation takes the map lock shared. The work that may
// sleep (paging in for WILLNEED, writing pages back) runs with the map
// unlocked: WILLNEED goes through vm_fault, msync holds a reference on
// each object instead of the lock.
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_map_internal.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"

// WILLNEED reads ahead only while more than 1/VM_WILLNEED_RESERVE of
// memory is free: it is advice, not a reason to push other pages out.
#define VM_WILLNEED_RESERVE 8

// --- advice --------------------------------------------------------------------------

// WILLNEED: map the resident pages of the entry's own object in [s, e)
// that are not mapped yet. A page is entered without write access while
// the entry still shares its object copy-on-write or the object is itself
// seen through a shadow; the next write then faults and copies.
static void vm_map_willneed(struct vm_map *map, struct vm_map_entry *entry,
                            vm_offset_t s, vm_offset_t e)
{
  struct vm_object *obj = entry->object;
  vm_pindex_t first = vm_map_entry_pindex(entry, s);
  vm_pindex_t last = first + atop(e - s);
  vm_prot_t prot = entry->protection, old;
  struct vm_page *m;

  SX_ASSERT_LOCKED(&map->lock);
  if (!(prot & VM_PROT_READ))
    return;  // leave odd protections to the fault path
  mtx_lock(&obj->lock);
  if ((entry->eflags & MAP_ENTRY_NEEDS_COPY) || obj->shadow_count > 0)
    prot &= ~VM_PROT_WRITE;
  for (m = vm_object_page_ge(obj, first); m != NULL && m->pindex < last;
       m = vm_object_page_next(obj, m)) {
    vm_offset_t va = entry->start + ptoa(m->pindex) - entry->offset;
    if ((m->flags & PG_BUSY) || pmap_extract_page(map->pmap, va, &old) != NULL)
      continue;
    if (pmap_enter(map->pmap, va, m, prot, 0) != KERN_SUCCESS)
      break;  // advice only: stop quietly when the pmap is short
    __atomic_fetch_add(&map->stats.prefault, 1, __ATOMIC_RELAXED);
    VM_CNT_INC(v_prefault);
  }
  mtx_unlock(&obj->lock);
}

// DONTNEED: unmap and let the pages go first; contents stay.
static void vm_map_dontneed(struct vm_map *map, struct vm_map_entry *entry,
                            vm_offset_t s, vm_offset_t e)
{
  struct vm_object *obj = entry->object;

  SX_ASSERT_LOCKED(&map->lock);
  pmap_remove(map->pmap, s, e);
  if (obj == NULL)
    return;
  mtx_lock(&obj->lock);
  vm_object_madvise(obj, vm_map_entry_pindex(entry, s),
                    vm_map_entry_pindex(entry, e), VM_BEHAV_DONTNEED);
  mtx_unlock(&obj->lock);
}

// FREE: discard private anonymous contents. Only an object that is the
// entry's own (no NEEDS_COPY) and has nothing behind it qualifies: with a
// backing object, a discarded page would let older data show through.
static void vm_map_free_pages(struct vm_map *map, struct vm_map_entry *entry,
                              vm_offset_t s, vm_offset_t e)
{
  struct vm_object *obj = entry->object;

  SX_ASSERT_LOCKED(&map->lock);
  if (obj == NULL || !(entry->eflags & MAP_ENTRY_COW) ||
      (entry->eflags & MAP_ENTRY_NEEDS_COPY))
    return;
  mtx_lock(&obj->lock);
  if ((obj->flags & OBJ_ANON) && obj->backing_object == NULL) {
    pmap_remove(map->pmap, s, e);
    vm_object_madvise(obj, vm_map_entry_pindex(entry, s),
                      vm_map_entry_pindex(entry, e), VM_BEHAV_FREE);
  }
  mtx_unlock(&obj->lock);
}

// WILLNEED also reads what a file mapping in the range lacks, so that the
// later touches find it in memory. The first page of [va, end) that is
// readable through a file entry and not resident in the file's object, or
// end. Map read-locked.
static vm_offset_t vm_map_willneed_missing(struct vm_map *map, vm_offset_t va,
                                           vm_offset_t end)
{
  struct vm_map_entry *entry;

  SX_ASSERT_LOCKED(&map->lock);
  FOREACH_ENTRY_IN(map, entry, va, end) {
    struct vm_object *obj = entry->object;
    vm_offset_t s = MAX(va, entry->start), e = MIN(end, entry->end);
    bool missing = false;
    if (obj == NULL || obj->type != OBJT_VNODE || entry->wired_count > 0 ||
        !(entry->protection & VM_PROT_READ))
      continue;
    mtx_lock(&obj->lock);
    for (; s < e && vm_map_entry_pindex(entry, s) < obj->size; s += PAGE_SIZE)
      if ((missing = vm_object_page_lookup(obj,
                         vm_map_entry_pindex(entry, s)) == NULL))
        break;
    mtx_unlock(&obj->lock);
    if (missing)
      return s;
  }
  return end;
}

// Read the missing file pages of [start, end) through the fault path (which
// reads ahead around each, so this faults about once per window). Advice
// only: it stops at the first failure, and while free memory is short.
// Called with the map unlocked.
static void vm_map_willneed_read(struct vm_map *map, vm_offset_t start,
                                 vm_offset_t end)
{
  vm_offset_t va = start;

  KASSERT(!sx_xlocked(&map->lock), ("vm_map_willneed_read: map locked"));
  while (va < end &&
         vm_page_free_count() > vm_page_total_count() / VM_WILLNEED_RESERVE) {
    vm_map_lock_read(map);
    va = vm_map_willneed_missing(map, va, end);
    vm_map_unlock_read(map);
    if (va >= end ||
        vm_fault(map, va, VM_PROT_READ, VM_FAULT_NORMAL) != KERN_SUCCESS)
      break;
    va += PAGE_SIZE;
  }
}

// The advice that acts on pages rather than entries. Shared lock: no
// entry changes. Wired entries are left alone (their pages stay mapped).
int vm_map_advise_pages(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                        int behav)
{
  struct vm_map_entry *entry;

  vm_map_lock_read(map);
  if (!vm_map_range_mapped(map, start, end)) {
    vm_map_unlock_read(map);
    return KERN_INVALID_ADDRESS;
  }
  if (behav == VM_BEHAV_WILLNEED) {
    vm_map_unlock_read(map);
    vm_map_willneed_read(map, start, end);
    vm_map_lock_read(map);   // the range may have changed: holes are skipped
  }
  FOREACH_ENTRY_IN(map, entry, start, end) {
    vm_offset_t s = MAX(start, entry->start), e = MIN(end, entry->end);
    if (entry->wired_count > 0 || (entry->eflags & MAP_ENTRY_GUARD))
      continue;
    if (behav == VM_BEHAV_WILLNEED && entry->object != NULL)
      vm_map_willneed(map, entry, s, e);
    else if (behav == VM_BEHAV_DONTNEED)
      vm_map_dontneed(map, entry, s, e);
    else if (behav == VM_BEHAV_FREE)
      vm_map_free_pages(map, entry, s, e);
  }
  vm_map_unlock_read(map);
  return KERN_SUCCESS;
}

// --- msync -------------------------------------------------------------------------

/* LAB mmap BEGIN vm_map_sync: msync, and the write-back of shared file pages at munmap and exit */
// Clean (and with invalidate, drop the clean) file pages of [s, e) of
// entry. Holds a reference on the object instead of the map lock, as the
// writes may sleep.
static int vm_map_sync_object(struct vm_object *obj, vm_pindex_t first,
                              vm_pindex_t last, bool syncio, bool invalidate)
{
  int rv;

  ASSERT_SLEEPABLE();
  mtx_lock(&obj->lock);
  rv = vm_object_page_clean(obj, first, last, syncio);
  if (invalidate)
    vm_object_page_remove(obj, first, last, OBJPR_CLEANONLY | OBJPR_NOTWIRED);
  mtx_unlock(&obj->lock);
  return rv;
}

// Write back the file pages of every entry in [start, end), holes skipped.
// Returns the first write-back error (vm_object_page_clean), having tried
// every entry.
// Only file objects have anything to write back; a private copy of a file
// page lives in an anonymous shadow and is skipped. Called and returns
// with the map read-locked, but drops the lock around each object's I/O.
static int vm_map_sync_entries(struct vm_map *map, vm_offset_t start,
                               vm_offset_t end, bool syncio, bool invalidate)
{
  struct vm_map_entry *entry;
  vm_offset_t va = start;
  int rv = KERN_SUCCESS, err;

  SX_ASSERT_LOCKED(&map->lock);
  while (va < end && (entry = vm_map_entry_at_or_after(map, va)) != NULL &&
         entry->start < end) {
    vm_offset_t s = MAX(va, entry->start), e = MIN(end, entry->end);
    struct vm_object *obj = entry->object;
    vm_pindex_t first = vm_map_entry_pindex(entry, s);
    va = e;
    if (obj == NULL || obj->type != OBJT_VNODE)
      continue;
    // Released: the map lock, retaken below; entry is not used again.
    vm_object_reference(obj);
    vm_map_unlock_read(map);
    err = vm_map_sync_object(obj, first, first + atop(e - s), syncio,
                             invalidate);
    if (rv == KERN_SUCCESS)
      rv = err;
    vm_object_deallocate(obj);
    vm_map_lock_read(map);
  }
  return rv;
}

int vm_map_sync(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                bool syncio, bool invalidate)
{
  int rv = KERN_SUCCESS;

  vm_map_check_args("vm_map_sync", start, end);
  vm_map_lock_read(map);
  if (!vm_map_range_mapped(map, start, end))
    rv = KERN_INVALID_ADDRESS;
  else if (invalidate && vm_map_range_wired(map, start, end))
    rv = KERN_INVALID_ARGUMENT;
  if (rv == KERN_SUCCESS) {
    if (invalidate)
      pmap_remove(map->pmap, start, end);
    rv = vm_map_sync_entries(map, start, end, syncio, invalidate);
  }
  vm_map_unlock_read(map);
  return rv;
}

int vm_map_writeback(struct vm_map *map, vm_offset_t start, vm_offset_t end)
{
  int rv;

  vm_map_check_args("vm_map_writeback", start, end);
  vm_map_lock_read(map);
  rv = vm_map_sync_entries(map, start, end, true, false);
  vm_map_unlock_read(map);
  return rv;
}
/* LAB mmap STUB
int vm_map_sync(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                bool syncio, bool invalidate)
{
  (void)map;
  (void)start;
  (void)end;
  (void)syncio;
  (void)invalidate;
  return KERN_FAILURE;
}

int vm_map_writeback(struct vm_map *map, vm_offset_t start, vm_offset_t end)
{
  (void)map;
  (void)start;
  (void)end;
  return KERN_FAILURE;
}
   LAB mmap END */
