// SPDX-License-Identifier: MIT
// The Sv39 pmap's operations on one physical page, through its pv list
// (see pmap.c for the tables and the pv entries themselves):
// pmap_page_protect and pmap_page_remove_unwired, the modified and
// referenced queries that the pageout scan and msync rely on, how a walk
// locks each mapping's pmap (pmap_pv_lock_pmap), and the page-contents
// helpers (zero, copy) that work through the direct map.
//
// A page's modified (referenced) state is the union of two places: the D
// (A) bit of every live mapping, and PV_MODIFIED (PV_REFERENCED) in its
// md.pv_flags, where pmap.c keeps the bits of mappings already removed.
// A query looks at both; a clear clears both.
//
// Locking: a walk holds the page's pv lock (pmap_pv_lock_of) throughout
// and locks each mapping's pmap in turn. The pmap lock comes first in
// pmap.c's order, so pmap_pv_lock_pmap may have to let go of the pv lock
// to wait for it; when the pv list changed meanwhile the walk starts again
// from its head, where the mappings already done are done (a test finds
// nothing new, a clear or removal has nothing left to do) except that a
// wired mapping counts again for pmap_ts_referenced, a hint anyway. A walk
// flushes each mapping it lowers before it lets go of the pv lock, so a
// page it leaves unmapped is mapped by no TLB. Table pages freed on the
// way are given back after both locks are released.
#include "arch/riscv/pmap_var.h"
#include "lib/list.h"
#include "lib/lock.h"
#include "lib/string.h"
#include "vm/pmap.h"
#include "vm/vm_page.h"

// ---------------------------------------------------------------------------
// The mappings of one page.

// What pmap_page_walk does to each mapping of a page.
enum pmap_pv_op {
  PV_OP_TEST_MODIFIED,       // stop at the first mapping with D
  PV_OP_TEST_REFERENCED,     // stop at the first mapping with A
  PV_OP_CLEAR_MODIFIED,      // clear D everywhere
  PV_OP_CLEAR_REFERENCED,    // clear A (not of wired mappings), count them
  PV_OP_WRITE_PROTECT,       // clear W everywhere
  PV_OP_REMOVE,              // remove every mapping
  PV_OP_REMOVE_UNWIRED,      // remove every mapping that is not wired
};

// (pmap_var.h.) Called by the page walks below, where the wait may be.
bool pmap_pv_lock_pmap(struct vm_page *m, struct pmap *pmap)
{
  struct mtx *pvl = pmap_pv_lock_of(m);
  uint32_t gen;

  MTX_ASSERT_OWNED(pvl);
  if (mtx_trylock(&pmap->lock))
    return true;
  // The pv entry naming pmap keeps it alive only while we hold pvl.
  gen = m->md.pv_gen;
  __atomic_fetch_add(&pmap->holds, 1, __ATOMIC_RELAXED);  // see pmap_release
  mtx_unlock(pvl);
  mtx_lock(&pmap->lock);
  mtx_lock(pvl);
  if (m->md.pv_gen == gen) {
    pmap_release(pmap);       // never the last: its pv entry is still there
    return true;
  }
  mtx_unlock(&pmap->lock);
  pmap_release(pmap);
  return false;
}

/* LAB pmap BEGIN pmap_page_walk: apply a test, clear or removal to every mapping of a page */
// Apply op to the mapping of pv's page m. Returns 1 when it counts
// (tests, CLEAR_REFERENCED), else 0. Requires m's pv lock and pv->pmap's
// lock.
static int pmap_pv_apply(struct pv_entry *pv, struct vm_page *m,
                         enum pmap_pv_op op, struct list_node *free)
{
  struct pmap *pmap = pv->pmap;
  vm_offset_t va = pv->va;
  pt_entry_t *pte = pmap_pv_pte(pv, m), bit, old;

  MTX_ASSERT_OWNED(pmap_pv_lock_of(m));
  switch (op) {
  case PV_OP_TEST_MODIFIED:
    return (*pte & PTE_D) != 0;
  case PV_OP_TEST_REFERENCED:
    return (*pte & PTE_A) != 0;
  case PV_OP_REMOVE_UNWIRED:
    if (*pte & PTE_SW_WIRED)
      return 0;
    // FALLTHROUGH
  case PV_OP_REMOVE:                  // frees pv
    pmap_invalidate_page(pmap, va, pmap_remove_pte(pmap, pte, va, free));
    return 0;
  case PV_OP_CLEAR_REFERENCED:
    if (*pte & PTE_SW_WIRED)
      return 1;                       // a wired page never faults for A
    bit = PTE_A;
    break;
  case PV_OP_CLEAR_MODIFIED:
    bit = PTE_D;
    break;
  default:
    bit = PTE_W;
    break;
  }
  old = pte_clear_bits(pte, bit);
  if (old & bit)                      // the TLB may hold the old entry
    pmap_invalidate_page(pmap, va, false);
  return op == PV_OP_CLEAR_REFERENCED && (old & bit);
}

// Apply op to every mapping of m; returns the count of pmap_pv_apply's
// answers (stopping at the first for the tests).
static int pmap_page_walk(struct vm_page *m, enum pmap_pv_op op)
{
  struct mtx *pvl = pmap_pv_lock_of(m);
  struct list_node *n, *tmp, free;
  struct pv_entry *pv;
  struct pmap *pmap;
  int count = 0;

  list_init(&free);
  mtx_lock(pvl);
restart:
  list_for_each_safe(n, tmp, &m->md.pv_list) {
    pv = container_of(n, struct pv_entry, link);
    pmap = pv->pmap;
    if (!pmap_pv_lock_pmap(m, pmap))
      goto restart;                   // the list changed while we waited
    count += pmap_pv_apply(pv, m, op, &free);
    mtx_unlock(&pmap->lock);
    if (count > 0 && (op == PV_OP_TEST_MODIFIED ||
                      op == PV_OP_TEST_REFERENCED))
      break;
  }
  mtx_unlock(pvl);
  pmap_ptp_free_queued(&free);
  return count;
}
/* LAB pmap STUB
// Apply op to every mapping of m; returns how many mappings answered yes
// (the two tests stop at the first) or, for PV_OP_CLEAR_REFERENCED, how
// many had A set (a wired mapping counts without losing A).
static int pmap_page_walk(struct vm_page *m, enum pmap_pv_op op)
{
  (void)m;
  (void)op;
  panic("lab pmap: pmap_page_walk not written");
}
   LAB pmap END */

// Take (read and clear when clear) the given md.pv_flags bit of m. Its pv
// lock is enough: no pmap is involved.
static bool pmap_page_flag(struct vm_page *m, uint32_t flag, bool clear)
{
  struct mtx *pvl = pmap_pv_lock_of(m);
  bool was;

  mtx_lock(pvl);
  was = (m->md.pv_flags & flag) != 0;
  if (clear)
    m->md.pv_flags &= ~flag;
  mtx_unlock(pvl);
  return was;
}

void pmap_page_protect(struct vm_page *m, vm_prot_t prot)
{
  if (prot & VM_PROT_WRITE)
    return;
  pmap_page_walk(m, (prot & (VM_PROT_READ | VM_PROT_EXECUTE)) ?
                    PV_OP_WRITE_PROTECT : PV_OP_REMOVE);
}

void pmap_page_remove_unwired(struct vm_page *m)
{
  pmap_page_walk(m, PV_OP_REMOVE_UNWIRED);
}

bool pmap_is_modified(struct vm_page *m)
{
  return pmap_page_flag(m, PV_MODIFIED, false) ||
         pmap_page_walk(m, PV_OP_TEST_MODIFIED) > 0;
}

void pmap_clear_modify(struct vm_page *m)
{
  pmap_page_flag(m, PV_MODIFIED, true);
  pmap_page_walk(m, PV_OP_CLEAR_MODIFIED);
}

bool pmap_is_referenced(struct vm_page *m)
{
  return pmap_page_flag(m, PV_REFERENCED, false) ||
         pmap_page_walk(m, PV_OP_TEST_REFERENCED) > 0;
}

int pmap_ts_referenced(struct vm_page *m)
{
  int count = pmap_page_flag(m, PV_REFERENCED, true) ? 1 : 0;

  return count + pmap_page_walk(m, PV_OP_CLEAR_REFERENCED);
}

// Lock-free on purpose: vm_page_free asks while kmem may hold a pv lock
// (freeing a pv entry can free its slab, and that slab page may hash to
// the very lock held). A caller that needs a stable answer holds the
// page's object lock, which every new mapping needs too.
bool pmap_page_is_mapped(struct vm_page *m)
{
  return __atomic_load_n(&m->md.pv_list.next, __ATOMIC_ACQUIRE) !=
         &m->md.pv_list;
}

// md.pv_gen is left alone (vm_page_startup zeroes it): it counts on over
// the page's lives, so a walk that waited for a pmap cannot take a later
// pv list of the page for the one it left.
void pmap_page_init(struct vm_page *m)
{
  list_init(&m->md.pv_list);
  m->md.pv_count = 0;
  m->md.pv_flags = 0;
}

// ---------------------------------------------------------------------------
// Page contents, through the direct map.

void *pmap_page_kva(struct vm_page *m)
{
  return PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m));
}

void pmap_zero_page(struct vm_page *m)
{
  memset(pmap_page_kva(m), 0, PAGE_SIZE);
}

void pmap_copy_page(struct vm_page *src, struct vm_page *dst)
{
  memcpy(pmap_page_kva(dst), pmap_page_kva(src), PAGE_SIZE);
}
