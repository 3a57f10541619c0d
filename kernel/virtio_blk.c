// SPDX-License-Identifier: MIT
// virtio-blk over virtio-mmio version 2: the driver of the root disk and
// of the swap disk.
//
// Interface: virtio_blk_init() once at boot finds the devices (DeviceID 2
// among platform.virtio_base[], by address: the first is the root disk,
// a second one, if present, the swap disk), negotiates features and sets
// up queue 0 of each; virtio_blk_rw(b, write) moves one BSIZE block of the
// root disk and sleeps until the disk is done; virtio_blk_start /
// virtio_blk_wait do the same in two halves, so a caller (the log's
// commit) can keep many requests in flight; virtio_blk_swap_rw moves a run
// of pages to or from the swap disk in one request, virtio_blk_swap_start
// starts a read of such a run and has the interrupt handler call back when
// it is done (swap read-ahead); virtio_blk_intr(irq)
// is called by the trap code on a PLIC interrupt and says whether it was
// a disk's.
//
// The queue is a split virtqueue of VQ_NUM descriptors in a static,
// page-aligned area of the kernel image (its physical address comes from
// kvtophys). Each request is a chain of three descriptors -- header, data,
// status byte -- so up to VQ_NUM / 3 requests from different processes are
// in flight at once; a process that finds no free descriptors sleeps until
// a completion frees some. The device reports completions in the used
// ring; the interrupt handler walks it from where it last stopped, frees
// each finished chain (so a caller that starts more requests than there
// are descriptors, before waiting for any, still makes progress), records
// the status in the buffer and wakes its owner, or, for a request started
// with a callback, calls it once the disk's lock is dropped.
//
// Locking: each disk's lock (a spin mutex) covers its rings, free map and
// per-request info; requesters sleep on it. MMIO goes through the direct map.
#include "virtio.h"

#include "buf.h"
#include "lib/kassert.h"
#include "lib/lock.h"
#include "lib/string.h"
#include "machdep.h"
#include "platform.h"
#include "printf.h"

#define VQ_NUM 128                      // descriptors (a power of two)

struct virtq_avail {
  uint16_t flags;
  uint16_t idx;                         // where we put the next head
  uint16_t ring[VQ_NUM];
  uint16_t used_event;
};

struct virtq_used_elem {
  uint32_t id;                          // head of a finished chain
  uint32_t len;
};

struct virtq_used {
  uint16_t flags;
  uint16_t idx;                         // where the device puts the next
  struct virtq_used_elem ring[VQ_NUM];
  uint16_t avail_event;
};

// The rings, shared with the device. Alignment: 16 for descriptors, 2 for
// the available ring, 4 for the used ring; a page keeps them contiguous.
struct virtq {
  struct virtq_desc desc[VQ_NUM];
  struct virtq_avail avail;
  struct virtq_used used __attribute__((aligned(4)));
} __attribute__((aligned(4096)));
CTASSERT(sizeof(struct virtq) <= 4096);

#define VBLK_ROOT 0
#define VBLK_SWAP 1
#define VBLK_MAX  2

static struct virtq vqs[VBLK_MAX];

// Someone waiting for a request that has no struct buf (swap).
struct vblk_wait {
  bool done;
  uint8_t status;
};

// One disk. Locks: (d) lock, (c) constant after init.
struct vblk {
  struct mtx lock;
  struct virtq *vq;                     // (c) its rings
  uintptr_t base;                       // (c) MMIO registers, via the DMAP
  uint64_t capacity;                    // (c) in 512-byte sectors; 0: absent
  bool readonly;                        // (c) VIRTIO_BLK_F_RO offered
  int irq;                              // (c)
  bool free[VQ_NUM];                    // (d) descriptor not in a chain
  uint16_t used_seen;                   // (d) used.idx we have processed
  struct {                              // (d) by head descriptor
    struct buf *b;                      // a block of the root disk, or
    struct vblk_wait *w;                // a swap request waited for, or
    virtio_blk_done_fn *done;           // one that calls back (with arg)
    void *arg;
    volatile uint8_t status;            // written by the device
  } info[VQ_NUM];
  struct virtio_blk_req req[VQ_NUM];    // (d) header of each head
};

static struct vblk disks[VBLK_MAX];

int virtio_blk_irq;

static inline uint32_t virtio_blk_rd(struct vblk *d, uint32_t off)
{
  return *(volatile uint32_t *)(d->base + off);
}

static inline void virtio_blk_wr(struct vblk *d, uint32_t off, uint32_t v)
{
  *(volatile uint32_t *)(d->base + off) = v;
}

// Is platform.virtio_base[i] a modern virtio-mmio block device?
static bool virtio_blk_is_disk(int i)
{
  volatile uint32_t *r = PHYS_TO_DMAP(platform.virtio_base[i]);

  return r[VIRTIO_MMIO_MAGIC_VALUE / 4] == VIRTIO_MAGIC &&
         r[VIRTIO_MMIO_VERSION / 4] == 2 &&
         r[VIRTIO_MMIO_DEVICE_ID / 4] == VIRTIO_DEVICE_BLOCK;
}

// Steps 1-6 of the virtio initialisation sequence (spec 3.1.1): reset,
// acknowledge, negotiate. We take VERSION_1 and nothing else.
static void virtio_blk_negotiate(struct vblk *d)
{
  uint32_t status = 0;
  virtio_blk_wr(d, VIRTIO_MMIO_STATUS, status);
  status |= VIRTIO_STATUS_ACKNOWLEDGE;
  virtio_blk_wr(d, VIRTIO_MMIO_STATUS, status);
  status |= VIRTIO_STATUS_DRIVER;
  virtio_blk_wr(d, VIRTIO_MMIO_STATUS, status);

  virtio_blk_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
  uint32_t lo = virtio_blk_rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
  virtio_blk_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
  uint32_t hi = virtio_blk_rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
  if (!(hi & (1u << (VIRTIO_F_VERSION_1 - 32))))
    panic("virtio_blk_init: device does not offer VERSION_1");
  d->readonly = (lo & (1u << VIRTIO_BLK_F_RO)) != 0;

  virtio_blk_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
  virtio_blk_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, 0);
  virtio_blk_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
  virtio_blk_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32));

  status |= VIRTIO_STATUS_FEATURES_OK;
  virtio_blk_wr(d, VIRTIO_MMIO_STATUS, status);
  if (!(virtio_blk_rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
    panic("virtio_blk_init: device rejected our features");
}

// Give queue 0's rings to the device (spec 4.2.3.2).
static void virtio_blk_setup_queue(struct vblk *d)
{
  virtio_blk_wr(d, VIRTIO_MMIO_QUEUE_SEL, 0);
  if (virtio_blk_rd(d, VIRTIO_MMIO_QUEUE_READY) != 0)
    panic("virtio_blk_init: queue 0 already live");
  if (virtio_blk_rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX) < VQ_NUM)
    panic("virtio_blk_init: queue 0 shorter than %d", VQ_NUM);
  virtio_blk_wr(d, VIRTIO_MMIO_QUEUE_NUM, VQ_NUM);

  uint64_t desc = kvtophys(d->vq->desc);
  uint64_t avail = kvtophys(&d->vq->avail);
  uint64_t used = kvtophys(&d->vq->used);
  virtio_blk_wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
  virtio_blk_wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
  virtio_blk_wr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
  virtio_blk_wr(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
  virtio_blk_wr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
  virtio_blk_wr(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
  virtio_blk_wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
}

// Start disk d, found at platform.virtio_base[i].
static void virtio_blk_attach(struct vblk *d, int i, const char *what)
{
  mtx_init(&d->lock, "virtio_blk");
  d->vq = &vqs[d - disks];
  d->base = (uintptr_t)PHYS_TO_DMAP(platform.virtio_base[i]);
  d->irq = platform.virtio_irq[i];
  memset(d->vq, 0, sizeof(*d->vq));
  for (int k = 0; k < VQ_NUM; k++)
    d->free[k] = true;
  virtio_blk_negotiate(d);
  virtio_blk_setup_queue(d);
  virtio_blk_wr(d, VIRTIO_MMIO_STATUS, virtio_blk_rd(d, VIRTIO_MMIO_STATUS) |
                VIRTIO_STATUS_DRIVER_OK);

  // Capacity: the first 64-bit field of the block device's config space.
  d->capacity = virtio_blk_rd(d, VIRTIO_MMIO_CONFIG) |
                (uint64_t)virtio_blk_rd(d, VIRTIO_MMIO_CONFIG + 4) << 32;
  printf("virtio_blk: %s, %lu KiB at %p, irq %d%s\n", what, d->capacity / 2,
         (void *)platform.virtio_base[i], d->irq,
         d->readonly ? ", read-only" : "");
}

void virtio_blk_init(void)
{
  int n = 0;

  for (int i = 0; i < platform.nvirtio && n < VBLK_MAX; i++)
    if (virtio_blk_is_disk(i)) {
      virtio_blk_attach(&disks[n], i, n == VBLK_ROOT ? "root" : "swap");
      n++;
    }
  if (n == 0)
    panic("virtio_blk_init: no virtio-mmio v2 block device "
          "(is QEMU run with virtio-mmio.force-legacy=false?)");
  virtio_blk_irq = disks[VBLK_ROOT].irq;
}

// Take n free descriptors for a chain into idx[]; false if there are not
// n. Requires d->lock.
static bool virtio_blk_alloc(struct vblk *d, int *idx, int n)
{
  int found = 0;
  for (int k = 0; k < VQ_NUM && found < n; k++)
    if (d->free[k])
      idx[found++] = k;
  if (found < n)
    return false;
  for (int k = 0; k < n; k++)
    d->free[idx[k]] = false;
  return true;
}

// Return a finished chain's descriptors and wake anyone waiting for them.
// Requires d->lock.
static void virtio_blk_free_chain(struct vblk *d, int head)
{
  int k = head;
  for (;;) {
    KASSERT(!d->free[k], ("virtio_blk_free_chain: desc %d already free", k));
    uint16_t flags = d->vq->desc[k].flags;
    uint16_t next = d->vq->desc[k].next;
    memset(&d->vq->desc[k], 0, sizeof(d->vq->desc[k]));
    d->free[k] = true;
    if (!(flags & VRING_DESC_F_NEXT))
      break;
    k = next;
  }
  wakeup(&d->free);
}

// Fill the chain idx[0..n+1] for a request moving n buffers (physical
// addresses pa[], len bytes each) to or from the disk at sector: the
// header, the n buffers, the status byte. Requires d->lock.
static void virtio_blk_fill(struct vblk *d, const int *idx, uint64_t sector,
                            const uint64_t *pa, int n, uint32_t len, bool write)
{
  struct virtio_blk_req *req = &d->req[idx[0]];
  req->type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
  req->reserved = 0;
  req->sector = sector;

  d->vq->desc[idx[0]] = (struct virtq_desc){
    kvtophys(req), sizeof(*req), VRING_DESC_F_NEXT, (uint16_t)idx[1] };
  for (int k = 1; k <= n; k++)
    d->vq->desc[idx[k]] = (struct virtq_desc){
      pa[k - 1], len, VRING_DESC_F_NEXT | (write ? 0 : VRING_DESC_F_WRITE),
      (uint16_t)idx[k + 1] };
  d->info[idx[0]].status = 0xff;              // the device sets 0 on success
  d->vq->desc[idx[n + 1]] = (struct virtq_desc){
    kvtophys((const void *)&d->info[idx[0]].status), 1,
    VRING_DESC_F_WRITE, 0 };
}

// Hand the chain at head to the device. Each store must be visible to it
// before the next (spec 2.6.13). Requires d->lock.
static void virtio_blk_submit(struct vblk *d, int head)
{
  struct virtq *vq = d->vq;

  vq->avail.ring[vq->avail.idx % VQ_NUM] = (uint16_t)head;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  __atomic_store_n(&vq->avail.idx, (uint16_t)(vq->avail.idx + 1), __ATOMIC_RELEASE);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  virtio_blk_wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

void virtio_blk_start(struct buf *b, uint32_t blockno, int write)
{
  struct vblk *d = &disks[VBLK_ROOT];
  uint64_t pa = kvtophys(b->data);
  int idx[3];

  SX_ASSERT_XLOCKED(&b->lock);
  uint64_t last = ((uint64_t)blockno + 1) * (BSIZE / VIRTIO_BLK_SECTOR);
  if (last > d->capacity)
    panic("virtio_blk_start: block %u past the end of the disk", blockno);
  if (write && d->readonly)
    panic("virtio_blk_start: write to a read-only disk");

  mtx_lock(&d->lock);
  KASSERT(!b->disk, ("virtio_blk_start: block %u already in flight", blockno));
  while (!virtio_blk_alloc(d, idx, 3))
    sleep(&d->free, &d->lock);
  virtio_blk_fill(d, idx, (uint64_t)blockno * (BSIZE / VIRTIO_BLK_SECTOR),
                  &pa, 1, BSIZE, write);
  d->info[idx[0]].b = b;
  d->info[idx[0]].w = NULL;
  b->disk = true;
  virtio_blk_submit(d, idx[0]);
  mtx_unlock(&d->lock);
}

void virtio_blk_wait(struct buf *b)
{
  struct vblk *d = &disks[VBLK_ROOT];

  SX_ASSERT_XLOCKED(&b->lock);
  mtx_lock(&d->lock);
  while (b->disk)
    sleep(b, &d->lock);
  mtx_unlock(&d->lock);
  if (b->disk_status != VIRTIO_BLK_S_OK)
    panic("virtio_blk_wait: I/O on block %u failed, status %d", b->blockno,
          b->disk_status);
}

void virtio_blk_rw(struct buf *b, int write)
{
  virtio_blk_start(b, b->blockno, write);
  virtio_blk_wait(b);
}

uint64_t virtio_blk_swap_size(void)
{
  return disks[VBLK_SWAP].capacity * VIRTIO_BLK_SECTOR;
}

// Fill the chain idx[] of swap disk d for a request of npages pages
// (physical addresses pa[]) to or from byte offset off. d's lock held.
static void virtio_blk_swap_fill(struct vblk *d, const int *idx, uint64_t off,
                                 const uint64_t *pa, int npages, bool write)
{
  KASSERT(d->capacity > 0 && npages > 0 && npages <= VIRTIO_BLK_SWAP_MAX &&
          off % 4096 == 0 && off + (uint64_t)npages * 4096 <= virtio_blk_swap_size(),
          ("virtio_blk_swap: %d pages at %lu", npages, (unsigned long)off));
  virtio_blk_fill(d, idx, off / VIRTIO_BLK_SECTOR, pa, npages, 4096, write);
}

int virtio_blk_swap_rw(uint64_t off, const uint64_t *pa, int npages,
                       bool write)
{
  struct vblk *d = &disks[VBLK_SWAP];
  struct vblk_wait w = { false, 0xff };
  int idx[VIRTIO_BLK_SWAP_MAX + 2];

  ASSERT_SLEEPABLE();
  mtx_lock(&d->lock);
  while (!virtio_blk_alloc(d, idx, npages + 2))
    sleep(&d->free, &d->lock);
  virtio_blk_swap_fill(d, idx, off, pa, npages, write);
  d->info[idx[0]].b = NULL;
  d->info[idx[0]].w = &w;
  virtio_blk_submit(d, idx[0]);
  while (!w.done)
    sleep(&w, &d->lock);
  mtx_unlock(&d->lock);
  return w.status == VIRTIO_BLK_S_OK ? 0 : -1;
}

int virtio_blk_swap_start(uint64_t off, const uint64_t *pa, int npages,
                          virtio_blk_done_fn *done, void *arg)
{
  struct vblk *d = &disks[VBLK_SWAP];
  int idx[VIRTIO_BLK_SWAP_MAX + 2];

  mtx_lock(&d->lock);
  if (!virtio_blk_alloc(d, idx, npages + 2)) {
    mtx_unlock(&d->lock);
    return -1;
  }
  virtio_blk_swap_fill(d, idx, off, pa, npages, false);
  d->info[idx[0]].done = done;
  d->info[idx[0]].arg = arg;
  virtio_blk_submit(d, idx[0]);
  mtx_unlock(&d->lock);
  return 0;
}

// A finished request that calls back: its function, argument and result.
struct vblk_callback {
  virtio_blk_done_fn *done;
  void *arg;
  bool ok;
};

// Finish the request at head id (d's lock held): wake its owner, or note
// its callback in cb[*ncb] for after the lock is dropped.
static void virtio_blk_finish(struct vblk *d, uint32_t id,
                              struct vblk_callback *cb, int *ncb)
{
  struct buf *b = d->info[id].b;
  struct vblk_wait *w = d->info[id].w;
  uint8_t status = d->info[id].status;

  KASSERT(id < VQ_NUM && (b != NULL || w != NULL || d->info[id].done != NULL),
          ("virtio_blk_intr: bogus completion %u", id));
  KASSERT(*ncb < VQ_NUM / 3, ("virtio_blk_intr: %d callbacks", *ncb));
  if (b != NULL) {
    b->disk_status = status;
    b->disk = false;
    wakeup(b);
  } else if (w != NULL) {
    w->status = status;
    w->done = true;
    wakeup(w);
  } else {
    cb[*ncb] = (struct vblk_callback){ d->info[id].done, d->info[id].arg,
                                       status == VIRTIO_BLK_S_OK };
    (*ncb)++;
  }
  d->info[id].b = NULL;
  d->info[id].w = NULL;
  d->info[id].done = NULL;
  virtio_blk_free_chain(d, (int)id);
}

// Walk disk d's used ring from where we last stopped. Callbacks run after
// the disk's lock is dropped: they take the locks of whoever started the
// request (virtio_blk_swap_start), which may hold them while starting one.
static void virtio_blk_complete(struct vblk *d)
{
  struct vblk_callback cb[VQ_NUM / 3];
  int ncb = 0;

  mtx_lock(&d->lock);
  // Acknowledge first: a completion that lands after the ack raises a new
  // interrupt, so none is lost between here and the ring walk.
  virtio_blk_wr(d, VIRTIO_MMIO_INTERRUPT_ACK,
                virtio_blk_rd(d, VIRTIO_MMIO_INTERRUPT_STATUS) &
                (VIRTIO_INT_USED_RING | VIRTIO_INT_CONFIG));
  __atomic_thread_fence(__ATOMIC_SEQ_CST);

  // No more than VQ_NUM / 3 chains are ever in flight, so cb[] has room.
  while (d->used_seen != __atomic_load_n(&d->vq->used.idx, __ATOMIC_ACQUIRE)) {
    virtio_blk_finish(d, d->vq->used.ring[d->used_seen % VQ_NUM].id, cb, &ncb);
    d->used_seen++;
  }
  mtx_unlock(&d->lock);
  for (int i = 0; i < ncb; i++)
    cb[i].done(cb[i].arg, cb[i].ok);
}

bool virtio_blk_intr(int irq)
{
  for (int i = 0; i < VBLK_MAX; i++)
    if (disks[i].capacity > 0 && disks[i].irq == irq) {
      virtio_blk_complete(&disks[i]);
      return true;
    }
  return false;
}
