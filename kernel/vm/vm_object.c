// SPDX-License-Identifier: MIT
// Memory objects (vm_object.h): reference counts, termination, shadow
// chains with collapse and bypass. The resident page index is in
// vm_object_page.c, the per-range operations the map needs (remove,
// clean, madvise) in vm_object_range.c.
//
// Interface: vm_object_allocate gives an object with one reference; map
// entries, shadows and kernel users take more with vm_object_reference and
// drop them with vm_object_deallocate. vm_object_shadow puts a fresh
// anonymous object in front of another for copy-on-write; the fault path
// and vm_object_deallocate call vm_object_collapse to shorten the chain.
//
// Life cycle of an object:
//
//   allocate (ref 1) --reference/deallocate--> ... --last deallocate-->
//   terminate: dirty file pages written, pages unmapped and freed, pager
//   released, unlinked from its backing object, which loses a reference
//   (and may terminate in turn: done in a loop, never by recursion).
//
// Invariants (vm_object_check, in vm_object_check.c): the page tree is
// ordered by pindex and holds resident_count pages, each with m->object ==
// obj; an anonymous object's pages lie below its size; the shadow list
// holds shadow_count objects, each pointing back with backing_object; every
// shadow holds one reference on its backing object, so ref_count >=
// shadow_count. With vm_check_level on (vm.h), every shadow, collapse and
// bypass checks the objects it changed.
//
// Locking: obj->lock protects every field marked (o) and the identity of
// obj's pages. A shadow is locked before its backing object. ref_count is
// changed with atomic operations, always under the object lock except in
// one place: vm_object_deallocate pins the sole shadow of an object while
// holding only that object's lock (see vm_object_ref_pin). The shadow
// cannot vanish meanwhile, because terminating it needs the backing
// object's lock to unlink it; the pin never raises a count from zero.
// No lock is dropped in this file except around a busy page's sleep
// (vm_object_busy_wait) and inside the pager's putpages.
#include "lib/kmem.h"
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/swap_pager.h"
#include "vm/vm_object.h"
#include "vm/vm_object_internal.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"

static struct kmem_zone *vm_object_zone;
static uint32_t vm_object_next_id;      // (a)
static size_t vm_object_live;           // (a) objects allocated, not freed

typedef unsigned long long ull;         // for printing pindexes

// ---------------------------------------------------------------------------
// Helpers shared with vm_object_range.c (vm_object_internal.h).

int32_t vm_object_refs(const struct vm_object *obj)
{
  return __atomic_load_n(&obj->ref_count, __ATOMIC_ACQUIRE);
}

// Sleep until m is not busy, then lock obj again. m may be gone afterwards.
void vm_object_busy_wait(struct vm_object *obj, struct vm_page *m)
{
  vm_page_busy_sleep(m);
  mtx_lock(&obj->lock);
}

// Is m dirty? Moves the pmap's modified bit into PG_DIRTY.
bool vm_object_page_test_dirty(struct vm_page *m)
{
  if ((m->flags & PG_DIRTY) == 0 && pmap_is_modified(m))
    vm_page_dirty(m);
  return (m->flags & PG_DIRTY) != 0;
}

bool vm_object_in_range(const struct vm_page *m, vm_pindex_t end)
{
  return m != NULL && (end == 0 || m->pindex < end);
}

// ---------------------------------------------------------------------------
// Reference count helpers. Writes are atomic so that vm_object_ref_pin may
// race with them (see the module comment).

static void vm_object_ref_add(struct vm_object *obj)
{
  MTX_ASSERT_OWNED(&obj->lock);
  __atomic_fetch_add(&obj->ref_count, 1, __ATOMIC_ACQ_REL);
}

// Drop one reference; returns the count left. Object locked.
static int32_t vm_object_ref_drop(struct vm_object *obj)
{
  MTX_ASSERT_OWNED(&obj->lock);
  return __atomic_sub_fetch(&obj->ref_count, 1, __ATOMIC_ACQ_REL);
}

// Take a reference on obj, which is not locked by the caller, unless its
// count is already zero (it is being terminated). The caller holds the
// lock of obj's backing object and found obj on its shadow list.
static bool vm_object_ref_pin(struct vm_object *obj)
{
  int32_t n;

  n = __atomic_load_n(&obj->ref_count, __ATOMIC_ACQUIRE);
  do {
    if (n == 0)
      return false;
  } while (!__atomic_compare_exchange_n(&obj->ref_count, &n, n + 1, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
  return true;
}

// ---------------------------------------------------------------------------
// Allocation.

void vm_object_startup(void)
{
  if (vm_object_zone == NULL)
    vm_object_zone = kmem_zone_create("vm_object", sizeof(struct vm_object));
}

struct vm_object *vm_object_allocate(int type, vm_pindex_t size)
{
  struct vm_object *obj;

  KASSERT(type == OBJT_DEFAULT || type == OBJT_SWAP || type == OBJT_VNODE,
          ("vm_object_allocate: bad type %d", type));
  KASSERT(vm_object_zone != NULL, ("vm_object_allocate: no startup"));
  obj = kmem_zalloc(vm_object_zone);
  if (obj == NULL)
    return NULL;
  mtx_init(&obj->lock, "vm_object");
  mtx_set_stats(&obj->lock, &vm_cnt.v_object_lock);
  avl_init(&obj->memq, NULL);
  list_init(&obj->shadows);
  avl_init(&obj->swblks, NULL);
  obj->size = size;
  obj->ref_count = 1;
  obj->type = (uint8_t)type;
  if (type != OBJT_VNODE)
    obj->flags = OBJ_ANON | OBJ_ONEMAPPING;
  obj->id = __atomic_add_fetch(&vm_object_next_id, 1, __ATOMIC_RELAXED);
  obj->magic = VM_OBJECT_MAGIC;
  __atomic_fetch_add(&vm_object_live, 1, __ATOMIC_RELAXED);
  return obj;
}

// Return a dead object's memory. Not locked; nothing refers to it.
static void vm_object_free(struct vm_object *obj)
{
  KASSERT(obj->resident_count == 0 && obj->shadow_count == 0 &&
          obj->backing_object == NULL && obj->swap_count == 0,
          ("vm_object_free: object %u still in use", obj->id));
  obj->magic = 0;
  obj->type = OBJT_DEAD;
  kmem_zfree(vm_object_zone, obj);
  __atomic_fetch_sub(&vm_object_live, 1, __ATOMIC_RELAXED);
}

size_t vm_object_count(void)
{
  return __atomic_load_n(&vm_object_live, __ATOMIC_RELAXED);
}

// ---------------------------------------------------------------------------
// References and termination.

void vm_object_reference(struct vm_object *obj)
{
  mtx_lock(&obj->lock);
  KASSERT(obj->magic == VM_OBJECT_MAGIC && vm_object_refs(obj) > 0,
          ("vm_object_reference: object %p is dead", (void *)obj));
  vm_object_ref_add(obj);
  mtx_unlock(&obj->lock);
}

void vm_object_reference_locked(struct vm_object *obj)
{
  KASSERT(obj->magic == VM_OBJECT_MAGIC && vm_object_refs(obj) > 0 &&
          (obj->flags & OBJ_DEAD) == 0,
          ("vm_object_reference_locked: object %p is dead", (void *)obj));
  vm_object_ref_add(obj);
}

bool vm_object_pageout_hold(struct vm_object *obj)
{
  MTX_ASSERT_OWNED(&obj->lock);
  if ((obj->flags & (OBJ_DEAD | OBJ_PAGEOUT_WAIT)) != 0 ||
      vm_object_refs(obj) == 0)
    return false;
  vm_object_ref_add(obj);
  obj->pageout_refs++;
  return true;
}

void vm_object_pageout_release(struct vm_object *obj)
{
  mtx_lock(&obj->lock);
  vm_object_pageout_release_locked(obj);
  mtx_unlock(&obj->lock);
}

void vm_object_pageout_release_locked(struct vm_object *obj)
{
  int32_t left;

  MTX_ASSERT_OWNED(&obj->lock);
  KASSERT(obj->pageout_refs > 0, ("vm_object_pageout_release: object %u "
                                  "has no pageout reference", obj->id));
  obj->pageout_refs--;
  left = vm_object_ref_drop(obj);
  KASSERT(left > obj->pageout_refs, ("vm_object_pageout_release: object %u "
                                     "lost its last user", obj->id));
  if (obj->pageout_refs == 0 && (obj->flags & OBJ_PAGEOUT_WAIT) != 0) {
    obj->flags &= ~OBJ_PAGEOUT_WAIT;
    wakeup(&obj->pageout_refs);
  }
}

// Before a user's drop (obj locked): while the pageout code holds obj and
// the drop would leave at most one other reference, wait for it to let go
// (vm_object_pageout_hold says why). Bounded: the pageout code holds obj
// only across one cluster's write or read-ahead, which never waits for
// the log or for a lock a user may hold.
static void vm_object_pageout_wait(struct vm_object *obj)
{
  while (obj->pageout_refs > 0 &&
         vm_object_refs(obj) - obj->pageout_refs <= 2) {
    obj->flags |= OBJ_PAGEOUT_WAIT;
    sleep(&obj->pageout_refs, &obj->lock);
  }
}

bool vm_object_reference_if_alive(struct vm_object *obj)
{
  bool alive;

  mtx_lock(&obj->lock);
  alive = (obj->flags & OBJ_CACHED) != 0 ||
          ((obj->flags & OBJ_DEAD) == 0 && vm_object_refs(obj) > 0);
  if (alive) {
    obj->flags &= ~OBJ_CACHED;      // revived: its pager unlists it
    vm_object_ref_add(obj);
  }
  mtx_unlock(&obj->lock);
  return alive;
}

// Unmap and free every page of a dying object. Nobody can reach the object
// any more, so a wired or busy page is a leaked wiring or busy: a bug.
static void vm_object_terminate_pages(struct vm_object *obj)
{
  struct avl_node *n;
  struct vm_page *m;

  vm_page_dequeue_range(obj, 0, 0); // one queue lock per batch, not per page
  while ((n = avl_first(&obj->memq)) != NULL) {
    m = vm_object_node_page(n);
    KASSERT(!vm_page_wired(m) && (m->flags & PG_BUSY) == 0,
            ("vm_object_terminate: object %u has a wired or busy page %llu",
             obj->id, (ull)m->pindex));
    pmap_page_protect(m, VM_PROT_NONE);
    vm_page_free(m);
  }
}

// Take shadow off obj's shadow list. Requires obj locked.
static void vm_object_unlink_shadow(struct vm_object *obj,
                                    struct vm_object *shadow)
{
  MTX_ASSERT_OWNED(&obj->lock);
  KASSERT(shadow->backing_object == obj && obj->shadow_count > 0,
          ("vm_object_unlink_shadow: %u is not a shadow of %u", shadow->id,
           obj->id));
  list_remove(&shadow->shadow_link);
  obj->shadow_count--;
}

// The last reference to obj is gone: write back dirty file pages, free the
// pages, release the pager, unlink obj from its backing object and free
// it. Requires obj locked; returns with it freed and returns its backing
// object, whose reference the caller must drop.
static struct vm_object *vm_object_terminate(struct vm_object *obj)
{
  struct vm_object *backing;

  MTX_ASSERT_OWNED(&obj->lock);
  KASSERT(obj->shadow_count == 0, ("vm_object_terminate: object %u still "
                                    "has shadows", obj->id));
  obj->flags |= OBJ_DEAD;
  // A page that cannot be written now is freed below all the same: nobody
  // holds the object, so nobody could ever write it later. The pager sees
  // OBJ_DEAD and reports the loss itself (vnode_pager.c).
  if ((obj->flags & OBJ_ANON) == 0)
    (void)vm_object_page_clean(obj, 0, 0, true);
  vm_object_terminate_pages(obj);
  vm_pager_dealloc(obj);
  backing = obj->backing_object;
  if (backing != NULL) {
    mtx_lock(&backing->lock);
    vm_object_unlink_shadow(backing, obj);
    mtx_unlock(&backing->lock);
    obj->backing_object = NULL;
  }
  mtx_unlock(&obj->lock);
  vm_object_free(obj);
  return backing;
}

bool vm_object_cache_take(struct vm_object *obj)
{
  bool cached;

  mtx_lock(&obj->lock);
  cached = (obj->flags & OBJ_CACHED) != 0;
  if (cached) {
    KASSERT(vm_object_refs(obj) == 0,
            ("vm_object_cache_take: cached object %u is referenced", obj->id));
    obj->flags = (obj->flags & ~OBJ_CACHED) | OBJ_DEAD;
  }
  mtx_unlock(&obj->lock);
  return cached;
}

void vm_object_cache_free(struct vm_object *obj)
{
  mtx_lock(&obj->lock);
  KASSERT((obj->flags & OBJ_DEAD) != 0 && vm_object_refs(obj) == 0,
          ("vm_object_cache_free: object %u was not taken", obj->id));
  vm_object_deallocate(vm_object_terminate(obj));
}

// obj has just lost a reference; left remain. With one left and no shadow,
// that one is a single map entry's (or a kernel user's, with no entry at
// all), so no page of obj can be mapped twice any more: OBJ_ONEMAPPING
// holds again, and unmapping part of the entry may free its pages at once
// (vm_map_entry_delete). This is how a heap shared copy-on-write with a
// child that has exited becomes the parent's own again. obj locked.
static void vm_object_note_private(struct vm_object *obj, int32_t left)
{
  MTX_ASSERT_OWNED(&obj->lock);
  if (left == 1 && obj->shadow_count == 0 && (obj->flags & OBJ_ANON) != 0)
    obj->flags |= OBJ_ONEMAPPING;
}

// obj is anonymous and its one remaining reference is its sole shadow's:
// let the shadow absorb it. Called with obj locked, returns with it
// unlocked. Returns the shadow, with a temporary reference the caller must
// drop, or NULL when the shadow is itself dying (its termination will drop
// the last reference on obj).
static struct vm_object *vm_object_deallocate_anon(struct vm_object *obj)
{
  struct vm_object *shadow;

  shadow = container_of(list_first(&obj->shadows), struct vm_object,
                        shadow_link);
  KASSERT(shadow->backing_object == obj,
          ("vm_object_deallocate: bad shadow list of %u", obj->id));
  if (!vm_object_ref_pin(shadow)) {
    mtx_unlock(&obj->lock);
    return NULL;
  }
  mtx_unlock(&obj->lock);
  mtx_lock(&shadow->lock);
  vm_object_collapse(shadow);
  mtx_unlock(&shadow->lock);
  return shadow;
}

// Drop a reference. A loop, not recursion, carries the drop down a chain
// of any length: terminating an object drops its backing object's
// reference on the next turn.
void vm_object_deallocate(struct vm_object *obj)
{
  int32_t left;

  ASSERT_SLEEPABLE();   // any drop may wait for the pageout, or terminate
  while (obj != NULL) {
    mtx_lock(&obj->lock);
    KASSERT(obj->magic == VM_OBJECT_MAGIC && vm_object_refs(obj) > 0,
            ("vm_object_deallocate: object %u has no reference", obj->id));
    vm_object_pageout_wait(obj);
    left = vm_object_ref_drop(obj);
    if (left == 0 && vm_pager_cache(obj)) {
      mtx_unlock(&obj->lock);       // kept (or revived meanwhile)
      obj = NULL;
    } else if (left == 0) {
      obj = vm_object_terminate(obj);
    } else if (left == 1 && obj->shadow_count == 1 &&
               (obj->flags & OBJ_ANON) != 0) {
      obj = vm_object_deallocate_anon(obj);
    } else {
      vm_object_note_private(obj, left);
      mtx_unlock(&obj->lock);
      obj = NULL;
    }
  }
}

// ---------------------------------------------------------------------------
// Shadows.

// The new shadow is anonymous and starts with OBJ_ONEMAPPING (it is mapped
// by the one entry the caller is copying for). The source loses the flag:
// from now on its pages are reachable through the shadow as well, so
// unmapping one range must not free them. It gets the flag back only when
// it is down to one reference and no shadow (vm_object_note_private).
int vm_object_shadow(struct vm_object **objp, vm_ooffset_t *offset,
                     vm_size_t length)
{
  /* LAB cow BEGIN vm_object_shadow: a new empty object in front of *objp */
  struct vm_object *source = *objp, *result;

  KASSERT(page_aligned(*offset) && page_aligned(length),
          ("vm_object_shadow: unaligned offset 0x%llx or length 0x%lx",
           (ull)*offset, (unsigned long)length));
  result = vm_object_allocate(OBJT_DEFAULT, atop(length));
  if (result == NULL)
    return KERN_RESOURCE_SHORTAGE;
  if (source != NULL) {
    mtx_lock(&source->lock);
    KASSERT(source->magic == VM_OBJECT_MAGIC && vm_object_refs(source) > 0,
            ("vm_object_shadow: source %p is dead", (void *)source));
    source->flags &= ~OBJ_ONEMAPPING;
    list_insert_tail(&source->shadows, &result->shadow_link);
    source->shadow_count++;
    result->backing_object = source;       // the caller's reference moves here
    result->backing_offset = *offset;
    // Checked before unlocking: from then on only result's reference holds
    // source, and a fault's transient pin dropped now lets result absorb
    // and free it (vm_object_deallocate_anon).
    if (vm_check_level > 0)
      vm_object_check(source);
    mtx_unlock(&source->lock);
  }
  if (vm_check_level > 0)
    vm_object_check(result);
  *objp = result;
  *offset = 0;
  return KERN_SUCCESS;
  /* LAB cow STUB
  (void)objp;
  (void)offset;
  (void)length;
  panic("lab cow: vm_object_shadow not written");
     LAB cow END */
}

// ---------------------------------------------------------------------------
// Collapse and bypass.
//
// A shadow chain obj -> backing -> next is shortened in two ways, one
// backing object at a time, while holding obj, backing and next locked
// (in that order, which is the chain order):
//
//   collapse  backing->ref_count == 1: obj is the only thing that can see
//             backing's pages. Every backing page inside obj's window that
//             obj does not have itself moves into obj (pindex minus
//             obj's offset into backing); the others are unmapped and
//             freed. obj takes backing's place in next's shadow list and
//             backing's reference on next; the offsets add; backing dies.
//
//             obj:      [ A  .  .    ]        obj:  [ A  y  z ]
//             backing:  [ x  y  z  u ]  ==>   next: [ .  .  w ]
//             next:     [ .  .  w    ]        (x, u freed: under A, outside)
//
//   bypass    backing is shared, but obj has its own page for every page
//             backing has in obj's window, so no lookup through obj can
//             end in backing: obj points at next instead (taking a
//             reference on it) and drops its reference on backing.
//
// Invariant: what any lookup through obj finds, at any index, is the same
// before and after each step. This holds because a lookup in obj that
// misses would have gone to backing, and backing's pages there are either
// moved into obj (collapse) or do not exist (bypass). Pages of backing on
// swap count as pages: a collapse moves their blocks into obj
// (swap_pager_collapse; its metadata is made first, so the step cannot fail
// half way), a bypass needs obj to cover them too. backing's other indexes
// have nothing on any pager, and read as next's.
//
// A busy or wired backing page (I/O, or a fault copying from it) stops a
// collapse, a busy page in either object stops a bypass; the chain is left
// as it is, correct but longer. Nothing is dropped or retried, so the cost
// is O(n log n) in the pages of backing (and obj, for a bypass), and each
// step shortens the chain by one.
//
// A bypass lowers backing's count but cannot hit zero (it was at least 2).
// It is not done when it would leave backing one reference, held by its
// one other shadow S: absorbing backing into S needs S locked first, which
// cannot be done here, and nothing would do it later -- one dead object
// stranded in S's chain per fork round, for as long as S lives. Left in
// obj's chain, backing keeps both references until obj or S lets go, and
// vm_object_deallocate then collapses the survivor at once. So, busy and
// wired pages aside, a chain is never longer than the objects in it that
// something else still shares.

/* LAB collapse BEGIN vm_object_collapse_step: collapse or bypass one backing object of a shadow chain */
// Does obj have page pindex, resident or in its pager? Requires obj locked.
static bool vm_object_has_own_page(struct vm_object *obj, vm_pindex_t pindex)
{
  if (vm_object_page_lookup(obj, pindex) != NULL)
    return true;
  return obj->type == OBJT_SWAP &&
         vm_pager_has_page(obj, pindex, NULL, NULL);
}

// Where backing page bpindex appears in obj (true and *pindex), or false
// when it lies outside obj's window onto its backing object.
static bool vm_object_in_window(const struct vm_object *obj,
                                vm_pindex_t bpindex, vm_pindex_t *pindex)
{
  vm_pindex_t first = atop(obj->backing_offset);

  if (bpindex < first || bpindex - first >= obj->size)
    return false;
  *pindex = bpindex - first;
  return true;
}

// May every page of backing be moved or freed now?
static bool vm_object_collapse_movable(struct vm_object *backing)
{
  struct avl_node *n;
  struct vm_page *m;

  for (n = avl_first(&backing->memq); n != NULL; n = avl_next(n)) {
    m = vm_object_node_page(n);
    if (vm_page_wired(m) || (m->flags & PG_BUSY) != 0)
      return false;
  }
  return true;
}

// Make obj point at backing's backing object (next, locked if not NULL)
// in place of backing. The reference obj held on backing is the caller's
// business; the one on next is taken here when take_ref is set.
static void vm_object_relink(struct vm_object *obj, struct vm_object *backing,
                             bool take_ref)
{
  struct vm_object *next = backing->backing_object;

  vm_object_unlink_shadow(backing, obj);
  if (next != NULL) {
    MTX_ASSERT_OWNED(&next->lock);
    list_insert_tail(&next->shadows, &obj->shadow_link);
    next->shadow_count++;
    if (take_ref)
      vm_object_ref_add(next);
    obj->backing_offset += backing->backing_offset;
  } else {
    obj->backing_offset = 0;
  }
  obj->backing_object = next;
}

// Collapse: obj absorbs backing (see above). All three locked; backing is
// left dead and empty for the caller to free after unlocking it.
static void vm_object_collapse_absorb(struct vm_object *obj,
                                      struct vm_object *backing)
{
  struct vm_page *m, *next_m;
  vm_pindex_t pindex;

  KASSERT(backing->shadow_count == 1, ("vm_object_collapse: object %u has "
                                        "one reference, not one shadow", backing->id));
  backing->flags |= OBJ_COLLAPSING;
  for (m = vm_object_page_ge(backing, 0); m != NULL; m = next_m) {
    next_m = vm_object_page_next(backing, m);
    if (vm_object_in_window(obj, m->pindex, &pindex) &&
        !vm_object_has_own_page(obj, pindex)) {
      vm_object_page_rename(m, obj, pindex);
    } else {
      pmap_page_protect(m, VM_PROT_NONE);
      vm_page_free(m);
    }
  }
  swap_pager_collapse(obj, backing);
  if (backing->backing_object != NULL) {
    // obj inherits backing's reference on next and its list place.
    vm_object_unlink_shadow(backing->backing_object, backing);
  }
  vm_object_relink(obj, backing, false);
  backing->backing_object = NULL;
  __atomic_store_n(&backing->ref_count, 0, __ATOMIC_RELEASE);
  backing->flags = (backing->flags & ~OBJ_COLLAPSING) | OBJ_DEAD;
  vm_pager_dealloc(backing);
}

// May obj bypass backing: does obj cover every page backing has in obj's
// window, with no page busy on either side?
static bool vm_object_bypass_ok(struct vm_object *obj, struct vm_object *backing)
{
  struct vm_page *m, *own;
  vm_pindex_t pindex;

  for (m = vm_object_page_ge(backing, atop(obj->backing_offset));
       m != NULL && vm_object_in_window(obj, m->pindex, &pindex);
       m = vm_object_page_next(backing, m)) {
    if ((m->flags & PG_BUSY) != 0)
      return false;
    own = vm_object_page_lookup(obj, pindex);
    if (own == NULL ? !vm_object_has_own_page(obj, pindex)
                    : (own->flags & PG_BUSY) != 0)
      return false;
  }
  return swap_pager_covered(obj, backing);
}

// Would a bypass of backing strand it: leave it one reference, held by its
// one remaining shadow (see above)? Every reference of a two-reference
// object with two shadows is a shadow's. A transient pin only makes the
// count higher, and its holder's deallocate then does the collapse.
static bool vm_object_bypass_strands(struct vm_object *backing)
{
  return vm_object_refs(backing) == 2 && backing->shadow_count == 2;
}

// Bypass: obj skips over backing. Both locked, and backing's backing
// object too if there is one.
static void vm_object_bypass(struct vm_object *obj, struct vm_object *backing)
{
  int32_t left;

  vm_object_relink(obj, backing, true);
  left = vm_object_ref_drop(backing);
  KASSERT(left > 0, ("vm_object_bypass: object %u lost its last reference",
                     backing->id));
  vm_object_note_private(backing, left);
}

// VMCHECK: the objects a collapse or bypass step changed, all locked. A
// collapsed backing object is dead, so it is checked only after a bypass.
static void vm_object_check_step(struct vm_object *obj,
                                 struct vm_object *backing,
                                 struct vm_object *next)
{
  vm_object_check(obj);
  if (backing != NULL)
    vm_object_check(backing);
  if (next != NULL)
    vm_object_check(next);
}

// One step down the chain from obj: collapse or bypass backing (locked,
// obj's backing object) if possible. Unlocks backing, frees it when it was
// absorbed, and returns whether the chain got shorter.
static bool vm_object_collapse_step(struct vm_object *obj,
                                    struct vm_object *backing)
{
  struct vm_object *next;
  int how = 0;                        // 0 stop, 1 collapsed, 2 bypassed

  if ((backing->flags & (OBJ_ANON | OBJ_DEAD)) == OBJ_ANON) {
    // Locking next shuts out vm_object_ref_pin on backing, so the count
    // read below stays true until the step is done.
    next = backing->backing_object;
    if (next != NULL)
      mtx_lock(&next->lock);
    if (vm_object_refs(backing) == 1 && vm_object_collapse_movable(backing) &&
        swap_pager_collapse_prepare(obj, backing)) {
      vm_object_collapse_absorb(obj, backing);
      how = 1;
    } else if (vm_object_refs(backing) > 1 &&
               !vm_object_bypass_strands(backing) &&
               vm_object_bypass_ok(obj, backing)) {
      vm_object_bypass(obj, backing);
      how = 2;
    }
    if (how != 0 && vm_check_level > 0)
      vm_object_check_step(obj, how == 2 ? backing : NULL, next);
    if (next != NULL)
      mtx_unlock(&next->lock);
  }
  mtx_unlock(&backing->lock);
  if (how == 1)
    vm_object_free(backing);
  return how != 0;
}
/* LAB collapse STUB
// One step down the chain from obj: collapse or bypass backing (locked,
// obj's backing object) if possible. Unlocks backing, frees it when it was
// absorbed, and returns whether the chain got shorter.
static bool vm_object_collapse_step(struct vm_object *obj,
                                    struct vm_object *backing)
{
  (void)obj;
  mtx_unlock(&backing->lock);
  return false;                       // never shortens the chain
}
   LAB collapse END */

void vm_object_collapse(struct vm_object *obj)
{
  struct vm_object *backing;

  MTX_ASSERT_OWNED(&obj->lock);
  KASSERT(obj->magic == VM_OBJECT_MAGIC,
          ("vm_object_collapse: object %p is not alive", (void *)obj));
  while ((obj->flags & OBJ_DEAD) == 0 &&
         (backing = obj->backing_object) != NULL) {
    mtx_lock(&backing->lock);
    // While the pageout code writes backing's pages the chain stays as it
    // is: a bypass could leave its reference the last but one to go,
    // which vm_object_pageout_hold forbids.
    if (backing->pageout_refs > 0) {
      mtx_unlock(&backing->lock);
      break;
    }
    if (!vm_object_collapse_step(obj, backing))
      break;
  }
}

// ---------------------------------------------------------------------------
// Inspection. These take obj's lock unless the caller already holds it,
// and walk down the chain hand over hand.

int vm_object_shadow_depth(struct vm_object *obj)
{
  struct vm_object *cur, *next;
  bool held = mtx_owned(&obj->lock);
  int depth = 1;

  if (!held)
    mtx_lock(&obj->lock);
  for (cur = obj; (next = cur->backing_object) != NULL; cur = next) {
    mtx_lock(&next->lock);
    if (cur != obj)
      mtx_unlock(&cur->lock);
    depth++;
  }
  if (cur != obj)
    mtx_unlock(&cur->lock);
  if (!held)
    mtx_unlock(&obj->lock);
  return depth;
}
