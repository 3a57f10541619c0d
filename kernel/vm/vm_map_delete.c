// SPDX-License-Identifier: MIT
// Address maps, removal: vm_map_delete / vm_map_remove take every mapping
// out of a range (munmap, sbrk(-n), exec and exit, MAP_FIXED replacing
// what was there), and free at once the anonymous pages that nothing else
// can reach, so that memory comes back when a range is unmapped and not
// only when its whole object dies (docs/semantics.md: "memory is freed when
// nothing can reach it").
//
// Who can reach a page of an anonymous object obj: a map entry that maps
// its index, in this map or another; a shadow object (a lookup that misses
// in the shadow falls through to obj); a kernel user holding a reference
// for a moment. The entry being deleted may free its pages when
//
//   obj has no shadow, and every reference to obj is an entry of this map.
//
// That is exact because entries of one map never map the same index of an
// anonymous object (vm_map_check). In one map the kernel only ever maps
// such an object as the pieces of one original entry: clipping, merging
// and heap growth (vm_object_coalesce) all keep start - offset, so the
// pieces are disjoint in the object as they are in the address space, and
// all lie in the object's span [start - offset, start - offset + size).
// Another map gets the object only through fork, and a shadow only through
// vm_object_shadow; both clear OBJ_ONEMAPPING, which the object gets back
// when it is down to one reference and no shadow (vm_object.c). So the
// test is, cheapest first:
//
//   1. a shadow, or not anonymous: keep;
//   2. one reference (this entry's) or OBJ_ONEMAPPING: free;
//   3. otherwise count the entries of this map in obj's span that map obj;
//      free (and set OBJ_ONEMAPPING again) if they are all the references.
//
// Step 3 covers a map that already held several pieces of obj when its
// last foreign reference went (a child that exited after the parent
// mprotected part of the heap). It costs O(log n + k), k the entries in
// the span, and is skipped when the span lies inside the range being
// deleted: then every entry of this map that maps obj goes in this call
// anyway, and obj's pages go with its last reference (exit stays linear).
// A transient kernel reference, or an entry mapping obj outside the span
// (no kernel path makes one), makes the count fall short: the pages are
// then kept, never freed early, and die with the object.
//
// When the deleted range is the top of obj (the heap shrinking), obj's
// size shrinks with it, so a later collapse does not pull the pages of a
// backing object into a range nobody maps any more.
//
// Locking: the map locked exclusive throughout; each object's lock is taken
// here while its pages are freed. The map is never unlocked here except by
// vm_map_wait_range, before anything is deleted.
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_map_internal.h"
#include "vm/vm_object.h"

// The addresses [*lo, *hi) where this map can map obj, entry's object: the
// span of the whole object at entry's start - offset, clamped to the map.
static void vm_map_object_span(struct vm_map *map, struct vm_map_entry *entry,
                               vm_offset_t *lo, vm_offset_t *hi)
{
  vm_size_t size = ptoa(entry->object->size);

  *lo = entry->offset <= entry->start - map->min_offset ?
        entry->start - entry->offset : map->min_offset;
  *hi = size < map->max_offset - *lo ? *lo + size : map->max_offset;
}

// Step 3 above. obj (entry's) locked, map locked exclusive; [start, end)
// is the range being deleted.
static bool vm_map_object_only_here(struct vm_map *map,
                                    struct vm_map_entry *entry,
                                    vm_offset_t start, vm_offset_t end)
{
  struct vm_object *obj = entry->object;
  struct vm_map_entry *e;
  vm_offset_t lo, hi;
  int32_t here = 0;

  vm_map_object_span(map, entry, &lo, &hi);
  if (start <= lo && hi <= end)
    return false;
  FOREACH_ENTRY_IN(map, e, lo, hi)
    if (e->object == obj)
      here++;
  return here == obj->ref_count;
}

// May entry's pages be freed now (steps 1-3)? obj locked.
static bool vm_map_entry_pages_private(struct vm_map *map,
                                       struct vm_map_entry *entry,
                                       vm_offset_t start, vm_offset_t end)
{
  struct vm_object *obj = entry->object;

  MTX_ASSERT_OWNED(&obj->lock);
  if ((obj->flags & OBJ_ANON) == 0 || obj->shadow_count != 0)
    return false;
  if (obj->ref_count == 1 || (obj->flags & OBJ_ONEMAPPING) != 0)
    return true;
  if (!vm_map_object_only_here(map, entry, start, end))
    return false;
  obj->flags |= OBJ_ONEMAPPING;
  return true;
}

// Free the pages of entry's range of its object, which only entry reaches.
// If the range is the object's top, cut the object's size back to where
// the range starts, unless a (wired) page was left there. obj locked.
static void vm_map_entry_free_pages(struct vm_map_entry *entry)
{
  struct vm_object *obj = entry->object;
  vm_pindex_t first = atop(entry->offset);
  vm_pindex_t last = first + atop(entry->end - entry->start);

  vm_object_page_remove(obj, first, last, OBJPR_NOTWIRED);
  if (first > 0 && first < obj->size && last >= obj->size &&
      vm_object_page_ge(obj, first) == NULL)
    obj->size = first;
}

// Remove one entry of [start, end): its wiring, its translations, the
// pages only it could reach, and the entry itself.
static void vm_map_entry_delete(struct vm_map *map, struct vm_map_entry *entry,
                                vm_offset_t start, vm_offset_t end)
{
  struct vm_object *obj = entry->object;

  KASSERT(!(entry->eflags & MAP_ENTRY_IN_TRANSITION),
          ("vm_map_entry_delete: entry %p in transition", entry));
  if (entry->wired_count > 0) {
    if (entry->eflags & MAP_ENTRY_USER_WIRED)
      vm_map_entry_user_wire_count(entry, false);
    vm_fault_unwire(map, entry, entry->start, entry->end);
    entry->wired_count = 0;
    entry->eflags &= ~MAP_ENTRY_USER_WIRED;
  }
  if (!(entry->eflags & MAP_ENTRY_GUARD))
    pmap_remove(map->pmap, entry->start, entry->end);
  if (obj != NULL) {
    mtx_lock(&obj->lock);
    if (vm_map_entry_pages_private(map, entry, start, end))
      vm_map_entry_free_pages(entry);
    mtx_unlock(&obj->lock);
  }
  vm_map_entry_unlink(map, entry);
  vm_map_entry_dispose(entry);
}

void vm_map_delete_range(struct vm_map *map, vm_offset_t start,
                         vm_offset_t end, struct vm_map_reserve *r)
{
  struct vm_map_entry *entry, *next;

  for (entry = vm_map_clip_range(map, start, end, r);
       entry != NULL && entry->start < end; entry = next) {
    next = vm_map_entry_next(entry);
    vm_map_entry_delete(map, entry, start, end);
  }
}

// Clamped to the map; may drop and retake the lock to wait for entries in
// transition, but deletes nothing until it holds the spares it needs.
int vm_map_delete(struct vm_map *map, vm_offset_t start, vm_offset_t end)
{
  struct vm_map_reserve r;
  int rv;

  SX_ASSERT_XLOCKED(&map->lock);
  KASSERT(page_aligned(start) && page_aligned(end),
          ("vm_map_delete: unaligned range"));
  start = MAX(start, map->min_offset);
  end = MIN(end, map->max_offset);
  if (start >= end)
    return KERN_SUCCESS;
  vm_map_wait_range(map, start, end);
  vm_map_reserve_init(&r);
  rv = vm_map_reserve_clips(map, start, end, 0, &r);
  if (rv == KERN_SUCCESS)
    vm_map_delete_range(map, start, end, &r);
  vm_map_reserve_release(&r);
  return rv;
}

int vm_map_remove(struct vm_map *map, vm_offset_t start, vm_offset_t end)
{
  int rv;

  vm_map_lock(map);
  rv = vm_map_delete(map, start, end);
  vm_map_unlock(map);
  return rv;
}
