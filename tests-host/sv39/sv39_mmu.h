// SPDX-License-Identifier: MIT
// The host MMU stand-in for the Sv39 pmap tests (sv39_mmu.c).
#ifndef SV39_MMU_H
#define SV39_MMU_H

#include <stdint.h>

// What the pmap asked the (absent) TLB to do since sv39_boot.
struct sv39_tlb_stats {
  uint64_t pages;       // single-page invalidations
  uint64_t full;        // whole-address-space invalidations
  uint64_t widened;     // mappings made or widened, left unfenced
  uint64_t local;       // this hart only: a mapping entered again unchanged
  uint64_t forgotten;   // pmap_mmu_forget calls
};
extern struct sv39_tlb_stats sv39_tlb;

// Give kernel_pmap a root (after vm_page_startup) and create the pmap
// zones; sv39_shutdown frees the root again.
void sv39_boot(void);
void sv39_shutdown(void);

#endif
