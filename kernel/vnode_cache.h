// SPDX-License-Identifier: MIT
// The cache of unused files (vnode_cache.c): a file's page cache object
// outlives its last user, with its clean pages, until evicted -- the
// oldest first when the cache is full or iget needs memory, when reclaim
// has taken all its pages, when its file is unlinked, or on vmreclaim().
#ifndef KERNEL_VNODE_CACHE_H
#define KERNEL_VNODE_CACHE_H

#include "lib/types.h"

struct inode;
struct mtx;
struct vm_object;

// Evict the oldest cached object; false if there is none. No spin lock
// held; does no I/O and takes no sleep lock (fine inside a transaction).
bool vnode_cache_evict(void);
// Evict them all (vmreclaim: the suites' leak checks, cold benchmarks);
// returns how many there were.
size_t vnode_cache_flush(void);
// ip's link count has just dropped to 0: evict its object if cached, so
// the file is freed with its last user. ip referenced by the caller,
// unlocked, no transaction open (waits for an object being torn down).
void vnode_cache_unlinked(struct inode *ip);
// Cached objects and the pages they hold (vmstat).
void vnode_cache_stats(uint64_t *objects, uint64_t *pages);

// For vnode_pager.c only: its lock also guards the list (vnode_cache.c).
extern struct mtx vnode_pager_lock;
void vnode_cache_init(void);
// The pager's cache and trim operations (vm_pager.h).
bool vnode_cache_keep(struct vm_object *obj);
void vnode_cache_trim(void);
// Is obj on the list? Take it off (a lookup revived it). vnode_pager_lock
// held.
bool vnode_cache_listed(const struct vm_object *obj);
void vnode_cache_unlist(struct vm_object *obj);

#endif
