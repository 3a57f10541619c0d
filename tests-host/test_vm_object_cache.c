// SPDX-License-Identifier: MIT
// Host tests of cached objects (vm_object.h "Cached objects", vm_pager.h's
// cache and trim operations): a pager that keeps an object its last
// reference has left, the revival of a cached object, its eviction
// (vm_object_cache_take, vm_object_cache_free), and reclaim terminating
// the cached objects it has emptied.
//
// The pager is the fake file pager (host_fakepager.h) with a cache of its
// own, standing for the kernel's vnode pager: up to CACHE_MAX objects on
// a list, kept while `keep` is set.
#include <criterion/criterion.h>
#include <string.h>

#include "host_fakepager.h"
#include "host_lock.h"
#include "lib/list.h"
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"
#include "vm/vm_pager.h"
#include "vmtest.h"

#define NPAGES 256

static struct list_node cached;       // the pager's cached objects
static bool keep;                     // does the cache operation keep?
static int cache_calls, trims;
static struct vm_pager_ops caching_ops;
static size_t free_at_boot;

// The cache operation: list obj and mark it cached, when keep says so.
static bool caching_cache(struct vm_object *obj)
{
  cache_calls++;
  if (!keep)
    return false;
  obj->flags |= OBJ_CACHED;
  list_insert_tail(&cached, &obj->cache_link);
  return true;
}

// Evict obj, listed: take it, unlist it, free it.
static void evict(struct vm_object *obj)
{
  cr_assert(vm_object_cache_take(obj), "a listed object is cached");
  list_remove(&obj->cache_link);
  vm_object_cache_free(obj);
}

// The trim operation: evict every cached object with no page left.
static void caching_trim(void)
{
  struct list_node *l, *next;

  trims++;
  for (l = cached.next; l != &cached; l = next) {
    struct vm_object *obj = container_of(l, struct vm_object, cache_link);
    next = l->next;
    if (obj->resident_count == 0)
      evict(obj);
  }
}

static void setup(void)
{
  vmtest_boot(NPAGES);
  host_fakepager_install(8, 0x40);
  caching_ops = host_fakepager_ops;
  caching_ops.cache = caching_cache;
  caching_ops.trim = caching_trim;
  vm_pager_register(OBJT_VNODE, &caching_ops);
  list_init(&cached);
  keep = true;
  cache_calls = trims = 0;
  free_at_boot = vm_page_free_count();
}

static void teardown(void)
{
  while (!list_empty(&cached))
    evict(container_of(list_first(&cached), struct vm_object, cache_link));
  cr_assert_eq(vm_object_count(), 0, "%zu objects leaked", vm_object_count());
  cr_assert_eq(vm_page_free_count(), free_at_boot, "pages leaked");
  vmtest_teardown_strict();
}

TestSuite(vm_object_cache, .init = setup, .fini = teardown);

// A file object with n clean, valid pages on the inactive queue.
static struct vm_object *file_with_pages(int n)
{
  struct vm_object *obj = host_fakepager_object(8);

  mtx_lock(&obj->lock);
  for (int i = 0; i < n; i++) {
    struct vm_page *m = vm_page_alloc(obj, (vm_pindex_t)i, VM_ALLOC_NOBUSY);
    cr_assert_not_null(m);
    memset(pmap_page_kva(m), 0x40 + i, PAGE_SIZE);
    m->flags |= PG_VALID;
    vm_page_deactivate(m);
  }
  mtx_unlock(&obj->lock);
  return obj;
}

Test(vm_object_cache, last_reference_leaves_the_object_cached)
{
  struct vm_object *obj = file_with_pages(3);

  vm_object_deallocate(obj);
  cr_assert_eq(cache_calls, 1);
  cr_assert_eq(host_fakepager.dealloc, 0, "a cached object is not dealt");
  cr_assert_eq(vm_object_count(), 1);
  cr_assert_eq(obj->ref_count, 0);
  cr_assert_neq(obj->flags & OBJ_CACHED, 0);
  cr_assert_eq(obj->resident_count, 3, "its pages stay");
  vm_object_check(obj);
}

Test(vm_object_cache, a_declined_object_is_terminated)
{
  struct vm_object *obj = file_with_pages(2);

  keep = false;
  vm_object_deallocate(obj);
  cr_assert_eq(cache_calls, 1);
  cr_assert_eq(host_fakepager.dealloc, 1);
  cr_assert_eq(vm_object_count(), 0);
}

Test(vm_object_cache, anonymous_objects_are_never_offered)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);

  vm_object_deallocate(obj);
  cr_assert_eq(cache_calls, 0);
  cr_assert_eq(vm_object_count(), 0);
}

Test(vm_object_cache, reference_if_alive_revives_a_cached_object)
{
  struct vm_object *obj = file_with_pages(2);

  vm_object_deallocate(obj);
  cr_assert(vm_object_reference_if_alive(obj));
  list_remove(&obj->cache_link);          // what the pager does meanwhile
  cr_assert_eq(obj->ref_count, 1);
  cr_assert_eq(obj->flags & OBJ_CACHED, 0);
  cr_assert_eq(obj->resident_count, 2, "revived with its pages");
  vm_object_check(obj);
  vm_object_deallocate(obj);              // cached again
  cr_assert_eq(cache_calls, 2);
  cr_assert_neq(obj->flags & OBJ_CACHED, 0);
}

Test(vm_object_cache, take_refuses_an_object_in_use)
{
  struct vm_object *obj = file_with_pages(1);

  cr_assert_not(vm_object_cache_take(obj));
  cr_assert_eq(obj->flags & OBJ_DEAD, 0);
  keep = false;
  vm_object_deallocate(obj);
}

Test(vm_object_cache, a_taken_object_is_dying_and_freed_with_its_pages)
{
  struct vm_object *obj = file_with_pages(3);

  vm_object_deallocate(obj);
  cr_assert(vm_object_cache_take(obj));
  cr_assert_neq(obj->flags & OBJ_DEAD, 0);
  cr_assert_eq(obj->flags & OBJ_CACHED, 0);
  cr_assert_not(vm_object_reference_if_alive(obj), "nobody revives it now");
  list_remove(&obj->cache_link);
  vm_object_cache_free(obj);
  cr_assert_eq(host_fakepager.dealloc, 1);
  cr_assert_eq(vm_object_count(), 0);
  cr_assert_eq(vm_page_free_count(), free_at_boot);
}

// Reclaim frees a cached object's clean pages like any others, then the
// trim operation ends the object it left empty.
Test(vm_object_cache, reclaim_frees_cached_pages_and_trims_the_empty_object)
{
  struct vm_object *obj = file_with_pages(4);

  vm_object_deallocate(obj);
  cr_assert_eq(vm_pageout_reclaim(4), 4);
  cr_assert_eq(trims, 1);
  cr_assert_eq(host_fakepager.dealloc, 1, "the empty object was ended");
  cr_assert_eq(vm_object_count(), 0);
  cr_assert(list_empty(&cached));
}

Test(vm_object_cache, a_partly_reclaimed_object_stays_cached)
{
  struct vm_object *obj = file_with_pages(4);

  vm_object_deallocate(obj);
  cr_assert_eq(vm_pageout_reclaim(3), 3);
  cr_assert_eq(obj->resident_count, 1);
  cr_assert_neq(obj->flags & OBJ_CACHED, 0);
  cr_assert_eq(host_fakepager.dealloc, 0);
}

// ---------------------------------------------------------------------------
// The pageout code's reference is never the last to go
// (vm_object_pageout_hold): the daemon must never end up letting go of an
// object, which for a file writes it back and waits for the log.

static struct vm_object *held;        // whose pageout reference the hook drops
static int waits;

// Plays the pageout daemon finishing its write while a user waits.
static void pageout_finishes(void *chan)
{
  cr_assert_eq(chan, &held->pageout_refs, "the user waits for the pageout");
  cr_assert_eq(cache_calls, 0, "let go of before the pageout reference went");
  mtx_lock(&held->lock);
  cr_assert_not(vm_object_pageout_hold(held),
                "a new pageout reference while a user waits");
  mtx_unlock(&held->lock);
  waits++;
  vm_object_pageout_release(held);
}

static void pageout_hold(struct vm_object *obj)
{
  mtx_lock(&obj->lock);
  cr_assert(vm_object_pageout_hold(obj));
  mtx_unlock(&obj->lock);
  held = obj;
  waits = 0;
}

Test(vm_object_cache, the_last_user_waits_for_the_pageout_and_lets_go_itself)
{
  struct vm_object *obj = file_with_pages(2);

  pageout_hold(obj);
  host_set_sleep_hook(pageout_finishes);
  vm_object_deallocate(obj);          // the last user's munmap or exit
  host_set_sleep_hook(NULL);
  cr_assert_eq(waits, 1);
  cr_assert_eq(cache_calls, 1, "the user's drop offered it to the cache");
  cr_assert_eq(obj->ref_count, 0);
  cr_assert_eq(obj->pageout_refs, 0);
  cr_assert_neq(obj->flags & OBJ_CACHED, 0);
  cr_assert_eq(obj->flags & OBJ_PAGEOUT_WAIT, 0);
}

// The second-to-last user waits too: its drop would leave the work of
// the last (an anonymous object's collapse into its shadow, the
// one-mapping flag) to the pageout release. A drop that leaves two users
// does not wait (no hook: a sleep would panic).
Test(vm_object_cache, only_the_last_two_users_wait_for_the_pageout)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);

  vm_object_reference(obj);
  vm_object_reference(obj);
  pageout_hold(obj);
  vm_object_deallocate(obj);          // 3 users -> 2: no wait
  cr_assert_eq(obj->ref_count, 3);
  host_set_sleep_hook(pageout_finishes);
  vm_object_deallocate(obj);          // 2 -> 1: waits
  host_set_sleep_hook(NULL);
  cr_assert_eq(waits, 1);
  cr_assert_eq(obj->ref_count, 1);
  cr_assert_neq(obj->flags & OBJ_ONEMAPPING, 0, "down to one user");
  vm_object_deallocate(obj);
  cr_assert_eq(vm_object_count(), 0);
}

// A pageout release that leaves users does nothing else, and an object
// whose last user is letting go (count 0) refuses a pageout reference.
Test(vm_object_cache, a_pageout_reference_needs_a_user)
{
  struct vm_object *obj = file_with_pages(1);

  pageout_hold(obj);
  vm_object_pageout_release(obj);
  cr_assert_eq(obj->ref_count, 1);
  cr_assert_eq(cache_calls, 0);
  vm_object_deallocate(obj);          // cached: no user left
  mtx_lock(&obj->lock);
  cr_assert_not(vm_object_pageout_hold(obj), "a cached object has no user");
  mtx_unlock(&obj->lock);
}
