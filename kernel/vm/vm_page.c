// SPDX-License-Identifier: MIT
// The physical page layer: the page array, the buddy allocator of free
// pages, the per-hart caches of free pages and the busy protocol. The
// paging queues and wiring are in vm_page_queue.c, the checker of all of
// it, vm_page_check(), in vm_page_check.c.
//
// Interface: vm_page_startup() once at boot hands the VM a run of RAM and
// an array of struct vm_page describing it. vm_page_alloc() takes one page
// (optionally for an object), vm_page_free() gives it back;
// vm_page_alloc_contig() / vm_page_free_contig() do the same with blocks
// of 2^order pages for kernel memory.
//
// Buddy allocator (Knowlton 1965): a free block of order k is 2^k pages
// whose first page's index in the array is a multiple of 2^k. Its first
// page (the head) is on vm_page_freeq[k] with order = k; every page of the
// block has queue = PQ_FREE, the others (tails) have order =
// VM_PAGE_ORDER_NONE. A block's buddy is the block whose index differs only
// in bit k. Allocation takes a block of the smallest non-empty order >= the
// wanted one and splits off upper halves onto the lower lists; freeing
// merges with the buddy while the buddy is a free head of the same order.
// Both are O(VM_NFREEORDER) list operations plus O(2^order) to mark the
// pages of the block itself. Invariant: no two free buddies of the same
// order both sit on the lists (they would have merged).
//
// Tripwires: a freed page is filled with 0xdb bytes (VM_PAGE_JUNK) so a use
// after free reads garbage, unless it is marked PG_ZERO, in which case it
// must really be zero (checked) and stays so for the next VM_ALLOC_ZERO.
// Freeing a free, wired, mapped or PG_NOFREE page panics.
//
// Per-hart caches of free pages (FreeBSD keeps such caches per CPU in
// front of its physical allocator): every hart has a short LIFO list of
// free single pages, so that a fault and an exit touch only their own
// hart's list and the free lock is taken once per batch of
// VM_PAGE_PCPU_BATCH pages instead of once per page. An empty cache is
// refilled with a batch from the buddy lists; a cache that grows past
// VM_PAGE_PCPU_MAX gives its oldest batch back. A cached page is free
// (queue PQ_FREE, order VM_PAGE_ORDER_PCPU: never a buddy head, so the
// buddy lists never merge with it) and counted free, and no free page is
// ever out of reach: an allocation that finds the buddy lists empty
// drains every hart's cache before it reports a shortage, and refills
// stop taking whole batches when the buddy lists run low, so that the
// last pages stay where every hart finds them. Blocks of more than one
// page (vm_page_alloc_contig) come from the buddy lists alone, draining
// the caches when fragments held there are what is missing.
//
// Locking: vm_page_lock (q) protects the free lists, the queues, each
// page's queue and order fields and the counts; nothing is taken after
// it. Each hart's cache has its own lock (h), taken before vm_page_lock
// (a refill or a drain holds both), and nobody holds two cache locks but
// vm_page_check; a cached page's queue and order fields are (h). A page's
// identity, flags and wire_count belong to its object's lock (o); pages
// without an object belong to their allocator. The queues' own rules,
// and the per-hart batches of activations with their lock (b), are in
// vm_page_queue.c's comment.
#include "lib/lock.h"
#include "lib/string.h"
#include "vm/pmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_page_internal.h"
#include "vm/vm_pageout.h"

#define VM_PAGE_JUNK        0xdb     // fill byte of freed pages

// Sizes of the per-hart caches, in pages. A batch amortises one
// acquisition of the free lock over 16 pages; twice that as the limit
// lets a hart that frees as much as it allocates (fork, exit) keep going
// without ever touching the buddy lists. While the buddy lists hold less
// than VM_PAGE_PCPU_LOW pages, refills take one page at a time: a shortage
// is no time to park pages where other harts must drain them back.
#define VM_PAGE_PCPU_BATCH_ORDER 4
#define VM_PAGE_PCPU_BATCH  (1 << VM_PAGE_PCPU_BATCH_ORDER)
#define VM_PAGE_PCPU_MAX    (2 * VM_PAGE_PCPU_BATCH)
#define VM_PAGE_PCPU_LOW    (VM_PAGE_NCACHE * VM_PAGE_PCPU_BATCH)

struct vmmeter vm_cnt;

struct mtx vm_page_lock;
struct vm_page *vm_page_array;
size_t vm_page_array_size;
paddr_t vm_page_base;
struct list_node vm_page_freeq[VM_NFREEORDER];
size_t vm_page_nfree;
struct vm_page_pcpu vm_page_pcpu[VM_PAGE_NCACHE];

static void vm_page_freeq_insert(struct vm_page *m, int order)
{
  m->order = (uint8_t)order;
  list_insert_head(&vm_page_freeq[order], &m->plinks);
}

// Put the 2^order pages at index idx (a free block, all already marked
// PQ_FREE) on the free lists, merging with free buddies. Lock held.
static void vm_page_buddy_free_locked(size_t idx, int order)
{
  MTX_ASSERT_OWNED(&vm_page_lock);
  vm_page_nfree += (size_t)1 << order;
  while (order < VM_NFREEORDER - 1) {
    size_t bidx = idx ^ ((size_t)1 << order);
    struct vm_page *b = &vm_page_array[bidx];
    if (bidx + ((size_t)1 << order) > vm_page_array_size ||
        b->queue != PQ_FREE || b->order != order)
      break;
    list_remove(&b->plinks);
    b->order = VM_PAGE_ORDER_NONE;
    vm_page_array[idx].order = VM_PAGE_ORDER_NONE;
    idx &= bidx;          // the lower of the two
    order++;
  }
  vm_page_freeq_insert(&vm_page_array[idx], order);
}

// Take a block of 2^order pages off the free lists, splitting a larger
// one if needed; its pages are left marked PQ_FREE. NULL if none.
static struct vm_page *vm_page_buddy_alloc_locked(int order)
{
  struct vm_page *m;
  int k;

  MTX_ASSERT_OWNED(&vm_page_lock);
  for (k = order; k < VM_NFREEORDER && list_empty(&vm_page_freeq[k]); k++)
    ;
  if (k == VM_NFREEORDER)
    return NULL;
  m = container_of(list_first(&vm_page_freeq[k]), struct vm_page, plinks);
  list_remove(&m->plinks);
  while (k > order) {
    k--;
    vm_page_freeq_insert(m + ((size_t)1 << k), k);
  }
  m->order = VM_PAGE_ORDER_NONE;
  vm_page_nfree -= (size_t)1 << order;
  return m;
}

// vm_page_buddy_alloc_locked with the lock taken here.
static struct vm_page *vm_page_buddy_alloc(int order)
{
  struct vm_page *m;

  mtx_lock(&vm_page_lock);
  m = vm_page_buddy_alloc_locked(order);
  mtx_unlock(&vm_page_lock);
  return m;
}

// This hart's cache. The thread may move to another hart right after the
// lookup; it then works on the old hart's cache, under that cache's lock,
// which is merely slower.
static struct vm_page_pcpu *vm_page_pcpu_self(void)
{
  int id = cpuid();

  KASSERT(id >= 0 && id < VM_PAGE_NCACHE,
          ("vm_page_pcpu_self: hart %d has no cache", id));
  return &vm_page_pcpu[id];
}

// The count is read without the lock by vm_page_free_count.
static void vm_page_pcpu_count_add(struct vm_page_pcpu *c, int delta)
{
  __atomic_store_n(&c->count, c->count + (size_t)delta, __ATOMIC_RELAXED);
}

// Put the free page m at the head of cache c. c's lock held.
static void vm_page_pcpu_push_locked(struct vm_page_pcpu *c, struct vm_page *m)
{
  MTX_ASSERT_OWNED(&c->lock);
  m->queue = PQ_FREE;
  m->order = VM_PAGE_ORDER_PCPU;
  list_insert_head(&c->pages, &m->plinks);
  vm_page_pcpu_count_add(c, 1);
}

// Take the most recently freed page (the likeliest to be in the data
// cache) off cache c, or NULL if it is empty. c's lock held.
static struct vm_page *vm_page_pcpu_pop_locked(struct vm_page_pcpu *c)
{
  struct vm_page *m;

  MTX_ASSERT_OWNED(&c->lock);
  if (list_empty(&c->pages))
    return NULL;
  m = container_of(list_first(&c->pages), struct vm_page, plinks);
  list_remove(&m->plinks);
  m->order = VM_PAGE_ORDER_NONE;
  vm_page_pcpu_count_add(c, -1);
  return m;
}

// Fill cache c from the buddy lists: a block of a batch's worth of pages
// (one buddy operation, so the free lock is held briefly), or a single
// page while they run low (VM_PAGE_PCPU_LOW) or hold no such block, or
// nothing when they are empty. c's lock held.
static void vm_page_pcpu_fill_locked(struct vm_page_pcpu *c)
{
  struct vm_page *m = NULL;
  int n = 0;

  MTX_ASSERT_OWNED(&c->lock);
  mtx_lock(&vm_page_lock);
  if (vm_page_nfree >= VM_PAGE_PCPU_LOW &&
      (m = vm_page_buddy_alloc_locked(VM_PAGE_PCPU_BATCH_ORDER)) != NULL)
    n = VM_PAGE_PCPU_BATCH;
  else if ((m = vm_page_buddy_alloc_locked(0)) != NULL)
    n = 1;
  mtx_unlock(&vm_page_lock);
  // Off the buddy lists, all marked PQ_FREE and no buddy head: nobody
  // else looks at them until they are in the cache.
  while (n-- > 0)
    vm_page_pcpu_push_locked(c, &m[n]);
}

// Give the n oldest pages of cache c back to the buddy lists. c's lock
// held.
static void vm_page_pcpu_drain_locked(struct vm_page_pcpu *c, size_t n)
{
  struct vm_page *m;

  MTX_ASSERT_OWNED(&c->lock);
  KASSERT(n <= c->count, ("vm_page_pcpu_drain_locked: %zu of %zu pages", n,
                          c->count));
  mtx_lock(&vm_page_lock);
  for (; n > 0; n--) {
    m = container_of(list_last(&c->pages), struct vm_page, plinks);
    list_remove(&m->plinks);
    vm_page_pcpu_count_add(c, -1);
    m->order = VM_PAGE_ORDER_NONE;
    vm_page_buddy_free_locked(vm_page_index(m), 0);
  }
  mtx_unlock(&vm_page_lock);
}

// A cache is emptied under its own lock, one cache at a time: two harts
// draining at once must not each hold its cache while waiting for the
// other's. A cache that looks empty is skipped; one filled right after
// the look took pages the buddy lists had, so nothing is hidden by it.
void vm_page_pcpu_drain_all(void)
{
  for (int i = 0; i < VM_PAGE_NCACHE; i++) {
    struct vm_page_pcpu *c = &vm_page_pcpu[i];
    if (__atomic_load_n(&c->count, __ATOMIC_RELAXED) == 0)
      continue;
    mtx_lock(&c->lock);
    vm_page_pcpu_drain_locked(c, c->count);
    mtx_unlock(&c->lock);
  }
}

// Take one free page (still marked PQ_FREE) from this hart's cache,
// refilled from the buddy lists when empty; when those are empty too,
// from the pages the other harts' caches held. NULL when no page is free
// anywhere.
static struct vm_page *vm_page_alloc_free(void)
{
  struct vm_page_pcpu *c = vm_page_pcpu_self();
  struct vm_page *m;

  mtx_lock(&c->lock);
  if (list_empty(&c->pages))
    vm_page_pcpu_fill_locked(c);
  m = vm_page_pcpu_pop_locked(c);
  mtx_unlock(&c->lock);
  if (m != NULL)
    return m;
  // Our own cache is empty (we hold none of its locks now: see drain_all).
  vm_page_pcpu_drain_all();
  return vm_page_buddy_alloc(0);
}

// Put the freed page m in this hart's cache; a cache grown past its limit
// gives its oldest batch back to the buddy lists.
static void vm_page_free_cached(struct vm_page *m)
{
  struct vm_page_pcpu *c = vm_page_pcpu_self();

  mtx_lock(&c->lock);
  vm_page_pcpu_push_locked(c, m);
  if (c->count > VM_PAGE_PCPU_MAX)
    vm_page_pcpu_drain_locked(c, VM_PAGE_PCPU_BATCH);
  mtx_unlock(&c->lock);
}

// Mark the 2^order pages at m allocated: no queue, no owner, not wired.
// Keeps only PG_ZERO of the flags.
static void vm_page_block_init(struct vm_page *m, int order)
{
  for (size_t i = 0; i < ((size_t)1 << order); i++) {
    m[i].queue = PQ_NONE;
    m[i].order = VM_PAGE_ORDER_NONE;
    m[i].object = NULL;
    m[i].pindex = 0;
    m[i].wire_count = 0;
    m[i].flags &= PG_ZERO;
  }
}

// The checks every page must pass before it is freed (fn names the caller).
static void vm_page_free_check(struct vm_page *m, const char *fn)
{
  KASSERT(m->queue != PQ_FREE, ("%s: page %p already free", fn, m));
  KASSERT(m->wire_count == 0, ("%s: page %p is wired (%u)", fn, m,
                               m->wire_count));
  KASSERT(!pmap_page_is_mapped(m), ("%s: page %p is still mapped", fn, m));
  KASSERT((m->flags & PG_NOFREE) == 0, ("%s: page %p is PG_NOFREE", fn, m));
}

// The tripwire fill of a page being freed: junk, or, for a page its owner
// marked PG_ZERO, a check that it really is zero.
static void vm_page_free_fill(struct vm_page *m, const char *fn)
{
  const uint8_t *p;

  pmap_page_init(m);   // no stale modified or referenced bit for the next user

  if (m->flags & PG_ZERO) {
    p = pmap_page_kva(m);
    for (size_t i = 0; i < PAGE_SIZE; i++)
      KASSERT(p[i] == 0, ("%s: page %p marked PG_ZERO has byte %zu = %#x",
                          fn, m, i, p[i]));
    m->flags = PG_ZERO;
  } else {
    memset(pmap_page_kva(m), VM_PAGE_JUNK, PAGE_SIZE);
    m->flags = 0;
  }
}

void vm_page_startup(struct vm_page *array, paddr_t base, size_t npages)
{
  size_t idx = 0;
  int k;

  KASSERT(array != NULL && npages > 0, ("vm_page_startup: no pages"));
  KASSERT(page_aligned(base), ("vm_page_startup: base %#lx not aligned",
                               (unsigned long)base));
  mtx_init(&vm_page_lock, "vm page queues");
  vm_pageout_init();
  memset(&vm_cnt, 0, sizeof(vm_cnt));
  mtx_set_stats(&vm_page_lock, &vm_cnt.v_page_lock);
  vm_page_array = array;
  vm_page_array_size = npages;
  vm_page_base = base;
  vm_page_nfree = 0;
  for (k = 0; k < VM_NFREEORDER; k++)
    list_init(&vm_page_freeq[k]);
  vm_page_queue_startup();
  for (k = 0; k < VM_PAGE_NCACHE; k++) {
    mtx_init(&vm_page_pcpu[k].lock, "vm page cache");
    list_init(&vm_page_pcpu[k].pages);
    vm_page_pcpu[k].count = 0;
  }
  memset(array, 0, npages * sizeof(*array));
  for (size_t i = 0; i < npages; i++) {
    array[i].phys_addr = base + ptoa(i);
    array[i].queue = PQ_FREE;
    array[i].order = VM_PAGE_ORDER_NONE;
    pmap_page_init(&array[i]);
  }
  // Cut the array into the largest aligned blocks that fit.
  mtx_lock(&vm_page_lock);
  while (idx < npages) {
    for (k = VM_NFREEORDER - 1; k > 0; k--)
      if ((idx & (((size_t)1 << k) - 1)) == 0 && idx + ((size_t)1 << k) <= npages)
        break;
    vm_page_buddy_free_locked(idx, k);
    idx += (size_t)1 << k;
  }
  mtx_unlock(&vm_page_lock);
}

struct vm_page *vm_page_alloc(struct vm_object *obj, vm_pindex_t pindex,
                              int flags)
{
  struct vm_page *m;

  KASSERT((flags & ~(VM_ALLOC_ZERO | VM_ALLOC_WIRED | VM_ALLOC_NOBUSY)) == 0,
          ("vm_page_alloc: bad flags %#x", flags));
  if (obj != NULL)
    MTX_ASSERT_OWNED(&obj->lock);
  if ((m = vm_page_alloc_free()) == NULL)
    return NULL;
  vm_page_block_init(m, 0);
  if ((flags & VM_ALLOC_ZERO) && (m->flags & PG_ZERO) == 0)
    pmap_zero_page(m);
  // Allocated pages never carry PG_ZERO: their owner will write them.
  m->flags = (flags & VM_ALLOC_NOBUSY) ? 0 : PG_BUSY;
  if (flags & VM_ALLOC_WIRED) {
    m->wire_count = 1;
    VM_CNT_INC(v_wire_count);
  }
  if (obj != NULL) {
    vm_object_page_insert(obj, m, pindex);
    // Object pages only: other callers may hold locks (the pmap's) that
    // must not be held while waking a thread.
    if (vm_page_free_count() < vm_pageout_free_min())
      vm_pageout_poke();
  }
  return m;
}

void vm_page_free(struct vm_page *m)
{
  vm_page_index(m);
  vm_page_free_check(m, "vm_page_free");
  // Off the queue before leaving the object: the pageout scan trusts the
  // owner of every page it finds on a queue (vm_pageout.c).
  vm_page_dequeue(m);
  if (m->object != NULL) {
    MTX_ASSERT_OWNED(&m->object->lock);
    // Someone sleeping on the busy page must look it up again.
    if (m->flags & PG_WANTED)
      wakeup(m);
    vm_object_page_unlink(m);
  }
  vm_page_free_fill(m, "vm_page_free");
  vm_page_free_cached(m);
}

struct vm_page *vm_page_alloc_contig(int order)
{
  struct vm_page *m;

  KASSERT(order >= 0 && order < VM_NFREEORDER,
          ("vm_page_alloc_contig: bad order %d", order));
  // The pieces missing from a block may sit in the harts' caches.
  if ((m = vm_page_buddy_alloc(order)) == NULL) {
    vm_page_pcpu_drain_all();
    if ((m = vm_page_buddy_alloc(order)) == NULL)
      return NULL;
  }
  vm_page_block_init(m, order);
  for (size_t i = 0; i < ((size_t)1 << order); i++)
    m[i].flags = 0;
  return m;
}

void vm_page_free_contig(struct vm_page *m, int order)
{
  size_t idx = vm_page_index(m), n = (size_t)1 << order;

  KASSERT(order >= 0 && order < VM_NFREEORDER,
          ("vm_page_free_contig: bad order %d", order));
  KASSERT((idx & (n - 1)) == 0 && idx + n <= vm_page_array_size,
          ("vm_page_free_contig: %p is not a block of order %d", m, order));
  for (size_t i = 0; i < n; i++) {
    vm_page_free_check(&m[i], "vm_page_free_contig");
    KASSERT(m[i].object == NULL,
            ("vm_page_free_contig: page %p belongs to an object", &m[i]));
    vm_page_dequeue(&m[i]);
    vm_page_free_fill(&m[i], "vm_page_free_contig");
  }
  mtx_lock(&vm_page_lock);
  for (size_t i = 0; i < n; i++)
    m[i].queue = PQ_FREE;
  vm_page_buddy_free_locked(idx, order);
  mtx_unlock(&vm_page_lock);
}

void vm_page_xbusy(struct vm_page *m)
{
  if (m->object != NULL)
    MTX_ASSERT_OWNED(&m->object->lock);
  KASSERT((m->flags & PG_BUSY) == 0, ("vm_page_xbusy: page %p already busy",
                                      m));
  m->flags |= PG_BUSY;
}

void vm_page_xunbusy(struct vm_page *m)
{
  if (m->object != NULL)
    MTX_ASSERT_OWNED(&m->object->lock);
  KASSERT(m->flags & PG_BUSY, ("vm_page_xunbusy: page %p not busy", m));
  m->flags &= ~PG_BUSY;
  if (m->flags & PG_WANTED) {
    m->flags &= ~PG_WANTED;
    wakeup(m);
  }
}

// The wakeup comes from vm_page_xunbusy or vm_page_free under the object
// lock, which sleep_drop releases atomically, so it cannot be missed. One
// wakeup is enough: the page may be gone by then, and the caller looks it
// up again either way. So may the object: a fault holds no reference on
// the objects down its chain, one of which may collapse into its shadow
// and be freed meanwhile, so the lock is not taken again on waking.
void vm_page_busy_sleep(struct vm_page *m)
{
  struct vm_object *obj = m->object;

  KASSERT(obj != NULL, ("vm_page_busy_sleep: page %p has no object", m));
  MTX_ASSERT_OWNED(&obj->lock);
  KASSERT(m->flags & PG_BUSY, ("vm_page_busy_sleep: page %p not busy", m));
  m->flags |= PG_WANTED;
  sleep_drop(m, &obj->lock);
}

struct vm_page *PHYS_TO_VM_PAGE(paddr_t pa)
{
  if (pa < vm_page_base || pa - vm_page_base >= ptoa(vm_page_array_size))
    return NULL;
  return &vm_page_array[atop(pa - vm_page_base)];
}

// Cached pages are free pages: the pageout daemon's marks, vmstat and the
// leak checks all count them.
size_t vm_page_free_count(void)
{
  size_t n = __atomic_load_n(&vm_page_nfree, __ATOMIC_RELAXED);

  for (int i = 0; i < VM_PAGE_NCACHE; i++)
    n += __atomic_load_n(&vm_page_pcpu[i].count, __ATOMIC_RELAXED);
  return n;
}

size_t vm_page_total_count(void)
{
  return vm_page_array_size;
}
