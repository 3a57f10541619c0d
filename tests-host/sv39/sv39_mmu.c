// SPDX-License-Identifier: MIT
// Host stand-in for kernel/arch/riscv/pmap_mmu.c, so the real table code of
// kernel/arch/riscv/pmap.c runs on the host: no satp and no TLB, so
// invalidation only counts (and checks its locking contract, and marks
// stale cpus through pmap_asid.c as the machine does), and boot is a root
// table for kernel_pmap taken from vm_page.

#include "arch/riscv/pmap_var.h"
#include "lib/kassert.h"
#include "sv39_mmu.h"
#include "vm/pmap.h"
#include "vm/vm_page.h"

struct sv39_tlb_stats sv39_tlb;

void pmap_invalidate(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva,
                     bool all)
{
  MTX_ASSERT_OWNED(&pmap->lock);
  KASSERT(sva < eva, ("pmap_invalidate: empty range"));
  if (pmap != kernel_pmap) {          // as the machine's: mark stale cpus
    mtx_lock(&pmap_asid_lock);
    pmap_asid_shootdown(pmap);
    mtx_unlock(&pmap_asid_lock);
  }
  if (all)
    sv39_tlb.full++;
  else
    sv39_tlb.pages += (eva - sva) / PAGE_SIZE;
}

void pmap_invalidate_new(struct pmap *pmap, vm_offset_t va)
{
  KASSERT(pmap != kernel_pmap, ("pmap_invalidate_new: kernel mapping %lx", va));
  sv39_tlb.widened++;
}

void pmap_invalidate_local(struct pmap *pmap, vm_offset_t va)
{
  MTX_ASSERT_OWNED(&pmap->lock);
  KASSERT(pmap != kernel_pmap, ("pmap_invalidate_local: kernel mapping %lx",
                                va));
  sv39_tlb.local++;
}

void pmap_mmu_forget(struct pmap *pmap)
{
  (void)pmap;
  sv39_tlb.forgotten++;
}

void sv39_boot(void)
{
  struct vm_page *m = vm_page_alloc(NULL, 0, VM_ALLOC_ZERO | VM_ALLOC_WIRED |
                                                 VM_ALLOC_NOBUSY);

  KASSERT(m != NULL, ("sv39_boot: no page for the kernel root"));
  pmap_zones_init();
  pmap_asid_init();
  kernel_pmap->root_pa = VM_PAGE_TO_PHYS(m);
  kernel_pmap->root = PHYS_TO_DMAP(kernel_pmap->root_pa);
  // A recognisable upper half for pmap_create to copy.
  for (int i = PT_KERNEL_FIRST; i < PT_ENTRIES; i++)
    kernel_pmap->root[i] = ((pt_entry_t)i << PTE_PPN_SHIFT) | PTE_V | PTE_R |
                           PTE_W | PTE_G;
  sv39_tlb = (struct sv39_tlb_stats){ 0 };
}

void sv39_shutdown(void)
{
  struct vm_page *m = PHYS_TO_VM_PAGE(kernel_pmap->root_pa);

  vm_page_unwire(m, false);
  vm_page_free(m);
}

