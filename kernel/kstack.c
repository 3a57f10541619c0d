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
// Locking: kernel_map's lock (an sx: callers may sleep) serialises changes
// to the map; kernel_pmap has its own lock inside pmap.
#include "kstack.h"
#include "lib/kassert.h"
#include "machdep.h"
#include "vm/pmap.h"
#include "vm/vm_map.h"
#include "vm/vm_page.h"

#define KSTACK_SPAN  ((KSTACK_PAGES + 1) * PAGE_SIZE)   // guard + stack

CTASSERT(KSTACK_SIZE == KSTACK_PAGES * PAGE_SIZE);

struct vm_map kernel_map;

void kernel_map_init(void)
{
  vm_map_init(&kernel_map, kernel_pmap, KVA_START, KVA_END);
  kernel_map.flags |= MAP_SYSTEM_MAP;
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

vm_offset_t kstack_alloc(void)
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

void kstack_free(vm_offset_t top)
{
  vm_offset_t guard = top - KSTACK_SPAN;

  KASSERT(top != 0 && page_aligned(top) && guard >= KVA_START && top <= KVA_END,
          ("kstack_free: bad stack top %lx", top));
  kstack_release(guard, guard + PAGE_SIZE, top);
}
