// SPDX-License-Identifier: MIT
// The write-ahead log: every file-system change is all-or-nothing across a
// crash.
//
// Interface: a system call that changes the disk brackets its work with
// begin_op() / end_op() and, instead of bwrite, calls log_write(b) on each
// block it changed. log_write only records the block number and pins the
// buffer in the cache; nothing reaches the disk until commit.
//
// Group commit: operations run concurrently; the last one to call end_op
// commits the changes of all of them at once, while new operations wait.
// begin_op admits an operation only if the log has room for everything
// already recorded plus MAXOPBLOCKS for every operation still open, so a
// commit never overflows the log. Writing a block twice in a transaction
// takes one log slot (absorption).
//
// Commit, in an order that makes a crash at any point harmless:
//   1. write each changed block from the cache into its log slot;
//   2. write the header with the count n  -- the commit point;
//   3. write each block from the cache to its home location;
//   4. write the header with n = 0.
// A crash before 2 loses the transaction; after 2, recovery at boot
// (initlog) repeats step 3 from the log and then step 4. Steps 1 and 3
// each put all their writes in flight at once and wait for them together:
// the disk may do them in any order, but the header waits for all.
//
// On disk: block logstart holds the header, the next LOGBLOCKS blocks the
// logged copies, in the order of header.block[].
//
// Locking: fslog.lock (spin mutex) protects the counters and the header
// copy; operations sleep on &fslog while they wait. The commit itself runs
// without it, with committing set so that no operation starts meanwhile;
// it holds the sleep locks of the transaction's buffers from step 1 to 3
// (no operation holds any of them then: all have ended).
#include "buf.h"

#include "fs.h"
#include "lib/kassert.h"
#include "lib/lock.h"
#include "lib/string.h"
#include "param.h"
#include "virtio.h"

struct logheader {
  uint32_t n;                       // blocks in the committed transaction
  uint32_t block[LOGBLOCKS];        // their home block numbers
};
CTASSERT(sizeof(struct logheader) <= BSIZE);

// Locks: (l) fslog.lock, (c) constant after initlog, (k) the committer only.
static struct {
  struct mtx lock;
  uint32_t dev;                     // (c)
  uint32_t start;                   // (c) the header block
  int outstanding;                  // (l) operations between begin and end
  bool committing;                  // (l) a commit is running
  struct logheader lh;              // (l, k while committing) open transaction
} fslog;

// The header block is read and written through a buffer of the log's
// own, outside the cache, so a commit never waits for a cache buffer.
static struct buf headbuf;          // (k) and initlog

// Read the header from disk into fslog.lh.
static void log_read_head(void)
{
  sx_xlock(&headbuf.lock);
  headbuf.blockno = fslog.start;
  virtio_blk_rw(&headbuf, 0);
  memcpy(&fslog.lh, headbuf.data, sizeof(fslog.lh));
  sx_xunlock(&headbuf.lock);
  if (fslog.lh.n > LOGBLOCKS)
    panic("log_read_head: corrupt log header (n = %u)", fslog.lh.n);
}

// Write fslog.lh to disk. With n > 0 this is the commit point.
static void log_write_head(void)
{
  sx_xlock(&headbuf.lock);
  headbuf.blockno = fslog.start;
  memset(headbuf.data, 0, BSIZE);
  memcpy(headbuf.data, &fslog.lh, sizeof(fslog.lh));
  virtio_blk_rw(&headbuf, 1);
  sx_xunlock(&headbuf.lock);
}

// Recovery: copy each block of a committed transaction from its log slot
// to its home.
static void log_recover(void)
{
  log_read_head();
  for (uint32_t i = 0; i < fslog.lh.n; i++) {
    struct buf *slot = bread(fslog.dev, fslog.start + 1 + i);
    struct buf *home = bread(fslog.dev, fslog.lh.block[i]);
    memcpy(home->data, slot->data, BSIZE);
    bwrite(home);
    brelse(home);
    brelse(slot);
  }
  fslog.lh.n = 0;
  log_write_head();
}

void initlog(int dev, const struct superblock *sb)
{
  if (sb->nlog < LOGBLOCKS + 1)
    panic("initlog: log area of %u blocks is too small", sb->nlog);
  mtx_init(&fslog.lock, "log");
  sx_init(&headbuf.lock, "loghead");
  headbuf.dev = dev;
  fslog.dev = dev;
  fslog.start = sb->logstart;
  log_recover();
}

// Write each of the n locked buffers bs[] to block to[i] (or its home when
// to is NULL), all requests in flight together, and wait for them all.
static void log_write_all(struct buf **bs, uint32_t n, const uint32_t *to)
{
  for (uint32_t i = 0; i < n; i++)
    virtio_blk_start(bs[i], to != NULL ? to[i] : bs[i]->blockno, 1);
  for (uint32_t i = 0; i < n; i++)
    virtio_blk_wait(bs[i]);
}

// Commit the current transaction (steps 1-4 above). The changed blocks
// are pinned in the cache, so bread finds them without I/O; they stay
// locked until they are home. Only the committer touches fslog.lh while
// fslog.committing is set.
static void log_commit(void)
{
  uint32_t n = fslog.lh.n;
  if (n == 0)
    return;
  struct buf *bs[LOGBLOCKS];
  uint32_t slots[LOGBLOCKS];
  for (uint32_t i = 0; i < n; i++) {
    bs[i] = bread(fslog.dev, fslog.lh.block[i]);
    slots[i] = fslog.start + 1 + i;
  }
  log_write_all(bs, n, slots);      // 1
  log_write_head();                 // 2: committed
  log_write_all(bs, n, NULL);       // 3
  fslog.lh.n = 0;
  log_write_head();                 // 4
  for (uint32_t i = 0; i < n; i++) {
    bunpin(bs[i]);
    brelse(bs[i]);
  }
}

// May one more operation start now? Not while a commit runs, and only if
// the log has room for every outstanding operation's worst case. Requires
// fslog.lock.
static bool log_admits(void)
{
  MTX_ASSERT_OWNED(&fslog.lock);
  return !fslog.committing &&
         fslog.lh.n + (fslog.outstanding + 1) * MAXOPBLOCKS <= LOGBLOCKS;
}

void begin_op(void)
{
  mtx_lock(&fslog.lock);
  while (!log_admits())
    sleep(&fslog, &fslog.lock);
  fslog.outstanding++;
  mtx_unlock(&fslog.lock);
}

// begin_op for a caller that must not wait for other operations to end
// (the pageout daemon: one of them may be waiting for it to free memory).
// Returns whether the operation was admitted.
bool begin_op_try(void)
{
  bool ok;

  mtx_lock(&fslog.lock);
  if ((ok = log_admits()))
    fslog.outstanding++;
  mtx_unlock(&fslog.lock);
  return ok;
}

void end_op(void)
{
  mtx_lock(&fslog.lock);
  KASSERT(fslog.outstanding > 0, ("end_op: no operation open"));
  KASSERT(!fslog.committing, ("end_op: commit running"));
  bool commit = --fslog.outstanding == 0;
  if (commit)
    fslog.committing = true;
  else
    wakeup(&fslog);             // our reservation may let a waiter in
  mtx_unlock(&fslog.lock);
  if (!commit)
    return;

  log_commit();
  mtx_lock(&fslog.lock);
  fslog.committing = false;
  wakeup(&fslog);
  mtx_unlock(&fslog.lock);
}

void log_write(struct buf *b)
{
  SX_ASSERT_XLOCKED(&b->lock);
  mtx_lock(&fslog.lock);
  KASSERT(fslog.outstanding > 0, ("log_write: outside a transaction"));
  uint32_t i;
  for (i = 0; i < fslog.lh.n; i++)
    if (fslog.lh.block[i] == b->blockno)
      break;
  if (i == fslog.lh.n) {
    KASSERT(fslog.lh.n < LOGBLOCKS, ("log_write: transaction too big"));
    fslog.lh.block[fslog.lh.n++] = b->blockno;
    bpin(b);
  }
  mtx_unlock(&fslog.lock);
}
