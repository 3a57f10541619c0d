// SPDX-License-Identifier: MIT
// Memory objects: what a map entry maps. An object holds resident pages
// indexed by page index (an AVL tree: O(log n) lookup, insert, remove and
// ordered walks) and is backed by a pager (anonymous memory has none) and,
// for copy-on-write, by another object:
//
//   entry -> obj (shadow) --backing_object--> obj2 --backing_object--> obj3
//
// A page is looked up in the front object first and then down the chain,
// each level adding backing_offset. Writes always land in the front object.
//
// Life cycle: ref_count counts map entries, shadows and kernel users. When
// the last reference goes the object is terminated (its pages freed, its
// pager deallocated, its backing object dereferenced). When an anonymous
// object is left with one reference, and that reference is its only shadow,
// the shadow absorbs it (collapse); when a shadow already covers every page
// of its backing object's range it skips over it (bypass). Together they
// keep chains short however many times processes fork and exit.
//
// Cached objects. A pager may keep an object its last reference has left
// (vm_pager.h, the cache operation: the vnode pager keeps a file's pages
// for the next open, read or exec). Such an object has ref_count 0 and
// OBJ_CACHED, lies on a list of its pager's, and its clean pages wait on
// the inactive queue, where reclaim frees them like any clean file page.
// vm_object_reference_if_alive revives it; vm_object_cache_take and
// vm_object_cache_free terminate it when its pager evicts it.
//
// OBJ_ONEMAPPING (anonymous objects): no shadow, and every reference is an
// entry of one map, so every page is mapped by at most one entry and
// unmapping a range may free its pages at once. Fork and vm_object_shadow
// clear it; it comes back when the object is down to one reference and no
// shadow, or when vm_map_delete finds all references in its map.
//
// Locking: obj->lock (o) protects everything in the object and its pages'
// identity. Lock a shadow before its backing object. ref_count is changed
// under the lock.
#ifndef VM_VM_OBJECT_H
#define VM_VM_OBJECT_H

#include "lib/avl.h"
#include "lib/list.h"
#include "lib/lock.h"
#include "vm/vm.h"

struct vm_page;

// Object types; each has a pager (vm_pager.h).
#define OBJT_DEFAULT   0     // anonymous, zero-fill; no backing store yet
#define OBJT_SWAP      1     // anonymous with pages on swap (swap_pager.h):
                             // a DEFAULT object becomes one when pageout
                             // first writes one of its pages
#define OBJT_VNODE     2     // a file's pages (the page cache)
#define OBJT_DEAD      3     // terminated
#define OBJT_COUNT     4

// Flags (o).
#define OBJ_ONEMAPPING 0x0001   // see above
#define OBJ_DEAD       0x0002   // being terminated
#define OBJ_COLLAPSING 0x0004   // a collapse is moving pages
#define OBJ_ANON       0x0008   // anonymous memory (DEFAULT or SWAP)
#define OBJ_CACHED     0x0010   // no reference; its pager keeps it, with its
                                // clean pages, for a later user (see below)
#define OBJ_MIGHTBEDIRTY 0x0020 // file: a page may be dirty beyond what its
                                // writers wrote back (vnode_cache.c)
#define OBJ_PAGEOUT_WAIT 0x0040 // a user waits for the pageout references
                                // to go; no new one is taken (see below)

#define VM_OBJECT_MAGIC 0x0b1ec7a5u

struct vm_object {
  struct mtx lock;
  struct avl_tree memq;               // (o) resident pages by pindex
  struct list_node shadows;           // (o) objects backed by this one
  struct list_node shadow_link;       // (o of backing) in backing's shadows
  struct vm_object *backing_object;   // (o) next object down the chain
  vm_ooffset_t backing_offset;        // (o) bytes added going down
  vm_pindex_t size;                   // (o) in pages
  int32_t ref_count;                  // (o)
  int32_t pageout_refs;               // (o) of ref_count, the pageout code's
                                      //     (vm_object_pageout_hold)
  int32_t shadow_count;               // (o) length of shadows
  uint32_t resident_count;            // (o) pages in memq
  uint16_t flags;                     // (o) OBJ_*
  uint8_t type;                       // (o) OBJT_*
  uint32_t id;                        // (c) unique, for vmmap and gdb
  uint32_t magic;                     // (c) VM_OBJECT_MAGIC while alive
  void *handle;                       // (c) the pager's thing (an inode)
  vm_ooffset_t pager_size;            // (o) vnode: file size in bytes
  struct avl_tree swblks;             // (o) swap: blocks by pindex
                                      //     (swap_pager.c)
  uint32_t swap_count;                // (o) swap blocks held
  struct list_node cache_link;        // (pager's lock) on its pager's cache
                                      //     while OBJ_CACHED
};

void vm_object_startup(void);

// A new object of the given type and size (pages) with one reference, or
// NULL when kernel memory is exhausted. Anonymous objects get OBJ_ANON and
// OBJ_ONEMAPPING.
struct vm_object *vm_object_allocate(int type, vm_pindex_t size);

// Take and drop references. Neither may be called with obj locked.
// Dropping the last reference terminates the object; dropping to one may
// collapse it into its sole shadow.
void vm_object_reference(struct vm_object *obj);
// The same with obj locked by the caller (who knows it is not dying).
void vm_object_reference_locked(struct vm_object *obj);
// The pageout code's reference, held across a write of obj's pages with
// obj's lock dropped (vm_pageout.c), or a read-ahead of them in flight
// (swap_pager_ra.c: dropped in interrupt context, where terminating obj
// could never be done). Unlike any other it never goes last:
// a user whose drop would leave obj with at most one reference besides
// the pageout ones waits until they are gone (vm_object_deallocate), so
// the work of a last or second-to-last drop -- terminating obj, which for
// a file writes its pages back and waits for the log; collapsing obj into
// its shadow -- is never the pageout daemon's. The daemon must never wait
// for the log: a writer inside a transaction may be waiting for it, for a
// free page. vm_object_pageout_hold, with obj locked, takes one unless obj
// has no reference left (dying, cached, or its last user letting go of it
// while the pager's cache operation writes it back: a reference then would
// revive obj behind its pager's back) or a user waits for these to go;
// false, nothing taken, then. vm_object_pageout_release, obj unlocked,
// drops it and wakes the waiting user; _locked does the same with obj
// locked by the caller.
bool vm_object_pageout_hold(struct vm_object *obj);
void vm_object_pageout_release(struct vm_object *obj);
void vm_object_pageout_release_locked(struct vm_object *obj);
// For a cache that points at objects without holding a reference (the
// vnode pager's ip->vmobj): take one only if obj is not already dying,
// or revive obj if it is cached (OBJ_CACHED cleared, ref_count 1: the
// caller takes it off its cache list, under the same lock). False while
// obj is dying or its last reference is still being let go of (the
// pager's cache operation is deciding). The caller's own lock must keep
// obj's memory from being freed meanwhile.
bool vm_object_reference_if_alive(struct vm_object *obj);
void vm_object_deallocate(struct vm_object *obj);

// Evicting a cached object, in two steps. Under the pager's lock (which
// keeps obj's memory), vm_object_cache_take claims a cached obj: it is
// marked dying (OBJ_DEAD), so nobody revives it, and the caller takes it
// off its list; false (nothing done) if obj is not cached. Then, with
// no spin lock held, vm_object_cache_free terminates it: frees its pages
// and calls the pager's dealloc. Both take and drop obj's lock.
bool vm_object_cache_take(struct vm_object *obj);
void vm_object_cache_free(struct vm_object *obj);

// May the pages of obj, the front object of a mapping, be mapped writable?
// Not those of an anonymous object with shadows: the shadows still read
// them as they were (copy-on-write). A file object's shadows are private
// mappings, which see the file until they write, so it may. obj locked.
static inline bool vm_object_front_writable(const struct vm_object *obj)
{
  return (obj->flags & OBJ_ANON) == 0 || obj->shadow_count == 0;
}

// Put a new anonymous shadow object in front of *objp for a range of length
// bytes at *offset; *objp becomes the shadow (the caller's reference moves
// to it) and *offset becomes 0. *objp may be NULL (then only a fresh object
// is made). KERN_SUCCESS or KERN_RESOURCE_SHORTAGE (nothing changed).
int vm_object_shadow(struct vm_object **objp, vm_ooffset_t *offset,
                     vm_size_t length);

// Collapse or bypass obj's backing object when possible, repeatedly down
// the chain. Requires obj locked; leaves it locked.
void vm_object_collapse(struct vm_object *obj);

// Try to grow prev (mapped from prev_offset for prev_size bytes) by
// next_size bytes so a neighbouring range can share it. Fails (false) when
// prev is shared, has shadows or is not anonymous. prev may be NULL (true).
bool vm_object_coalesce(struct vm_object *prev, vm_ooffset_t prev_offset,
                        vm_size_t prev_size, vm_size_t next_size);

// One step down a shadow chain, lock-coupled: with *obj locked, lock its
// backing object, unlock *obj, and move *obj and *pindex there (false, and
// nothing changed, at the bottom). Every walk that only reads the chain
// goes through here.
bool vm_object_chain_next(struct vm_object **obj, vm_pindex_t *pindex);

// The resident page index. Requires obj locked.
struct vm_page *vm_object_page_lookup(struct vm_object *obj, vm_pindex_t pindex);
// First resident page with index >= pindex, or NULL.
struct vm_page *vm_object_page_ge(struct vm_object *obj, vm_pindex_t pindex);
// Next resident page after m, or NULL.
struct vm_page *vm_object_page_next(struct vm_object *obj, struct vm_page *m);
void vm_object_page_insert(struct vm_object *obj, struct vm_page *m,
                           vm_pindex_t pindex);
void vm_object_page_unlink(struct vm_page *m);
// Move m from its object to (new_obj, new_pindex); both objects locked.
void vm_object_page_rename(struct vm_page *m, struct vm_object *new_obj,
                           vm_pindex_t new_pindex);

// Remove the pages with index in [start, end) (end 0 = to the end) from
// every pmap and free them. Wired pages are never freed: with
// OBJPR_NOTWIRED they are skipped, without it meeting one is a bug.
// Requires obj locked.
#define OBJPR_NOTWIRED  0x1   // skip wired pages
#define OBJPR_CLEANONLY 0x2   // skip dirty pages
void vm_object_page_remove(struct vm_object *obj, vm_pindex_t start,
                           vm_pindex_t end, int flags);

// Write dirty pages in [start, end) back through the pager (msync, munmap
// and exit of MAP_SHARED file mappings). sync waits for the writes. A page
// the pager fails to write stays dirty (and resident) for a later try.
// Returns KERN_SUCCESS or the first failure: KERN_NO_SPACE when the
// pager's store is full, KERN_MEMORY_ERROR for an I/O error. Requires obj
// locked.
int vm_object_page_clean(struct vm_object *obj, vm_pindex_t start,
                         vm_pindex_t end, bool sync);

// madvise on the pages [start, end) of obj: DONTNEED moves them to the
// head of the inactive queue (the first the pageout scan reclaims), FREE
// discards the contents of anonymous pages not shared with any other
// object (a later read sees zeros or the last write). Requires obj locked.
void vm_object_madvise(struct vm_object *obj, vm_pindex_t start,
                       vm_pindex_t end, int advice);

// Number of objects from obj to the end of its chain (1 = no backing).
int vm_object_shadow_depth(struct vm_object *obj);

// Check obj's invariants (panics): magic, page tree order and count, every
// page's owner, shadow list and count, backing object alive.
void vm_object_check(struct vm_object *obj);

// Objects alive right now (a leak check for tests).
size_t vm_object_count(void);

#endif
