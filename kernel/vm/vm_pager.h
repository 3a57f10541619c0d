// SPDX-License-Identifier: MIT
// Pagers: how an object's pages get their contents and where dirty pages go.
// One set of operations per object type, registered at start-up: anonymous
// objects use the default pager (nothing on backing store: every page is
// zero-filled); the kernel registers the vnode pager for OBJT_VNODE; host
// tests register fake pagers.
//
// getpages is called with the object locked and the pages busy; it may drop
// and retake the object lock around I/O, so callers revalidate afterwards.
#ifndef VM_VM_PAGER_H
#define VM_VM_PAGER_H

#include "vm/vm.h"

struct vm_object;
struct vm_page;

// Pager results.
#define VM_PAGER_OK     0
#define VM_PAGER_BAD    1   // beyond the end of the object (bus error)
#define VM_PAGER_ERROR  2   // I/O error
#define VM_PAGER_FAIL   3   // the pager has no such page
#define VM_PAGER_NOSPACE 4  // no room on the backing store for the page
#define VM_PAGER_AGAIN  5   // not written: it would have had to wait (NOWAIT)

// putpages flags.
#define VM_PAGER_PUT_SYNC   0x1 // the caller wants the data on disk on return
#define VM_PAGER_PUT_NOWAIT 0x2 // never sleep for a lock or a log reservation
                                // that another thread holds (the pageout
                                // daemon: that thread may be waiting for it);
                                // such pages get VM_PAGER_AGAIN

struct vm_pager_ops {
  const char *name;
  // Fill ma[0..count-1], busy pages at consecutive indexes of obj; ma[reqpage]
  // is the one the fault needs, the others are read-ahead and may be left
  // invalid (then the caller frees them). Sets PG_VALID on each filled page.
  int (*getpages)(struct vm_object *obj, struct vm_page **ma, int count,
                  int reqpage);
  // Write ma[0..count-1] (busy, dirty) back; rtvals[i] gets each result:
  // VM_PAGER_OK, VM_PAGER_ERROR, VM_PAGER_NOSPACE when the store is full,
  // VM_PAGER_AGAIN (only with VM_PAGER_PUT_NOWAIT). flags: VM_PAGER_PUT_*.
  int (*putpages)(struct vm_object *obj, struct vm_page **ma, int count,
                  int flags, int *rtvals);
  // Does the backing store have page pindex? If so, *before / *after (when
  // not NULL) say how many neighbouring pages it also has, for read-ahead.
  bool (*haspage)(struct vm_object *obj, vm_pindex_t pindex, int *before,
                  int *after);
  // The object is being terminated: release the pager's resources.
  void (*dealloc)(struct vm_object *obj);
  // Optional (NULL: such objects are terminated at once). The last
  // reference to obj has just gone: obj locked, ref_count 0, not dead.
  // Return true to keep it (the pager sets OBJ_CACHED and lists it; see
  // vm_object.h), false to have it terminated; obj is locked on return
  // either way, and the pager may drop the lock meanwhile (nobody can
  // revive obj until it is OBJ_CACHED). No spin lock is held by the
  // caller: the pager may sleep.
  bool (*cache)(struct vm_object *obj);
  // Optional: reclaim has just freed pages; terminate the cached objects
  // left with none. Called with no lock held; must not sleep for I/O or
  // the file system's log (the pageout daemon calls it).
  void (*trim)(void);
};

void vm_pager_register(int type, const struct vm_pager_ops *ops);
// Give an anonymous type the default pager back (swap detached).
void vm_pager_register_default(int type);
const struct vm_pager_ops *vm_pager_ops_of(const struct vm_object *obj);

int vm_pager_get_pages(struct vm_object *obj, struct vm_page **ma, int count,
                       int reqpage);
int vm_pager_put_pages(struct vm_object *obj, struct vm_page **ma, int count,
                       int flags, int *rtvals);
bool vm_pager_has_page(struct vm_object *obj, vm_pindex_t pindex, int *before,
                       int *after);
void vm_pager_dealloc(struct vm_object *obj);
// The cache operation of obj's pager (false if it has none).
bool vm_pager_cache(struct vm_object *obj);
// Every pager's trim operation.
void vm_pager_trim(void);

#endif
