// SPDX-License-Identifier: MIT
// The cache of unused files: a file's page cache object outlives its last
// user, with its clean pages, so that the next read(), write(), mmap or
// exec of the file finds them (FreeBSD keeps a vnode's object, and its
// pages, while the vnode is cached; here the vnode pager keeps the object
// itself on a list).
//
// Life cycle. When the last reference to a file's object goes,
// vm_object_deallocate asks the pager (the cache operation,
// vnode_cache_keep): the dirty pages are written back as termination would
// write them, and the object, still holding its inode reference and
// hooked to ip->vmobj, is marked OBJ_CACHED and appended to the list. Its
// pages stay on their queues: having no mapping they carry no referenced
// bit, so the daemon's aging moves them to the inactive queue at its first
// look, ahead of the pages of running programs (moving them here would
// cost a walk of every page at each last reference, and read() lets go
// of its reference at the end of every call). vnode_pager_object finds it
// there through ip->vmobj and revives it (vm_object_reference_if_alive),
// taking it off the list. An object is evicted -- claimed with
// vm_object_cache_take, terminated with vm_object_cache_free, which drops
// the inode reference -- when
//   - the list is full (VNODE_CACHE_MAX): the oldest makes room;
//   - iget is out of memory for an inode (fs.c): the oldest, one by one;
//   - reclaim has taken all its pages: its trim operation (vnode_cache_trim,
//     run by vm_pageout after every scan that freed pages);
//   - its file loses its last link (vnode_cache_unlinked);
//   - vmreclaim() asks (vnode_cache_flush: the suites' leak checks and the
//     cold benchmarks start from an empty cache).
// A cached object's pages are ordinary clean file pages: the pageout
// daemon and vm_pageout_reclaim free them under memory pressure like any
// other, so the cache never costs an allocation anything but the reclaim.
//
// Unlinked files. The cache never keeps an unlinked file's blocks: a file
// with no link is not cached (its last user terminates the object, which
// frees the file), and unlink evicts the object of a file it leaves with
// no link, after its transaction, holding an inode reference of its own
// (sysfile.c). So an evicted object's inode reference is never the last
// reference to an unlinked inode, and eviction never writes to the disk:
// a cached object has no dirty page and iput_nowrite drops its inode.
// That is why the pageout daemon may evict (no begin_op: it must never
// wait for the log, which a writer waiting for free pages may hold), and
// why iget may evict inside its callers' transactions.
//
// States of a file object (ref_count, flags), all under obj's lock:
//   in use        > 0                    lookups take a reference
//   letting go    0                      the cache operation runs; lookups
//                                        wait (sleep on ip), woken after
//   cached        0, OBJ_CACHED          listed; a lookup revives it
//   dying         0, OBJ_DEAD            evicted or declined; lookups wait
//                                        for dealloc to unhook it
//
// Locking: vnode_pager_lock (vnode_pager.c; spin) protects the list and
// the count, as it protects ip->vmobj; an object is listed exactly while
// it is OBJ_CACHED, outside that lock (both change together under it and
// the object lock). Order: vnode_pager_lock -> obj->lock. An object is
// terminated with no spin lock held.
#include "vnode_cache.h"

#include "file.h"
#include "lib/kassert.h"
#include "lib/list.h"
#include "lib/lock.h"
#include "proc.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"

// The cached objects, oldest (the first to be evicted) at the head.
#define VNODE_CACHE_MAX 64     // objects; each holds an inode and an object
static struct list_node vnode_cache;  // (v) vnode_pager_lock
static size_t vnode_cache_count;      // (v)

void vnode_cache_init(void)
{
  list_init(&vnode_cache);
}

bool vnode_cache_listed(const struct vm_object *obj)
{
  return obj->cache_link.next != NULL;
}

// Take obj off the list. vnode_pager_lock held.
void vnode_cache_unlist(struct vm_object *obj)
{
  MTX_ASSERT_OWNED(&vnode_pager_lock);
  list_remove(&obj->cache_link);
  vnode_cache_count--;
}

// Claim the listed obj for eviction (vm_object_cache_take marks it dying,
// so lookups wait for its end). vnode_pager_lock held; the caller then
// drops it and calls vm_object_cache_free.
static struct vm_object *vnode_cache_take(struct vm_object *obj)
{
  bool taken = vm_object_cache_take(obj);

  KASSERT(taken, ("vnode_cache_take: object %u listed, not cached",
                  obj->id));
  vnode_cache_unlist(obj);
  return obj;
}

bool vnode_cache_evict(void)
{
  struct vm_object *obj = NULL;

  mtx_lock(&vnode_pager_lock);
  if (!list_empty(&vnode_cache))
    obj = vnode_cache_take(container_of(list_first(&vnode_cache),
                                        struct vm_object, cache_link));
  mtx_unlock(&vnode_pager_lock);
  if (obj == NULL)
    return false;
  vm_object_cache_free(obj);
  return true;
}

size_t vnode_cache_flush(void)
{
  size_t n = 0;

  while (vnode_cache_evict())
    n++;
  return n;
}

// The pager's trim operation: evict the cached objects reclaim has left
// with no page, a batch at a time (freeing them needs no spin lock held).
// Never sleeps: a cached object has no dirty page and its inode reference
// is not the last of an unlinked file (dealloc), so no I/O, no log.
#define VNODE_TRIM_BATCH 16
void vnode_cache_trim(void)
{
  struct vm_object *batch[VNODE_TRIM_BATCH], *obj;
  int n;

  do {
    n = 0;
    mtx_lock(&vnode_pager_lock);
    for (struct list_node *l = vnode_cache.next;
         l != &vnode_cache && n < VNODE_TRIM_BATCH; l = l->next) {
      obj = container_of(l, struct vm_object, cache_link);
      if (__atomic_load_n(&obj->resident_count, __ATOMIC_RELAXED) == 0)
        batch[n++] = obj;
    }
    for (int i = 0; i < n; i++)
      (void)vnode_cache_take(batch[i]);
    mtx_unlock(&vnode_pager_lock);
    for (int i = 0; i < n; i++)
      vm_object_cache_free(batch[i]);
  } while (n == VNODE_TRIM_BATCH);
}

// An unlinked file is never cached: its blocks must go with its last user.
static bool vnode_cache_cacheable(struct inode *ip)
{
  return __atomic_load_n(&ip->nlink, __ATOMIC_RELAXED) > 0;
}

// The pager's cache operation (vm_pager.h): the last reference to obj has
// gone. Write its dirty pages (as termination would), then list it,
// making room by evicting the oldest. The write-back looks at every
// resident page, so it runs only when OBJ_MIGHTBEDIRTY says it may find
// one: write() writes its own range back (vnode_pager_written), and a
// shared writable mapping sets the flag. Otherwise keeping obj costs
// O(1), not O(its pages): a loop of read()s or write()s on a big file
// lets go of its object once per call. Declined (terminated) when the file
// is unlinked, when obj has no page to keep, or when a page could not be
// written (termination reports it).
// Nobody revives obj meanwhile: lookups wait while it is unreferenced and
// not cached, and are woken here.
bool vnode_cache_keep(struct vm_object *obj)
{
  struct inode *ip = obj->handle;
  bool keep;

  MTX_ASSERT_OWNED(&obj->lock);
  if (!vnode_cache_cacheable(ip) || obj->resident_count == 0)
    return false;
  if ((obj->flags & OBJ_MIGHTBEDIRTY) != 0) {
    if (vm_object_page_clean(obj, 0, 0, true) != KERN_SUCCESS)
      return false;
    obj->flags &= ~OBJ_MIGHTBEDIRTY;  // nobody can dirty a page now
  }
  mtx_unlock(&obj->lock);
  while (__atomic_load_n(&vnode_cache_count, __ATOMIC_RELAXED) >=
         VNODE_CACHE_MAX && vnode_cache_evict())
    ;
  mtx_lock(&vnode_pager_lock);
  mtx_lock(&obj->lock);
  KASSERT(ip->vmobj == obj, ("vnode_cache_keep: object %u unhooked",
                             obj->id));
  // Read again under vnode_pager_lock: an unlink either made nlink 0
  // before, or will find obj listed (vnode_cache_unlinked).
  keep = vnode_cache_cacheable(ip);
  if (keep) {
    obj->flags |= OBJ_CACHED;
    list_insert_tail(&vnode_cache, &obj->cache_link);
    vnode_cache_count++;
  }
  wakeup(ip);
  mtx_unlock(&vnode_pager_lock);
  return keep;
}

void vnode_cache_unlinked(struct inode *ip)
{
  struct vm_object *obj, *taken = NULL;

  mtx_lock(&vnode_pager_lock);
  while ((obj = ip->vmobj) != NULL && taken == NULL) {
    if (vnode_cache_listed(obj))
      taken = vnode_cache_take(obj);
    else if (__atomic_load_n(&obj->ref_count, __ATOMIC_ACQUIRE) == 0)
      sleep(ip, &vnode_pager_lock);   // dying, or its cache op runs
    else
      break;                          // in use: its last user sees nlink 0
  }
  mtx_unlock(&vnode_pager_lock);
  if (taken != NULL)
    vm_object_cache_free(taken);
}

void vnode_cache_stats(uint64_t *objects, uint64_t *pages)
{
  uint64_t n = 0;

  mtx_lock(&vnode_pager_lock);
  *objects = vnode_cache_count;
  for (struct list_node *l = vnode_cache.next; l != &vnode_cache; l = l->next)
    n += __atomic_load_n(&container_of(l, struct vm_object, cache_link)->
                         resident_count, __ATOMIC_RELAXED);
  mtx_unlock(&vnode_pager_lock);
  *pages = n;
}

