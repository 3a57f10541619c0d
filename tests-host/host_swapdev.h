// SPDX-License-Identifier: MIT
// A fake swap device for the host tests (host_swapdev.c): a struct
// swap_device over a buffer in host memory, attached with
// swap_pager_startup like the kernel's disk.
//
//   host_swapdev_attach(256);          // 256 blocks of swap
//   ...page out, fault back...
//   cr_assert_eq(host_swapdev.writes, 1);
//   host_swapdev_detach();             // before vmtest_teardown_strict
//
// Every request is counted, and the last one's first block and length
// recorded. A test injects failures: fail_writes / fail_reads make the
// next N requests of that kind fail (-1: every one). Each request checks
// the device contract of swap_pager.h and panics when the pager breaks
// it: the pages busy, and their object's lock not held (I/O sleeps).
// during_io, when set, is called once in the middle of the next request
// (and cleared first): it plays another thread that runs while the pager
// has dropped the object's lock.
//
// Asynchronous reads (read-ahead, swap_pager_ra.c): the device offers
// read_start only after host_swapdev_async(true). A read started is then
// queued, its pages busy, until host_swapdev_finish_reads() -- the disk's
// interrupt -- does every queued read (fail_reads applies) and calls its
// done. refuse_starts makes the next N starts fail (a full queue).
//
// No Criterion here: host_*.c files are linked into the benchmarks too.
#ifndef HOST_SWAPDEV_H
#define HOST_SWAPDEV_H

#include <stdbool.h>
#include <stdint.h>

struct host_swapdev {
  uint8_t *store;           // nblocks pages
  uint64_t nblocks;
  int fail_writes;          // fail this many writes from now (-1: all)
  int fail_reads;           // and reads
  int writes, reads;        // requests
  int pages_written, pages_read;
  uint32_t last_blk;        // the last request's first block
  int last_count;           // and its length
  int max_count;            // the longest request
  void (*during_io)(void);  // run once inside the next request
  int refuse_starts;        // refuse this many read_starts from now
  int starts;               // read_starts accepted (counted in reads too)
  int pending;              // of them, not finished yet
};

extern struct host_swapdev host_swapdev;

// Attach a device of nblocks blocks (swap_pager_startup), every count zero.
void host_swapdev_attach(uint64_t nblocks);

// Detach it (swap_pager_shutdown, which panics if any block is still in
// use) and free the store.
void host_swapdev_detach(void);

// Offer read_start (on) or not (off, as attached).
void host_swapdev_async(bool on);
// Finish every queued read, in the order started. Returns how many.
int host_swapdev_finish_reads(void);

#endif
