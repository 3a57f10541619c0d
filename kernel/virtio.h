// SPDX-License-Identifier: MIT
// The virtio-blk driver (kernel/virtio_blk.c): the root disk, found among
// the device tree's virtio,mmio nodes by its device ID.
//
// Register offsets and bits of virtio-mmio version 2 and of the split
// virtqueue, from the virtio 1.1 specification (sections 4.2.2 and 2.6).
#ifndef KERNEL_VIRTIO_H
#define KERNEL_VIRTIO_H

#include "lib/types.h"

// MMIO registers (32-bit unless noted).
#define VIRTIO_MMIO_MAGIC_VALUE         0x000   // "virt"
#define VIRTIO_MMIO_VERSION             0x004   // 2 = modern
#define VIRTIO_MMIO_DEVICE_ID           0x008   // 2 = block device
#define VIRTIO_MMIO_VENDOR_ID           0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL           0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034
#define VIRTIO_MMIO_QUEUE_NUM           0x038
#define VIRTIO_MMIO_QUEUE_READY         0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064
#define VIRTIO_MMIO_STATUS              0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090   // the available ring
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0   // the used ring
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4
#define VIRTIO_MMIO_CONFIG              0x100   // device-specific

#define VIRTIO_MAGIC                    0x74726976
#define VIRTIO_DEVICE_BLOCK             2

// Device status bits.
#define VIRTIO_STATUS_ACKNOWLEDGE       1
#define VIRTIO_STATUS_DRIVER            2
#define VIRTIO_STATUS_DRIVER_OK         4
#define VIRTIO_STATUS_FEATURES_OK       8
#define VIRTIO_STATUS_FAILED            128

// Feature bits we look at. VERSION_1 (bit 32) must be accepted by a modern
// driver; RO means the disk refuses writes.
#define VIRTIO_F_VERSION_1              32
#define VIRTIO_BLK_F_RO                 5

// Interrupt status bits.
#define VIRTIO_INT_USED_RING            1
#define VIRTIO_INT_CONFIG               2

// Descriptor flags.
#define VRING_DESC_F_NEXT               1
#define VRING_DESC_F_WRITE              2       // device writes the buffer

struct virtq_desc {
  uint64_t addr;                  // physical address
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};

// Block requests: a header, the data, a status byte written by the device.
#define VIRTIO_BLK_T_IN                 0       // read
#define VIRTIO_BLK_T_OUT                1       // write
#define VIRTIO_BLK_S_OK                 0
#define VIRTIO_BLK_SECTOR               512

struct virtio_blk_req {
  uint32_t type;
  uint32_t reserved;
  uint64_t sector;
};

struct buf;

// Find and start the block devices: the first is the root disk (panics if
// there is none), a second one the swap disk.
void virtio_blk_init(void);
// The root disk's PLIC interrupt (0 before init).
extern int virtio_blk_irq;
// The trap code's call for PLIC interrupt irq: true if it was a disk's.
bool virtio_blk_intr(int irq);
// Read (write = 0) or write b's block; sleeps until the disk is done. The
// caller holds b's lock.
void virtio_blk_rw(struct buf *b, int write);
// The two halves of virtio_blk_rw, for several requests in flight: start
// moving b->data to or from disk block blockno (which need not be
// b->blockno: the log writes cached blocks into its own slots) and return;
// wait until that request is done. The caller holds b's lock throughout.
void virtio_blk_start(struct buf *b, uint32_t blockno, int write);
void virtio_blk_wait(struct buf *b);

// The swap disk: its size in bytes (0: there is none), and one request
// moving npages pages (physical addresses pa[]) to or from byte offset off
// (page aligned). Sleeps until done; 0, or -1 on an I/O error.
#define VIRTIO_BLK_SWAP_MAX 16
uint64_t virtio_blk_swap_size(void);
int virtio_blk_swap_rw(uint64_t off, const uint64_t *pa, int npages,
                       bool write);
// The same read, started without waiting: done(arg, ok) is called from the
// disk's interrupt handler when it finishes (ok false on an I/O error), with
// no lock of the driver's held. Returns 0 once started, -1 when the
// queue has no room for it now. Never sleeps, so a caller may hold spin
// locks, which done may take in its turn (the swap pager's read-ahead,
// kernel/vm/swap_pager_ra.c).
typedef void virtio_blk_done_fn(void *arg, bool ok);
int virtio_blk_swap_start(uint64_t off, const uint64_t *pa, int npages,
                          virtio_blk_done_fn *done, void *arg);

#endif
