// SPDX-License-Identifier: MIT
// Address map operations over ranges of existing mappings: protection,
// inheritance and paging behaviour; then the fault path's lookup
// (vm_map_lookup) and the grow-down stacks (vm_map_stack,
// vm_map_growstack). The entry structure itself and insertion are in
// vm_map.c, deletion in vm_map_delete.c, wiring (mlock) in vm_map_wire.c,
// advice that acts on pages and msync in vm_map_advise.c, the checker in
// vm_map_check.c.
//
// Every operation here has the same shape: take the map lock, wait until
// no entry of the range is in transition, check the whole range (holes,
// maximum protection) before touching anything, reserve the spare entries
// clipping will need, clip the range's end entries, change the entries,
// then merge what became mergeable. A failed check or allocation therefore
// leaves the map as it was. vm_map_protect under mlockall(MCL_FUTURE)
// also wires the entries it makes accessible out of PROT_NONE, by the
// protocol of vm_map_wire.c, marking them as it changes their protection.
//
// Locking: each operation takes the map lock itself, exclusive.
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_map_internal.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"

vm_pindex_t vm_map_entry_pindex(const struct vm_map_entry *entry,
                                vm_offset_t va)
{
  return atop(entry->offset + (va - entry->start));
}

// Lock, wait out transitions, check that [start, end) has no hole, and
// reserve its clips. KERN_SUCCESS with the map locked exclusive, or an
// error with it unlocked and nothing changed.
static int vm_map_range_begin(struct vm_map *map, vm_offset_t start,
                              vm_offset_t end, struct vm_map_reserve *r)
{
  int rv = KERN_SUCCESS;

  vm_map_reserve_init(r);
  vm_map_lock(map);
  vm_map_wait_range(map, start, end);
  if (!vm_map_range_mapped(map, start, end))
    rv = KERN_INVALID_ADDRESS;
  else
    rv = vm_map_reserve_clips(map, start, end, 0, r);
  if (rv != KERN_SUCCESS) {
    vm_map_unlock(map);
    vm_map_reserve_release(r);
  }
  return rv;
}

// Merge, unlock and free the unused spares.
static void vm_map_range_end(struct vm_map *map, vm_offset_t start,
                             vm_offset_t end, struct vm_map_reserve *r)
{
  vm_map_simplify_range(map, start, end);
  vm_map_unlock(map);
  vm_map_reserve_release(r);
}

void vm_map_check_args(const char *fn, vm_offset_t start, vm_offset_t end)
{
  KASSERT(start < end && page_aligned(start) && page_aligned(end),
          ("%s: bad range %#lx-%#lx", fn, (unsigned long)start,
           (unsigned long)end));
}

// --- in transition -----------------------------------------------------------

void vm_map_wait_range(struct vm_map *map, vm_offset_t start, vm_offset_t end)
{
  struct vm_map_entry *entry;

  SX_ASSERT_XLOCKED(&map->lock);
again:
  for (entry = vm_map_entry_at_or_after(map, start);
       entry != NULL && entry->start < end;
       entry = vm_map_entry_next(entry)) {
    if (entry->eflags & MAP_ENTRY_IN_TRANSITION) {
      // Released: the map lock (retaken below); we hold no entry.
      entry->eflags |= MAP_ENTRY_NEEDS_WAKEUP;
      vm_map_unlock_and_wait(map);
      vm_map_lock(map);
      goto again;
    }
  }
}

// --- protection ------------------------------------------------------------------

// Would every entry of [start, end) accept the new protection?
static bool vm_map_protect_allowed(struct vm_map *map, vm_offset_t start,
                                   vm_offset_t end, vm_prot_t prot)
{
  struct vm_map_entry *entry;

  FOREACH_ENTRY_IN(map, entry, start, end)
    if ((prot & ~entry->max_protection) != 0)
      return false;
  return true;
}

// Only ever lower the pmap: a right gained here is granted by the next
// fault, which knows whether the page is still shared copy-on-write.
// A wired entry got rights back (mprotect from PROT_NONE, say, which had
// to remove its mappings: RISC-V has no leaf without rights): map its wired
// pages again now, since a wired page never faults. They lie in the
// entry's own object (vm_fault_unwire). If the pmap runs out of memory
// the page is simply left to fault (which maps it wired, nothing more).
static void vm_map_protect_remap_wired(struct vm_map *map,
                                       struct vm_map_entry *entry)
{
  struct vm_object *obj = entry->object;
  vm_prot_t prot = entry->protection;
  struct vm_page *m;

  if (obj == NULL || prot == VM_PROT_NONE)
    return;
  mtx_lock(&obj->lock);
  if (!vm_object_front_writable(obj))
    prot &= ~VM_PROT_WRITE;
  for (vm_offset_t va = entry->start; va < entry->end; va += PAGE_SIZE) {
    m = vm_object_page_lookup(obj, vm_map_entry_pindex(entry, va));
    if (m != NULL && vm_page_wired(m))
      (void)pmap_enter(map->pmap, va, m, prot, PMAP_ENTER_WIRED);
  }
  mtx_unlock(&obj->lock);
}

// Under mlockall(MCL_FUTURE) an entry that mprotect makes accessible for
// the first time (a PROT_NONE reservation, never wired) is wired like a
// new mapping: mark it for w.
static void vm_map_protect_entry(struct vm_map *map, struct vm_map_entry *entry,
                                 vm_prot_t prot, bool set_max,
                                 struct vm_map_wiring *w)
{
  vm_prot_t old = entry->protection;

  if (set_max) {
    entry->max_protection = prot;
    entry->protection &= prot;
  } else {
    entry->protection = prot;
  }
  if (entry->wired_count > 0 && (entry->protection & ~old) != 0)
    vm_map_protect_remap_wired(map, entry);
  if ((map->flags & MAP_WIREFUTURE) && old == VM_PROT_NONE &&
      entry->protection != VM_PROT_NONE && entry->wired_count == 0 &&
      !(entry->eflags & MAP_ENTRY_GUARD))
    vm_map_wire_mark_entry(w, entry);
  if ((old & ~entry->protection) == 0)
    return;
  // Unless read access is kept throughout, lowering could leave a mapping
  // with no right at all (write+execute made read-only): drop unwired
  // mappings instead; the next access faults them back.
  if (!(old & entry->protection & VM_PROT_READ) && entry->wired_count == 0)
    pmap_remove(map->pmap, entry->start, entry->end);
  else
    pmap_protect(map->pmap, entry->start, entry->end, entry->protection);
}

int vm_map_protect(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                   vm_prot_t prot, bool set_max)
{
  struct vm_map_wiring w = {
    .map = map, .start = start, .end = end, .user = true,
    .rv = KERN_SUCCESS,
  };
  struct vm_map_reserve r;
  struct vm_map_entry *entry;
  int rv;

  vm_map_check_args("vm_map_protect", start, end);
  KASSERT((prot & ~VM_PROT_ALL) == 0, ("vm_map_protect: prot %#x", prot));
  vm_map_reserve_init(&r);
  vm_map_lock(map);
  vm_map_wait_range(map, start, end);
  if (!vm_map_range_mapped(map, start, end))
    rv = KERN_INVALID_ADDRESS;
  else if (!vm_map_protect_allowed(map, start, end, prot))
    rv = KERN_PROTECTION_FAILURE;
  else
    rv = vm_map_reserve_clips(map, start, end, 0, &r);
  if (rv != KERN_SUCCESS) {
    vm_map_unlock(map);
    vm_map_reserve_release(&r);
    return rv;
  }
  for (entry = vm_map_clip_range(map, start, end, &r);
       entry != NULL && entry->start < end; entry = vm_map_entry_next(entry))
    vm_map_protect_entry(map, entry, prot, set_max, &w);
  if (w.marked) {
    vm_map_wire_fault(&w);
    vm_map_wire_finish(&w);
  }
  vm_map_range_end(map, start, end, &r);
  return w.rv;
}

// --- inheritance and behaviour ------------------------------------------------------

// Set inheritance (inherit >= 0) or behaviour (behav >= 0) of the range.
static int vm_map_set_attr(struct vm_map *map, vm_offset_t start,
                           vm_offset_t end, int inherit, int behav)
{
  struct vm_map_reserve r;
  struct vm_map_entry *entry;
  int rv;

  if ((rv = vm_map_range_begin(map, start, end, &r)) != KERN_SUCCESS)
    return rv;
  for (entry = vm_map_clip_range(map, start, end, &r);
       entry != NULL && entry->start < end; entry = vm_map_entry_next(entry)) {
    if (inherit >= 0)
      entry->inheritance = (vm_inherit_t)inherit;
    if (behav >= 0)
      entry->behavior = (uint8_t)behav;
  }
  vm_map_range_end(map, start, end, &r);
  return KERN_SUCCESS;
}

int vm_map_inherit(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                   vm_inherit_t inherit)
{
  vm_map_check_args("vm_map_inherit", start, end);
  if (inherit > VM_INHERIT_ZERO)
    return KERN_INVALID_ARGUMENT;
  return vm_map_set_attr(map, start, end, inherit, -1);
}

// --- advice --------------------------------------------------------------------------

int vm_map_madvise(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                   int behav)
{
  vm_map_check_args("vm_map_madvise", start, end);
  switch (behav) {
  case VM_BEHAV_NORMAL:
  case VM_BEHAV_RANDOM:
  case VM_BEHAV_SEQUENTIAL:
    return vm_map_set_attr(map, start, end, -1, behav);
  case VM_BEHAV_WILLNEED:
  case VM_BEHAV_DONTNEED:
  case VM_BEHAV_FREE:
    return vm_map_advise_pages(map, start, end, behav);
  default:
    return KERN_INVALID_ARGUMENT;
  }
}

// --- the fault path's lookup ---------------------------------------------------

// May entry, marked copy-on-write, write its anonymous object in place?
// Yes when the entry holds the object's only reference: the other side of
// the fork has gone (or shadowed it already and taken its reference with
// it), so nobody else can see the pages. A shadow there would only
// lengthen the chain by one object per such fork -- and a write to a page
// deeper down would then copy it, leaving the original hidden but
// resident until some later collapse. The map lock (exclusive) keeps the
// count from growing; a transient pin by a collapse of the object's own
// backing object only makes us shadow needlessly, which is harmless.
bool vm_map_entry_sole_owner(struct vm_map_entry *entry)
{
  struct vm_object *obj = entry->object;
  bool sole;

  if (obj == NULL)
    return false;
  mtx_lock(&obj->lock);
  sole = (obj->flags & OBJ_ANON) != 0 && (obj->flags & OBJ_DEAD) == 0 &&
         obj->ref_count == 1;
  mtx_unlock(&obj->lock);
  return sole;
}

// Give entry the object a fault needs: a shadow when it still shares its
// object copy-on-write (none when it has become the only user), a fresh
// anonymous object when it has none. Requires the map locked exclusive.
static int vm_map_lookup_prepare(struct vm_map_entry *entry, bool copy)
{
  /* LAB cow BEGIN vm_map_lookup_prepare: resolve NEEDS_COPY for a write */
  if (copy && (entry->eflags & MAP_ENTRY_NEEDS_COPY) &&
      vm_map_entry_sole_owner(entry)) {
    entry->eflags &= ~MAP_ENTRY_NEEDS_COPY;
  } else if (copy && (entry->eflags & MAP_ENTRY_NEEDS_COPY)) {
    if (vm_object_shadow(&entry->object, &entry->offset,
                         entry->end - entry->start) != KERN_SUCCESS)
      return KERN_RESOURCE_SHORTAGE;
    entry->eflags &= ~MAP_ENTRY_NEEDS_COPY;
  }
  /* LAB cow STUB
  if (copy && (entry->eflags & MAP_ENTRY_NEEDS_COPY) != 0)
    panic("lab cow: vm_map_lookup_prepare: NEEDS_COPY not resolved");
     LAB cow END */
  if (entry->object == NULL) {
    entry->object = vm_object_allocate(OBJT_DEFAULT,
                                       atop(entry->end - entry->start));
    if (entry->object == NULL)
      return KERN_RESOURCE_SHORTAGE;
    entry->offset = 0;
  }
  return KERN_SUCCESS;
}

// Starts shared; only an entry that must change takes the lock exclusive.
// If the upgrade fails the shared lock is gone, so the lookup restarts
// from scratch under the exclusive lock.
int vm_map_lookup(struct vm_map *map, vm_offset_t va, vm_prot_t fault_type,
                  struct vm_map_entry **entryp, struct vm_object **object,
                  vm_pindex_t *pindex, vm_prot_t *prot, bool *wired)
{
  struct vm_map_entry *entry;
  bool excl = false, copy;
  int rv;

  vm_map_lock_read(map);
again:
  if (!vm_map_lookup_entry(map, va, &entry) ||
      (entry->eflags & MAP_ENTRY_GUARD)) {
    rv = KERN_INVALID_ADDRESS;
    goto fail;
  }
  if ((entry->protection & fault_type) != fault_type) {
    rv = KERN_PROTECTION_FAILURE;
    goto fail;
  }
  *wired = entry->wired_count > 0;
  copy = (fault_type & VM_PROT_WRITE) || *wired;
  if ((copy && (entry->eflags & MAP_ENTRY_NEEDS_COPY)) ||
      entry->object == NULL) {
    if (!excl) {
      if (!vm_map_lock_upgrade(map))
        vm_map_lock(map);
      excl = true;
      goto again;
    }
    if ((rv = vm_map_lookup_prepare(entry, copy)) != KERN_SUCCESS)
      goto fail;
  }
  if (excl)
    vm_map_lock_downgrade(map);
  *entryp = entry;
  *object = entry->object;
  *pindex = atop(va - entry->start + entry->offset);
  *prot = entry->protection;
  if (entry->eflags & MAP_ENTRY_NEEDS_COPY)
    *prot &= ~VM_PROT_WRITE;
  return KERN_SUCCESS;
fail:
  if (excl)
    vm_map_unlock(map);
  else
    vm_map_unlock_read(map);
  return rv;
}

void vm_map_lookup_done(struct vm_map *map, struct vm_map_entry *entry)
{
  (void)entry;
  vm_map_unlock_read(map);
}

// --- stacks ----------------------------------------------------------------------

// The reservation below a stack is a guard entry (no object, no access)
// directly under the GROWS_DOWN entry, so nothing else can be placed
// there. Growth moves the boundary between the two down; the guard keeps
// at least its lowest page forever.
int vm_map_stack(struct vm_map *map, vm_offset_t addrbos, vm_size_t max_ssize,
                 vm_size_t init_ssize, vm_prot_t prot, vm_prot_t max, int cow)
{
  struct vm_map_reserve r;
  vm_offset_t top, bottom;
  int rv;

  KASSERT(page_aligned(addrbos) && page_aligned(max_ssize) &&
          page_aligned(init_ssize), ("vm_map_stack: unaligned"));
  if (init_ssize == 0 || init_ssize + PAGE_SIZE > max_ssize)
    return KERN_INVALID_ARGUMENT;
  if (addrbos < map->min_offset ||
      !vm_range_ok(addrbos, max_ssize, map->max_offset, &top))
    return KERN_INVALID_ADDRESS;
  bottom = top - init_ssize;
  vm_map_reserve_init(&r);
  vm_map_lock(map);
  rv = vm_map_reserve_fill(&r, 2);
  if (rv == KERN_SUCCESS && vm_map_entry_at_or_after(map, addrbos) != NULL &&
      vm_map_entry_at_or_after(map, addrbos)->start < top)
    rv = KERN_NO_SPACE;
  if (rv == KERN_SUCCESS) {
    rv = vm_map_insert_reserved(map, &r, NULL, 0, addrbos, bottom,
                                VM_PROT_NONE, VM_PROT_NONE,
                                MAP_CREATE_GUARD | MAP_NOMERGE);
    KASSERT(rv == KERN_SUCCESS, ("vm_map_stack: guard insert: %d", rv));
    rv = vm_map_insert_reserved(map, &r, NULL, 0, bottom, top, prot, max,
                                cow | MAP_STACK_GROWS_DOWN);
    KASSERT(rv == KERN_SUCCESS, ("vm_map_stack: stack insert: %d", rv));
  }
  vm_map_unlock(map);
  vm_map_reserve_release(&r);
  return rv;
}

// Move the guard/stack boundary of the stack above guard down to
// new_start. An entry with no object, no wiring and no transition simply
// grows; otherwise the new range gets its own entry, since the object
// cannot be extended below page index 0.
static void vm_map_growstack_locked(struct vm_map *map,
                                    struct vm_map_entry *guard,
                                    vm_offset_t new_start,
                                    struct vm_map_reserve *r)
{
  struct vm_map_entry *stack = vm_map_entry_next(guard), *grown;
  vm_offset_t old_start = stack->start;

  vm_map_entry_set_range(map, guard, guard->start, new_start);
  if (stack->object == NULL && stack->wired_count == 0 &&
      !(stack->eflags & MAP_ENTRY_IN_TRANSITION)) {
    vm_map_entry_set_range(map, stack, new_start, stack->end);
    return;
  }
  grown = vm_map_reserve_take(r);
  *grown = (struct vm_map_entry){0};
  grown->start = new_start;
  grown->end = old_start;
  grown->eflags = stack->eflags & (MAP_ENTRY_COW | MAP_ENTRY_GROWS_DOWN |
                                   MAP_ENTRY_NOMERGE);
  grown->protection = stack->protection;
  grown->max_protection = stack->max_protection;
  grown->inheritance = stack->inheritance;
  grown->behavior = stack->behavior;
  vm_map_entry_link(map, grown);
  vm_map_simplify_entry(map, grown);
}

// The stack is wired along with the rest of the map under
// mlockall(MCL_FUTURE), within wire_max (checked before anything moves); a
// fault that finds no page while wiring is returned but leaves the stack
// grown.
int vm_map_growstack(struct vm_map *map, vm_offset_t addr, vm_size_t wire_max)
{
  struct vm_map_entry *guard, *stack;
  struct vm_map_reserve r;
  vm_offset_t new_start = trunc_page(addr), old_start = 0;
  int rv;

  vm_map_reserve_init(&r);
  vm_map_lock(map);
  rv = KERN_INVALID_ADDRESS;
  if (!vm_map_lookup_entry(map, addr, &guard))
    goto out;
  if (!(guard->eflags & MAP_ENTRY_GUARD)) {
    rv = KERN_SUCCESS;  // already mapped: another fault grew it first
    goto out;
  }
  stack = vm_map_entry_next(guard);
  if (stack == NULL || stack->start != guard->end ||
      !(stack->eflags & MAP_ENTRY_GROWS_DOWN) ||
      new_start < guard->start + PAGE_SIZE)
    goto out;
  if ((map->flags & MAP_WIREFUTURE) && stack->start - new_start > wire_max) {
    rv = KERN_RESOURCE_SHORTAGE;
    goto out;
  }
  old_start = stack->start;
  rv = vm_map_reserve_fill(&r, 1);
  if (rv == KERN_SUCCESS)
    vm_map_growstack_locked(map, guard, new_start, &r);
out:
  vm_map_unlock(map);
  vm_map_reserve_release(&r);
  if (rv == KERN_SUCCESS && old_start != 0 && (map->flags & MAP_WIREFUTURE))
    rv = vm_map_wire(map, new_start, old_start,
                     VM_MAP_WIRE_USER | VM_MAP_WIRE_NOHOLES);
  return rv;
}
