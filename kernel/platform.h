// SPDX-License-Identifier: MIT
// What the device tree told us about the machine, filled once at boot by
// the machine's device-tree parser (fdt.c) before anything else runs.
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include "lib/types.h"

#define PLATFORM_MAX_VIRTIO 8

struct platform {
  paddr_t ram_base;                    // first byte of RAM
  uint64_t ram_size;                   // bytes of RAM
  int nharts;                          // harts in /cpus
  uint64_t timebase_freq;              // ticks of the time CSR per second
  bool has_sstc;                       // every hart lists Sstc (stimecmp)
  paddr_t uart_base;                   // ns16550a
  int uart_irq;
  paddr_t plic_base;
  int nvirtio;                         // virtio,mmio nodes found
  paddr_t virtio_base[PLATFORM_MAX_VIRTIO];
  int virtio_irq[PLATFORM_MAX_VIRTIO];
  paddr_t test_base;                   // sifive,test (power-off), 0 if none
  char bootargs[128];                  // /chosen/bootargs
};

extern struct platform platform;

// The rate of the time CSR in Hz: the device tree's timebase-frequency,
// or QEMU virt's 10 MHz while the tree has not been read (a lock may spin
// that early) or if it gave none, so that a time limit is never zero.
#define PLATFORM_TIMEBASE_DEFAULT 10000000

static inline uint64_t platform_timebase_freq(void)
{
  return platform.timebase_freq != 0 ? platform.timebase_freq
                                     : PLATFORM_TIMEBASE_DEFAULT;
}

#endif
