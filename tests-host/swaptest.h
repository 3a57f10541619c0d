// SPDX-License-Identifier: MIT
// Helpers shared by the swap host tests (test_swap_pager.c,
// test_swap_readahead.c): a machine of 128 pages with the fake swap device
// of 256 blocks (host_swapdev.h), up to three processes, private anonymous
// memory at VA(0) filled and checked page by page, and a teardown that
// finishes the reads in flight and requires swap back to zero.
#ifndef SWAPTEST_H
#define SWAPTEST_H

#include <criterion/criterion.h>
#include <string.h>

#include "host_kmem.h"
#include "host_lock.h"
#include "host_pmap.h"
#include "host_swapdev.h"
#include "lib/lock.h"
#include "vm/swap_pager.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"
#include "vm/vmmap.h"
#include "vm/vmspace.h"
#include "vmtest.h"

#define BASE   0x100000UL
#define VA(i)  (BASE + (vm_offset_t)(i) * PAGE_SIZE)

static struct vmspace *vms[3];

static inline void setup(void)
{
  vmtest_boot(128);
  host_swapdev_attach(256);
  vms[0] = vmspace_alloc(PAGE_SIZE, 0x4000000000UL);
  cr_assert_not_null(vms[0]);
}

static inline uint64_t swap_used(void)
{
  struct swap_stats st;

  swap_pager_stats(&st);
  return st.used;
}

static inline void teardown(void)
{
  host_swapdev_finish_reads();        // the disk ends what is in flight
  host_set_sleep_hook(NULL);
  for (int i = 0; i < 3; i++)
    if (vms[i] != NULL)
      vmspace_free(vms[i]);
  cr_assert_eq(swap_used(), 0, "swap not back to zero: %lu blocks",
               (unsigned long)swap_used());
  host_swapdev_detach();
  vmtest_teardown_strict();
}


static inline struct vm_map *map_of(int p)
{
  return &vms[p]->vm_map;
}

// Private anonymous memory of npages pages at VA(0) in process p.
static inline void map_anon(int p, int npages)
{
  struct vm_map *map = map_of(p);
  int rv;

  vm_map_lock(map);
  rv = vm_map_insert(map, NULL, 0, VA(0), VA(npages), VM_PROT_RW, VM_PROT_ALL,
                     MAP_COPY_ON_WRITE);
  vm_map_unlock(map);
  cr_assert_eq(rv, KERN_SUCCESS);
}

// Fill page i of process p with bytes (i * 7 + salt), checking each.
static inline void fill(int p, int first, int n, int salt)
{
  for (int i = first; i < first + n; i++) {
    uint8_t buf[PAGE_SIZE];
    memset(buf, (uint8_t)(i * 7 + salt), sizeof(buf));
    cr_assert_eq(vmtest_write(map_of(p), VA(i), buf, sizeof(buf)),
                 KERN_SUCCESS);
  }
}

static inline void verify(int p, int first, int n, int salt)
{
  for (int i = first; i < first + n; i++) {
    uint8_t buf[PAGE_SIZE];
    cr_assert_eq(vmtest_read(map_of(p), VA(i), buf, sizeof(buf)),
                 KERN_SUCCESS, "read of page %d failed", i);
    for (size_t k = 0; k < sizeof(buf); k++)
      cr_assert_eq(buf[k], (uint8_t)(i * 7 + salt),
                   "page %d byte %zu reads %#x, wrote %#x", i, k, buf[k],
                   (uint8_t)(i * 7 + salt));
  }
}

// The front object of the entry at VA(0) of process p.
static inline struct vm_object *front(int p)
{
  struct vm_map_entry *e = vmtest_entry_at(map_of(p), VA(0));

  cr_assert_not_null(e);
  return e->object;
}

static inline bool resident(struct vm_object *obj, vm_pindex_t i)
{
  bool r;

  mtx_lock(&obj->lock);
  r = vm_object_page_lookup(obj, i) != NULL;
  mtx_unlock(&obj->lock);
  return r;
}

#endif
