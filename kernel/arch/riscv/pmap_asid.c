// SPDX-License-Identifier: MIT
// ASIDs for the Sv39 pmap: which address-space identifier each user pmap
// runs with, which cpus a shootdown must reach at once, and which TLB
// flush a cpu owes when it switches to a pmap. Bookkeeping only: this file
// touches no hardware. pmap_mmu.c writes satp and fences as these functions
// say, and the host tests (tests-host/sv39) drive them directly.
//
// Generations: user pmaps get ASIDs 1..pmap_asid_max-1 tagged with a
// generation (0 is the kernel's, whose mappings are global anyway). When
// the ASIDs run out a new generation starts and every cpu owes a full TLB
// flush (asid_stale), paid before it next runs a user pmap: no cpu then
// holds an entry of an older generation while it runs a newer one, so an
// ASID handed out again cannot hit its previous owner's entries. A pmap
// of an older generation gets a fresh ASID the next time it runs. Without
// ASIDs (pmap_asid_max == 0) every switch to a user pmap flushes the TLB.
//
// Active and stale: a pmap's `active` mask holds the cpus running it now;
// only they get a shootdown. A cpu that ran it and left may still cache its
// entries (they survive a switch, which is the point of ASIDs), so a
// shootdown marks every other cpu in the pmap's `stale` mask instead, and
// a stale cpu flushes the pmap's ASID before it runs it again. A process
// that has moved between harts thus costs no IPIs to the harts it left,
// and one that stays put keeps its TLB entries across switches.
//
// Locking: pmap_asid_lock (s) protects the state below and every pmap's
// asid, asid_gen, active and stale. It is a leaf, taken inside pmap locks
// by pmap_invalidate.
#include "arch/riscv/pmap_var.h"
#include "lib/lock.h"
#include "vm/pmap.h"

struct mtx pmap_asid_lock;
uint32_t pmap_asid_max;                // (c) ASIDs the harts keep; 0 = none
static uint32_t asid_next;             // (s) next free ASID of this generation
static uint64_t asid_gen;              // (s)
static uint64_t asid_stale;            // (s) cpus owing a full TLB flush

void pmap_asid_init(void)
{
  mtx_init(&pmap_asid_lock, "pmap asid");
  asid_next = 0;                       // the first user pmap starts generation 2
  asid_gen = 1;
  asid_stale = 0;
}

uint64_t pmap_asid_shootdown(struct pmap *pmap)
{
  MTX_ASSERT_OWNED(&pmap_asid_lock);
  KASSERT(pmap != kernel_pmap, ("pmap_asid_shootdown: kernel_pmap"));
  pmap->stale |= ~pmap->active;
  return pmap->active;
}

/* LAB pmap BEGIN pmap_asid_switch: ASIDs by generation and the flush a switch owes */
// Give pmap an ASID of the current generation, starting a new generation
// when none is left. Requires pmap_asid_lock.
static void pmap_asid_alloc_locked(struct pmap *pmap)
{
  MTX_ASSERT_OWNED(&pmap_asid_lock);
  if (asid_next == 0 || asid_next >= pmap_asid_max) {
    asid_gen++;
    asid_next = 1;            // 0 is the kernel's
    asid_stale = ~0UL;
  }
  pmap->asid = asid_next++;
  pmap->asid_gen = asid_gen;
  pmap->stale = 0;            // asid_stale makes every cpu flush it all
}

enum pmap_asid_flush pmap_asid_switch(struct pmap *old, struct pmap *pmap,
                                      int cpu)
{
  uint64_t me = 1UL << cpu;
  enum pmap_asid_flush flush = PMAP_ASID_FLUSH_NONE;

  MTX_ASSERT_OWNED(&pmap_asid_lock);
  if (old != kernel_pmap && old != NULL)
    old->active &= ~me;
  if (pmap == kernel_pmap)
    return PMAP_ASID_FLUSH_NONE;
  if (pmap_asid_max == 0) {
    flush = PMAP_ASID_FLUSH_ALL;      // no ASIDs: a switch forgets everything
  } else {
    if (pmap->asid_gen != asid_gen)
      pmap_asid_alloc_locked(pmap);
    if (asid_stale & me)
      flush = PMAP_ASID_FLUSH_ALL;
    else if (pmap->stale & me)
      flush = PMAP_ASID_FLUSH_ASID;
    asid_stale &= ~me;
  }
  pmap->stale &= ~me;
  pmap->active |= me;
  return flush;
}
/* LAB pmap STUB
enum pmap_asid_flush pmap_asid_switch(struct pmap *old, struct pmap *pmap,
                                      int cpu)
{
  (void)old;
  (void)pmap;
  (void)cpu;
  panic("lab pmap: pmap_asid_switch not written");
}
   LAB pmap END */
