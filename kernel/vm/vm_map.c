// SPDX-License-Identifier: MIT
// Address maps: the entries of an address space and the operations that
// place, find, split and merge them. Removal (and the freeing of pages
// nothing else reaches) lives in vm_map_delete.c; protection, inheritance
// and behaviour in vm_map_ops.c, wiring in vm_map_wire.c, page advice and
// msync in vm_map_advise.c, the invariant checker in vm_map_check.c; they
// share the helpers of vm_map_internal.h.
//
// The tree. Entries sit in an AVL tree keyed by start address. Each entry
// stores adj_free, the gap from its end to the next entry's start (or to
// max_offset for the last entry), and max_free, the largest adj_free in its
// subtree; the AVL augment hook recomputes max_free on every node whose
// subtree changed. A change to one entry's range alters at most its own
// adj_free and its predecessor's, so every link, unlink or resize costs two
// O(log n) root walks. The gap between min_offset and the first entry
// belongs to no entry and is checked separately.
//
// Lowest fit (vm_map_findspace): the entry containing or preceding the hint
// is found in O(log n). If the hole at the hint is too small, the answer is
// the first entry in address order from there whose adj_free is big enough:
// climb from that entry towards the root, and at each ancestor reached
// from its left child look at the ancestor itself and then at its right
// subtree, whose max_free says at once whether it holds a fit. The first
// subtree that does is searched downwards, always preferring the left child
// whose max_free fits. The climb and the descent are each at most the
// height of the tree, so the search is O(log n) worst case.
//
// Invariants (vm_map_check, in vm_map_check.c): entries sorted, non-overlapping, page aligned
// and inside [min_offset, max_offset); adj_free and max_free exact; no two
// adjacent entries mergeable; nentries and size agree (size leaves out
// guard entries, which reserve space but map nothing).
//
// Locking: map->lock (sx) shared for lookups, exclusive for changes. A
// thread that drops the lock (to sleep or do I/O) keeps nothing it looked
// up and starts again from the lookup. Every exclusive unlock and
// downgrade runs vm_map_check (all but the merge rule, which an operation
// that drops the lock half done may not meet yet) when vm_check_level is
// on (vm.h). Threads sleeping for an entry in transition sleep on the map
// under vm_map_sleep_mtx.
#include "lib/kmem.h"
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_map.h"
#include "vm/vm_map_internal.h"
#include "vm/vm_object.h"

static struct kmem_zone *vm_map_entry_zone;
static struct mtx vm_map_sleep_mtx;

#define ENTRY(n) container_of((n), struct vm_map_entry, node)

// Entry flags an entry never shares with a neighbour it could merge with.
#define MAP_ENTRY_NOSIMPLIFY \
  (MAP_ENTRY_IN_TRANSITION | MAP_ENTRY_NEEDS_WAKEUP | MAP_ENTRY_NOMERGE | \
   MAP_ENTRY_GUARD)

void vm_map_startup(void)
{
  vm_map_entry_zone = kmem_zone_create("vm_map_entry",
                                       sizeof(struct vm_map_entry));
  mtx_init(&vm_map_sleep_mtx, "vm_map_sleep");
}

// The augment hook: max_free of a subtree from its root and children.
/* LAB map BEGIN vm_map_entry_augment: max_free of a subtree from its root and its children */
static void vm_map_entry_augment(struct avl_node *n)
{
  struct vm_map_entry *entry = ENTRY(n);
  vm_size_t max = entry->adj_free;

  if (n->left != NULL)
    max = MAX(max, ENTRY(n->left)->max_free);
  if (n->right != NULL)
    max = MAX(max, ENTRY(n->right)->max_free);
  entry->max_free = max;
}
/* LAB map STUB
static void vm_map_entry_augment(struct avl_node *n)
{
  (void)n;
  panic("lab map: vm_map_entry_augment not written");
}
   LAB map END */

void vm_map_init(struct vm_map *map, struct pmap *pmap, vm_offset_t min,
                 vm_offset_t max)
{
  KASSERT(vm_map_entry_zone != NULL, ("vm_map_init: vm_map_startup not run"));
  KASSERT(min < max && page_aligned(min) && page_aligned(max),
          ("vm_map_init: bad range %#lx-%#lx", (unsigned long)min,
           (unsigned long)max));
  sx_init(&map->lock, "vm_map");
  sx_set_stats(&map->lock, &vm_cnt.v_map_lock);
  avl_init(&map->root, vm_map_entry_augment);
  map->min_offset = min;
  map->max_offset = max;
  map->nentries = 0;
  map->size = 0;
  map->flags = 0;
  map->magic = VM_MAP_MAGIC;
  map->pmap = pmap;
  map->stats = (struct vm_map_stats){0};
}

// --- locking ---------------------------------------------------------------

void vm_map_lock(struct vm_map *map)
{
  sx_xlock(&map->lock);
}

void vm_map_unlock(struct vm_map *map)
{
  SX_ASSERT_XLOCKED(&map->lock);
  if (vm_check_level > 0)
    vm_map_check_unlocking(map);
  sx_xunlock(&map->lock);
}

void vm_map_lock_read(struct vm_map *map)
{
  sx_slock(&map->lock);
}

void vm_map_unlock_read(struct vm_map *map)
{
  sx_sunlock(&map->lock);
}

bool vm_map_lock_upgrade(struct vm_map *map)
{
  if (sx_try_upgrade(&map->lock))
    return true;
  sx_sunlock(&map->lock);
  return false;
}

void vm_map_lock_downgrade(struct vm_map *map)
{
  SX_ASSERT_XLOCKED(&map->lock);
  if (vm_check_level > 0)
    vm_map_check_unlocking(map);
  sx_downgrade(&map->lock);
}

// vm_map_sleep_mtx is taken before the map lock is dropped, and a waker
// must take it too, so a wakeup cannot fall between the unlock and the
// sleep.
void vm_map_unlock_and_wait(struct vm_map *map)
{
  mtx_lock(&vm_map_sleep_mtx);
  vm_map_unlock(map);
  sleep(map, &vm_map_sleep_mtx);
  mtx_unlock(&vm_map_sleep_mtx);
}

void vm_map_wakeup(struct vm_map *map)
{
  mtx_lock(&vm_map_sleep_mtx);
  wakeup(map);
  mtx_unlock(&vm_map_sleep_mtx);
}

// --- entries and spares ----------------------------------------------------

static struct vm_map_entry *vm_map_entry_alloc(void)
{
  return kmem_zalloc(vm_map_entry_zone);
}

void vm_map_entry_dispose(struct vm_map_entry *entry)
{
  if (entry->object != NULL)
    vm_object_deallocate(entry->object);
  kmem_zfree(vm_map_entry_zone, entry);
}

void vm_map_reserve_init(struct vm_map_reserve *r)
{
  r->count = 0;
}

int vm_map_reserve_fill(struct vm_map_reserve *r, int n)
{
  KASSERT(n <= VM_MAP_RESERVE_MAX, ("vm_map_reserve_fill: %d spares", n));
  while (r->count < n) {
    struct vm_map_entry *entry = vm_map_entry_alloc();
    if (entry == NULL)
      return KERN_RESOURCE_SHORTAGE;
    r->spare[r->count++] = entry;
  }
  return KERN_SUCCESS;
}

struct vm_map_entry *vm_map_reserve_take(struct vm_map_reserve *r)
{
  KASSERT(r->count > 0, ("vm_map_reserve_take: reserve is empty"));
  return r->spare[--r->count];
}

void vm_map_reserve_release(struct vm_map_reserve *r)
{
  while (r->count > 0)
    kmem_zfree(vm_map_entry_zone, r->spare[--r->count]);
}

// --- the tree ----------------------------------------------------------------

struct vm_map_entry *vm_map_entry_first(struct vm_map *map)
{
  struct avl_node *n = avl_first(&map->root);
  return n != NULL ? ENTRY(n) : NULL;
}

struct vm_map_entry *vm_map_entry_next(struct vm_map_entry *entry)
{
  struct avl_node *n = avl_next(&entry->node);
  return n != NULL ? ENTRY(n) : NULL;
}

struct vm_map_entry *vm_map_entry_prev(struct vm_map_entry *entry)
{
  struct avl_node *n = avl_prev(&entry->node);
  return n != NULL ? ENTRY(n) : NULL;
}

vm_size_t vm_map_entry_bytes(const struct vm_map_entry *entry)
{
  if (entry->eflags & MAP_ENTRY_GUARD)
    return 0;
  return entry->end - entry->start;
}

/* LAB map BEGIN vm_map_entry_link: keep adj_free and max_free exact as entries come, go and resize */
// Recompute adj_free of entry from its successor and propagate it.
static void vm_map_entry_set_gap(struct vm_map *map, struct vm_map_entry *entry)
{
  struct vm_map_entry *next = vm_map_entry_next(entry);

  entry->adj_free = (next != NULL ? next->start : map->max_offset) - entry->end;
  avl_update(&map->root, &entry->node);
}

// Put entry into the tree. The walk down remembers the nearest entry to
// the right, which bounds the new entry's gap.
void vm_map_entry_link(struct vm_map *map, struct vm_map_entry *entry)
{
  struct avl_node **link = &map->root.root, *parent = NULL;
  vm_offset_t gap_end = map->max_offset;
  struct vm_map_entry *prev;

  while (*link != NULL) {
    struct vm_map_entry *cur = ENTRY(*link);
    KASSERT(entry->end <= cur->start || entry->start >= cur->end,
            ("vm_map_entry_link: %#lx-%#lx overlaps %#lx-%#lx",
             (unsigned long)entry->start, (unsigned long)entry->end,
             (unsigned long)cur->start, (unsigned long)cur->end));
    parent = *link;
    if (entry->start < cur->start) {
      gap_end = cur->start;
      link = &parent->left;
    } else {
      link = &parent->right;
    }
  }
  entry->adj_free = gap_end - entry->end;
  avl_insert(&map->root, &entry->node, parent, link);
  map->nentries++;
  map->size += vm_map_entry_bytes(entry);
  prev = vm_map_entry_prev(entry);
  if (prev != NULL) {
    prev->adj_free = entry->start - prev->end;
    avl_update(&map->root, &prev->node);
  }
}

// Its predecessor inherits the gap.
void vm_map_entry_unlink(struct vm_map *map, struct vm_map_entry *entry)
{
  struct vm_map_entry *prev = vm_map_entry_prev(entry);

  avl_remove(&map->root, &entry->node);
  map->nentries--;
  map->size -= vm_map_entry_bytes(entry);
  if (prev != NULL)
    vm_map_entry_set_gap(map, prev);
}

// Move entry's bounds (it must not cross a neighbour, so its place in the
// tree is unchanged) and fix its gap and its predecessor's.
void vm_map_entry_set_range(struct vm_map *map,
                                   struct vm_map_entry *entry,
                                   vm_offset_t start, vm_offset_t end)
{
  struct vm_map_entry *prev;

  map->size -= vm_map_entry_bytes(entry);
  entry->start = start;
  entry->end = end;
  map->size += vm_map_entry_bytes(entry);
  vm_map_entry_set_gap(map, entry);
  prev = vm_map_entry_prev(entry);
  if (prev != NULL) {
    prev->adj_free = start - prev->end;
    avl_update(&map->root, &prev->node);
  }
}
/* LAB map STUB
// Contracts in vm_map_internal.h. Each must leave every adj_free and
// max_free exact (vm_map_check verifies), nentries and size counted.
void vm_map_entry_link(struct vm_map *map, struct vm_map_entry *entry)
{
  (void)map; (void)entry;
  panic("lab map: vm_map_entry_link not written");
}

void vm_map_entry_unlink(struct vm_map *map, struct vm_map_entry *entry)
{
  (void)map; (void)entry;
  panic("lab map: vm_map_entry_unlink not written");
}

void vm_map_entry_set_range(struct vm_map *map, struct vm_map_entry *entry,
                            vm_offset_t start, vm_offset_t end)
{
  (void)map; (void)entry; (void)start; (void)end;
  panic("lab map: vm_map_entry_set_range not written");
}
   LAB map END */

/* LAB map BEGIN vm_map_lookup_entry: find the entry containing an address, or the one before it */
bool vm_map_lookup_entry(struct vm_map *map, vm_offset_t addr,
                         struct vm_map_entry **entry)
{
  struct avl_node *n = map->root.root;
  struct vm_map_entry *before = NULL;

  SX_ASSERT_LOCKED(&map->lock);
  while (n != NULL) {
    struct vm_map_entry *cur = ENTRY(n);
    if (addr < cur->start) {
      n = n->left;
    } else if (addr >= cur->end) {
      before = cur;
      n = n->right;
    } else {
      *entry = cur;
      return true;
    }
  }
  *entry = before;
  return false;
}
/* LAB map STUB
bool vm_map_lookup_entry(struct vm_map *map, vm_offset_t addr,
                         struct vm_map_entry **entry)
{
  (void)map; (void)addr; (void)entry;
  panic("lab map: vm_map_lookup_entry not written");
}
   LAB map END */

struct vm_map_entry *vm_map_entry_at_or_after(struct vm_map *map,
                                              vm_offset_t addr)
{
  struct vm_map_entry *entry;

  if (vm_map_lookup_entry(map, addr, &entry))
    return entry;
  return entry != NULL ? vm_map_entry_next(entry) : vm_map_entry_first(map);
}

// --- free space --------------------------------------------------------------

/* LAB map BEGIN vm_map_findspace: the lowest fit in O(log n) with max_free */
// The leftmost entry of subtree n whose gap holds length; max_free of n
// says there is one.
static struct vm_map_entry *vm_map_findspace_down(struct avl_node *n,
                                                  vm_size_t length)
{
  KASSERT(ENTRY(n)->max_free >= length, ("vm_map_findspace_down: no fit"));
  for (;;) {
    if (n->left != NULL && ENTRY(n->left)->max_free >= length)
      n = n->left;
    else if (ENTRY(n)->adj_free >= length)
      return ENTRY(n);
    else
      n = n->right;
  }
}

// The first entry at or after from, in address order, whose gap holds
// length, or NULL. See the module comment for why this is O(log n).
static struct vm_map_entry *vm_map_findspace_from(struct vm_map_entry *from,
                                                  vm_size_t length)
{
  struct avl_node *n = &from->node, *p;

  if (from->adj_free >= length)
    return from;
  if (n->right != NULL && ENTRY(n->right)->max_free >= length)
    return vm_map_findspace_down(n->right, length);
  for (; (p = n->parent) != NULL; n = p) {
    if (p->left != n)
      continue;  // p and its left side come before n
    if (ENTRY(p)->adj_free >= length)
      return ENTRY(p);
    if (p->right != NULL && ENTRY(p->right)->max_free >= length)
      return vm_map_findspace_down(p->right, length);
  }
  return NULL;
}

int vm_map_findspace(struct vm_map *map, vm_offset_t start, vm_size_t length,
                     vm_offset_t *addr)
{
  struct vm_map_entry *entry, *from;
  vm_offset_t hole_end;

  SX_ASSERT_LOCKED(&map->lock);
  KASSERT(length > 0 && page_aligned(length),
          ("vm_map_findspace: bad length %#lx", (unsigned long)length));
  start = MAX(start, map->min_offset);
  if (start >= map->max_offset)
    return KERN_NO_SPACE;
  start = round_page(start);
  if (vm_map_lookup_entry(map, start, &entry)) {
    from = entry;
  } else {
    // start lies in a hole: the hole itself is the lowest candidate.
    from = entry != NULL ? vm_map_entry_next(entry) : vm_map_entry_first(map);
    hole_end = from != NULL ? from->start : map->max_offset;
    if (hole_end - start >= length) {
      *addr = start;
      return KERN_SUCCESS;
    }
  }
  if (from == NULL || (entry = vm_map_findspace_from(from, length)) == NULL)
    return KERN_NO_SPACE;
  *addr = entry->end;
  return KERN_SUCCESS;
}
/* LAB map STUB
int vm_map_findspace(struct vm_map *map, vm_offset_t start, vm_size_t length,
                     vm_offset_t *addr)
{
  (void)map; (void)start; (void)length; (void)addr;
  panic("lab map: vm_map_findspace not written");
}
   LAB map END */

// --- clipping and merging ----------------------------------------------------

/* LAB map BEGIN vm_map_clip_range: split the entries straddling the ends of a range */
// A copy of entry for a part of its range. An object gets a reference for
// the copy; an entry with no object needs nothing, as both halves are
// independent zero-fill memory until their first fault.
static struct vm_map_entry *vm_map_entry_split(struct vm_map_entry *entry,
                                               struct vm_map_reserve *r)
{
  struct vm_map_entry *copy = vm_map_reserve_take(r);

  KASSERT(!(entry->eflags & MAP_ENTRY_IN_TRANSITION),
          ("vm_map_entry_split: entry %p in transition", entry));
  *copy = *entry;
  copy->node = (struct avl_node){0};
  if (copy->object != NULL)
    vm_object_reference(copy->object);
  return copy;
}

// Make entry start at addr; the part below becomes a new entry.
static void vm_map_clip_start(struct vm_map *map, struct vm_map_entry *entry,
                              vm_offset_t addr, struct vm_map_reserve *r)
{
  struct vm_map_entry *low;

  KASSERT(entry->start < addr && addr < entry->end,
          ("vm_map_clip_start: %#lx outside entry", (unsigned long)addr));
  low = vm_map_entry_split(entry, r);
  low->end = addr;
  entry->offset += addr - entry->start;
  vm_map_entry_set_range(map, entry, addr, entry->end);
  vm_map_entry_link(map, low);
}

// Make entry end at addr; the part above becomes a new entry.
static void vm_map_clip_end(struct vm_map *map, struct vm_map_entry *entry,
                            vm_offset_t addr, struct vm_map_reserve *r)
{
  struct vm_map_entry *high;

  KASSERT(entry->start < addr && addr < entry->end,
          ("vm_map_clip_end: %#lx outside entry", (unsigned long)addr));
  high = vm_map_entry_split(entry, r);
  high->start = addr;
  high->offset += addr - entry->start;
  vm_map_entry_set_range(map, entry, entry->start, addr);
  vm_map_entry_link(map, high);
}

// Number of entries straddling start or end.
static int vm_map_clip_count(struct vm_map *map, vm_offset_t start,
                             vm_offset_t end)
{
  struct vm_map_entry *entry;
  int n = 0;

  if (vm_map_lookup_entry(map, start, &entry) && entry->start < start)
    n++;
  if (vm_map_lookup_entry(map, end - 1, &entry) && entry->end > end)
    n++;
  return n;
}

int vm_map_reserve_clips(struct vm_map *map, vm_offset_t start,
                         vm_offset_t end, int extra, struct vm_map_reserve *r)
{
  return vm_map_reserve_fill(r, vm_map_clip_count(map, start, end) + extra);
}

struct vm_map_entry *vm_map_clip_range(struct vm_map *map, vm_offset_t start,
                                       vm_offset_t end,
                                       struct vm_map_reserve *r)
{
  struct vm_map_entry *first, *last;

  SX_ASSERT_XLOCKED(&map->lock);
  KASSERT(start < end, ("vm_map_clip_range: empty range"));
  first = vm_map_entry_at_or_after(map, start);
  if (first == NULL || first->start >= end)
    return NULL;
  if (first->start < start)
    vm_map_clip_start(map, first, start, r);
  if (vm_map_lookup_entry(map, end - 1, &last) && last->end > end)
    vm_map_clip_end(map, last, end, r);
  return first;
}
/* LAB map STUB
// Contracts in vm_map_internal.h. Clips take their new entries from r,
// which vm_map_reserve_clips filled beforehand, so they cannot fail.
int vm_map_reserve_clips(struct vm_map *map, vm_offset_t start,
                         vm_offset_t end, int extra, struct vm_map_reserve *r)
{
  (void)map; (void)start; (void)end; (void)extra; (void)r;
  panic("lab map: vm_map_reserve_clips not written");
}

struct vm_map_entry *vm_map_clip_range(struct vm_map *map, vm_offset_t start,
                                       vm_offset_t end,
                                       struct vm_map_reserve *r)
{
  (void)map; (void)start; (void)end; (void)r;
  panic("lab map: vm_map_clip_range not written");
}
   LAB map END */

/* LAB map BEGIN vm_map_simplify_entry: merge an entry with every identical neighbour */
bool vm_map_entry_mergeable(const struct vm_map_entry *a,
                            const struct vm_map_entry *b)
{
  if (a->end != b->start || ((a->eflags | b->eflags) & MAP_ENTRY_NOSIMPLIFY))
    return false;
  if (a->eflags != b->eflags || a->protection != b->protection ||
      a->max_protection != b->max_protection ||
      a->inheritance != b->inheritance || a->behavior != b->behavior ||
      a->wired_count != b->wired_count || a->object != b->object)
    return false;
  return a->object == NULL || a->offset + (a->end - a->start) == b->offset;
}

void vm_map_simplify_entry(struct vm_map *map, struct vm_map_entry *entry)
{
  struct vm_map_entry *prev, *next;

  SX_ASSERT_XLOCKED(&map->lock);
  // Loops: after a change of attributes over a range, a whole run of
  // entries on either side may have become identical to this one.
  while ((prev = vm_map_entry_prev(entry)) != NULL &&
         vm_map_entry_mergeable(prev, entry)) {
    vm_map_entry_unlink(map, prev);
    entry->offset = prev->offset;
    vm_map_entry_set_range(map, entry, prev->start, entry->end);
    vm_map_entry_dispose(prev);
  }
  while ((next = vm_map_entry_next(entry)) != NULL &&
         vm_map_entry_mergeable(entry, next)) {
    vm_map_entry_unlink(map, next);
    vm_map_entry_set_range(map, entry, entry->start, next->end);
    vm_map_entry_dispose(next);
  }
}
/* LAB map STUB
bool vm_map_entry_mergeable(const struct vm_map_entry *a,
                            const struct vm_map_entry *b)
{
  (void)a; (void)b;
  panic("lab map: vm_map_entry_mergeable not written");
}

void vm_map_simplify_entry(struct vm_map *map, struct vm_map_entry *entry)
{
  (void)map; (void)entry;
  panic("lab map: vm_map_simplify_entry not written");
}
   LAB map END */

void vm_map_simplify_range(struct vm_map *map, vm_offset_t start,
                           vm_offset_t end)
{
  struct vm_map_entry *entry;

  SX_ASSERT_XLOCKED(&map->lock);
  for (entry = vm_map_entry_at_or_after(map, start);
       entry != NULL && entry->start < end;
       entry = vm_map_entry_next(entry))
    vm_map_simplify_entry(map, entry);
}

bool vm_map_range_mapped(struct vm_map *map, vm_offset_t start, vm_offset_t end)
{
  struct vm_map_entry *entry;
  vm_offset_t covered = start;

  SX_ASSERT_LOCKED(&map->lock);
  for (entry = vm_map_entry_at_or_after(map, start);
       entry != NULL && covered < end;
       entry = vm_map_entry_next(entry)) {
    if (entry->start > covered || (entry->eflags & MAP_ENTRY_GUARD))
      return false;
    covered = entry->end;
  }
  return covered >= end;
}

// --- insertion -----------------------------------------------------------------

// Can the new range [start, end), with no object yet, be covered by
// growing prev and its anonymous object instead of adding an entry?
// This keeps a heap that grows a page at a time in one entry.
static bool vm_map_insert_coalesce(struct vm_map *map, struct vm_map_entry *prev,
                                   const struct vm_map_entry *proto)
{
  if (prev == NULL || proto->object != NULL || prev->object == NULL ||
      prev->end != proto->start || prev->eflags != proto->eflags ||
      (prev->eflags & MAP_ENTRY_NOSIMPLIFY) ||
      prev->protection != proto->protection ||
      prev->max_protection != proto->max_protection ||
      prev->inheritance != proto->inheritance ||
      prev->behavior != proto->behavior || prev->wired_count != 0)
    return false;
  if (!vm_object_coalesce(prev->object, prev->offset, prev->end - prev->start,
                          proto->end - proto->start))
    return false;
  vm_map_entry_set_range(map, prev, prev->start, proto->end);
  return true;
}

// The entry flags for vm_map_insert's cow argument. A private mapping of
// an existing object must not write into it: NEEDS_COPY makes the first
// write fault (or wiring) put a shadow in front.
static uint32_t vm_map_cow_eflags(int cow, struct vm_object *obj)
{
  uint32_t eflags = 0;

  if (cow & MAP_COPY_ON_WRITE)
    eflags |= MAP_ENTRY_COW | (obj != NULL ? MAP_ENTRY_NEEDS_COPY : 0);
  if (cow & MAP_STACK_GROWS_DOWN)
    eflags |= MAP_ENTRY_GROWS_DOWN;
  if (cow & MAP_CREATE_GUARD)
    eflags |= MAP_ENTRY_GUARD;
  if (cow & MAP_NOMERGE)
    eflags |= MAP_ENTRY_NOMERGE;
  return eflags;
}

// vm_map_insert with the new entry taken from r (when one is needed).
int vm_map_insert_reserved(struct vm_map *map, struct vm_map_reserve *r,
                           struct vm_object *obj, vm_ooffset_t offset,
                           vm_offset_t start, vm_offset_t end, vm_prot_t prot,
                           vm_prot_t max, int cow)
{
  struct vm_map_entry proto = {0}, *prev, *next, *entry;

  SX_ASSERT_XLOCKED(&map->lock);
  KASSERT(start < end && page_aligned(start) && page_aligned(end),
          ("vm_map_insert: bad range %#lx-%#lx", (unsigned long)start,
           (unsigned long)end));
  KASSERT((prot & ~max) == 0 && (max & ~VM_PROT_ALL) == 0,
          ("vm_map_insert: prot %#x beyond max %#x", prot, max));
  KASSERT(!(cow & MAP_CREATE_GUARD) || (obj == NULL && prot == VM_PROT_NONE),
          ("vm_map_insert: guard with an object or access"));
  if (start < map->min_offset || end > map->max_offset)
    return KERN_INVALID_ADDRESS;
  if (vm_map_lookup_entry(map, start, &prev))
    return KERN_NO_SPACE;
  next = prev != NULL ? vm_map_entry_next(prev) : vm_map_entry_first(map);
  if (next != NULL && next->start < end)
    return KERN_NO_SPACE;
  proto.start = start;
  proto.end = end;
  proto.object = obj;
  proto.offset = offset;
  proto.eflags = vm_map_cow_eflags(cow, obj);
  proto.protection = prot;
  proto.max_protection = max;
  proto.inheritance = (cow & MAP_INHERIT_SHARE) ? VM_INHERIT_SHARE :
                                                  VM_INHERIT_COPY;
  proto.behavior = VM_BEHAV_NORMAL;
  if (vm_map_insert_coalesce(map, prev, &proto)) {
    vm_map_simplify_entry(map, prev);
    return KERN_SUCCESS;
  }
  entry = vm_map_reserve_take(r);
  *entry = proto;
  vm_map_entry_link(map, entry);
  vm_map_simplify_entry(map, entry);
  return KERN_SUCCESS;
}

int vm_map_insert(struct vm_map *map, struct vm_object *obj,
                  vm_ooffset_t offset, vm_offset_t start, vm_offset_t end,
                  vm_prot_t prot, vm_prot_t max, int cow)
{
  struct vm_map_reserve r;
  int rv;

  vm_map_reserve_init(&r);
  rv = vm_map_reserve_fill(&r, 1);
  if (rv == KERN_SUCCESS)
    rv = vm_map_insert_reserved(map, &r, obj, offset, start, end, prot, max,
                                cow);
  vm_map_reserve_release(&r);
  return rv;
}

int vm_map_find(struct vm_map *map, struct vm_object *obj,
                vm_ooffset_t offset, vm_offset_t *addr, vm_size_t length,
                int find_space, vm_prot_t prot, vm_prot_t max, int cow)
{
  struct vm_map_reserve r;
  vm_offset_t start = *addr, end;
  int rv;

  KASSERT(find_space == VMFS_NO_SPACE || find_space == VMFS_ANY_SPACE,
          ("vm_map_find: find_space %d", find_space));
  vm_map_reserve_init(&r);
  vm_map_lock(map);
  rv = vm_map_reserve_fill(&r, 1);
  if (rv == KERN_SUCCESS && find_space == VMFS_ANY_SPACE)
    rv = vm_map_findspace(map, start, length, &start);
  if (rv == KERN_SUCCESS && !vm_range_ok(start, length, map->max_offset, &end))
    rv = KERN_INVALID_ADDRESS;
  if (rv == KERN_SUCCESS)
    rv = vm_map_insert_reserved(map, &r, obj, offset, start, end, prot, max,
                                cow);
  vm_map_unlock(map);
  vm_map_reserve_release(&r);
  if (rv == KERN_SUCCESS)
    *addr = start;
  return rv;
}

// --- replacement ---------------------------------------------------------------

int vm_map_fixed(struct vm_map *map, struct vm_object *obj,
                 vm_ooffset_t offset, vm_offset_t start, vm_size_t length,
                 vm_prot_t prot, vm_prot_t max, int cow)
{
  struct vm_map_reserve r;
  vm_offset_t end;
  int rv;

  if (start < map->min_offset || length == 0 ||
      !vm_range_ok(start, length, map->max_offset, &end))
    return KERN_INVALID_ADDRESS;
  vm_map_reserve_init(&r);
  vm_map_lock(map);
  vm_map_wait_range(map, start, end);
  rv = KERN_SUCCESS;
  if ((cow & MAP_CHECK_EXCL) && vm_map_entry_at_or_after(map, start) != NULL &&
      vm_map_entry_at_or_after(map, start)->start < end)
    rv = KERN_NO_SPACE;
  if (rv == KERN_SUCCESS)
    rv = vm_map_reserve_clips(map, start, end, 1, &r);
  if (rv == KERN_SUCCESS) {
    vm_map_delete_range(map, start, end, &r);
    rv = vm_map_insert_reserved(map, &r, obj, offset, start, end, prot, max,
                                cow & ~MAP_CHECK_EXCL);
    KASSERT(rv == KERN_SUCCESS, ("vm_map_fixed: insert failed: %d", rv));
  }
  vm_map_unlock(map);
  vm_map_reserve_release(&r);
  return rv;
}
