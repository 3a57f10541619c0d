// SPDX-License-Identifier: MIT
// Address maps: sorted, non-overlapping entries [start, end), each mapping
// a range of a memory object (or, before its first fault, no object at all:
// anonymous memory gets its object lazily) with protections, inheritance,
// paging behaviour and wiring.
//
// The entries form an AVL tree ordered by address (lib/avl.h), augmented
// with max_free, the largest unmapped gap at or after any entry of the
// subtree, so lookup and the lowest-fit search for free space are both
// O(log n) in the worst case. An AVL tree (not FreeBSD's splay tree)
// because faults look entries up under a shared lock, and a splay would
// rewrite the tree on every lookup.
//
// Every change clips entries to the exact range first and merges compatible
// neighbours afterwards (vm_map_simplify_entry), so a map never holds two
// adjacent entries that could be one. A thread that drops the lock (to
// sleep or do I/O) keeps no entry pointer across the gap: it looks up
// again by address.
//
// Locking: map->lock is an sx lock: shared for lookups and faults,
// exclusive for changes. Fields marked (m) need it.
#ifndef VM_VM_MAP_H
#define VM_VM_MAP_H

#include "lib/avl.h"
#include "lib/lock.h"
#include "vm/vm.h"

struct pmap;
struct vm_object;

// Entry flags (m).
#define MAP_ENTRY_COW           0x0001  // private: writes copy
#define MAP_ENTRY_NEEDS_COPY    0x0002  // object still shared: shadow on write
#define MAP_ENTRY_IN_TRANSITION 0x0004  // being wired/unwired; map unlocked
#define MAP_ENTRY_NEEDS_WAKEUP  0x0008  // someone waits for the transition
#define MAP_ENTRY_USER_WIRED    0x0010  // wired by mlock/mlockall
#define MAP_ENTRY_GROWS_DOWN    0x0020  // a stack: may grow into the guard below
#define MAP_ENTRY_GUARD         0x0040  // reserved, never accessible
#define MAP_ENTRY_NOMERGE       0x0080  // never simplify with neighbours

struct vm_map_entry {
  struct avl_node node;          // (m) in map->root, by start
  vm_offset_t start;             // (m) first address
  vm_offset_t end;               // (m) first address past the entry
  vm_size_t max_free;            // (m) largest gap after an entry of subtree
  struct vm_object *object;      // (m) NULL until first needed
  vm_ooffset_t offset;           // (m) byte offset of start in object
  uint32_t eflags;               // (m) MAP_ENTRY_*
  vm_prot_t protection;          // (m) current protection
  vm_prot_t max_protection;      // (m) mprotect may not exceed it
  vm_inherit_t inheritance;      // (m) VM_INHERIT_*
  uint8_t behavior;              // (m) VM_BEHAV_NORMAL/RANDOM/SEQUENTIAL
  uint32_t wired_count;          // (m) user wiring counts once
  vm_size_t adj_free;            // (m) gap from end to the next entry/max
  const void *wiring_owner;      // (m) the call that set IN_TRANSITION
};

// Per-map fault counters (a), reported by vmmap and vmstat.
struct vm_map_stats {
  uint64_t faults;
  uint64_t zfod;
  uint64_t cow;
  uint64_t cow_optim;
  uint64_t readahead;
  uint64_t prefault;
};

// Map flags (m).
#define MAP_WIREFUTURE   0x01   // mlockall(MCL_FUTURE): wire new mappings
#define MAP_SYSTEM_MAP   0x02   // the kernel's map

#define VM_MAP_MAGIC 0x3a9e1170u

struct vm_map {
  struct sx lock;                // protects (m) fields
  struct avl_tree root;          // (m) entries by address
  vm_offset_t min_offset;        // (c) lowest mappable address
  vm_offset_t max_offset;        // (c) first address past the map
  uint32_t nentries;             // (m)
  vm_size_t size;                // (m) bytes mapped
  uint32_t flags;                // (m) MAP_*
  uint32_t magic;                // (c) VM_MAP_MAGIC
  struct pmap *pmap;             // (c)
  struct vm_map_stats stats;     // (a)
};

// Flags of vm_map_insert / vm_map_find / vm_map_fixed ("cow" flags).
#define MAP_COPY_ON_WRITE     0x0001  // private mapping (MAP_ENTRY_COW)
#define MAP_INHERIT_SHARE     0x0002  // inheritance SHARE instead of COPY
#define MAP_CHECK_EXCL        0x0004  // vm_map_fixed: fail if anything is there
#define MAP_STACK_GROWS_DOWN  0x0008  // entry is a stack
#define MAP_CREATE_GUARD      0x0010  // entry is a guard: no access, no object
#define MAP_NOMERGE           0x0020  // never merge with neighbours

// vm_map_find placement.
#define VMFS_NO_SPACE   0   // exactly at *addr
#define VMFS_ANY_SPACE  1   // the lowest fit at or above *addr

// vm_map_wire / vm_map_unwire flags.
#define VM_MAP_WIRE_SYSTEM   0x0   // kernel wiring: counts every time
#define VM_MAP_WIRE_USER     0x1   // mlock: counts once per entry
#define VM_MAP_WIRE_NOHOLES  0x0   // fail on unmapped holes (ENOMEM)
#define VM_MAP_WIRE_HOLESOK  0x2   // skip holes (mlockall)

void vm_map_startup(void);
void vm_map_init(struct vm_map *map, struct pmap *pmap, vm_offset_t min,
                 vm_offset_t max);

// Locking. vm_map_lock_upgrade returns true with the lock now exclusive,
// or false with the shared lock RELEASED (the caller must start over).
void vm_map_lock(struct vm_map *map);
void vm_map_unlock(struct vm_map *map);
void vm_map_lock_read(struct vm_map *map);
void vm_map_unlock_read(struct vm_map *map);
bool vm_map_lock_upgrade(struct vm_map *map);
void vm_map_lock_downgrade(struct vm_map *map);
// Release the exclusive lock and sleep until vm_map_wakeup; returns unlocked.
void vm_map_unlock_and_wait(struct vm_map *map);
void vm_map_wakeup(struct vm_map *map);

// Insert an entry for [start, end) mapping obj at offset (obj may be NULL:
// zero-fill anonymous memory). The caller's reference on obj moves to the
// entry on success. KERN_INVALID_ADDRESS outside the map, KERN_NO_SPACE if
// anything is mapped there, KERN_RESOURCE_SHORTAGE. Map locked exclusive.
int vm_map_insert(struct vm_map *map, struct vm_object *obj,
                  vm_ooffset_t offset, vm_offset_t start, vm_offset_t end,
                  vm_prot_t prot, vm_prot_t max, int cow);

// Lowest address >= start where length bytes are free and that lies below
// the map's end; KERN_SUCCESS with *addr, or KERN_NO_SPACE. Map locked.
int vm_map_findspace(struct vm_map *map, vm_offset_t start, vm_size_t length,
                     vm_offset_t *addr);

// Find room (find_space) and insert; on success *addr is the start. Takes
// the map lock.
int vm_map_find(struct vm_map *map, struct vm_object *obj,
                vm_ooffset_t offset, vm_offset_t *addr, vm_size_t length,
                int find_space, vm_prot_t prot, vm_prot_t max, int cow);

// MAP_FIXED: replace whatever is mapped in [start, start + length) with the
// new entry, atomically (one lock hold). With MAP_CHECK_EXCL, KERN_NO_SPACE
// and nothing changed if anything is mapped there. Takes the map lock.
int vm_map_fixed(struct vm_map *map, struct vm_object *obj,
                 vm_ooffset_t offset, vm_offset_t start, vm_size_t length,
                 vm_prot_t prot, vm_prot_t max, int cow);

// Remove every mapping in [start, end); holes are fine. Wired entries are
// unwired first. vm_map_delete requires the map locked exclusive,
// vm_map_remove takes the lock.
int vm_map_delete(struct vm_map *map, vm_offset_t start, vm_offset_t end);
int vm_map_remove(struct vm_map *map, vm_offset_t start, vm_offset_t end);

// Does [start, end) contain only mapped addresses? Map locked.
bool vm_map_range_mapped(struct vm_map *map, vm_offset_t start, vm_offset_t end);

// Change protection (or, with set_max, max protection, lowering the
// current one with it). KERN_INVALID_ADDRESS (ENOMEM) if the range has a
// hole, KERN_PROTECTION_FAILURE (EACCES) if prot exceeds an entry's max;
// either way nothing is changed. Copy-on-write memory is never made
// writable in the pmap. Under mlockall(MCL_FUTURE) (MAP_WIREFUTURE) the
// entries it makes accessible that were PROT_NONE are user wired as a new
// mapping would be; if a fault cannot get a page for that, they are left
// unwired (with their new protection) and KERN_RESOURCE_SHORTAGE is
// returned. Takes the lock.
int vm_map_protect(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                   vm_prot_t prot, bool set_max);

// Set inheritance of [start, end). Holes: KERN_INVALID_ADDRESS, nothing
// changed. Takes the lock.
int vm_map_inherit(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                   vm_inherit_t inherit);

// madvise: NORMAL/RANDOM/SEQUENTIAL set the entries' behaviour; WILLNEED
// maps the resident pages; DONTNEED unmaps and deactivates; FREE discards
// private anonymous contents. Holes: KERN_INVALID_ADDRESS, nothing
// changed. Takes the lock.
int vm_map_madvise(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                   int behav);

// Wire / unwire [start, end): every page is faulted in and stays resident
// and mapped until unwired. Entries are marked IN_TRANSITION while the map
// is unlocked for faulting. A hole or a PROT_NONE entry in the range is
// KERN_INVALID_ADDRESS before anything changes (with VM_MAP_WIRE_HOLESOK
// both are skipped instead). If a fault fails part way, everything this
// call wired is unwired again and the fault's error returned
// (KERN_RESOURCE_SHORTAGE when out of pages). User wiring does not nest.
// Takes the lock.
int vm_map_wire(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                int flags);
int vm_map_unwire(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                  int flags);
// Bytes of [start, end) that a user wiring would wire anew: those of
// entries that are neither guards nor wired yet and are accessible -- or,
// with prot_none, are PROT_NONE (what mprotect under MCL_FUTURE would
// wire). What the wiring limits are checked against. Takes the lock.
vm_size_t vm_map_wire_size(struct vm_map *map, vm_offset_t start,
                           vm_offset_t end, bool prot_none);

// msync: write dirty shared file pages in [start, end) back; with
// invalidate, also drop the clean ones. KERN_INVALID_ARGUMENT, nothing
// done, if invalidate meets a wired page. Holes: KERN_INVALID_ADDRESS. A
// page the pager could not write stays dirty, and the first such failure
// is returned: KERN_NO_SPACE when the pager's store is full,
// KERN_MEMORY_ERROR for an I/O error. Takes the lock.
int vm_map_sync(struct vm_map *map, vm_offset_t start, vm_offset_t end,
                bool syncio, bool invalidate);

// Write the dirty shared file pages of [start, end) back, skipping holes:
// what munmap and exit do before they let go of a file mapping, so that
// MAP_SHARED writes reach the file then at the latest. Takes the lock.
int vm_map_writeback(struct vm_map *map, vm_offset_t start, vm_offset_t end);

// Reserve a stack at [addrbos, addrbos + max_ssize): the top init_ssize
// bytes are mapped (GROWS_DOWN), the rest is left for growth with a guard
// page at the bottom that is never mapped. Takes the lock.
int vm_map_stack(struct vm_map *map, vm_offset_t addrbos, vm_size_t max_ssize,
                 vm_size_t init_ssize, vm_prot_t prot, vm_prot_t max, int cow);
// Grow the stack entry above addr down to cover it. KERN_SUCCESS, or
// KERN_INVALID_ADDRESS when addr is not in a stack's growth area (or only
// in its guard page). Under mlockall(MCL_FUTURE) the new pages are wired,
// and growth that would wire more than wire_max bytes is refused with
// KERN_RESOURCE_SHORTAGE, nothing changed (vm_growstack, vm_mmap.h, sets
// wire_max from the limits). Takes the lock.
int vm_map_growstack(struct vm_map *map, vm_offset_t addr, vm_size_t wire_max);

// Lookup. vm_map_lookup_entry: true and *entry = the entry containing
// addr, or false and *entry = the entry before addr (NULL if none). Map
// locked (shared is enough).
bool vm_map_lookup_entry(struct vm_map *map, vm_offset_t addr,
                         struct vm_map_entry **entry);
struct vm_map_entry *vm_map_entry_first(struct vm_map *map);
struct vm_map_entry *vm_map_entry_next(struct vm_map_entry *entry);
// Page index in entry's object of address va inside the entry.
vm_pindex_t vm_map_entry_pindex(const struct vm_map_entry *entry,
                                vm_offset_t va);
struct vm_map_entry *vm_map_entry_prev(struct vm_map_entry *entry);

// May entry, copy-on-write and NEEDS_COPY, take its object over instead of
// shadowing it? Yes when the object is anonymous and entry holds its only
// reference: nobody else can see the pages. Map locked exclusive (which
// keeps the count from growing); takes the object's lock.
bool vm_map_entry_sole_owner(struct vm_map_entry *entry);

// Merge entry with its neighbours where they are adjacent and identical in
// everything but their range (the object continuing at the right offset).
// The surviving entry is entry itself; merged neighbours are freed. Call it
// after changing an entry's attributes outside this module (vmspace_fork).
// Requires the map locked exclusive.
void vm_map_simplify_entry(struct vm_map *map, struct vm_map_entry *entry);

// The fault path's lookup: find the entry for va, check fault_type against
// its protection, give it an object if it has none, and resolve NEEDS_COPY
// (shadow the object) when the fault writes or the entry is wired. On
// KERN_SUCCESS the map is read-locked and *entry, *object (referenced by
// the entry, not by the caller), *pindex (page index of va in *object),
// *prot (the protection to map with: write is removed while NEEDS_COPY
// remains) and *wired are set; release with vm_map_lookup_done. On failure
// the map is not locked.
int vm_map_lookup(struct vm_map *map, vm_offset_t va, vm_prot_t fault_type,
                  struct vm_map_entry **entry, struct vm_object **object,
                  vm_pindex_t *pindex, vm_prot_t *prot, bool *wired);
void vm_map_lookup_done(struct vm_map *map, struct vm_map_entry *entry);

// Describe up to max entries of map for vmmap() (vm/vmmap.h), starting
// with the first one that ends after *next, into buf (or only count them
// when buf is NULL). Advances *next past the last one described and
// returns how many that is. ident, when not NULL, gives the ino field of a
// record from the entry's front object (the VM does not know what a
// pager's handle is); it is called with that object locked. Takes the map
// lock shared and each entry's object chain's locks (vm_map_describe.c).
struct vmmap_entry;
int vm_map_describe(struct vm_map *map, vm_offset_t *next,
                    struct vmmap_entry *buf, int max,
                    unsigned (*ident)(struct vm_object *obj));

// Check every invariant (panics): magic; entries sorted, non-overlapping,
// inside the map, page aligned; tree balanced and max_free consistent;
// counts and size agree; no two adjacent entries mergeable; wired and
// transition flags consistent. Map locked or private to the caller.
void vm_map_check(struct vm_map *map);

#endif
