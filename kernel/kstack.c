// SPDX-License-Identifier: MIT
// Kernel stacks, and the map they live in.
//
// kernel_map is a vm_map over [KVA_START, KVA_END) whose pmap is
// kernel_pmap. A stack is one map entry without an object covering a
// guard page and the KSTACK_PAGES above it; only those pages are entered
// in kernel_pmap, wired, so the guard page stays unmapped and a stack
// overflow takes a page fault there. The pages themselves come straight
// from vm_page (the entry has no object to own them), so kstack_free finds
// them again through the pmap before it removes the mappings.
//
// Layout of one allocation, low to high:
//   [va, va + PAGE_SIZE)          guard, never mapped
//   [va + PAGE_SIZE, top)         the stack; top = va + (KSTACK_PAGES + 1) pages
//
// Unmapping a stack must shoot it down on every hart (kernel_pmap's
// entries are global), and an SBI remote fence waits for each hart, idle
// ones in wfi included: at CPUS=3 that was most of what a fork + exit +
// wait cost beyond CPUS=1 (docs/scheduling.md). So KSTACK_POOL stacks are
// made at boot and never unmapped: kstack_alloc hands out a free one of
// them first, and kstack_free takes it back, mapped. Only stacks beyond
// the pool are made and unmapped as before. A process keeps the stack it
// got, so the pages in use at a quiet point (the leak checks compare
// them) do not depend on which stacks the processes that came and went
// had.
//
// Locking: kernel_map's lock (an sx: callers may sleep) serialises changes
// to the map; kernel_pmap has its own lock inside pmap; kstack_pool_lock
// (a leaf) the pool's free list.
#include "kstack.h"
#include "lib/kassert.h"
#include "lib/lock.h"
#include "machdep.h"
#include "param.h"
#include "vm/pmap.h"
#include "vm/vm_map.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"

#define KSTACK_SPAN  ((KSTACK_PAGES + 1) * PAGE_SIZE)   // guard + stack
#define KSTACK_POOL  NCPU           // stacks made at boot, never unmapped

CTASSERT(KSTACK_SIZE == KSTACK_PAGES * PAGE_SIZE);

struct vm_map kernel_map;

static struct mtx kstack_pool_lock;
static vm_offset_t kstack_pool[KSTACK_POOL];    // (c) tops of the pool's stacks
static vm_offset_t kstack_pool_free[KSTACK_POOL];  // tops of its free ones
static int kstack_pool_nfree;

static vm_offset_t kstack_alloc_new(void);

void kernel_map_init(void)
{
  vm_map_init(&kernel_map, kernel_pmap, KVA_START, KVA_END);
  kernel_map.flags |= MAP_SYSTEM_MAP;
  mtx_init(&kstack_pool_lock, "kstack pool");
  for (int i = 0; i < KSTACK_POOL; i++) {
    kstack_pool[i] = kstack_alloc_new();
    KASSERT(kstack_pool[i] != 0, ("kernel_map_init: no kernel stacks"));
    kstack_pool_free[kstack_pool_nfree++] = kstack_pool[i];
  }
}

// Reserve guard + stack address space; returns its start or 0.
static vm_offset_t kstack_reserve(void)
{
  vm_offset_t va;
  int rv;

  vm_map_lock(&kernel_map);
  rv = vm_map_findspace(&kernel_map, KVA_START, KSTACK_SPAN, &va);
  if (rv == KERN_SUCCESS)
    rv = vm_map_insert(&kernel_map, NULL, 0, va, va + KSTACK_SPAN,
                       VM_PROT_RW, VM_PROT_RW, MAP_NOMERGE);
  vm_map_unlock(&kernel_map);
  return rv == KERN_SUCCESS ? va : 0;
}

// Unmap and free the stack pages mapped in [va, end) (all or some of
// them, after a partial kstack_alloc), then release the address space
// that starts at guard.
static void kstack_release(vm_offset_t guard, vm_offset_t va, vm_offset_t end)
{
  struct vm_page *pages[KSTACK_PAGES];
  vm_prot_t prot;
  int n = 0;

  for (vm_offset_t a = va; a < end; a += PAGE_SIZE) {
    pages[n] = pmap_extract_page(kernel_pmap, a, &prot);
    KASSERT(pages[n] != NULL, ("kstack_release: no page at %lx", a));
    n++;
  }
  pmap_remove(kernel_pmap, va, end);      // shoots down every hart first
  while (n-- > 0)
    vm_page_free_contig(pages[n], 0);
  vm_map_remove(&kernel_map, guard, guard + KSTACK_SPAN);
}

static vm_offset_t kstack_alloc_new(void)
{
  vm_offset_t guard = kstack_reserve(), base, va;
  struct vm_page *m;

  if (guard == 0)
    return 0;
  base = guard + PAGE_SIZE;
  for (va = base; va < guard + KSTACK_SPAN; va += PAGE_SIZE) {
    if ((m = vm_page_alloc_contig(0)) == NULL)
      goto fail;
    if (pmap_enter(kernel_pmap, va, m, VM_PROT_RW,
                   VM_PROT_RW | PMAP_ENTER_WIRED) != KERN_SUCCESS) {
      vm_page_free_contig(m, 0);
      goto fail;
    }
  }
  return guard + KSTACK_SPAN;
fail:
  kstack_release(guard, base, va);
  return 0;
}

vm_offset_t kstack_alloc(void)
{
  vm_offset_t top = 0;
  int tries = VM_RECLAIM_TRIES;

  mtx_lock(&kstack_pool_lock);
  if (kstack_pool_nfree > 0)
    top = kstack_pool_free[--kstack_pool_nfree];
  mtx_unlock(&kstack_pool_lock);
  while (top == 0 && (top = kstack_alloc_new()) == 0 &&
         vm_pageout_retry(&tries))
    ;
  return top;
}

void kstack_free(vm_offset_t top)
{
  vm_offset_t guard = top - KSTACK_SPAN;
  bool pooled = false;

  KASSERT(top != 0 && page_aligned(top) && guard >= KVA_START && top <= KVA_END,
          ("kstack_free: bad stack top %lx", top));
  for (int i = 0; i < KSTACK_POOL && !pooled; i++)
    pooled = kstack_pool[i] == top;
  if (!pooled) {
    kstack_release(guard, guard + PAGE_SIZE, top);
    return;
  }
  mtx_lock(&kstack_pool_lock);
  KASSERT(kstack_pool_nfree < KSTACK_POOL, ("kstack_free: pool overflow"));
  kstack_pool_free[kstack_pool_nfree++] = top;
  mtx_unlock(&kstack_pool_lock);
}
