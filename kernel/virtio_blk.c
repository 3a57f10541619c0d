// SPDX-License-Identifier: MIT
// virtio-blk over virtio-mmio version 2: the driver of the root disk.
//
// Interface: virtio_blk_init() once at boot finds the device (DeviceID 2
// among platform.virtio_base[]), negotiates features and sets up queue 0;
// virtio_blk_rw(b, write) moves one BSIZE block and sleeps until the disk
// is done; virtio_blk_start / virtio_blk_wait do the same in two halves,
// so a caller (the log's commit) can keep many requests in flight;
// virtio_blk_intr() is called by the trap code on the disk's PLIC
// interrupt.
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
// the status in the buffer and wakes its owner.
//
// Locking: disk.lock (a spin mutex) covers the rings, the free map and the
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
static struct {
  struct virtq_desc desc[VQ_NUM];
  struct virtq_avail avail;
  struct virtq_used used __attribute__((aligned(4)));
} vq __attribute__((aligned(4096)));
CTASSERT(sizeof(vq) <= 4096);

// Locks: (d) disk.lock, (c) constant after init.
static struct {
  struct mtx lock;
  uintptr_t base;                       // (c) MMIO registers, via the DMAP
  uint64_t capacity;                    // (c) in 512-byte sectors
  bool readonly;                        // (c) VIRTIO_BLK_F_RO offered
  bool free[VQ_NUM];                    // (d) descriptor not in a chain
  uint16_t used_seen;                   // (d) used.idx we have processed
  struct {                              // (d) by head descriptor
    struct buf *b;
    volatile uint8_t status;            // written by the device
  } info[VQ_NUM];
  struct virtio_blk_req req[VQ_NUM];    // (d) header of each head
} disk;

int virtio_blk_irq;

static inline uint32_t virtio_blk_rd(uint32_t off)
{
  return *(volatile uint32_t *)(disk.base + off);
}

static inline void virtio_blk_wr(uint32_t off, uint32_t v)
{
  *(volatile uint32_t *)(disk.base + off) = v;
}

// Index in platform.virtio_base[] of a modern virtio-mmio block device.
static int virtio_blk_find(void)
{
  for (int i = 0; i < platform.nvirtio; i++) {
    volatile uint32_t *r = PHYS_TO_DMAP(platform.virtio_base[i]);
    if (r[VIRTIO_MMIO_MAGIC_VALUE / 4] == VIRTIO_MAGIC &&
        r[VIRTIO_MMIO_VERSION / 4] == 2 &&
        r[VIRTIO_MMIO_DEVICE_ID / 4] == VIRTIO_DEVICE_BLOCK)
      return i;
  }
  panic("virtio_blk_init: no virtio-mmio v2 block device "
        "(is QEMU run with virtio-mmio.force-legacy=false?)");
}

// Steps 1-6 of the virtio initialisation sequence (spec 3.1.1): reset,
// acknowledge, negotiate. We take VERSION_1 and nothing else.
static void virtio_blk_negotiate(void)
{
  uint32_t status = 0;
  virtio_blk_wr(VIRTIO_MMIO_STATUS, status);
  status |= VIRTIO_STATUS_ACKNOWLEDGE;
  virtio_blk_wr(VIRTIO_MMIO_STATUS, status);
  status |= VIRTIO_STATUS_DRIVER;
  virtio_blk_wr(VIRTIO_MMIO_STATUS, status);

  virtio_blk_wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
  uint32_t lo = virtio_blk_rd(VIRTIO_MMIO_DEVICE_FEATURES);
  virtio_blk_wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
  uint32_t hi = virtio_blk_rd(VIRTIO_MMIO_DEVICE_FEATURES);
  if (!(hi & (1u << (VIRTIO_F_VERSION_1 - 32))))
    panic("virtio_blk_init: device does not offer VERSION_1");
  disk.readonly = (lo & (1u << VIRTIO_BLK_F_RO)) != 0;

  virtio_blk_wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
  virtio_blk_wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
  virtio_blk_wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
  virtio_blk_wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32));

  status |= VIRTIO_STATUS_FEATURES_OK;
  virtio_blk_wr(VIRTIO_MMIO_STATUS, status);
  if (!(virtio_blk_rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
    panic("virtio_blk_init: device rejected our features");
}

// Give queue 0's rings to the device (spec 4.2.3.2).
static void virtio_blk_setup_queue(void)
{
  virtio_blk_wr(VIRTIO_MMIO_QUEUE_SEL, 0);
  if (virtio_blk_rd(VIRTIO_MMIO_QUEUE_READY) != 0)
    panic("virtio_blk_init: queue 0 already live");
  if (virtio_blk_rd(VIRTIO_MMIO_QUEUE_NUM_MAX) < VQ_NUM)
    panic("virtio_blk_init: queue 0 shorter than %d", VQ_NUM);
  virtio_blk_wr(VIRTIO_MMIO_QUEUE_NUM, VQ_NUM);

  uint64_t desc = kvtophys(vq.desc);
  uint64_t avail = kvtophys(&vq.avail);
  uint64_t used = kvtophys(&vq.used);
  virtio_blk_wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
  virtio_blk_wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
  virtio_blk_wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
  virtio_blk_wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
  virtio_blk_wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
  virtio_blk_wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
  virtio_blk_wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

void virtio_blk_init(void)
{
  mtx_init(&disk.lock, "virtio_blk");
  int i = virtio_blk_find();
  disk.base = (uintptr_t)PHYS_TO_DMAP(platform.virtio_base[i]);
  virtio_blk_irq = platform.virtio_irq[i];

  memset(&vq, 0, sizeof(vq));
  for (int d = 0; d < VQ_NUM; d++)
    disk.free[d] = true;
  virtio_blk_negotiate();
  virtio_blk_setup_queue();
  virtio_blk_wr(VIRTIO_MMIO_STATUS, virtio_blk_rd(VIRTIO_MMIO_STATUS) |
                VIRTIO_STATUS_DRIVER_OK);

  // Capacity: the first 64-bit field of the block device's config space.
  disk.capacity = virtio_blk_rd(VIRTIO_MMIO_CONFIG) |
                  (uint64_t)virtio_blk_rd(VIRTIO_MMIO_CONFIG + 4) << 32;
  printf("virtio_blk: %lu KiB at %p, irq %d%s\n", disk.capacity / 2,
         (void *)platform.virtio_base[i], virtio_blk_irq,
         disk.readonly ? ", read-only" : "");
}

// Take three free descriptors for a chain; false if there are not three.
// Requires disk.lock.
static bool virtio_blk_alloc3(int *idx)
{
  int found = 0;
  for (int d = 0; d < VQ_NUM && found < 3; d++)
    if (disk.free[d])
      idx[found++] = d;
  if (found < 3)
    return false;
  for (int k = 0; k < 3; k++)
    disk.free[idx[k]] = false;
  return true;
}

// Return a finished chain's descriptors and wake anyone waiting for them.
// Requires disk.lock.
static void virtio_blk_free_chain(int head)
{
  int d = head;
  for (;;) {
    KASSERT(!disk.free[d], ("virtio_blk_free_chain: desc %d already free", d));
    uint16_t flags = vq.desc[d].flags;
    uint16_t next = vq.desc[d].next;
    memset(&vq.desc[d], 0, sizeof(vq.desc[d]));
    disk.free[d] = true;
    if (!(flags & VRING_DESC_F_NEXT))
      break;
    d = next;
  }
  wakeup(&disk.free);
}

// Fill the chain idx[0..2] for a request moving b->data to or from block
// blockno. Requires disk.lock.
static void virtio_blk_fill(const int *idx, struct buf *b, uint32_t blockno,
                            int write)
{
  struct virtio_blk_req *req = &disk.req[idx[0]];
  req->type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
  req->reserved = 0;
  req->sector = (uint64_t)blockno * (BSIZE / VIRTIO_BLK_SECTOR);

  vq.desc[idx[0]] = (struct virtq_desc){
    kvtophys(req), sizeof(*req), VRING_DESC_F_NEXT, (uint16_t)idx[1] };
  vq.desc[idx[1]] = (struct virtq_desc){
    kvtophys(b->data), BSIZE,
    VRING_DESC_F_NEXT | (write ? 0 : VRING_DESC_F_WRITE), (uint16_t)idx[2] };
  disk.info[idx[0]].status = 0xff;            // the device sets 0 on success
  vq.desc[idx[2]] = (struct virtq_desc){
    kvtophys((const void *)&disk.info[idx[0]].status), 1,
    VRING_DESC_F_WRITE, 0 };
  disk.info[idx[0]].b = b;
}

void virtio_blk_start(struct buf *b, uint32_t blockno, int write)
{
  SX_ASSERT_XLOCKED(&b->lock);
  uint64_t last = ((uint64_t)blockno + 1) * (BSIZE / VIRTIO_BLK_SECTOR);
  if (last > disk.capacity)
    panic("virtio_blk_start: block %u past the end of the disk", blockno);
  if (write && disk.readonly)
    panic("virtio_blk_start: write to a read-only disk");

  mtx_lock(&disk.lock);
  KASSERT(!b->disk, ("virtio_blk_start: block %u already in flight", blockno));
  int idx[3];
  while (!virtio_blk_alloc3(idx))
    sleep(&disk.free, &disk.lock);
  virtio_blk_fill(idx, b, blockno, write);
  b->disk = true;

  // Publish the head, then the new index, then tell the device: each store
  // must be visible to it before the next (spec 2.6.13).
  vq.avail.ring[vq.avail.idx % VQ_NUM] = (uint16_t)idx[0];
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  __atomic_store_n(&vq.avail.idx, (uint16_t)(vq.avail.idx + 1), __ATOMIC_RELEASE);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  virtio_blk_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  mtx_unlock(&disk.lock);
}

void virtio_blk_wait(struct buf *b)
{
  SX_ASSERT_XLOCKED(&b->lock);
  mtx_lock(&disk.lock);
  while (b->disk)
    sleep(b, &disk.lock);
  mtx_unlock(&disk.lock);
  if (b->disk_status != VIRTIO_BLK_S_OK)
    panic("virtio_blk_wait: I/O on block %u failed, status %d", b->blockno,
          b->disk_status);
}

void virtio_blk_rw(struct buf *b, int write)
{
  virtio_blk_start(b, b->blockno, write);
  virtio_blk_wait(b);
}

void virtio_blk_intr(void)
{
  mtx_lock(&disk.lock);
  // Acknowledge first: a completion that lands after the ack raises a new
  // interrupt, so none is lost between here and the ring walk.
  virtio_blk_wr(VIRTIO_MMIO_INTERRUPT_ACK,
                virtio_blk_rd(VIRTIO_MMIO_INTERRUPT_STATUS) &
                (VIRTIO_INT_USED_RING | VIRTIO_INT_CONFIG));
  __atomic_thread_fence(__ATOMIC_SEQ_CST);

  while (disk.used_seen != __atomic_load_n(&vq.used.idx, __ATOMIC_ACQUIRE)) {
    uint32_t id = vq.used.ring[disk.used_seen % VQ_NUM].id;
    KASSERT(id < VQ_NUM && disk.info[id].b != NULL,
            ("virtio_blk_intr: bogus completion %u", id));
    struct buf *b = disk.info[id].b;
    b->disk_status = disk.info[id].status;
    disk.info[id].b = NULL;
    virtio_blk_free_chain(id);
    b->disk = false;
    wakeup(b);
    disk.used_seen++;
  }
  mtx_unlock(&disk.lock);
}
