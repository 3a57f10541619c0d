// SPDX-License-Identifier: MIT
// Wiring through the fault handler, and the eager copy of wired memory at
// fork (split from vm_fault.c, whose pipeline both use through vm_fault()).
//
// vm_fault_wire faults every page of a range with VM_FAULT_WIRE, asking
// for every right the entry grants, so a wired page never faults again;
// vm_fault_unwire undoes one wiring. vm_fault_copy_entry gives a fork
// child its own copy of a wired private entry's pages at once (vmspace.c):
// the parent's wired pages never become copy-on-write.
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"

// ---------------------------------------------------------------------------
// Wiring.

/* LAB wire BEGIN vm_fault_wire: fault in and wire every page of a range */
// The access a wiring fault at va asks for: every right of the entry, so
// that a wired page never faults again. The entry is in transition, so it
// cannot change while the map is unlocked. 0 if nothing is mapped there.
static vm_prot_t vm_fault_wire_type(struct vm_map *map, vm_offset_t va,
                                    vm_offset_t *entry_end)
{
  struct vm_map_entry *entry;
  vm_prot_t prot = VM_PROT_NONE;

  vm_map_lock_read(map);
  if (vm_map_lookup_entry(map, va, &entry)) {
    prot = entry->protection;
    *entry_end = entry->end;
  }
  vm_map_unlock_read(map);
  return prot;
}

// Undo the wiring of [start, end) done by a failed vm_fault_wire.
static void vm_fault_unwire_range(struct vm_map *map, vm_offset_t start,
                                  vm_offset_t end)
{
  struct vm_map_entry *entry;

  vm_map_lock_read(map);
  if (!vm_map_lookup_entry(map, start, &entry))
    entry = entry != NULL ? vm_map_entry_next(entry) : vm_map_entry_first(map);
  for (; entry != NULL && entry->start < end;
       entry = vm_map_entry_next(entry))
    vm_fault_unwire(map, entry, MAX(start, entry->start),
                    MIN(end, entry->end));
  vm_map_unlock_read(map);
}

int vm_fault_wire(struct vm_map *map, vm_offset_t start, vm_offset_t end)
{
  vm_offset_t va, entry_end = 0;
  vm_prot_t type = VM_PROT_NONE;
  int rv = KERN_SUCCESS;

  KASSERT(page_aligned(start) && page_aligned(end) && start <= end,
          ("vm_fault_wire: bad range %#lx-%#lx", start, end));
  for (va = start; va < end; va += PAGE_SIZE) {
    if (va >= entry_end) {
      type = vm_fault_wire_type(map, va, &entry_end);
      if (type == VM_PROT_NONE) {
        // A hole, or a PROT_NONE page: ask for read so vm_fault reports
        // which of the two it is.
        type = VM_PROT_READ;
        entry_end = va + PAGE_SIZE;
      }
    }
    rv = vm_fault(map, va, type, VM_FAULT_WIRE);
    if (rv != KERN_SUCCESS)
      break;
  }
  if (rv != KERN_SUCCESS && va > start)
    vm_fault_unwire_range(map, start, va);
  return rv;
}
/* LAB wire STUB
int vm_fault_wire(struct vm_map *map, vm_offset_t start, vm_offset_t end)
{
  (void)map;
  (void)start;
  (void)end;
  return KERN_FAILURE;
}
   LAB wire END */

// The wired pages are found through the entry's object, not its mappings:
// a mapping can be gone (RISC-V has no PROT_NONE leaf, so mprotect to none
// removes it), but a wired page always lies in the entry's own object at
// the entry's index (wiring copies private pages up, see vm_fault_lookup),
// where, being wired, it can be neither freed nor moved.
void vm_fault_unwire(struct vm_map *map, struct vm_map_entry *entry,
                     vm_offset_t start, vm_offset_t end)
{
  /* LAB wire BEGIN vm_fault_unwire: drop one wiring of each page of a range */
  struct vm_object *obj = entry->object;
  struct vm_page *m;

  SX_ASSERT_LOCKED(&map->lock);
  KASSERT(start >= entry->start && end <= entry->end && start <= end,
          ("vm_fault_unwire: %#lx-%#lx outside entry", start, end));
  if (start == end)
    return;
  KASSERT(obj != NULL, ("vm_fault_unwire: wired entry at %#lx has no object",
                        start));
  mtx_lock(&obj->lock);
  for (vm_offset_t va = start; va < end; va += PAGE_SIZE) {
    m = vm_object_page_lookup(obj, vm_map_entry_pindex(entry, va));
    KASSERT(m != NULL && vm_page_wired(m),
            ("vm_fault_unwire: page at %#lx of object %u not wired", va,
             obj->id));
    vm_page_unwire(m, false);
  }
  mtx_unlock(&obj->lock);
  pmap_unwire(map->pmap, start, end);
  /* LAB wire STUB
  (void)map;
  (void)entry;
  (void)start;
  (void)end;
  panic("lab wire: vm_fault_unwire not written");
     LAB wire END */
}

// ---------------------------------------------------------------------------
// Eager copy at fork.

/* LAB wire BEGIN vm_fault_copy_entry: give a fork child its own copy now */
// Read page pindex of obj (locked), which is on swap, into memory for the
// eager copy. Returns it resident and idle, obj still locked, or NULL with
// *rv set (no page: KERN_RESOURCE_SHORTAGE; the read failed: KERN_FAILURE).
// The pager drops obj's lock during the read; the page is busy meanwhile.
static struct vm_page *vm_fault_copy_pagein(struct vm_object *obj,
                                            vm_pindex_t pindex, int *rv)
{
  struct vm_page *m = vm_page_alloc(obj, pindex, VM_ALLOC_NORMAL);

  if (m == NULL) {
    *rv = KERN_RESOURCE_SHORTAGE;
    return NULL;
  }
  if (vm_pager_get_pages(obj, &m, 1, 0) != VM_PAGER_OK ||
      (m->flags & PG_VALID) == 0) {
    vm_page_free(m);
    *rv = KERN_FAILURE;
    return NULL;
  }
  vm_page_xunbusy(m);
  vm_page_deactivate(m);
  VM_CNT_INC(v_pagein);
  return m;
}

// The page at pindex of the chain from front, looking only at anonymous
// objects: a page there is what a write created, and must be copied; one
// on swap is read in first. NULL when the chain has no such page (the
// contents are zeros or, for a chain ending in a file, the file's), or
// when reading it failed (*rv says why; else KERN_SUCCESS). On return
// *bottom is the last object looked at and *bpindex the index in it.
// Takes and drops the locks.
//
// A busy page is waited for: a shared object's other users fault on it
// too, and a page they are reading in from swap holds no data yet (a
// copy made then gave the child whatever the page frame held before:
// swaptests inherit.shared_copy). After the sleep the lookup starts again
// from the front, the one object the entry's reference keeps alive: with
// the locks dropped, the chain behind it may have collapsed.
static struct vm_page *vm_fault_copy_find(struct vm_object *front,
                                          vm_pindex_t fpindex,
                                          struct vm_object **bottom,
                                          vm_pindex_t *bpindex, int *rv)
{
  struct vm_object *obj;
  vm_pindex_t pindex;
  struct vm_page *m;

  *rv = KERN_SUCCESS;
again:
  obj = front;
  pindex = fpindex;
  mtx_lock(&obj->lock);
  do {
    *bottom = obj;
    *bpindex = pindex;
    if ((obj->flags & OBJ_ANON) == 0)
      break;
    if ((m = vm_object_page_lookup(obj, pindex)) != NULL &&
        (m->flags & PG_BUSY) != 0) {
      vm_page_busy_sleep(m);          // drops obj's lock
      goto again;
    }
    if (m == NULL && obj->type == OBJT_SWAP &&
        vm_pager_has_page(obj, pindex, NULL, NULL))
      m = vm_fault_copy_pagein(obj, pindex, rv);
    if (m != NULL)
      return m;   // obj stays locked: the caller copies, then unlocks
    if (*rv != KERN_SUCCESS)
      break;
  } while (vm_object_chain_next(&obj, &pindex));
  mtx_unlock(&obj->lock);
  return NULL;
}

// The object a chain ends in when that is not anonymous (a file), with
// the byte offset that pindex of obj has in it; NULL for an anonymous
// chain. Takes and drops the locks.
static struct vm_object *vm_fault_chain_bottom(struct vm_object *obj,
                                               vm_pindex_t pindex,
                                               vm_ooffset_t *off)
{
  mtx_lock(&obj->lock);
  while ((obj->flags & OBJ_ANON) != 0) {
    if (!vm_object_chain_next(&obj, &pindex)) {
      mtx_unlock(&obj->lock);
      return NULL;
    }
  }
  mtx_unlock(&obj->lock);
  *off = ptoa(pindex);
  return obj;
}

// A new anonymous object for the copy of src_entry: backed by the file the
// source chain ends in, if any (its pages were never written through this
// mapping, so reading through is a faithful copy), else standalone.
static struct vm_object *vm_fault_copy_object(struct vm_map_entry *src_entry)
{
  vm_size_t size = src_entry->end - src_entry->start;
  struct vm_object *obj;
  vm_ooffset_t off;

  obj = vm_fault_chain_bottom(src_entry->object, atop(src_entry->offset),
                              &off);
  if (obj == NULL)
    return vm_object_allocate(OBJT_DEFAULT, atop(size));
  vm_object_reference(obj);
  if (vm_object_shadow(&obj, &off, size) != KERN_SUCCESS) {
    vm_object_deallocate(obj);
    return NULL;
  }
  return obj;
}

// Copy into dst (new, private to this fork; unlocked) every page the chain of src_entry holds in
// its anonymous objects.
static int vm_fault_copy_pages(struct vm_object *dst,
                               struct vm_map_entry *src_entry)
{
  vm_pindex_t n = atop(src_entry->end - src_entry->start);
  vm_pindex_t first = atop(src_entry->offset), bpindex;
  struct vm_object *bottom;
  struct vm_page *src, *m;
  int rv;

  for (vm_pindex_t i = 0; i < n; i++) {
    src = vm_fault_copy_find(src_entry->object, first + i, &bottom, &bpindex,
                             &rv);
    if (rv != KERN_SUCCESS)
      return rv;
    if (src == NULL)
      continue;
    // dst is private to this fork, so taking its lock after the source's
    // cannot deadlock.
    mtx_lock(&dst->lock);
    m = vm_page_alloc(dst, i, VM_ALLOC_NOBUSY);
    if (m != NULL) {
      pmap_copy_page(src, m);
      m->flags |= PG_VALID;
      vm_page_dirty(m);
      vm_page_activate(m);
    }
    mtx_unlock(&dst->lock);
    mtx_unlock(&src->object->lock);
    if (m == NULL)
      return KERN_RESOURCE_SHORTAGE;
  }
  return KERN_SUCCESS;
}

int vm_fault_copy_entry(struct vm_map *dst_map, struct vm_map *src_map,
                        struct vm_map_entry *dst_entry,
                        struct vm_map_entry *src_entry)
{
  struct vm_object *dst;
  int rv;

  SX_ASSERT_XLOCKED(&dst_map->lock);
  SX_ASSERT_LOCKED(&src_map->lock);
  KASSERT(dst_entry->object == NULL &&
          dst_entry->end - dst_entry->start == src_entry->end - src_entry->start,
          ("vm_fault_copy_entry: bad destination entry"));
  if (src_entry->object == NULL)
    return KERN_SUCCESS;   // nothing was ever written: zero-fill is a copy
  if ((dst = vm_fault_copy_object(src_entry)) == NULL)
    return KERN_RESOURCE_SHORTAGE;
  rv = vm_fault_copy_pages(dst, src_entry);
  if (rv != KERN_SUCCESS) {
    vm_object_deallocate(dst);
    return rv;
  }
  dst_entry->object = dst;
  dst_entry->offset = 0;
  dst_entry->eflags &= ~MAP_ENTRY_NEEDS_COPY;
  return KERN_SUCCESS;
}
/* LAB wire STUB
int vm_fault_copy_entry(struct vm_map *dst_map, struct vm_map *src_map,
                        struct vm_map_entry *dst_entry,
                        struct vm_map_entry *src_entry)
{
  (void)dst_map;
  (void)src_map;
  (void)dst_entry;
  (void)src_entry;
  return KERN_FAILURE;
}
   LAB wire END */
