// SPDX-License-Identifier: MIT
// vm_map_check: the address map's invariant checker (the invariants are
// listed at the top of vm_map.c, and one about anonymous objects at the
// top of vm_map_delete.c). It walks the whole map, so callers use
// it in tests and at points where a broken map must stop the kernel; it
// panics with the first invariant that fails.
#include "lib/kassert.h"
#include "vm/vm_map.h"
#include "vm/vm_map_internal.h"
#include "vm/vm_object.h"

#define ENTRY(n) container_of((n), struct vm_map_entry, node)

// Recompute max_free of subtree n from scratch and compare.
static vm_size_t vm_map_check_subtree(struct avl_node *n)
{
  vm_size_t max;

  if (n == NULL)
    return 0;
  max = MAX(vm_map_check_subtree(n->left), vm_map_check_subtree(n->right));
  max = MAX(max, ENTRY(n)->adj_free);
  KASSERT(ENTRY(n)->max_free == max,
          ("vm_map_check: max_free %#lx, should be %#lx at %#lx",
           (unsigned long)ENTRY(n)->max_free, (unsigned long)max,
           (unsigned long)ENTRY(n)->start));
  return max;
}

static void vm_map_check_entry(struct vm_map *map, struct vm_map_entry *entry)
{
  uint32_t f = entry->eflags;

  KASSERT(entry->start < entry->end && page_aligned(entry->start) &&
          page_aligned(entry->end) && entry->start >= map->min_offset &&
          entry->end <= map->max_offset,
          ("vm_map_check: bad entry %#lx-%#lx", (unsigned long)entry->start,
           (unsigned long)entry->end));
  KASSERT(!(f & MAP_ENTRY_USER_WIRED) || entry->wired_count > 0,
          ("vm_map_check: user wired entry with wired_count 0"));
  KASSERT(!(f & MAP_ENTRY_NEEDS_WAKEUP) || (f & MAP_ENTRY_IN_TRANSITION),
          ("vm_map_check: NEEDS_WAKEUP without IN_TRANSITION"));
  KASSERT((entry->wiring_owner != NULL) == !!(f & MAP_ENTRY_IN_TRANSITION),
          ("vm_map_check: transition owner and flag disagree"));
  KASSERT(!(f & MAP_ENTRY_NEEDS_COPY) || (f & MAP_ENTRY_COW),
          ("vm_map_check: NEEDS_COPY on a shared entry"));
  KASSERT((entry->protection & ~entry->max_protection) == 0,
          ("vm_map_check: protection beyond max"));
  KASSERT(!(f & MAP_ENTRY_GUARD) ||
          (entry->object == NULL && entry->protection == VM_PROT_NONE &&
           entry->wired_count == 0),
          ("vm_map_check: guard entry with object, access or wiring"));
  KASSERT(entry->object == NULL || entry->object->magic == VM_OBJECT_MAGIC,
          ("vm_map_check: entry %p has a dead object", entry));
}

// No two entries of one map map the same index of an anonymous object
// (vm_map_delete.c frees on that ground), and each lies inside its object.
// The kernel maps such an object in one map only as the pieces of one
// entry, all inside the object's span at start - offset; those are the
// entries compared here, each with the next one that maps its object.
static void vm_map_check_object_span(struct vm_map_entry *entry)
{
  struct vm_object *obj = entry->object;
  struct vm_map_entry *e;

  if (obj == NULL || (obj->flags & OBJ_ANON) == 0)
    return;
  KASSERT(entry->offset + (entry->end - entry->start) <= ptoa(obj->size),
          ("vm_map_check: %#lx-%#lx maps past object %u", (unsigned long)
           entry->start, (unsigned long)entry->end, obj->id));
  for (e = vm_map_entry_next(entry); e != NULL; e = vm_map_entry_next(e)) {
    if (e->start - entry->start >= ptoa(obj->size))
      return;
    if (e->object != obj)
      continue;
    KASSERT(e->offset >= entry->offset + (entry->end - entry->start) ||
            entry->offset >= e->offset + (e->end - e->start),
            ("vm_map_check: object %u mapped twice at %#lx and %#lx",
             obj->id, (unsigned long)entry->start, (unsigned long)e->start));
    return;
  }
}

// The whole check; merged: also that no two neighbours are mergeable,
// which holds only between operations (see vm_map_check_unlocking).
static void vm_map_check_all(struct vm_map *map, bool merged)
{
  struct vm_map_entry *entry, *next, *prev = NULL;
  uint32_t n = 0;
  vm_size_t size = 0;

  KASSERT(map->magic == VM_MAP_MAGIC, ("vm_map_check: bad magic %#x",
                                       map->magic));
  KASSERT(avl_check(&map->root) == map->nentries,
          ("vm_map_check: tree holds %zu entries, nentries %u",
           avl_check(&map->root), map->nentries));
  for (entry = vm_map_entry_first(map); entry != NULL;
       prev = entry, entry = vm_map_entry_next(entry)) {
    vm_offset_t gap_end;
    vm_map_check_entry(map, entry);
    vm_map_check_object_span(entry);
    next = vm_map_entry_next(entry);
    KASSERT(next == NULL || entry->end <= next->start,
            ("vm_map_check: %#lx-%#lx overlaps or is out of order",
             (unsigned long)entry->start, (unsigned long)entry->end));
    KASSERT(!merged || prev == NULL || !vm_map_entry_mergeable(prev, entry),
            ("vm_map_check: mergeable neighbours at %#lx",
             (unsigned long)entry->start));
    gap_end = next != NULL ? next->start : map->max_offset;
    KASSERT(entry->adj_free == gap_end - entry->end,
            ("vm_map_check: adj_free wrong at %#lx", (unsigned long)entry->start));
    size += vm_map_entry_bytes(entry);
    n++;
  }
  KASSERT(n == map->nentries && size == map->size,
          ("vm_map_check: counted %u entries %#lx bytes, map says %u %#lx", n,
           (unsigned long)size, map->nentries, (unsigned long)map->size));
  vm_map_check_subtree(map->root.root);
}

void vm_map_check(struct vm_map *map)
{
  vm_map_check_all(map, true);
}

void vm_map_check_unlocking(struct vm_map *map)
{
  vm_map_check_all(map, false);
}
