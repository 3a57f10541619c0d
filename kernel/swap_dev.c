// SPDX-License-Identifier: MIT
// The kernel's swap device: the second virtio-blk disk, handed to the
// machine-independent swap pager (kernel/vm/swap_pager.h) as its block
// device. Block n of swap is page n of the disk.
//
// Interface: swap_dev_init() once at boot, after virtio_blk_init; without
// a second disk it only says so, and anonymous memory stays in RAM.
// swap_dev_measure() once in the first process (swap_dev.h).
//
// Locking: none of its own. io is called with no spin lock held and sleeps
// in the driver until the request is done.
#include "swap_dev.h"

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

static int swap_dev_io(const struct swap_device *dev, swblk_t blk,
                       struct vm_page **ma, int count, bool write)
{
  uint64_t pa[SWAP_CLUSTER_MAX];
  int rv;

  (void)dev;
  KASSERT(count > 0 && count <= SWAP_CLUSTER_MAX,
          ("swap_dev_io: %d pages", count));
  for (int i = 0; i < count; i++)
    pa[i] = VM_PAGE_TO_PHYS(ma[i]);
  rv = virtio_blk_swap_rw((uint64_t)blk * PAGE_SIZE, pa, count, write);
  if (rv != 0)
    swap_dev_error(blk, count, write);
  return rv;
}

static struct swap_device swap_dev = {
  .name = "virtio",
  .io = swap_dev_io,
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

static uint64_t swap_dev_write_ns, swap_dev_read_ns;  // per page (k: set once)

// One sequential pass over the first SWAP_DEV_MEASURE_PAGES pages in
// requests of SWAP_CLUSTER_MAX pages, to or from the pages at pa[]
// every time. Returns its ns per page, or 0 on an I/O error.
static uint64_t swap_dev_pass(const uint64_t *pa, bool write)
{
  uint64_t t0 = md_clock(), ticks;

  for (uint64_t off = 0; off < (uint64_t)SWAP_DEV_MEASURE_PAGES * PAGE_SIZE;
       off += SWAP_CLUSTER_MAX * PAGE_SIZE)
    if (virtio_blk_swap_rw(off, pa, SWAP_CLUSTER_MAX, write) != 0)
      return 0;
  ticks = md_clock() - t0;
  return ticks * 1000000000ull / platform_timebase_freq() /
         SWAP_DEV_MEASURE_PAGES;
}

#define SWAP_DEV_PASSES 3             // the figure is their median

// The median ns per page of SWAP_DEV_PASSES passes, or 0 on an I/O error:
// one pass is a few milliseconds, and a hiccup of the host in one of them
// would otherwise be the disk's figure for the whole boot.
static uint64_t swap_dev_median(const uint64_t *pa, bool write)
{
  uint64_t ns[SWAP_DEV_PASSES], t;

  for (int i = 0; i < SWAP_DEV_PASSES; i++) {
    if ((ns[i] = swap_dev_pass(pa, write)) == 0)
      return 0;
    for (int j = i; j > 0 && ns[j - 1] > ns[j]; j--) {
      t = ns[j];
      ns[j] = ns[j - 1];
      ns[j - 1] = t;
    }
  }
  return ns[SWAP_DEV_PASSES / 2];
}

// The blocks written are free: no page has gone to swap yet (checked),
// and none can before the first process runs user code. Every request
// moves the same SWAP_CLUSTER_MAX pages of RAM, distinct ones as a
// page-out's are; the data is garbage and nobody reads it.
void swap_dev_measure(void)
{
  struct vm_page *ma[SWAP_CLUSTER_MAX];
  uint64_t pa[SWAP_CLUSTER_MAX];
  struct swap_stats st;
  int n;

  swap_pager_stats(&st);
  if (st.total < SWAP_DEV_MEASURE_PAGES || st.used != 0)
    return;
  for (n = 0; n < SWAP_CLUSTER_MAX; n++) {
    if ((ma[n] = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY)) == NULL)
      break;
    pa[n] = VM_PAGE_TO_PHYS(ma[n]);
  }
  // The first write of a block of a sparse swap.img makes the host
  // allocate it (several times slower); what is timed is the rewrite,
  // the disk's steady speed.
  if (n == SWAP_CLUSTER_MAX && swap_dev_pass(pa, true) != 0) {
    swap_dev_write_ns = swap_dev_median(pa, true);
    swap_dev_read_ns = swap_dev_median(pa, false);
  }
  while (n > 0)
    vm_page_free(ma[--n]);
}

void swap_dev_rate(uint64_t *write_ns, uint64_t *read_ns)
{
  *write_ns = swap_dev_write_ns;
  *read_ns = swap_dev_read_ns;
}
