// SPDX-License-Identifier: MIT
// Private to the map module (vm_map.c, vm_map_ops.c, vm_map_wire.c,
// vm_map_delete.c, vm_map_advise.c, vm_map_check.c): the entry-level helpers its files
// share. Nothing outside the module includes this. The helpers live in
// vm_map.c unless their comment names another file.
//
// Failure atomicity: an operation that may split entries first counts the
// splits it will need (at most one at each end of its range), allocates
// that many spare entries into a struct vm_map_reserve, and only then
// changes the map. Clipping takes its new entry from the reserve and so
// cannot fail; running out of kernel memory therefore returns
// KERN_RESOURCE_SHORTAGE with the map exactly as it was.
#ifndef VM_VM_MAP_INTERNAL_H
#define VM_VM_MAP_INTERNAL_H

#include "vm/vm_map.h"

// Spare entries of one operation: one per possible clip plus the entries it
// inserts. Lives on the caller's stack.
#define VM_MAP_RESERVE_MAX 4

struct vm_map_reserve {
  struct vm_map_entry *spare[VM_MAP_RESERVE_MAX];  // (t) unused entries
  int count;                                        // (t) how many
};

void vm_map_reserve_init(struct vm_map_reserve *r);
// Allocate until r holds n spares. KERN_SUCCESS or KERN_RESOURCE_SHORTAGE
// (r keeps what it got; vm_map_reserve_release frees it).
int vm_map_reserve_fill(struct vm_map_reserve *r, int n);
// Reserve the clips [start, end) needs plus extra entries. Map locked.
int vm_map_reserve_clips(struct vm_map *map, vm_offset_t start,
                         vm_offset_t end, int extra,
                         struct vm_map_reserve *r);
// Take one spare (there must be one).
struct vm_map_entry *vm_map_reserve_take(struct vm_map_reserve *r);
// Free the spares nobody used.
void vm_map_reserve_release(struct vm_map_reserve *r);

// Put entry (not yet in the tree, not overlapping any) into the map.
void vm_map_entry_link(struct vm_map *map, struct vm_map_entry *entry);
// Take entry out of the tree.
void vm_map_entry_unlink(struct vm_map *map, struct vm_map_entry *entry);
// Drop an unlinked entry's object reference and free it.
void vm_map_entry_dispose(struct vm_map_entry *entry);
// Move entry's bounds without crossing a neighbour; fixes the gaps.
void vm_map_entry_set_range(struct vm_map *map, struct vm_map_entry *entry,
                            vm_offset_t start, vm_offset_t end);
// vm_map_insert with the new entry (if one is needed) taken from r.
// Requires the map locked exclusive.
int vm_map_insert_reserved(struct vm_map *map, struct vm_map_reserve *r,
                           struct vm_object *obj, vm_ooffset_t offset,
                           vm_offset_t start, vm_offset_t end, vm_prot_t prot,
                           vm_prot_t max, int cow);

// The first entry that ends after addr (the one containing it, or the next
// one), or NULL. Map locked.
struct vm_map_entry *vm_map_entry_at_or_after(struct vm_map *map,
                                              vm_offset_t addr);

// May b be merged into a, its left neighbour (same object, offsets and
// attributes, adjacent)?
bool vm_map_entry_mergeable(const struct vm_map_entry *a,
                            const struct vm_map_entry *b);
// The bytes entry maps (0 for a guard).
vm_size_t vm_map_entry_bytes(const struct vm_map_entry *entry);

// Iterate the entries that overlap [start, end).
#define FOREACH_ENTRY_IN(m_, e_, lo_, hi_)                   \
  for ((e_) = vm_map_entry_at_or_after((m_), (lo_));         \
       (e_) != NULL && (e_)->start < (hi_);                  \
       (e_) = vm_map_entry_next(e_))

// KASSERT that [start, end) is a non-empty page-aligned range (fn names
// the caller in the message). vm_map_ops.c.
void vm_map_check_args(const char *fn, vm_offset_t start, vm_offset_t end);
// vm_map_check at an unlock or downgrade under VMCHECK. An operation may
// drop the lock half done (wiring faults pages in with it released), when
// entries it will merge at its end may still be alike: everything but
// that is checked.
void vm_map_check_unlocking(struct vm_map *map);

// WILLNEED, DONTNEED and FREE on [start, end) (vm_map_advise.c); map
// unlocked. KERN_INVALID_ADDRESS if the range has a hole.
int vm_map_advise_pages(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                        int behav);

// Split entries so that none straddles start or end, taking new entries
// from r, and return the first entry inside [start, end) (NULL if none).
// Map locked exclusive; no entry at either boundary is in transition.
struct vm_map_entry *vm_map_clip_range(struct vm_map *map, vm_offset_t start,
                                       vm_offset_t end,
                                       struct vm_map_reserve *r);

// Delete every entry in [start, end) (vm_map_delete.c), clipping with
// spares from r. Map locked exclusive; nothing in the range in transition.
void vm_map_delete_range(struct vm_map *map, vm_offset_t start,
                         vm_offset_t end, struct vm_map_reserve *r);

// Merge every entry in [start, end) with its neighbours where possible.
// Map locked exclusive.
void vm_map_simplify_range(struct vm_map *map, vm_offset_t start,
                           vm_offset_t end);

// Sleep until no entry in [start, end) is in transition (vm_map_ops.c).
// The map is locked exclusive on entry and on return, but may have been
// unlocked meanwhile: the caller must not hold entry pointers across it.
void vm_map_wait_range(struct vm_map *map, vm_offset_t start, vm_offset_t end);

// --- wiring (vm_map_wire.c) ---

// Does [start, end) hold a wired entry? Map locked.
bool vm_map_range_wired(struct vm_map *map, vm_offset_t start, vm_offset_t end);

// Pages of user wiring the entry accounts for in vm_cnt.v_user_wire_count.
void vm_map_entry_user_wire_count(struct vm_map_entry *entry, bool add);

// One wiring: a vm_map_wire call, or an mprotect under MCL_FUTURE. Its
// address is the wiring_owner of the entries it marks. Lives on the
// caller's stack.
struct vm_map_wiring {
  struct vm_map *map;         // (t)
  vm_offset_t start, end;     // (t) the range asked for
  bool user;                  // (t) mlock: one count per entry, no nesting
  bool holesok;               // (t) skip holes and inaccessible entries
  bool marked;                // (t) some entry is marked for this wiring
  vm_offset_t failed_at;      // (t) start of the entry whose wiring failed
  int rv;                     // (t) result of the fault loop
};

// The steps of one wiring, each with the map locked exclusive on entry and
// on return. Mark entry as w's: raise its count, set IN_TRANSITION, its
// owner, USER_WIRED for a user wiring, and w->marked.
void vm_map_wire_mark_entry(struct vm_map_wiring *w,
                            struct vm_map_entry *entry);
// Fault in every entry w marked whose count it raised from 0, dropping the
// map lock around each; sets w->rv (and w->failed_at on failure).
void vm_map_wire_fault(struct vm_map_wiring *w);
// Clear w's marks, rolling back its counts and wirings on failure, and
// wake the threads waiting for the entries.
void vm_map_wire_finish(struct vm_map_wiring *w);

#endif
