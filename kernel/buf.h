// SPDX-License-Identifier: MIT
// The buffer cache (kernel/bio.c) and the log's block interface
// (kernel/log.c).
//
// A struct buf holds one disk block. bread returns it locked (its sleep
// lock held exclusively by the caller), with valid contents; the caller may
// read or change data, must pass a changed block to log_write (inside a
// transaction) or bwrite (the log itself), and gives it back with brelse.
// A block is cached in at most one buf, so holding its lock serialises all
// users of that block.
//
// Locks: (b) bcache.lock, the cache's spin mutex; (s) the buf's own sleep
// lock; (d) the disk driver's lock while a request is in flight.
#ifndef KERNEL_BUF_H
#define KERNEL_BUF_H

#include "fs.h"
#include "lib/list.h"
#include "lib/lock.h"

struct buf {
  struct sx lock;             // held by the one user of data
  struct list_node lru;       // (b) in bcache's list, most recent first
  uint32_t dev;               // (b) which block: set while refcnt > 0
  uint32_t blockno;           // (b)
  uint32_t refcnt;            // (b) users + log pins
  bool valid;                 // (s) data holds the disk's contents
  volatile bool disk;         // (d) owned by the disk until it completes
  uint8_t disk_status;        // (d) VIRTIO_BLK_S_* of the last request
  uint8_t data[BSIZE] __attribute__((aligned(16)));  // (s)
};

void binit(void);
struct buf *bread(uint32_t dev, uint32_t blockno);
void bwrite(struct buf *b);
// The buffer of a block, locked but not read: for a caller that fills the
// whole block and then sets valid.
struct buf *bgetblk(uint32_t dev, uint32_t blockno);
// Read ahead: bring the uncached blocks among blocks[0..n) (0 entries are
// skipped) into the cache with all the reads in flight together, and wait
// for them. n <= BPREFETCH_MAX.
#define BPREFETCH_MAX 32
void bprefetch(uint32_t dev, const uint32_t *blocks, int n);
void brelse(struct buf *b);
// Keep b cached while the log holds a change to it.
void bpin(struct buf *b);
void bunpin(struct buf *b);

// Log a change to b: it reaches its home block at commit. Inside a
// transaction, with b locked (kernel/log.c).
void log_write(struct buf *b);
// Replay a committed transaction left by a crash (called by fsinit).
struct superblock;
void initlog(int dev, const struct superblock *sb);

#endif
