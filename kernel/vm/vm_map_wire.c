// SPDX-License-Identifier: MIT
// Wiring ranges of an address map: vm_map_wire and vm_map_unwire, which
// mlock, munlock, mlockall and kernel wiring (vm_mmap.c) call, the page
// counts those limits use (vm_map_wire_size, v_user_wire_count), and the
// three marking helpers vm_map_protect (vm_map_ops.c) shares to wire what
// it makes accessible under mlockall(MCL_FUTURE).
//
// Wiring protocol. Faulting pages in may sleep, and the fault path takes
// the map lock itself, so vm_map_wire cannot hold the lock while it wires.
// Instead it marks each entry it wires IN_TRANSITION, owned by this call
// (wiring_owner points into the caller's stack frame, unique while the
// call lasts), and raises wired_count first, so that the fault path sees a
// wired entry and resolves copy-on-write for it: wired pages are always
// private. It then drops the lock around each vm_fault_wire. Other threads
// that need an entry in transition (to clip, delete, protect or wire it)
// set NEEDS_WAKEUP and sleep until the owner clears the mark. Entries are
// never clipped or merged while in transition, so the owner finds them
// again by address after relocking. On failure the call unwires the
// entries it completed and takes back its counts: nothing stays wired.
//
// Locking: vm_map_wire and vm_map_unwire take the map lock themselves,
// exclusive, and vm_map_wire_size takes it shared; the helpers declared in
// vm_map_internal.h run with it held exclusive, as their comments say.
#include "lib/lock.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_map_internal.h"
#include "vm/vm_page.h"

bool vm_map_range_wired(struct vm_map *map, vm_offset_t start, vm_offset_t end)
{
  struct vm_map_entry *entry;

  FOREACH_ENTRY_IN(map, entry, start, end)
    if (entry->wired_count > 0)
      return true;
  return false;
}

void vm_map_entry_user_wire_count(struct vm_map_entry *entry, bool add)
{
  uint64_t pages = atop(entry->end - entry->start);

  if (add)
    VM_CNT_ADD(v_user_wire_count, pages);
  else
    __atomic_fetch_sub(&vm_cnt.v_user_wire_count, pages, __ATOMIC_RELAXED);
}

vm_size_t vm_map_wire_size(struct vm_map *map, vm_offset_t start,
                           vm_offset_t end, bool prot_none)
{
  struct vm_map_entry *entry;
  vm_size_t size = 0;

  vm_map_lock_read(map);
  FOREACH_ENTRY_IN(map, entry, start, end) {
    if ((entry->eflags & MAP_ENTRY_GUARD) || entry->wired_count > 0 ||
        (entry->protection == VM_PROT_NONE) != prot_none)
      continue;
    size += MIN(end, entry->end) - MAX(start, entry->start);
  }
  vm_map_unlock_read(map);
  return size;
}

/* LAB wire BEGIN vm_map_wire: the in-transition protocol, with rollback */
// Is entry left out of this wiring? Guards and (with holesok) PROT_NONE
// entries are not memory one can wire; user wiring never nests.
static bool vm_map_wire_skips(const struct vm_map_wiring *w,
                              const struct vm_map_entry *entry)
{
  if ((entry->eflags & MAP_ENTRY_GUARD) || entry->protection == VM_PROT_NONE)
    return true;
  return w->user && (entry->eflags & MAP_ENTRY_USER_WIRED);
}

// Without holesok, a hole, a guard or a PROT_NONE entry in the range makes
// wiring fail before anything changes. mlock over PROT_NONE is ENOMEM in
// docs/semantics.md, so it is reported as an address error too.
static int vm_map_wire_check(struct vm_map_wiring *w)
{
  struct vm_map_entry *entry;

  if (w->holesok)
    return KERN_SUCCESS;
  if (!vm_map_range_mapped(w->map, w->start, w->end))
    return KERN_INVALID_ADDRESS;
  FOREACH_ENTRY_IN(w->map, entry, w->start, w->end)
    if (entry->protection == VM_PROT_NONE)
      return KERN_INVALID_ADDRESS;
  return KERN_SUCCESS;
}

// Mark entry as w's. The count goes up now so that faults on the entry
// treat it as wired; entries whose count is now 1 need their pages
// faulted in.
void vm_map_wire_mark_entry(struct vm_map_wiring *w,
                            struct vm_map_entry *entry)
{
  entry->eflags |= MAP_ENTRY_IN_TRANSITION;
  entry->wiring_owner = w;
  entry->wired_count++;
  if (w->user)
    entry->eflags |= MAP_ENTRY_USER_WIRED;
  w->marked = true;
}

// Clip and mark.
static void vm_map_wire_mark(struct vm_map_wiring *w, struct vm_map_reserve *r)
{
  struct vm_map_entry *entry;

  for (entry = vm_map_clip_range(w->map, w->start, w->end, r);
       entry != NULL && entry->start < w->end;
       entry = vm_map_entry_next(entry))
    if (!vm_map_wire_skips(w, entry))
      vm_map_wire_mark_entry(w, entry);
}

// The first entry at or after va that this call must fault in, or NULL.
static struct vm_map_entry *vm_map_wire_next(struct vm_map_wiring *w,
                                             vm_offset_t va)
{
  struct vm_map_entry *entry;

  FOREACH_ENTRY_IN(w->map, entry, va, w->end)
    if (entry->wiring_owner == w && entry->wired_count == 1)
      return entry;
  return NULL;
}

// Fault every marked entry in, one entry per unlocked stretch. Released
// around each vm_fault_wire: the map lock; the entries stay ours.
void vm_map_wire_fault(struct vm_map_wiring *w)
{
  struct vm_map_entry *entry;
  vm_offset_t va = w->start;

  w->rv = KERN_SUCCESS;
  while ((entry = vm_map_wire_next(w, va)) != NULL) {
    vm_offset_t s = entry->start, e = entry->end;
    vm_map_unlock(w->map);
    w->rv = vm_fault_wire(w->map, s, e);
    vm_map_lock(w->map);
    if (w->rv != KERN_SUCCESS) {
      w->failed_at = s;
      return;
    }
    va = e;
  }
}

// Clear the marks. On failure undo this call's counts and unwire the
// entries it completed (the failed entry's vm_fault_wire undid itself).
void vm_map_wire_finish(struct vm_map_wiring *w)
{
  struct vm_map_entry *entry;
  bool wake = false;

  FOREACH_ENTRY_IN(w->map, entry, w->start, w->end) {
    if (entry->wiring_owner != w)
      continue;
    if (w->rv != KERN_SUCCESS) {
      if (entry->wired_count == 1 && entry->start < w->failed_at)
        vm_fault_unwire(w->map, entry, entry->start, entry->end);
      entry->wired_count--;
      if (w->user)
        entry->eflags &= ~MAP_ENTRY_USER_WIRED;
    } else if (w->user) {
      vm_map_entry_user_wire_count(entry, true);
    }
    wake |= (entry->eflags & MAP_ENTRY_NEEDS_WAKEUP) != 0;
    entry->eflags &= ~(MAP_ENTRY_IN_TRANSITION | MAP_ENTRY_NEEDS_WAKEUP);
    entry->wiring_owner = NULL;
  }
  if (wake)
    vm_map_wakeup(w->map);
}

int vm_map_wire(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                int flags)
{
  struct vm_map_wiring w = {
    .map = map, .start = start, .end = end,
    .user = (flags & VM_MAP_WIRE_USER) != 0,
    .holesok = (flags & VM_MAP_WIRE_HOLESOK) != 0,
  };
  struct vm_map_reserve r;
  int rv;

  vm_map_check_args("vm_map_wire", start, end);
  vm_map_reserve_init(&r);
  vm_map_lock(map);
  vm_map_wait_range(map, start, end);
  rv = vm_map_wire_check(&w);
  if (rv == KERN_SUCCESS)
    rv = vm_map_reserve_clips(map, start, end, 0, &r);
  if (rv == KERN_SUCCESS) {
    vm_map_wire_mark(&w, &r);
    vm_map_wire_fault(&w);
    vm_map_wire_finish(&w);
    vm_map_simplify_range(map, start, end);
    rv = w.rv;
  }
  vm_map_unlock(map);
  vm_map_reserve_release(&r);
  return rv;
}
/* LAB wire STUB
void vm_map_wire_mark_entry(struct vm_map_wiring *w,
                            struct vm_map_entry *entry)
{
  (void)w;
  (void)entry;
  panic("lab wire: vm_map_wire_mark_entry not written");
}

void vm_map_wire_fault(struct vm_map_wiring *w)
{
  (void)w;
  panic("lab wire: vm_map_wire_fault not written");
}

void vm_map_wire_finish(struct vm_map_wiring *w)
{
  (void)w;
  panic("lab wire: vm_map_wire_finish not written");
}

int vm_map_wire(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                int flags)
{
  (void)map;
  (void)start;
  (void)end;
  (void)flags;
  return KERN_FAILURE;
}
   LAB wire END */

/* LAB wire BEGIN vm_map_unwire: undo a wiring; munlock of unlocked memory */
// Does unwiring [start, end) change any entry? User unwiring of memory
// that is not user wired is a no-op; system unwiring of an entry that is
// not wired is a caller bug.
static bool vm_map_unwire_needed(struct vm_map *map, vm_offset_t start,
                                 vm_offset_t end, bool user)
{
  struct vm_map_entry *entry;
  bool needed = false;

  FOREACH_ENTRY_IN(map, entry, start, end) {
    if (entry->eflags & MAP_ENTRY_GUARD)
      continue;
    if (user) {
      needed |= (entry->eflags & MAP_ENTRY_USER_WIRED) != 0;
    } else {
      KASSERT(entry->wired_count > 0,
              ("vm_map_unwire: %#lx-%#lx is not wired",
               (unsigned long)entry->start, (unsigned long)entry->end));
      needed = true;
    }
  }
  return needed;
}

static void vm_map_unwire_entry(struct vm_map *map, struct vm_map_entry *entry,
                                bool user)
{
  if (user) {
    if (!(entry->eflags & MAP_ENTRY_USER_WIRED))
      return;
    vm_map_entry_user_wire_count(entry, false);
    entry->eflags &= ~MAP_ENTRY_USER_WIRED;
  }
  if (entry->wired_count == 1)
    vm_fault_unwire(map, entry, entry->start, entry->end);
  entry->wired_count--;
}

int vm_map_unwire(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                  int flags)
{
  bool user = (flags & VM_MAP_WIRE_USER) != 0;
  struct vm_map_reserve r;
  struct vm_map_entry *entry;
  int rv = KERN_SUCCESS;

  vm_map_check_args("vm_map_unwire", start, end);
  vm_map_reserve_init(&r);
  vm_map_lock(map);
  vm_map_wait_range(map, start, end);
  if (!(flags & VM_MAP_WIRE_HOLESOK) && !vm_map_range_mapped(map, start, end))
    rv = KERN_INVALID_ADDRESS;
  else if (vm_map_unwire_needed(map, start, end, user))
    rv = vm_map_reserve_clips(map, start, end, 0, &r);
  else
    goto out;
  if (rv != KERN_SUCCESS)
    goto out;
  for (entry = vm_map_clip_range(map, start, end, &r);
       entry != NULL && entry->start < end; entry = vm_map_entry_next(entry))
    if (!(entry->eflags & MAP_ENTRY_GUARD))
      vm_map_unwire_entry(map, entry, user);
  vm_map_simplify_range(map, start, end);
out:
  vm_map_unlock(map);
  vm_map_reserve_release(&r);
  return rv;
}
/* LAB wire STUB
int vm_map_unwire(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                  int flags)
{
  (void)map;
  (void)start;
  (void)end;
  (void)flags;
  return KERN_FAILURE;
}
   LAB wire END */
