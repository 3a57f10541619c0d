// SPDX-License-Identifier: MIT
// The swap pager: backing store for anonymous memory on a block device.
//
// An anonymous object starts as OBJT_DEFAULT (no backing store: a page it
// does not hold reads as zeros). The first time pageout must write one of
// its pages it becomes OBJT_SWAP (swap_pager_make_swap), and from then on
// the swap pager remembers, for each page index, the swap block holding
// that page's contents while the page is not resident (or while a resident
// copy is still clean).
//
// The device is a seam: the kernel attaches its second virtio-blk disk
// (kernel/swap_dev.c), host tests attach a fake in memory. Without a
// device (swap_pager_startup never called) nothing changes: OBJT_SWAP keeps
// the default pager and anonymous pages stay in RAM.
//
// Locking: the per-object metadata is protected by the object lock (o);
// the block allocator by its own leaf lock, taken after the object lock.
#ifndef VM_SWAP_PAGER_H
#define VM_SWAP_PAGER_H

#include "vm/vm.h"

struct vm_object;
struct vm_page;

// A swap block is one page of the device; block numbers fit 32 bits.
typedef uint32_t swblk_t;
#define SWAPBLK_NONE  ((swblk_t)UINT32_MAX)

// Most pages moved by one device request (a cluster).
#define SWAP_CLUSTER_MAX 16

// The block device under swap. io moves count pages (not necessarily
// contiguous in memory) to or from count consecutive blocks starting at
// blk, sleeping until done, and returns 0 or -1 on an I/O error. It is
// called with no spin lock held. read_start (optional: NULL for a device
// that cannot) starts such a read and returns without waiting: 0 once
// started, -1 when it cannot be started now (its queue is full). It is
// called with the pages' object locked and never sleeps; done(arg, ok)
// runs when the disk has finished, in interrupt context, on any hart: it
// may take spin locks (that object's), never sleep.
typedef void swap_done_fn(void *arg, bool ok);
struct swap_device {
  const char *name;
  uint64_t nblocks;                   // size in pages
  int (*io)(const struct swap_device *dev, swblk_t blk, struct vm_page **ma,
            int count, bool write);
  int (*read_start)(const struct swap_device *dev, swblk_t blk,
                    struct vm_page **ma, int count, swap_done_fn *done,
                    void *arg);
  void *priv;                         // the driver's own
};

// Attach dev (nblocks > 0) and register the swap pager for OBJT_SWAP.
// Returns false, and attaches nothing, when the allocator's map cannot be
// had. swap_pager_shutdown detaches it again (host tests); no object may
// still hold swap.
bool swap_pager_startup(const struct swap_device *dev);
void swap_pager_shutdown(void);

// Is a device attached (may anonymous pages be written out)? Is every
// block of it in use (a racy hint: then dirty pages are not even tried)?
bool swap_pager_available(void);
bool swap_pager_full(void);
// Is swap almost full, so that pages read back give up their blocks
// (swap_pager.c, "Swap almost full")?
bool swap_pager_almost_full(void);
// Did the last write to swap fail (an I/O error of the device)? The
// pageout scan then tries no more writes until swap_pager_retry_writes,
// which it calls as each sweep of the queues begins: a failing disk costs
// a sweep one failed request, not one per page (each page of a failed
// cluster would be tried again with its neighbours), and a sweep that
// can free nothing ends at once, so the out-of-memory decision is not
// held up by a disk that only fails.
bool swap_pager_write_failed(void);
void swap_pager_retry_writes(void);

// Blocks outside any object, for the device's own use: swapraw's timing
// of the raw disk (kernel/swap_dev.c). swap_pager_reserve allocates a run
// of at most *n consecutive free blocks, as a page-out's are found, and
// sets *n to its length (0, and SWAPBLK_NONE returned, when swap is full);
// swap_pager_release frees such a run.
swblk_t swap_pager_reserve(int *n);
void swap_pager_release(swblk_t blk, int n);

// Read-ahead (swap_pager_ra.c): start reading the pages of obj (locked)
// from index start on that lie on swap in consecutive blocks -- at most
// SWAP_CLUSTER_MAX, up to the first resident page or the end of obj --
// into new busy pages, and return without waiting. The first page gets
// PG_READAHEAD, for the fault that finds it to start a later cluster
// (vm_fault.c). When the disk is done the pages are valid, unbusied and
// inactive, or freed if the read failed. Returns the pages being read:
// 0 when obj is not on swap, nothing there is on swap, the device cannot
// read asynchronously, free memory is low, swap is almost full, or
// SWAP_RA_MAX reads are already in flight.
int swap_pager_readahead(struct vm_object *obj, vm_pindex_t start);
// For swap_pager_ra.c: the device attached (NULL: none), and the count of
// pages read back (swap_stats.pageins).
const struct swap_device *swap_pager_device(void);
void swap_pager_count_pageins(int n);

// Make the anonymous object obj (locked) swap-backed, if it is not yet.
void swap_pager_make_swap(struct vm_object *obj);

// The block holding page pindex of obj (locked), or SWAPBLK_NONE.
swblk_t swap_pager_lookup(struct vm_object *obj, vm_pindex_t pindex);

// Forget (and free) the swap copy of pages [start, end) of obj (locked);
// end 0 means to the end. Used when pages are freed for good (unmapping,
// MADV_FREE) or their copy goes stale (a page written or moved).
void swap_pager_free_range(struct vm_object *obj, vm_pindex_t start,
                           vm_pindex_t end);

// Collapse: obj (locked) absorbs the swap of backing (locked), whose
// resident pages have already moved. A block at a backing index inside
// obj's window, where obj has neither a resident page nor swap, moves to
// obj (which becomes OBJT_SWAP); every other block of backing is freed.
// swap_pager_collapse_prepare first makes the metadata room obj will need,
// so the collapse itself cannot fail half done: false (nothing changed)
// when kernel memory is exhausted, and the collapse must not happen.
bool swap_pager_collapse_prepare(struct vm_object *obj,
                                 struct vm_object *backing);
void swap_pager_collapse(struct vm_object *obj, struct vm_object *backing);

// Bypass: does obj (locked) cover every swapped page of backing (locked)
// inside obj's window with a page of its own (resident or swapped)?
bool swap_pager_covered(struct vm_object *obj, struct vm_object *backing);

// Statistics, in pages.
struct swap_stats {
  uint64_t total;                     // blocks on the device
  uint64_t used;                      // blocks holding a page
  uint64_t pageins;                   // pages read back
  uint64_t pageouts;                  // pages written
};
void swap_pager_stats(struct swap_stats *st);

// Check obj's metadata against its swap_count and the allocator (panics).
void swap_pager_check(struct vm_object *obj);

#endif
