// SPDX-License-Identifier: MIT
// The swap pager (swap_pager.h): anonymous pages on a block device.
//
// Two parts. The block allocator hands out blocks (one page each) of the
// device from a bitmap, next-fit from a cursor: swap_alloc returns the
// first run of free blocks at or after the cursor, cut to the length asked
// for, so a cluster of dirty pages usually gets one run and goes out in one
// request. Cost O(blocks scanned); full 64-bit words are skipped whole.
//
// The metadata says, per object and page index, which block holds the
// page. It lives in obj->swblks, an AVL tree of struct swblk, each covering
// SWB_NPAGES consecutive indexes from an aligned base: a sparse object
// pays only for the chunks it uses, lookups are O(log chunks). A chunk
// whose last block goes is freed, unless a page-out into it is in flight
// (writing > 0): putpages holds its chunks from before its I/O until it
// records the blocks after it, while the object's lock is dropped and
// other threads may empty or prune them. obj->swap_count counts the blocks.
//
// Life of a block: putpages writes a dirty page and records the block; the
// page is then clean and may be freed. getpages (or a read-ahead,
// swap_pager_ra.c) reads it back and keeps the block, so the page stays
// clean and can be freed again without a write --
// unless swap is almost full (below): then the block is freed and the page
// comes back dirty.
// The copy on swap is dropped when it goes stale or useless: the page is
// written again (putpages replaces the block), moved to another object or
// index (vm_object_page_rename), freed for good (vm_object_page_remove,
// MADV_FREE), or the object dies (dealloc); collapse moves a backing
// object's blocks into its shadow like its pages.
//
// Swap almost full (FreeBSD's swap_pager_almost_full): set when fewer than
// 1/32 of the blocks are free, cleared when more than 1/16 are again (the
// gap keeps it from flapping). While it is set, a copy of a resident page
// is a block nobody else can have: a process reading its memory round and
// round would keep swap full of copies of pages it holds in RAM, the daemon
// would always find such clean pages to free, and no pass would ever be
// futile (vm_pageout.c, "Out of memory") however long the process pages
// (xv6's usertests mem: half an hour). So swap holds only what RAM does
// not, and once both are truly full every resident anonymous page is
// dirty with nowhere to go: the passes are futile and the OOM rule kills.
//
// Locking: metadata under the object lock (o). The pages of getpages and
// putpages are busy; the object lock is dropped around the device I/O and
// taken again, and nothing looked up before is trusted after. swap_lock,
// a leaf, protects the bitmap and the counters.
#include "lib/avl.h"
#include "lib/kmem.h"
#include "lib/lock.h"
#include "lib/string.h"
#include "vm/pmap.h"
#include "vm/swap_pager.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"

#define SWB_NPAGES 16                 // indexes per metadata chunk

struct swblk {
  struct avl_node node;               // (o) in obj->swblks, by base
  vm_pindex_t base;                   // (o) first index, SWB_NPAGES aligned
  uint32_t used;                      // (o) slots holding a block
  uint32_t writing;                   // (o) slots with a page-out in flight
  swblk_t blk[SWB_NPAGES];            // (o) SWAPBLK_NONE when empty
};

static struct kmem_zone *swblk_zone;

// Locks: (s) swap_lock, (c) constant while attached.
static struct {
  struct mtx lock;
  const struct swap_device *dev;      // (c) NULL: no swap
  uint64_t *map;                      // (c) one bit per block, 1 = in use
  struct vm_page *map_pages;          // (c) the pages holding map
  int map_order;                      // (c)
  uint64_t nblocks;                   // (c)
  uint64_t cursor;                    // (s) where the next search starts
  uint64_t used;                      // (s)
  bool almost_full;                   // (s; read as a hint) "Swap almost full"
  bool write_failed;                  // (a) the last write failed
  uint64_t pageins, pageouts;         // (a)
  struct swblk *spare[64];            // (s) free chunks kept aside
  int nspare;                         // (s)
  struct swblk *spare_area;           // (c) where they live: swblk_alloc
  struct vm_page *spare_pages;        // (c) its pages
  int spare_order;                    // (c)
} swap;

// ---------------------------------------------------------------------------
// Metadata chunks. A page-out that needs a new chunk allocates it from
// kmem, and kmem is out of pages exactly when the pageout daemon runs
// hardest: without spares, every cluster of memory never paged out
// before failed for its metadata, and the daemon freed nothing with swap
// nearly empty (host test swap_pager/pageout_works_with_kernel_memory_out),
// two such passes making the out-of-memory rule kill a process. So a few
// spare chunks, enough for a pass to write a thousand pages, live in pages
// of their own taken when swap is attached, used only when kmem fails,
// and go back there when freed: kmem's counts and slabs are the same as
// without them.
#define SWB_SPARE ((int)(sizeof(swap.spare) / sizeof(swap.spare[0])))

static struct swblk *swblk_alloc(void)
{
  struct swblk *sb = kmem_zalloc(swblk_zone);

  if (sb != NULL)
    return sb;
  mtx_lock(&swap.lock);
  if (swap.nspare > 0)
    sb = swap.spare[--swap.nspare];
  mtx_unlock(&swap.lock);
  if (sb != NULL)
    memset(sb, 0, sizeof(*sb));
  return sb;
}

static void swblk_free(struct swblk *sb)
{
  if (sb < swap.spare_area || sb >= swap.spare_area + SWB_SPARE) {
    kmem_zfree(swblk_zone, sb);
    return;
  }
  mtx_lock(&swap.lock);
  swap.spare[swap.nspare++] = sb;
  mtx_unlock(&swap.lock);
}

// ---------------------------------------------------------------------------
// The block allocator.

static bool swap_bit(uint64_t b)
{
  return (swap.map[b / 64] >> (b % 64)) & 1;
}

static void swap_set_bits(uint64_t b, int n, bool on)
{
  for (int i = 0; i < n; i++, b++) {
    KASSERT(swap_bit(b) != on, ("swap: block %lu already %s",
                                (unsigned long)b, on ? "used" : "free"));
    if (on)
      swap.map[b / 64] |= 1ull << (b % 64);
    else
      swap.map[b / 64] &= ~(1ull << (b % 64));
  }
}

// The first free block at or after from (wrapping once), or nblocks.
static uint64_t swap_find_free(uint64_t from)
{
  for (uint64_t k = 0; k < swap.nblocks; k++) {
    uint64_t b = (from + k) % swap.nblocks;
    if (b % 64 == 0 && swap.map[b / 64] == UINT64_MAX && b + 64 <= swap.nblocks) {
      k += 63;                        // a full word: skip it whole
      continue;
    }
    if (!swap_bit(b))
      return b;
  }
  return swap.nblocks;
}

#define SWAP_LOW_DIV  32               // almost full below 1/32 free
#define SWAP_HIGH_DIV 16               // until above 1/16 free again

// Update swap.almost_full after used changed. (s) held.
static void swap_check_level(void)
{
  uint64_t free = swap.nblocks - swap.used;

  if (free < swap.nblocks / SWAP_LOW_DIV)
    __atomic_store_n(&swap.almost_full, true, __ATOMIC_RELAXED);
  else if (free > swap.nblocks / SWAP_HIGH_DIV)
    __atomic_store_n(&swap.almost_full, false, __ATOMIC_RELAXED);
}

// Allocate a run of at most *n consecutive blocks; *n becomes its length.
// Returns the first block, or SWAPBLK_NONE (and *n = 0) when swap is full.
static swblk_t swap_alloc(int *n)
{
  uint64_t b;
  int len = 0;

  mtx_lock(&swap.lock);
  b = swap_find_free(swap.cursor);
  if (b < swap.nblocks) {
    while (len < *n && b + len < swap.nblocks && !swap_bit(b + len))
      len++;
    swap_set_bits(b, len, true);
    swap.used += len;
    swap.cursor = b + len;
    swap_check_level();
  }
  mtx_unlock(&swap.lock);
  *n = len;
  return len > 0 ? (swblk_t)b : SWAPBLK_NONE;
}

static void swap_free(swblk_t b, int n)
{
  KASSERT(b != SWAPBLK_NONE && b + (uint64_t)n <= swap.nblocks,
          ("swap_free: blocks %u+%d out of range", b, n));
  mtx_lock(&swap.lock);
  swap_set_bits(b, n, false);
  swap.used -= n;
  swap_check_level();
  mtx_unlock(&swap.lock);
}

swblk_t swap_pager_reserve(int *n)
{
  return swap_alloc(n);
}

void swap_pager_release(swblk_t blk, int n)
{
  swap_free(blk, n);
}

// ---------------------------------------------------------------------------
// Per-object metadata.

static struct swblk *swblk_of(struct avl_node *n)
{
  return n == NULL ? NULL : container_of(n, struct swblk, node);
}

// The chunk of obj covering pindex; with create, make it if missing (NULL
// only when kernel memory is exhausted).
static struct swblk *swap_chunk(struct vm_object *obj, vm_pindex_t pindex,
                                bool create)
{
  vm_pindex_t base = pindex - pindex % SWB_NPAGES;
  struct avl_node **link = &obj->swblks.root, *parent = NULL;
  struct swblk *sb;

  while (*link != NULL) {
    parent = *link;
    sb = swblk_of(parent);
    if (sb->base == base)
      return sb;
    link = base < sb->base ? &parent->left : &parent->right;
  }
  if (!create || (sb = swblk_alloc()) == NULL)
    return NULL;
  sb->base = base;
  for (int i = 0; i < SWB_NPAGES; i++)
    sb->blk[i] = SWAPBLK_NONE;
  avl_insert(&obj->swblks, &sb->node, parent, link);
  return sb;
}

// Empty slot i of chunk sb of obj and return the block it held, still
// allocated (SWAPBLK_NONE if none). The chunk goes with its last block:
// *gone says so, and sb must not be touched again.
static swblk_t swap_slot_take(struct vm_object *obj, struct swblk *sb, int i,
                              bool *gone)
{
  swblk_t b = sb->blk[i];

  *gone = false;
  if (b == SWAPBLK_NONE)
    return b;
  sb->blk[i] = SWAPBLK_NONE;
  obj->swap_count--;
  if (--sb->used == 0 && sb->writing == 0) {
    avl_remove(&obj->swblks, &sb->node);
    swblk_free(sb);
    *gone = true;
  }
  return b;
}

// The same, freeing the block.
static bool swap_slot_clear(struct vm_object *obj, struct swblk *sb, int i)
{
  bool gone;
  swblk_t b = swap_slot_take(obj, sb, i, &gone);

  if (b != SWAPBLK_NONE)
    swap_free(b, 1);
  return gone;
}

swblk_t swap_pager_lookup(struct vm_object *obj, vm_pindex_t pindex)
{
  struct swblk *sb;

  MTX_ASSERT_OWNED(&obj->lock);
  if (obj->swap_count == 0)
    return SWAPBLK_NONE;
  sb = swap_chunk(obj, pindex, false);
  return sb == NULL ? SWAPBLK_NONE : sb->blk[pindex % SWB_NPAGES];
}

// Record that page pindex of obj is in block b, freeing the block it was
// in before. Its chunk exists: a page-out in flight holds it (writing),
// or a collapse prepared it.
static void swap_meta_set(struct vm_object *obj, vm_pindex_t pindex,
                          swblk_t b)
{
  struct swblk *sb = swap_chunk(obj, pindex, false);
  int i = (int)(pindex % SWB_NPAGES);

  KASSERT(sb != NULL, ("swap_meta_set: no chunk for %lu",
                       (unsigned long)pindex));
  if (sb->blk[i] != SWAPBLK_NONE) {
    swap_free(sb->blk[i], 1);
  } else {
    sb->used++;
    obj->swap_count++;
  }
  sb->blk[i] = b;
}

// The first chunk of obj covering an index >= pindex, or NULL: a descent,
// not a walk of every chunk before it (each write to a page read back frees
// its block).
static struct swblk *swap_chunk_ge(struct vm_object *obj, vm_pindex_t pindex)
{
  vm_pindex_t base = pindex - pindex % SWB_NPAGES;
  struct avl_node *n = obj->swblks.root, *found = NULL;

  while (n != NULL) {
    bool ge = swblk_of(n)->base >= base;   // n a candidate: look lower
    found = ge ? n : found;
    n = ge ? n->left : n->right;
  }
  return swblk_of(found);
}

void swap_pager_free_range(struct vm_object *obj, vm_pindex_t start,
                           vm_pindex_t end)
{
  struct swblk *sb, *next;

  MTX_ASSERT_OWNED(&obj->lock);
  if (obj->swap_count == 0)
    return;
  for (sb = swap_chunk_ge(obj, start); sb != NULL && obj->swap_count > 0;
       sb = next) {
    next = swblk_of(avl_next(&sb->node));
    if (end != 0 && sb->base >= end)
      break;
    for (int i = 0; i < SWB_NPAGES; i++) {
      vm_pindex_t p = sb->base + (vm_pindex_t)i;
      if (p >= start && (end == 0 || p < end) && swap_slot_clear(obj, sb, i))
        break;                        // sb is gone
    }
  }
}

// ---------------------------------------------------------------------------
// Collapse and bypass (vm_object.c calls these with both objects locked).

// Where backing index bp shows in obj, as vm_object_in_window says.
static bool swap_in_window(struct vm_object *obj, vm_pindex_t bp,
                           vm_pindex_t *pindex)
{
  vm_pindex_t first = atop(obj->backing_offset);

  if (bp < first || bp - first >= obj->size)
    return false;
  *pindex = bp - first;
  return true;
}

static bool swap_obj_has(struct vm_object *obj, vm_pindex_t pindex)
{
  return vm_object_page_lookup(obj, pindex) != NULL ||
         swap_pager_lookup(obj, pindex) != SWAPBLK_NONE;
}

// Free the chunks of obj that were made for blocks that never came (a
// collapse that could not be prepared, a failed page-out), except those a
// page-out in flight still holds.
static void swap_prune(struct vm_object *obj)
{
  struct avl_node *n, *next;

  for (n = avl_first(&obj->swblks); n != NULL; n = next) {
    next = avl_next(n);
    if (swblk_of(n)->used == 0 && swblk_of(n)->writing == 0) {
      avl_remove(&obj->swblks, n);
      swblk_free(swblk_of(n));
    }
  }
}

// Does fn hold at every page of obj through which one of backing's swap
// blocks shows? Stops at the first where it does not. Both locked.
static bool swap_every_visible(struct vm_object *obj,
                               struct vm_object *backing,
                               bool (*fn)(struct vm_object *, vm_pindex_t))
{
  vm_pindex_t pindex;

  for (struct avl_node *n = avl_first(&backing->swblks); n != NULL;
       n = avl_next(n)) {
    struct swblk *sb = swblk_of(n);
    for (int i = 0; i < SWB_NPAGES; i++)
      if (sb->blk[i] != SWAPBLK_NONE &&
          swap_in_window(obj, sb->base + (vm_pindex_t)i, &pindex) &&
          !fn(obj, pindex))
        return false;
  }
  return true;
}

static bool swap_chunk_made(struct vm_object *obj, vm_pindex_t pindex)
{
  return swap_chunk(obj, pindex, true) != NULL;
}

bool swap_pager_collapse_prepare(struct vm_object *obj,
                                 struct vm_object *backing)
{
  MTX_ASSERT_OWNED(&obj->lock);
  MTX_ASSERT_OWNED(&backing->lock);
  if (swap_every_visible(obj, backing, swap_chunk_made))
    return true;
  swap_prune(obj);
  return false;
}

void swap_pager_collapse(struct vm_object *obj, struct vm_object *backing)
{
  struct avl_node *n;
  vm_pindex_t pindex;
  swblk_t b;
  bool gone = false;

  MTX_ASSERT_OWNED(&obj->lock);
  MTX_ASSERT_OWNED(&backing->lock);
  while ((n = avl_first(&backing->swblks)) != NULL) {
    struct swblk *sb = swblk_of(n);
    // backing's pages are idle (vm_object_collapse_movable), so none is
    // being written, and every chunk goes with its last block.
    KASSERT(sb->writing == 0, ("swap_pager_collapse: object %u is paging "
                               "out", backing->id));
    for (int i = 0; i < SWB_NPAGES; i++) {
      vm_pindex_t bp = sb->base + (vm_pindex_t)i;
      if ((b = swap_slot_take(backing, sb, i, &gone)) == SWAPBLK_NONE)
        continue;
      // The page shows through obj there and obj has nothing of its own:
      // the block moves (swap_pager_collapse_prepare made its chunk).
      if (swap_in_window(obj, bp, &pindex) && !swap_obj_has(obj, pindex)) {
        swap_pager_make_swap(obj);
        swap_meta_set(obj, pindex, b);
      } else {
        swap_free(b, 1);
      }
      if (gone)
        break;
    }
  }
  KASSERT(backing->swap_count == 0, ("swap_pager_collapse: object %u keeps "
                                     "%u blocks", backing->id, backing->swap_count));
  swap_prune(obj);
}

bool swap_pager_covered(struct vm_object *obj, struct vm_object *backing)
{
  MTX_ASSERT_OWNED(&obj->lock);
  MTX_ASSERT_OWNED(&backing->lock);
  return swap_every_visible(obj, backing, swap_obj_has);
}

// ---------------------------------------------------------------------------
// The pager operations (vm_pager.h).

// How many of the pages next to pindex, one way (dir = +1 or -1), lie in
// the blocks next to b: what one read can bring in with it.
static int swap_pager_run(struct vm_object *obj, vm_pindex_t pindex,
                          swblk_t b, int dir)
{
  int n = 0;

  while (n < SWAP_CLUSTER_MAX - 1) {
    vm_pindex_t p = pindex + (vm_pindex_t)(dir * (n + 1));
    swblk_t want = b + (swblk_t)(dir * (n + 1));
    if ((dir < 0 && pindex < (vm_pindex_t)(n + 1)) ||
        swap_pager_lookup(obj, p) != want)
      break;
    n++;
  }
  return n;
}

static bool swap_pager_haspage(struct vm_object *obj, vm_pindex_t pindex,
                               int *before, int *after)
{
  swblk_t b = swap_pager_lookup(obj, pindex);

  if (before != NULL)
    *before = b == SWAPBLK_NONE ? 0 : swap_pager_run(obj, pindex, b, -1);
  if (after != NULL)
    *after = b == SWAPBLK_NONE ? 0 : swap_pager_run(obj, pindex, b, +1);
  return b != SWAPBLK_NONE;
}

// Move ma[0..count-1] to or from blocks b.. with obj's lock dropped (the
// pages are busy). Returns the device's answer.
static int swap_pager_io(struct vm_object *obj, swblk_t b, struct vm_page **ma,
                         int count, bool write)
{
  int rv;

  mtx_unlock(&obj->lock);
  rv = swap.dev->io(swap.dev, b, ma, count, write);
  mtx_lock(&obj->lock);
  if (write)
    __atomic_store_n(&swap.write_failed, rv != 0, __ATOMIC_RELAXED);
  if (rv == 0)                        // the counters count pages moved
    __atomic_fetch_add(write ? &swap.pageouts : &swap.pageins,
                       (uint64_t)count, __ATOMIC_RELAXED);
  return rv;
}

// With swap almost full, give up the blocks of the pages ma[0..count-1]
// (busy, of obj, locked) just read, until it is not: each such page is
// then the only copy, dirty. Only once the read succeeded: on a failure the
// caller frees the pages.
static void swap_pager_unswap(struct vm_object *obj, struct vm_page **ma,
                              int count)
{
  struct swblk *sb;

  for (int k = 0; k < count && swap_pager_almost_full(); k++) {
    if ((ma[k]->flags & PG_VALID) == 0 ||
        (sb = swap_chunk(obj, ma[k]->pindex, false)) == NULL)
      continue;
    (void)swap_slot_clear(obj, sb, (int)(ma[k]->pindex % SWB_NPAGES));
    vm_page_dirty(ma[k]);
  }
}

// Read-around: ma[] are busy pages at consecutive indexes; each run of
// them whose blocks are consecutive is read in one request. Pages with no
// block are left invalid. The blocks are kept, the pages come back clean,
// unless swap is almost full (swap_pager_unswap).
static int swap_pager_getpages(struct vm_object *obj, struct vm_page **ma,
                               int count, int reqpage)
{
  swblk_t b[SWAP_CLUSTER_MAX + 8];
  int i = 0, n, rv = VM_PAGER_FAIL;

  KASSERT(count <= (int)(sizeof(b) / sizeof(b[0])),
          ("swap_pager_getpages: %d pages", count));
  for (int k = 0; k < count; k++)
    b[k] = swap_pager_lookup(obj, ma[k]->pindex);
  while (i < count) {
    if (b[i] == SWAPBLK_NONE) {
      i++;
      continue;
    }
    for (n = 1; i + n < count && b[i + n] == b[i] + (swblk_t)n; n++)
      ;
    if (swap_pager_io(obj, b[i], &ma[i], n, false) == 0) {
      for (int k = i; k < i + n; k++)
        ma[k]->flags |= PG_VALID;
    } else if (reqpage >= i && reqpage < i + n) {
      rv = VM_PAGER_ERROR;
    }
    i += n;
  }
  if ((ma[reqpage]->flags & PG_VALID) != 0) {
    rv = VM_PAGER_OK;
    swap_pager_unswap(obj, ma, count);
  }
  return rv;
}

// Let go of the chunks of ma[0..n-1] that swap_write_begin held, freeing
// those left empty (their blocks may have gone while we wrote).
static void swap_write_release(struct vm_object *obj, struct vm_page **ma,
                               int n)
{
  struct swblk *sb;

  for (int k = 0; k < n; k++) {
    sb = swap_chunk(obj, ma[k]->pindex, false);
    if (--sb->writing == 0 && sb->used == 0) {
      avl_remove(&obj->swblks, &sb->node);
      swblk_free(sb);
    }
  }
}

// Hold the chunks of ma[0..n-1] for a write (make them if missing), so
// they are there to record its blocks whatever happens to the object's
// other blocks meanwhile. False, holding none, when kernel memory is out.
static bool swap_write_begin(struct vm_object *obj, struct vm_page **ma, int n)
{
  struct swblk *sb;

  for (int k = 0; k < n; k++) {
    if ((sb = swap_chunk(obj, ma[k]->pindex, true)) == NULL) {
      swap_write_release(obj, ma, k);
      return false;
    }
    sb->writing++;
  }
  return true;
}

// Write ma[i..i+n-1] to one fresh run of blocks (n is cut to the run
// found). Records the blocks on success; on failure frees them again.
static int swap_pager_put_run(struct vm_object *obj, struct vm_page **ma,
                              int *n)
{
  swblk_t b = swap_alloc(n);

  if (b == SWAPBLK_NONE)
    return VM_PAGER_NOSPACE;
  if (!swap_write_begin(obj, ma, *n)) {
    swap_free(b, *n);
    return VM_PAGER_ERROR;            // no kernel memory for the metadata
  }
  if (swap_pager_io(obj, b, ma, *n, true) != 0) {
    swap_write_release(obj, ma, *n);
    swap_free(b, *n);
    return VM_PAGER_ERROR;
  }
  for (int k = 0; k < *n; k++)
    swap_meta_set(obj, ma[k]->pindex, b + (swblk_t)k);
  swap_write_release(obj, ma, *n);
  return VM_PAGER_OK;
}

static int swap_pager_putpages(struct vm_object *obj, struct vm_page **ma,
                               int count, int flags, int *rtvals)
{
  int i = 0, n, rv, first = VM_PAGER_OK;

  (void)flags;                        // every write is synchronous
  while (i < count) {
    n = MIN(count - i, SWAP_CLUSTER_MAX);
    rv = swap_pager_put_run(obj, &ma[i], &n);
    if (rv != VM_PAGER_OK)
      n = count - i;                  // give up on the rest: try later
    for (int k = i; k < i + n; k++)
      rtvals[k] = rv;
    if (first == VM_PAGER_OK)
      first = rv;
    i += n;
  }
  return first;
}

static void swap_pager_dealloc(struct vm_object *obj)
{
  swap_pager_free_range(obj, 0, 0);
  swap_prune(obj);
}

static const struct vm_pager_ops swap_pager_ops = {
  .name = "swap",
  .getpages = swap_pager_getpages,
  .putpages = swap_pager_putpages,
  .haspage = swap_pager_haspage,
  .dealloc = swap_pager_dealloc,
};

// ---------------------------------------------------------------------------
// Attaching, statistics, checks.

bool swap_pager_startup(const struct swap_device *dev)
{
  size_t bytes;
  int order = 0;

  KASSERT(swap.dev == NULL && dev != NULL && dev->nblocks > 0,
          ("swap_pager_startup: bad or second device"));
  if (swblk_zone == NULL)
    swblk_zone = kmem_zone_create("swblk", sizeof(struct swblk));
  mtx_init(&swap.lock, "swap");
  swap.nblocks = MIN(dev->nblocks, (uint64_t)SWAPBLK_NONE);
  bytes = (size_t)((swap.nblocks + 63) / 64 * 8);
  while (order < VM_NFREEORDER - 1 && ((size_t)PAGE_SIZE << order) < bytes)
    order++;
  if (((size_t)PAGE_SIZE << order) < bytes)
    swap.nblocks = (uint64_t)(PAGE_SIZE << order) * 8;   // use what fits
  if ((swap.map_pages = vm_page_alloc_contig(order)) == NULL)
    return false;
  swap.map_order = order;
  swap.map = pmap_page_kva(swap.map_pages);
  memset(swap.map, 0, (size_t)PAGE_SIZE << order);
  swap.cursor = swap.used = swap.pageins = swap.pageouts = 0;
  swap.almost_full = swap.write_failed = false;
  swap.nspare = swap.spare_order = 0;
  while (((size_t)PAGE_SIZE << swap.spare_order) <
         SWB_SPARE * sizeof(struct swblk))
    swap.spare_order++;
  if ((swap.spare_pages = vm_page_alloc_contig(swap.spare_order)) == NULL) {
    vm_page_free_contig(swap.map_pages, swap.map_order);
    return false;
  }
  swap.spare_area = pmap_page_kva(swap.spare_pages);
  for (; swap.nspare < SWB_SPARE; swap.nspare++)
    swap.spare[swap.nspare] = swap.spare_area + swap.nspare;
  swap.dev = dev;
  vm_pager_register(OBJT_SWAP, &swap_pager_ops);
  return true;
}

void swap_pager_shutdown(void)
{
  if (swap.dev == NULL)
    return;
  KASSERT(swap.used == 0, ("swap_pager_shutdown: %lu blocks in use",
                           (unsigned long)swap.used));
  vm_page_free_contig(swap.map_pages, swap.map_order);
  KASSERT(swap.nspare == SWB_SPARE, ("swap_pager_shutdown: %d spare "
                                      "chunks in use", SWB_SPARE - swap.nspare));
  vm_page_free_contig(swap.spare_pages, swap.spare_order);
  swap.map = NULL;
  swap.dev = NULL;
  vm_pager_register_default(OBJT_SWAP);
}

const struct swap_device *swap_pager_device(void)
{
  return swap.dev;
}

void swap_pager_count_pageins(int n)
{
  __atomic_fetch_add(&swap.pageins, (uint64_t)n, __ATOMIC_RELAXED);
}

bool swap_pager_available(void)
{
  return swap.dev != NULL;
}

bool swap_pager_full(void)
{
  return __atomic_load_n(&swap.used, __ATOMIC_RELAXED) >= swap.nblocks;
}

bool swap_pager_almost_full(void)
{
  return __atomic_load_n(&swap.almost_full, __ATOMIC_RELAXED);
}

bool swap_pager_write_failed(void)
{
  return __atomic_load_n(&swap.write_failed, __ATOMIC_RELAXED);
}

void swap_pager_retry_writes(void)
{
  __atomic_store_n(&swap.write_failed, false, __ATOMIC_RELAXED);
}

void swap_pager_make_swap(struct vm_object *obj)
{
  MTX_ASSERT_OWNED(&obj->lock);
  KASSERT((obj->flags & OBJ_ANON) != 0 && swap.dev != NULL,
          ("swap_pager_make_swap: object %u is not anonymous", obj->id));
  obj->type = OBJT_SWAP;
}

void swap_pager_stats(struct swap_stats *st)
{
  st->total = swap.dev == NULL ? 0 : swap.nblocks;
  st->used = __atomic_load_n(&swap.used, __ATOMIC_RELAXED);
  st->pageins = __atomic_load_n(&swap.pageins, __ATOMIC_RELAXED);
  st->pageouts = __atomic_load_n(&swap.pageouts, __ATOMIC_RELAXED);
}

void swap_pager_check(struct vm_object *obj)
{
  struct avl_node *n;
  uint32_t total = 0, used;

  MTX_ASSERT_OWNED(&obj->lock);
  for (n = avl_first(&obj->swblks); n != NULL; n = avl_next(n)) {
    struct swblk *sb = swblk_of(n);
    used = 0;
    KASSERT(sb->base % SWB_NPAGES == 0 && (sb->used > 0 || sb->writing > 0),
            ("swap_pager_check: object %u has a bad chunk at %lu", obj->id,
             (unsigned long)sb->base));
    for (int i = 0; i < SWB_NPAGES; i++) {
      if (sb->blk[i] == SWAPBLK_NONE)
        continue;
      KASSERT(swap.dev != NULL && sb->blk[i] < swap.nblocks &&
              swap_bit(sb->blk[i]),
              ("swap_pager_check: object %u page %lu in free block %u",
               obj->id, (unsigned long)(sb->base + i), sb->blk[i]));
      used++;
    }
    KASSERT(used == sb->used, ("swap_pager_check: chunk count"));
    total += used;
  }
  KASSERT(total == obj->swap_count && (total == 0 || obj->type == OBJT_SWAP),
          ("swap_pager_check: object %u has %u blocks, count %u", obj->id,
           total, obj->swap_count));
}
