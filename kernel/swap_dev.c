// SPDX-License-Identifier: MIT
// The kernel's swap device: the second virtio-blk disk, handed to the
// machine-independent swap pager (kernel/vm/swap_pager.h) as its block
// device. Block n of swap is page n of the disk.
//
// Interface: swap_dev_init() once at boot, after virtio_blk_init; without
// a second disk it only says so, and anonymous memory stays in RAM.
// swap_dev_time() for the swapraw system call (swap_dev.h).
//
// Locking: none of its own. io is called with no spin lock held and sleeps
// in the driver until the request is done; read_start never sleeps.
#include "swap_dev.h"

#include "lib/errno.h"
#include "lib/kassert.h"
#include "machdep.h"
#include "platform.h"
#include "printf.h"
#include "virtio.h"
#include "vm/swap_pager.h"
#include "vm/vm_page.h"

CTASSERT(SWAP_CLUSTER_MAX <= VIRTIO_BLK_SWAP_MAX);

static uint64_t swap_dev_errors;       // (a) requests the disk failed

// A failed request says so on the console: the first few, then one line a
// thousand, so that a dying disk is seen without drowning the console. (A
// failed write leaves its pages dirty in memory; a failed read kills the
// process whose fault needed the page: swap_pager.h.)
static void swap_dev_error(swblk_t blk, int count, bool write)
{
  uint64_t n = __atomic_add_fetch(&swap_dev_errors, 1, __ATOMIC_RELAXED);

  if (n <= 4 || n % 1000 == 0)
    printf("swap: %s error at block %u (%d pages; %lu failed requests)\n",
           write ? "write" : "read", blk, count, (unsigned long)n);
}

// The physical addresses of a request's count pages ma[], into pa[].
static void swap_dev_pa(struct vm_page **ma, int count, uint64_t *pa)
{
  KASSERT(count > 0 && count <= SWAP_CLUSTER_MAX,
          ("swap_dev: %d pages", count));
  for (int i = 0; i < count; i++)
    pa[i] = VM_PAGE_TO_PHYS(ma[i]);
}

static int swap_dev_io(const struct swap_device *dev, swblk_t blk,
                       struct vm_page **ma, int count, bool write)
{
  uint64_t pa[SWAP_CLUSTER_MAX];
  int rv;

  (void)dev;
  swap_dev_pa(ma, count, pa);
  rv = virtio_blk_swap_rw((uint64_t)blk * PAGE_SIZE, pa, count, write);
  if (rv != 0)
    swap_dev_error(blk, count, write);
  return rv;
}

// A read-ahead (kernel/vm/swap_pager_ra.c): the driver calls done from
// its interrupt handler. A failure is not reported here: the pages are
// dropped, and the fault that wants one reads it again through swap_dev_io,
// which does.
static int swap_dev_read_start(const struct swap_device *dev, swblk_t blk,
                               struct vm_page **ma, int count,
                               swap_done_fn *done, void *arg)
{
  uint64_t pa[SWAP_CLUSTER_MAX];

  (void)dev;
  swap_dev_pa(ma, count, pa);
  return virtio_blk_swap_start((uint64_t)blk * PAGE_SIZE, pa, count, done,
                               arg);
}

static struct swap_device swap_dev = {
  .name = "virtio",
  .io = swap_dev_io,
  .read_start = swap_dev_read_start,
};

void swap_dev_init(void)
{
  uint64_t size = virtio_blk_swap_size();

  if (size < PAGE_SIZE) {
    printf("swap: none (anonymous memory stays in RAM)\n");
    return;
  }
  swap_dev.nblocks = size / PAGE_SIZE;
  if (!swap_pager_startup(&swap_dev)) {
    printf("swap: no memory for the map of %lu blocks; not used\n",
           (unsigned long)swap_dev.nblocks);
    return;
  }
  printf("swap: %lu KiB on the second virtio disk\n",
         (unsigned long)(swap_dev.nblocks * (PAGE_SIZE / 1024)));
}

// --- swapraw: the disk's raw rate, for make bench ---------------------------

#define SWAP_DEV_RUNS 32                // runs of free blocks one timing takes

struct swap_dev_span {                  // the blocks one timing moves
  swblk_t blk[SWAP_DEV_RUNS];
  int len[SWAP_DEV_RUNS];
  int nruns;
};

// Reserve npages free blocks in at most SWAP_DEV_RUNS runs, as the swap
// pager would hand them to page-outs. False (nothing held) if it cannot.
static bool swap_dev_span_get(struct swap_dev_span *sp, long npages)
{
  long got = 0;

  for (sp->nruns = 0; got < npages && sp->nruns < SWAP_DEV_RUNS; sp->nruns++) {
    int n = (int)(npages - got);
    swblk_t b = swap_pager_reserve(&n);
    if (n == 0)
      break;
    sp->blk[sp->nruns] = b;
    sp->len[sp->nruns] = n;
    got += n;
  }
  if (got == npages)
    return true;
  while (sp->nruns > 0) {
    sp->nruns--;
    swap_pager_release(sp->blk[sp->nruns], sp->len[sp->nruns]);
  }
  return false;
}

// One sequential pass over the span in requests of SWAP_CLUSTER_MAX
// pages, to or from the same pages ma[] every time. Returns its ns per
// page, or 0 on an I/O error.
static uint64_t swap_dev_pass(const struct swap_dev_span *sp,
                              struct vm_page **ma, long npages, bool write)
{
  uint64_t t0 = md_clock(), ticks;

  for (int r = 0; r < sp->nruns; r++)
    for (int off = 0; off < sp->len[r]; off += SWAP_CLUSTER_MAX) {
      int n = MIN(SWAP_CLUSTER_MAX, sp->len[r] - off);
      if (swap_dev_io(&swap_dev, sp->blk[r] + off, ma, n, write) != 0)
        return 0;
    }
  ticks = md_clock() - t0;
  return MAX(ticks * 1000000000ull / platform_timebase_freq() /
             (uint64_t)npages, 1);
}

// The blocks are reserved from the swap pager, so nothing else uses them
// meanwhile; the data is garbage and nobody reads it but the timing.
int swap_dev_time(long npages, uint64_t ns[2])
{
  struct vm_page *ma[SWAP_CLUSTER_MAX];
  struct swap_dev_span sp;
  struct swap_stats st;
  int n, rv = 0;

  if (!swap_pager_available())
    return -ENODEV;
  if (npages <= 0 || (uint64_t)npages > swap_dev.nblocks / 4)
    return -EINVAL;
  swap_pager_stats(&st);
  if ((uint64_t)npages > (st.total - st.used) / 2)
    return -ENOMEM;   // paging keeps at least as much as is taken
  for (n = 0; n < SWAP_CLUSTER_MAX; n++)
    if ((ma[n] = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY)) == NULL)
      break;
  if (n < SWAP_CLUSTER_MAX || !swap_dev_span_get(&sp, npages))
    rv = -ENOMEM;
  else {
    if ((ns[0] = swap_dev_pass(&sp, ma, npages, true)) == 0 ||
        (ns[1] = swap_dev_pass(&sp, ma, npages, false)) == 0)
      rv = -EIO;
    while (sp.nruns-- > 0)
      swap_pager_release(sp.blk[sp.nruns], sp.len[sp.nruns]);
  }
  while (n > 0)
    vm_page_free(ma[--n]);
  return rv;
}
