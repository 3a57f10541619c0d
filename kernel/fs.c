// SPDX-License-Identifier: MIT
// The file system: blocks, inodes, file contents, directories, paths.
//
// Five layers, bottom up, all in this file:
//   blocks       balloc / bfree on the free bitmap
//   inodes       the inode cache, ialloc, ilock, iput, iupdate
//   contents     bmap (file block -> disk block), readi, writei, truncate
//   directories  dirlookup, dirlink: a directory is a file of dirents
//   paths        namei, nameiparent: walk "/a/b/c" from / or the cwd
// (buffers and the log are below, in bio.c and log.c).
//
// Inode life cycle. An in-memory inode exists while it is referenced
// (ref > 0): by an open file, a cwd, a running program (p->text), a file's
// page cache object, or a system call at work.
//
//   iget: find (dev, inum) in the cache and take a reference, or allocate
//         a new inode (kmem) with ref 1 and valid false; idup adds one.
//   ilock: the sleep lock; the first ilock reads the disk inode (valid).
//   iput: drop a reference. When the last one goes and no directory names
//         the inode (nlink == 0), its blocks and disk inode are freed first
//         -- so every iput may write: call it inside a transaction -- and
//         then the in-memory inode is freed.
//
// Holding a reference keeps the inode in memory but says nothing about
// its contents: only ilock gives those. There is no fixed table: memory
// is the only limit (see "The inode cache" below).
//
// Holes: a zero block address means "never written". Reading one gives
// zeros; writing allocates it. Truncation and ftruncate may leave holes.
// write() through the page cache allocates its blocks up front (ireserve),
// so a full disk shows as a short write, not as a failed write-back.
//
// Crashes: the log makes each transaction all or nothing, and the disk
// inode's size never covers a byte that has not reached the disk. write()
// gives its range blocks (zeroed, in one transaction) and grows ip->size
// before it copies into the cache; the bytes go to disk later, in the
// write-back's own transaction (writei), which is when the recorded size,
// ip->disksize, grows over them. Until then the size on disk is the old
// one: a crash in the middle of a write() leaves a prefix of it, never a
// tail of zeros (scripts/crash-test.sh). The blocks given meanwhile hang
// past the recorded end; they are freed with the file.
//
// Transaction sizes: a write() chunk of VNODE_RESERVE_CHUNK bytes
// (vnode_pager.c splits bigger writes) touches its data blocks, the inode
// block, one bitmap block and at most 3 indirect blocks, inside
// MAXOPBLOCKS; a truncation touches the inode, the bitmap, 3 indirect
// blocks and the last data block. Both bounds need the whole bitmap in
// one block: fsinit refuses bigger disks.
//
// Locking, in order: inode sleep lock (parent directory before child) ->
// buffer sleep locks -> itable.lock (spin) -> bcache.lock. itable.lock
// protects ref and the hash chains of every in-memory inode.
#include "fs.h"

#include "buf.h"
#include "file.h"
#include "lib/errno.h"
#include "lib/kassert.h"
#include "lib/kmem.h"
#include "lib/list.h"
#include "lib/string.h"
#include "param.h"
#include "proc.h"
#include "stat.h"
#include "vnode_cache.h"

CTASSERT(BSIZE % sizeof(struct dinode) == 0);
CTASSERT(BSIZE % sizeof(struct dirent) == 0);
CTASSERT(FSSIZE <= BPB);

static struct superblock sb;      // (c) read by fsinit
static const uint8_t zeroes[BSIZE];

void fsinit(int dev)
{
  struct buf *b = bread(dev, 1);
  memcpy(&sb, b->data, sizeof(sb));
  brelse(b);
  if (sb.magic != FSMAGIC)
    panic("fsinit: bad superblock magic %x on device %d", sb.magic, dev);
  if (sb.size > BPB)
    panic("fsinit: %u blocks need more than one bitmap block", sb.size);
  initlog(dev, &sb);
}

// ---------------------------------------------------------------------------
// Blocks.

static void bclear(uint32_t dev, uint32_t bno)
{
  struct buf *b = bgetblk(dev, bno);      // no need to read what we erase
  memset(b->data, 0, BSIZE);
  b->valid = true;
  log_write(b);
  brelse(b);
}

// A free data block, marked used and zeroed, or 0 when the disk is full.
// Inside a transaction.
static uint32_t balloc(uint32_t dev)
{
  for (uint32_t base = 0; base < sb.size; base += BPB) {
    struct buf *b = bread(dev, BBLOCK(base, sb));
    for (uint32_t bi = 0; bi < BPB && base + bi < sb.size; bi++) {
      uint8_t mask = 1u << (bi % 8);
      if (b->data[bi / 8] & mask)
        continue;
      b->data[bi / 8] |= mask;
      log_write(b);
      brelse(b);
      bclear(dev, base + bi);
      return base + bi;
    }
    brelse(b);
  }
  return 0;
}

static void bfree(uint32_t dev, uint32_t bno)
{
  struct buf *b = bread(dev, BBLOCK(bno, sb));
  uint32_t bi = bno % BPB;
  uint8_t mask = 1u << (bi % 8);
  if (!(b->data[bi / 8] & mask))
    panic("bfree: block %u already free", bno);
  b->data[bi / 8] &= ~mask;
  log_write(b);
  brelse(b);
}

// ---------------------------------------------------------------------------
// The inode cache.
//
// In-memory inodes come from a kmem zone, one per (dev, inum) in use, so
// how many files can be open, mapped or running at once is bounded by
// memory, not by a table. itable.hash finds an inode by (dev, inum). An
// inode is freed the moment its last reference goes: what it caches is a
// copy of its disk inode, which the buffer cache most likely still holds,
// and its page cache object holds a reference of its own, so nothing that
// is expensive to rebuild is lost. (Keeping unreferenced inodes around would
// also make the suites' leak checks see them as leaked kernel objects.)
// Out of memory, iget first evicts files from the page cache's list of
// unused ones (vnode_cache_evict: no I/O, no transaction, so fine
// under its callers' directory locks and transactions), oldest first;
// when none is left it fails and the caller reports ENFILE. It does not
// reclaim pages, because its callers hold directory locks and transactions.

#define IHASH 64                  // hash chains; a power of two

static struct {
  struct mtx lock;
  struct list_node hash[IHASH];   // (i) inodes in use, by (dev, inum)
} itable;

static struct kmem_zone *inode_zone;  // (c)

void iinit(void)
{
  mtx_init(&itable.lock, "itable");
  for (int i = 0; i < IHASH; i++)
    list_init(&itable.hash[i]);
  inode_zone = kmem_zone_create("inode", sizeof(struct inode));
}

static struct list_node *ihash_chain(uint32_t dev, uint32_t inum)
{
  return &itable.hash[(inum * 31 + dev) & (IHASH - 1)];
}

// The inode of (dev, inum) if one is in memory. Requires itable.lock.
static struct inode *ihash_lookup(uint32_t dev, uint32_t inum)
{
  struct list_node *chain = ihash_chain(dev, inum);

  MTX_ASSERT_OWNED(&itable.lock);
  for (struct list_node *n = chain->next; n != chain; n = n->next) {
    struct inode *ip = container_of(n, struct inode, hlink);
    if (ip->dev == dev && ip->inum == inum)
      return ip;
  }
  return NULL;
}

// The inode of (dev, inum) with a new reference, unlocked and maybe not
// yet read from disk; NULL when no memory is left for a new one. A new
// inode is allocated with no lock held, so another thread may enter the
// same one meanwhile: the second lookup then takes that one instead.
static struct inode *iget(uint32_t dev, uint32_t inum)
{
  struct inode *ip, *fresh;

  mtx_lock(&itable.lock);
  if ((ip = ihash_lookup(dev, inum)) != NULL) {
    ip->ref++;
    mtx_unlock(&itable.lock);
    return ip;
  }
  mtx_unlock(&itable.lock);
  // Out of memory: the page cache's unused files hold inodes; let the
  // oldest go, one at a time, before failing.
  while ((fresh = kmem_zalloc(inode_zone)) == NULL)
    if (!vnode_cache_evict())
      return NULL;
  sx_init(&fresh->lock, "inode");
  sx_init(&fresh->wlock, "inode write");
  mtx_lock(&itable.lock);
  if ((ip = ihash_lookup(dev, inum)) == NULL) {
    ip = fresh;
    fresh = NULL;
    ip->dev = dev;
    ip->inum = inum;
    list_insert_head(ihash_chain(dev, inum), &ip->hlink);
  }
  ip->ref++;
  mtx_unlock(&itable.lock);
  if (fresh != NULL)
    kmem_zfree(inode_zone, fresh);
  return ip;
}

// Allocate a free disk inode of the given type: 0 with *ipp referenced and
// unlocked, -ENOSPC when the disk has no free inode, or -ENFILE when there
// is no memory for the in-memory one. Inside a transaction.
int ialloc(uint32_t dev, short type, struct inode **ipp)
{
  for (uint32_t inum = 1; inum < sb.ninodes; inum++) {
    struct buf *b = bread(dev, IBLOCK(inum, sb));
    struct dinode *dip = (struct dinode *)b->data + inum % IPB;
    if (dip->type != 0) {
      brelse(b);
      continue;
    }
    struct inode *ip = iget(dev, inum);
    if (ip != NULL) {
      memset(dip, 0, sizeof(*dip));
      dip->type = type;
      log_write(b);
    }
    brelse(b);
    *ipp = ip;
    return ip != NULL ? 0 : -ENFILE;
  }
  return -ENOSPC;
}

// Copy a locked inode's fields to its disk inode. Inside a transaction.
void iupdate(struct inode *ip)
{
  SX_ASSERT_XLOCKED(&ip->lock);
  struct buf *b = bread(ip->dev, IBLOCK(ip->inum, sb));
  struct dinode *dip = (struct dinode *)b->data + ip->inum % IPB;
  dip->type = ip->type;
  dip->major = ip->major;
  dip->minor = ip->minor;
  dip->nlink = ip->nlink;
  dip->size = ip->disksize;
  memcpy(dip->addrs, ip->addrs, sizeof(ip->addrs));
  log_write(b);
  brelse(b);
}

struct inode *idup(struct inode *ip)
{
  mtx_lock(&itable.lock);
  KASSERT(ip->ref > 0, ("idup: inode %u not referenced", ip->inum));
  ip->ref++;
  mtx_unlock(&itable.lock);
  return ip;
}

// Lock a referenced inode, reading it from disk the first time.
void ilock(struct inode *ip)
{
  KASSERT(ip != NULL && ip->ref > 0, ("ilock: unreferenced inode"));
  sx_xlock(&ip->lock);
  if (ip->valid)
    return;
  struct buf *b = bread(ip->dev, IBLOCK(ip->inum, sb));
  struct dinode *dip = (struct dinode *)b->data + ip->inum % IPB;
  ip->type = dip->type;
  ip->major = dip->major;
  ip->minor = dip->minor;
  ip->nlink = dip->nlink;
  ip->size = ip->disksize = dip->size;
  memcpy(ip->addrs, dip->addrs, sizeof(ip->addrs));
  brelse(b);
  ip->valid = true;
  if (ip->type == 0)
    panic("ilock: inode %u is free on disk", ip->inum);
}

// ilock for a caller that must not sleep for it (the pageout daemon:
// vnode_pager.c): lock ip only if nobody holds it and it is already read
// in, which needs no disk read either. Returns whether ip is now locked.
bool ilock_try(struct inode *ip)
{
  KASSERT(ip != NULL && ip->ref > 0, ("ilock_try: unreferenced inode"));
  if (!sx_try_xlock(&ip->lock))
    return false;
  if (ip->valid)
    return true;
  sx_xunlock(&ip->lock);
  return false;
}

void iunlock(struct inode *ip)
{
  KASSERT(ip != NULL && ip->ref > 0, ("iunlock: unreferenced inode"));
  SX_ASSERT_XLOCKED(&ip->lock);
  sx_xunlock(&ip->lock);
}

static void itrunc_blocks(struct inode *ip, uint32_t keep);

// Drop a reference with itable.lock held (released on return); the last
// one frees the in-memory inode.
static void iput_memory(struct inode *ip)
{
  MTX_ASSERT_OWNED(&itable.lock);
  if (--ip->ref > 0) {            // ialloc may have found it meanwhile
    mtx_unlock(&itable.lock);
    return;
  }
  list_remove(&ip->hlink);
  mtx_unlock(&itable.lock);
  // Unreferenced, so nobody holds or waits for its lock; the page cache
  // object and every running program held references.
  KASSERT(ip->vmobj == NULL && ip->ntext == 0,
          ("iput: inode %u freed with an object or a running program",
           ip->inum));
  kmem_zfree(inode_zone, ip);
}

// Drop a reference. The last reference to an inode that no directory
// names frees it on disk; the last reference to any inode frees the
// in-memory copy. Inside a transaction.
void iput(struct inode *ip)
{
  mtx_lock(&itable.lock);
  KASSERT(ip->ref > 0, ("iput: inode %u not referenced", ip->inum));
  if (ip->ref == 1 && ip->valid && ip->nlink == 0) {
    // Ours is the only reference, so no one holds the lock or can find
    // the inode (no directory names it): the sleep lock cannot block.
    mtx_unlock(&itable.lock);
    sx_xlock(&ip->lock);
    itrunc_blocks(ip, 0);
    ip->size = ip->disksize = 0;
    ip->type = 0;
    iupdate(ip);
    ip->valid = false;
    sx_xunlock(&ip->lock);
    mtx_lock(&itable.lock);
  }
  iput_memory(ip);
}

// Drop a reference as iput does, but only when that writes nothing to
// the disk: true, or false (the reference kept) when it is the last
// reference to an inode no directory names. Needs no transaction, so the
// page cache may let go of an inode from any context (vnode_pager.c).
bool iput_nowrite(struct inode *ip)
{
  mtx_lock(&itable.lock);
  KASSERT(ip->ref > 0, ("iput_nowrite: inode %u not referenced", ip->inum));
  // With ref 1, ours, nobody else can reach the inode to change nlink.
  if (ip->ref == 1 && ip->valid && ip->nlink == 0) {
    mtx_unlock(&itable.lock);
    return false;
  }
  iput_memory(ip);
  return true;
}

void iunlockput(struct inode *ip)
{
  iunlock(ip);
  iput(ip);
}

// Fill all of *st, padding included: it is copied to user memory, and
// stray bytes of the kernel stack must not go with it.
void stati(struct inode *ip, struct stat *st)
{
  SX_ASSERT_XLOCKED(&ip->lock);
  memset(st, 0, sizeof(*st));
  st->dev = ip->dev;
  st->ino = ip->inum;
  st->type = ip->type;
  st->nlink = ip->nlink;
  st->size = ip->size;
}

// ---------------------------------------------------------------------------
// File contents.

// The address in slot *slot (of the inode, or of a locked indirect block
// when b is not NULL); with alloc, a missing block is allocated first.
// Returns 0 for a hole (or a full disk when allocating).
static uint32_t bmap_slot(struct inode *ip, uint32_t *slot, struct buf *b,
                          bool alloc)
{
  if (*slot == 0 && alloc) {
    *slot = balloc(ip->dev);
    if (*slot != 0 && b != NULL)
      log_write(b);
  }
  return *slot;
}

// Entry idx of indirect block ind.
static uint32_t bmap_ind(struct inode *ip, uint32_t ind, uint32_t idx, bool alloc)
{
  struct buf *b = bread(ip->dev, ind);
  uint32_t a = bmap_slot(ip, (uint32_t *)b->data + idx, b, alloc);
  brelse(b);
  return a;
}

// The disk block holding file block bn of a locked inode, allocating it
// and the indirect blocks on the way when alloc is set (the caller then
// calls iupdate). 0 for a hole, or when allocation finds the disk full.
static uint32_t bmap(struct inode *ip, uint32_t bn, bool alloc)
{
  if (bn < NDIRECT)
    return bmap_slot(ip, &ip->addrs[bn], NULL, alloc);
  bn -= NDIRECT;
  if (bn < NINDIRECT) {
    uint32_t ind = bmap_slot(ip, &ip->addrs[NDIRECT], NULL, alloc);
    return ind == 0 ? 0 : bmap_ind(ip, ind, bn, alloc);
  }
  bn -= NINDIRECT;
  KASSERT(bn < NDINDIRECT, ("bmap: block %u past MAXFILE", bn));
  uint32_t top = bmap_slot(ip, &ip->addrs[NDIRECT + 1], NULL, alloc);
  if (top == 0)
    return 0;
  uint32_t mid = bmap_ind(ip, top, bn / NINDIRECT, alloc);
  return mid == 0 ? 0 : bmap_ind(ip, mid, bn % NINDIRECT, alloc);
}

// Give every file block of [off, off + n) of a locked inode a disk block,
// allocating the missing ones (and the indirect blocks on the way) in
// order, and grow the size over what now has blocks. write() calls this
// before it dirties cached pages, so that write-back never needs a block
// it cannot get. Returns the bytes from off now backed: n, fewer when the
// disk filled part way (a block boundary), or -ENOSPC when the first
// block could not be had. Inside a transaction.
int ireserve(struct inode *ip, uint32_t off, uint32_t n)
{
  SX_ASSERT_XLOCKED(&ip->lock);
  KASSERT(ip->type == T_FILE && n > 0 && n - 1 <= MAXFILESIZE - off,
          ("ireserve: inode %u, bad range", ip->inum));
  uint32_t end = off + (n - 1);           // the last byte: no overflow
  uint32_t bn = off / BSIZE;
  for (; bn <= end / BSIZE; bn++)
    if (bmap(ip, bn, true) == 0)
      break;
  uint64_t backed = MIN((uint64_t)bn * BSIZE, (uint64_t)end + 1);
  if (backed > ip->size)
    ip->size = (uint32_t)backed;          // not disksize: see "Crashes"
  iupdate(ip);                            // bmap may have changed addrs
  return backed > off ? (int)(backed - off) : -ENOSPC;
}

// Does every file block of [off, off + n) of a locked inode have a disk
// block already (1 or 0)? Then ireserve has nothing to allocate.
int ibacked(struct inode *ip, uint32_t off, uint32_t n)
{
  SX_ASSERT_XLOCKED(&ip->lock);
  if (n == 0)
    return 1;
  for (uint32_t bn = off / BSIZE; bn <= (off + (n - 1)) / BSIZE; bn++)
    if (bmap(ip, bn, false) == 0)
      return 0;
  return 1;
}

// Free what indirect block ind maps from file block keep on (counted from
// the first block ind maps); depth 1 lists data blocks, depth 2 indirect
// blocks. With keep == 0 ind itself goes too. Returns whether it went.
static bool itrunc_ind(struct inode *ip, uint32_t ind, uint64_t keep, int depth)
{
  uint64_t span = depth == 1 ? 1 : NINDIRECT;   // file blocks per entry
  struct buf *b = bread(ip->dev, ind);
  uint32_t *a = (uint32_t *)b->data;
  bool changed = false;
  for (uint32_t i = 0; i < NINDIRECT; i++) {
    uint64_t first = i * span;
    if (a[i] == 0 || first + span <= keep)
      continue;
    if (depth == 1)
      bfree(ip->dev, a[i]);
    else if (!itrunc_ind(ip, a[i], keep > first ? keep - first : 0, 1))
      continue;
    a[i] = 0;
    changed = true;
  }
  if (keep == 0) {
    brelse(b);
    bfree(ip->dev, ind);
    return true;
  }
  if (changed)
    log_write(b);
  brelse(b);
  return false;
}

// Free every block of a locked inode from file block keep on. The caller
// sets the size and calls iupdate.
static void itrunc_blocks(struct inode *ip, uint32_t keep)
{
  for (uint32_t i = keep; i < NDIRECT; i++) {
    if (ip->addrs[i] != 0) {
      bfree(ip->dev, ip->addrs[i]);
      ip->addrs[i] = 0;
    }
  }
  uint64_t k = keep > NDIRECT ? keep - NDIRECT : 0;
  if (ip->addrs[NDIRECT] != 0 && k < NINDIRECT &&
      itrunc_ind(ip, ip->addrs[NDIRECT], k, 1))
    ip->addrs[NDIRECT] = 0;
  k = k > NINDIRECT ? k - NINDIRECT : 0;
  if (ip->addrs[NDIRECT + 1] != 0 && itrunc_ind(ip, ip->addrs[NDIRECT + 1], k, 2))
    ip->addrs[NDIRECT + 1] = 0;
}

int itruncate(struct inode *ip, uint32_t size)
{
  SX_ASSERT_XLOCKED(&ip->lock);
  if (ip->type != T_FILE)
    return -EINVAL;
  if (size < ip->size) {
    uint32_t keep = size / BSIZE + (size % BSIZE != 0);
    itrunc_blocks(ip, keep);
    // Zero the tail of the last block kept, so growing the file again
    // reads zeros there rather than the old bytes.
    uint32_t bno = size % BSIZE != 0 ? bmap(ip, size / BSIZE, false) : 0;
    if (bno != 0) {
      struct buf *b = bread(ip->dev, bno);
      memset(b->data + size % BSIZE, 0, BSIZE - size % BSIZE);
      log_write(b);
      brelse(b);
    }
  }
  // Shrinking: the disk keeps no byte past the end. Growing: the bytes
  // gained are zeros, and the end is recorded now; a byte below it that
  // write() has cached but not written back then reads as zero after a
  // crash, as a store through a mapping not yet msynced may.
  ip->disksize = size < ip->size ? MIN(ip->disksize, size) : size;
  ip->size = size;
  iupdate(ip);
  return 0;
}

// Read-ahead for a read of [off, off + n) that spans several blocks: bring
// up to BPREFETCH_MAX of its blocks in together rather than one disk round
// trip each. Returns the first file block it did not cover.
static uint32_t readi_prefetch(struct inode *ip, uint32_t off, uint32_t n)
{
  uint32_t first = off / BSIZE;
  uint32_t last = (off + n - 1) / BSIZE;
  if (last == first)
    return first + 1;
  uint32_t blocks[BPREFETCH_MAX];
  int k = 0;
  for (uint32_t bn = first; bn <= last && k < BPREFETCH_MAX; bn++)
    blocks[k++] = bmap(ip, bn, false);
  bprefetch(ip->dev, blocks, k);
  return first + k;
}

// readi and writei move bytes between a locked inode's blocks and kernel
// memory, never user memory: no inode lock is held across a user copy.
// Such a copy may fault and wait for a page that is being written back,
// whose writer waits for the log, which may be waiting for this very
// lock (file.c reads a directory through a kernel buffer for that).

int readi(struct inode *ip, void *dst, uint32_t off, uint32_t n)
{
  uint8_t *d = dst;
  uint32_t fetched = 0;           // file blocks below this were read ahead

  SX_ASSERT_XLOCKED(&ip->lock);
  if (off >= ip->size || n == 0)
    return 0;
  n = MIN(n, ip->size - off);
  for (uint32_t done = 0, m; done < n; done += m, off += m) {
    m = MIN(n - done, BSIZE - off % BSIZE);
    if (off / BSIZE >= fetched)
      fetched = readi_prefetch(ip, off, n - done);
    uint32_t bno = bmap(ip, off / BSIZE, false);
    struct buf *b = bno != 0 ? bread(ip->dev, bno) : NULL;
    memmove(d + done, b != NULL ? b->data + off % BSIZE : zeroes, m);
    if (b != NULL)
      brelse(b);
  }
  return (int)n;
}

int writei(struct inode *ip, const void *src, uint32_t off, uint32_t n)
{
  const uint8_t *s = src;
  uint32_t done = 0;
  int err = 0;

  SX_ASSERT_XLOCKED(&ip->lock);
  if (n > MAXFILESIZE - off)
    return -EFBIG;
  while (done < n) {
    uint32_t m = MIN(n - done, BSIZE - off % BSIZE);
    uint32_t bno = bmap(ip, off / BSIZE, true);
    if (bno == 0) {
      err = -ENOSPC;
      break;
    }
    struct buf *b = bread(ip->dev, bno);
    memmove(b->data + off % BSIZE, s + done, m);
    log_write(b);
    brelse(b);
    done += m;
    off += m;
  }
  if (off > ip->size)
    ip->size = off;
  if (off > ip->disksize)
    ip->disksize = off;           // written in this transaction
  iupdate(ip);                    // bmap may have changed addrs
  return done > 0 ? (int)done : err;
}

// ---------------------------------------------------------------------------
// Directories.

int namecmp(const char *s, const char *t)
{
  return strncmp(s, t, DIRSIZ);
}

// Look name up in the locked directory dp: 0 with *ipp referenced (and the
// entry's offset in *poff when poff is not NULL), -ENOENT, or -ENFILE when
// the inode cache is full.
int fs_dirlookup(struct inode *dp, const char *name, uint32_t *poff,
                 struct inode **ipp)
{
  SX_ASSERT_XLOCKED(&dp->lock);
  KASSERT(dp->type == T_DIR, ("fs_dirlookup: inode %u not a directory",
                              dp->inum));
  struct dirent de;
  for (uint32_t off = 0; off < dp->size; off += sizeof(de)) {
    if (readi(dp, &de, off, sizeof(de)) != sizeof(de))
      panic("fs_dirlookup: short read of directory %u", dp->inum);
    if (de.inum == 0 || namecmp(name, de.name) != 0)
      continue;
    if (poff != NULL)
      *poff = off;
    *ipp = iget(dp->dev, de.inum);
    return *ipp != NULL ? 0 : -ENFILE;
  }
  return -ENOENT;
}

struct inode *dirlookup(struct inode *dp, const char *name, uint32_t *poff)
{
  struct inode *ip;
  return fs_dirlookup(dp, name, poff, &ip) == 0 ? ip : NULL;
}

// Add (name, inum) to the locked directory dp, reusing a free slot. 0,
// -EEXIST, -ENFILE or -ENOSPC. Inside a transaction.
int dirlink(struct inode *dp, const char *name, uint32_t inum)
{
  struct inode *ip;
  int err = fs_dirlookup(dp, name, NULL, &ip);
  if (err == 0) {
    iput(ip);
    return -EEXIST;
  }
  if (err != -ENOENT)
    return err;

  struct dirent de;
  uint32_t off;
  for (off = 0; off < dp->size; off += sizeof(de)) {
    if (readi(dp, &de, off, sizeof(de)) != sizeof(de))
      panic("dirlink: short read of directory %u", dp->inum);
    if (de.inum == 0)
      break;
  }
  memset(&de, 0, sizeof(de));
  strncpy(de.name, name, DIRSIZ);
  de.inum = inum;
  if (writei(dp, &de, off, sizeof(de)) != sizeof(de))
    return -ENOSPC;
  return 0;
}

int dir_isempty(struct inode *dp)
{
  SX_ASSERT_XLOCKED(&dp->lock);
  struct dirent de;
  // Skip "." and "..".
  for (uint32_t off = 2 * sizeof(de); off < dp->size; off += sizeof(de)) {
    if (readi(dp, &de, off, sizeof(de)) != sizeof(de))
      panic("dir_isempty: short read of directory %u", dp->inum);
    if (de.inum != 0)
      return 0;
  }
  return 1;
}

// ---------------------------------------------------------------------------
// Paths.

// Copy the next element of *path into name (NUL-terminated) and advance
// *path past it and the slashes after it. Returns 1, 0 when no element is
// left, or -ENAMETOOLONG.
static int path_next(const char **path, char *name)
{
  const char *p = *path;
  while (*p == '/')
    p++;
  if (*p == '\0')
    return 0;
  const char *start = p;
  while (*p != '/' && *p != '\0')
    p++;
  size_t len = p - start;
  if (len > DIRSIZ)
    return -ENAMETOOLONG;
  memmove(name, start, len);
  name[len] = '\0';
  while (*p == '/')
    p++;
  *path = p;
  return 1;
}

// Walk path. With parent set, stop one level early: *ipp is the directory
// that holds the last element, whose name lands in name. Returns 0 with
// *ipp referenced and unlocked, or a negative errno.
static int namex(const char *path, bool parent, char *name, struct inode **ipp)
{
  if (*path == '\0')
    return -ENOENT;
  struct inode *ip = *path == '/' ? iget(ROOTDEV, ROOTINO) : idup(myproc()->cwd);
  if (ip == NULL)
    return -ENFILE;
  int r;
  while ((r = path_next(&path, name)) > 0) {
    ilock(ip);
    if (ip->type != T_DIR) {
      iunlockput(ip);
      return -ENOTDIR;
    }
    if (parent && *path == '\0') {
      iunlock(ip);
      *ipp = ip;
      return 0;
    }
    // A removed directory (a cwd unlinked under its process) keeps its
    // ".." entry, but the parent it names may be freed, even reused: no
    // way up from it (xv6's usertests unlinkcwd).
    struct inode *next;
    r = ip->nlink == 0 && namecmp(name, "..") == 0 ?
        -ENOENT : fs_dirlookup(ip, name, NULL, &next);
    iunlockput(ip);
    if (r < 0)
      return r;
    ip = next;
  }
  if (r < 0 || parent) {        // parent of "/" has no last element
    iput(ip);
    return r < 0 ? r : -ENOENT;
  }
  *ipp = ip;
  return 0;
}

int fs_namei(const char *path, struct inode **ipp)
{
  char name[DIRSIZ + 1];
  return namex(path, false, name, ipp);
}

int fs_nameiparent(const char *path, char *name, struct inode **ipp)
{
  return namex(path, true, name, ipp);
}

struct inode *namei(const char *path)
{
  struct inode *ip;
  return fs_namei(path, &ip) == 0 ? ip : NULL;
}

struct inode *nameiparent(const char *path, char *name)
{
  struct inode *ip;
  return fs_nameiparent(path, name, &ip) == 0 ? ip : NULL;
}
