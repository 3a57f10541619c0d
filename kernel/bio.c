// SPDX-License-Identifier: MIT
// The buffer cache: NBUF block-sized buffers in front of the disk.
//
// Interface (buf.h): bread(dev, blockno) gives the block locked and valid;
// change it and log_write it (or bwrite, for the log itself); brelse when
// done. When every buffer is referenced, bread sleeps until one is
// released. NBUF leaves room for the LOGBLOCKS buffers the log may pin
// plus the few that each running operation holds at once. bgetblk skips
// the read for a block about to be overwritten; bprefetch reads several
// blocks with all requests in flight together (readi's read-ahead).
//
// Invariants: a (dev, blockno) is in at most one buffer; a buffer with
// refcnt > 0 keeps its identity; only the holder of a buffer's sleep lock
// reads or writes its data or starts I/O on it.
//
// Replacement is LRU: the list runs from most to least recently released,
// and a miss recycles the unreferenced buffer nearest the tail. Lookups are
// a linear walk, fine for about a hundred buffers.
//
// Locking: bcache.lock (spin mutex) protects the list and every buffer's
// identity and refcnt; it is never held while sleeping on a buffer's lock
// or on the disk. Order: buffer sleep lock -> bcache.lock.
#include "buf.h"

#include "lib/kassert.h"
#include "lib/lock.h"
#include "param.h"
#include "virtio.h"

static struct {
  struct mtx lock;
  struct list_node lru;           // (b) most recently used first
  struct buf buf[NBUF];
} bcache;

void binit(void)
{
  mtx_init(&bcache.lock, "bcache");
  list_init(&bcache.lru);
  for (int i = 0; i < NBUF; i++) {
    struct buf *b = &bcache.buf[i];
    sx_init(&b->lock, "buf");
    list_insert_tail(&bcache.lru, &b->lru);
  }
}

// The cached buffer for (dev, blockno) with a new reference, or a recycled
// one renamed to it (not valid); NULL when every buffer is referenced.
// Returns it unlocked. Requires bcache.lock.
static struct buf *bget_locked(uint32_t dev, uint32_t blockno)
{
  struct list_node *n;
  // A buffer names its block while referenced, and after release as long
  // as its contents are valid (then they are the block's).
  list_for_each(n, &bcache.lru) {
    struct buf *b = container_of(n, struct buf, lru);
    if ((b->refcnt > 0 || b->valid) && b->dev == dev && b->blockno == blockno) {
      b->refcnt++;
      return b;
    }
  }
  for (n = bcache.lru.prev; n != &bcache.lru; n = n->prev) {
    struct buf *b = container_of(n, struct buf, lru);
    if (b->refcnt == 0) {
      b->dev = dev;
      b->blockno = blockno;
      b->valid = false;
      b->refcnt = 1;
      return b;
    }
  }
  return NULL;
}

struct buf *bread(uint32_t dev, uint32_t blockno)
{
  mtx_lock(&bcache.lock);
  struct buf *b;
  while ((b = bget_locked(dev, blockno)) == NULL)
    sleep(&bcache, &bcache.lock);   // every buffer is in use: wait for one
  mtx_unlock(&bcache.lock);
  sx_xlock(&b->lock);
  if (!b->valid) {
    virtio_blk_rw(b, 0);
    b->valid = true;
  }
  return b;
}

struct buf *bgetblk(uint32_t dev, uint32_t blockno)
{
  mtx_lock(&bcache.lock);
  struct buf *b;
  while ((b = bget_locked(dev, blockno)) == NULL)
    sleep(&bcache, &bcache.lock);
  mtx_unlock(&bcache.lock);
  sx_xlock(&b->lock);
  return b;
}

// Take a reference to each uncached block of blocks[0..n) that no one else
// is using; they go in bs[]. Returns how many. Requires bcache.lock.
static int bprefetch_collect(uint32_t dev, const uint32_t *blocks, int n,
                             struct buf **bs)
{
  int k = 0;
  for (int i = 0; i < n; i++) {
    if (blocks[i] == 0)
      continue;
    struct buf *b = bget_locked(dev, blocks[i]);
    if (b == NULL)
      break;
    if (b->refcnt == 1 && !b->valid)
      bs[k++] = b;
    else
      b->refcnt--;
  }
  return k;
}

// Read-ahead. Every buffer taken is referenced only by us, so locking it
// cannot wait on another reader's I/O (at worst on a bread that got in
// between, after which the buffer is valid and skipped).
void bprefetch(uint32_t dev, const uint32_t *blocks, int n)
{
  struct buf *bs[BPREFETCH_MAX];
  KASSERT(n <= BPREFETCH_MAX, ("bprefetch: %d blocks", n));
  mtx_lock(&bcache.lock);
  int k = bprefetch_collect(dev, blocks, n, bs);
  mtx_unlock(&bcache.lock);
  bool started[BPREFETCH_MAX];
  for (int i = 0; i < k; i++) {
    sx_xlock(&bs[i]->lock);
    started[i] = !bs[i]->valid;
    if (started[i])
      virtio_blk_start(bs[i], bs[i]->blockno, 0);
  }
  for (int i = 0; i < k; i++) {
    if (started[i]) {
      virtio_blk_wait(bs[i]);
      bs[i]->valid = true;
    }
    brelse(bs[i]);
  }
}

// Write b's contents to its home block now. Requires b locked.
void bwrite(struct buf *b)
{
  SX_ASSERT_XLOCKED(&b->lock);
  virtio_blk_rw(b, 1);
}

// Unlock b and drop the caller's reference; an unreferenced buffer moves
// to the head of the LRU list (the last to be recycled).
void brelse(struct buf *b)
{
  SX_ASSERT_XLOCKED(&b->lock);
  sx_xunlock(&b->lock);
  mtx_lock(&bcache.lock);
  KASSERT(b->refcnt > 0, ("brelse: block %u not referenced", b->blockno));
  if (--b->refcnt == 0) {
    list_remove(&b->lru);
    list_insert_head(&bcache.lru, &b->lru);
    wakeup(&bcache);
  }
  mtx_unlock(&bcache.lock);
}

void bpin(struct buf *b)
{
  mtx_lock(&bcache.lock);
  b->refcnt++;
  mtx_unlock(&bcache.lock);
}

void bunpin(struct buf *b)
{
  mtx_lock(&bcache.lock);
  KASSERT(b->refcnt > 0, ("bunpin: block %u not referenced", b->blockno));
  if (--b->refcnt == 0)
    wakeup(&bcache);
  mtx_unlock(&bcache.lock);
}
