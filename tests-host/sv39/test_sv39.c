// SPDX-License-Identifier: MIT
// Host tests of the real Sv39 table code (kernel/arch/riscv/pmap.c) over
// host memory: sv39_mmu.c stands in for the MMU half, memlayout.h here
// makes the direct map the identity.
//
// After every step the checker walks the tables the way the hardware
// would and compares them with a small model (pmap, slot) -> (page, prot,
// wired): every leaf is a model mapping with the right bits, every table
// page counts its valid entries, the pmap's counts agree, and every page's
// pv count equals its model mappings. Randomised sequences of enter,
// remove, protect, page_protect and unwire run against it.
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>

#include "arch/riscv/pmap_var.h"
#include "host_kmem.h"
#include "host_lock.h"
#include "host_panic.h"
#include "sv39_mmu.h"
#include "arch/riscv/vmparam.h"
#include "vm/mman.h"
#include "vm/pmap.h"
#include "vm/vm_page.h"

#define NPAGES   256
#define NPMAPS   2
#define NDATA    8                     // pages that get mapped
#define NSLOTS   12

// Addresses that share and split level-0 and level-1 tables, up to the
// last user page, in increasing order.
static const vm_offset_t slot_va[NSLOTS] = {
  0x10000, 0x11000, 0x1ff000, 0x200000, 0x201000, 0x3ffff000,
  0x40000000, 0x40001000, 0x1234567000, 0x2000000000, 0x3fffffe000,
  0x3ffffff000,
};

struct slot {
  int page;                            // index in data[], -1 when unmapped
  pt_entry_t rights;                   // PTE_R/W/X expected
  bool wired;
};

static void *mem;
static struct vm_page *pages;
static struct vm_page *data[NDATA];
static struct pmap *pm[NPMAPS];
static struct slot model[NPMAPS][NSLOTS];
static size_t free_at_start;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(uint64_t n)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng % n;
}

static void setup(void)
{
  mem = aligned_alloc(PAGE_SIZE, NPAGES * PAGE_SIZE);
  pages = calloc(NPAGES, sizeof(*pages));
  cr_assert(mem != NULL && pages != NULL);
  host_kmem_reset();
  vm_page_startup(pages, (paddr_t)(uintptr_t)mem, NPAGES);
  sv39_boot();
  for (int i = 0; i < NDATA; i++)
    cr_assert((data[i] = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY)) != NULL);
  for (int p = 0; p < NPMAPS; p++) {
    cr_assert((pm[p] = pmap_create()) != NULL);
    for (int s = 0; s < NSLOTS; s++)
      model[p][s].page = -1;
  }
  free_at_start = vm_page_free_count();
}

// Everything unmapped and destroyed: every table page is back.
static void teardown(void)
{
  for (int p = 0; p < NPMAPS; p++) {
    pmap_remove(pm[p], 0, MAXUVA);
    cr_assert_eq(pmap_resident_count(pm[p]), 0);
  }
  cr_assert_eq(vm_page_free_count(), free_at_start, "table pages leaked");
  for (int p = 0; p < NPMAPS; p++)
    pmap_destroy(pm[p]);
  for (int i = 0; i < NDATA; i++) {
    cr_assert(!pmap_page_is_mapped(data[i]));
    vm_page_free(data[i]);
  }
  sv39_shutdown();
  vm_page_check();
  cr_assert_eq(host_kmem_live(), 0, "pmap or pv entries leaked");
  free(mem);
  free(pages);
}

TestSuite(sv39, .init = setup, .fini = teardown);

// --- the checker ----------------------------------------------------------

static int slot_of(vm_offset_t va)
{
  for (int s = 0; s < NSLOTS; s++)
    if (slot_va[s] == va)
      return s;
  return -1;
}

static int data_of(paddr_t pa)
{
  for (int i = 0; i < NDATA; i++)
    if (VM_PAGE_TO_PHYS(data[i]) == pa)
      return i;
  return -1;
}

// Check one leaf against the model; counts it in *wired.
static void check_leaf(int p, vm_offset_t va, pt_entry_t pte, size_t *wired)
{
  int s = slot_of(va);
  struct slot *sl = &model[p][s];

  cr_assert(s >= 0, "pmap %d maps unexpected va %lx", p, va);
  cr_assert(sl->page >= 0 && data_of(pte_pa(pte)) == sl->page,
            "pmap %d va %lx maps the wrong page", p, va);
  cr_assert_eq(pte & PTE_RWX, sl->rights, "pmap %d va %lx rights", p, va);
  cr_assert((pte & (PTE_U | PTE_A | PTE_SW_MANAGED)) ==
            (PTE_U | PTE_A | PTE_SW_MANAGED) && !(pte & PTE_G));
  cr_assert_eq((pte & PTE_SW_WIRED) != 0, sl->wired, "va %lx wiring", va);
  *wired += sl->wired;
}

// Walk one table of level `shift` at va; returns the leaves below it.
static size_t check_table(int p, pt_entry_t *t, vm_offset_t va, int shift,
                          int first, int last, size_t *wired)
{
  size_t leaves = 0;
  uint32_t valid = 0;

  for (int i = first; i < last; i++) {
    vm_offset_t a = va + ((vm_offset_t)i << shift);
    if (!pte_valid(t[i]))
      continue;
    valid++;
    if (shift == L0_SHIFT) {
      check_leaf(p, a, t[i], wired);
      leaves++;
    } else {
      cr_assert(!pte_leaf(t[i]), "superpage in a user pmap at %lx", a);
      leaves += check_table(p, pte_table(t[i]), a, shift - 9, 0, PT_ENTRIES,
                            wired);
    }
  }
  cr_assert_eq(PHYS_TO_VM_PAGE(DMAP_TO_PHYS(t))->md.pv_count, valid,
               "table at level %d of va %lx miscounts", shift, va);
  if (shift != L2_SHIFT)
    cr_assert(valid > 0, "empty table left at %lx", va);
  return leaves;
}

static void check_all(void)
{
  size_t leaves, wired, model_n, model_w;

  for (int p = 0; p < NPMAPS; p++) {
    wired = model_n = model_w = 0;
    leaves = check_table(p, pm[p]->root, 0, L2_SHIFT, 0, PT_KERNEL_FIRST, &wired);
    for (int s = 0; s < NSLOTS; s++) {
      model_n += model[p][s].page >= 0;
      model_w += model[p][s].page >= 0 && model[p][s].wired;
    }
    cr_assert_eq(leaves, model_n, "pmap %d: %zu leaves, model %zu", p, leaves,
                 model_n);
    cr_assert_eq(pmap_resident_count(pm[p]), model_n);
    cr_assert_eq(pmap_wired_count(pm[p]), model_w);
  }
  for (int i = 0; i < NDATA; i++) {
    uint32_t n = 0;
    for (int p = 0; p < NPMAPS; p++)
      for (int s = 0; s < NSLOTS; s++)
        n += model[p][s].page == i;
    cr_assert_eq(data[i]->md.pv_count, n, "page %d: pv count", i);
    cr_assert_eq(pmap_page_is_mapped(data[i]), n > 0);
  }
}

// --- the model's side of each operation -----------------------------------

static pt_entry_t rights_of(vm_prot_t prot)
{
  return ((prot & (VM_PROT_READ | VM_PROT_WRITE)) ? PTE_R : 0) |
         ((prot & VM_PROT_WRITE) ? PTE_W : 0) |
         ((prot & VM_PROT_EXECUTE) ? PTE_X : 0);
}

static void do_enter(int p, int s, int page, vm_prot_t prot, bool wired)
{
  cr_assert_eq(pmap_enter(pm[p], slot_va[s], data[page], prot,
                          wired ? PMAP_ENTER_WIRED : 0), KERN_SUCCESS);
  model[p][s] = (struct slot){ page, rights_of(prot), wired };
}

// Lower the model's slots [a, b) of pmap p to keep (0: remove).
static void model_lower(int p, int a, int b, pt_entry_t keep, int page)
{
  for (int s = a; s < b; s++) {
    struct slot *sl = &model[p][s];
    if (sl->page < 0 || (page >= 0 && sl->page != page))
      continue;
    sl->rights &= keep;
    if (sl->rights == 0)
      sl->page = -1;
  }
}

static void random_step(void)
{
  int p = rnd(NPMAPS), s = rnd(NSLOTS), e = s + 1 + rnd(NSLOTS - s);
  int page = rnd(NDATA);
  vm_offset_t end = e < NSLOTS ? slot_va[e] : MAXUVA;
  vm_prot_t prot = 1 + rnd(7);
  bool ro = rnd(2);

  switch (rnd(6)) {
  case 0: case 1:
    do_enter(p, s, page, prot, rnd(4) == 0);
    break;
  case 2:
    pmap_remove(pm[p], slot_va[s], end);
    model_lower(p, s, e, 0, -1);
    break;
  case 3:
    pmap_protect(pm[p], slot_va[s], end, prot);
    model_lower(p, s, e, ((prot & VM_PROT_READ) ? PTE_R : 0) |
                ((prot & VM_PROT_WRITE) ? PTE_R | PTE_W : 0) |
                ((prot & VM_PROT_EXECUTE) ? PTE_X : 0), -1);
    break;
  case 4:
    pmap_page_protect(data[page], ro ? VM_PROT_READ : VM_PROT_NONE);
    for (int q = 0; q < NPMAPS; q++)
      model_lower(q, 0, NSLOTS, ro ? PTE_R | PTE_X : 0, page);
    break;
  default:
    pmap_unwire(pm[p], slot_va[s], end);
    for (int t = s; t < e; t++)
      model[p][t].wired = false;
    break;
  }
}

// --- tests ----------------------------------------------------------------

Test(sv39, create_copies_kernel_half)
{
  for (int i = 0; i < PT_ENTRIES; i++)
    cr_assert_eq(pm[0]->root[i], i < PT_KERNEL_FIRST ? 0 : kernel_pmap->root[i]);
}

Test(sv39, enter_extract_remove)
{
  vm_prot_t prot;

  do_enter(0, 0, 3, VM_PROT_WRITE, false);        // write implies read
  check_all();
  cr_assert_eq(pmap_extract_page(pm[0], slot_va[0] + 123, &prot), data[3]);
  cr_assert_eq(prot, VM_PROT_RW);
  cr_assert_null(pmap_extract_page(pm[0], slot_va[1], &prot));
  pmap_remove(pm[0], slot_va[0], slot_va[0] + PAGE_SIZE);
  model[0][0].page = -1;
  check_all();
  cr_assert_eq(vm_page_free_count(), free_at_start, "tables not freed");
  cr_assert(sv39_tlb.full > 0, "freeing tables needs a full flush");
}

Test(sv39, replace_and_upgrade_keep_counts)
{
  do_enter(0, 2, 1, VM_PROT_READ, true);
  do_enter(0, 2, 1, VM_PROT_RW, false);           // same page, upgrade
  check_all();
  do_enter(0, 2, 5, VM_PROT_READ, false);         // another page
  do_enter(1, 2, 5, VM_PROT_READ | VM_PROT_EXECUTE, true);
  check_all();
  pmap_page_protect(data[5], VM_PROT_NONE);
  model[0][2].page = model[1][2].page = -1;
  check_all();
}

// pmap_page_remove_unwired keeps exactly the wired mappings of a page.
Test(sv39, remove_unwired_keeps_wired)
{
  do_enter(0, 3, 2, VM_PROT_RW, true);
  do_enter(1, 3, 2, VM_PROT_READ, false);
  do_enter(1, 4, 2, VM_PROT_READ, true);
  pmap_page_remove_unwired(data[2]);
  model[1][3].page = -1;
  check_all();
  cr_assert_not_null(pmap_extract_page(pm[0], slot_va[3], NULL));
  cr_assert_not_null(pmap_extract_page(pm[1], slot_va[4], NULL));
  cr_assert_null(pmap_extract_page(pm[1], slot_va[3], NULL));
}

// A mapping made or widened is left unfenced (the spurious-fault rule of
// pmap_pte_fence); entering it again unchanged is that spurious fault and
// fences this hart; one that loses rights or changes page fences all.
Test(sv39, fences_by_what_changed)
{
  struct sv39_tlb_stats t0 = sv39_tlb;

  do_enter(0, 1, 4, VM_PROT_READ, false);         // new
  cr_assert_eq(sv39_tlb.local, t0.local, "a new mapping needs no fence");
  do_enter(0, 1, 4, VM_PROT_RW, false);           // same page, more rights
  cr_assert_eq(sv39_tlb.widened - t0.widened, 2);
  cr_assert_eq(sv39_tlb.pages + sv39_tlb.full + sv39_tlb.local,
               t0.pages + t0.full + t0.local,
               "nothing was taken away, nothing to fence");
  do_enter(0, 1, 4, VM_PROT_RW, false);           // the same again
  cr_assert_eq(sv39_tlb.local, t0.local + 1,
               "an identical re-enter is a spurious fault: fence this hart");
  cr_assert_eq(sv39_tlb.widened - t0.widened, 2);
  cr_assert_eq(sv39_tlb.pages + sv39_tlb.full, t0.pages + t0.full,
               "the other harts fault and fence on their own");
  do_enter(0, 1, 4, VM_PROT_READ, false);         // fewer rights
  cr_assert_eq(sv39_tlb.pages, t0.pages + 1);
  do_enter(0, 1, 6, VM_PROT_READ, false);         // another page
  cr_assert_eq(sv39_tlb.pages, t0.pages + 2);
  do_enter(0, 2, 6, VM_PROT_READ, false);         // a fresh mapping again
  cr_assert_eq(sv39_tlb.widened - t0.widened, 3);
  cr_assert_eq(sv39_tlb.local, t0.local + 1);
  check_all();
}

Test(sv39, modified_survives_unmapping)
{
  do_enter(0, 0, 2, VM_PROT_RW, false);
  cr_assert(!pmap_is_modified(data[2]), "no write yet");
  cr_assert_eq(pmap_enter(pm[0], slot_va[0], data[2], VM_PROT_RW,
                          VM_PROT_WRITE), KERN_SUCCESS);
  cr_assert(pmap_is_modified(data[2]));
  cr_assert(pmap_mincore(pm[0], slot_va[0]) & MINCORE_MODIFIED);
  pmap_page_protect(data[2], VM_PROT_READ);
  cr_assert(pmap_is_modified(data[2]), "write-protect keeps D");
  pmap_remove(pm[0], 0, MAXUVA);
  model[0][0].page = -1;
  cr_assert(pmap_is_modified(data[2]), "removal keeps D in the page");
  pmap_clear_modify(data[2]);
  cr_assert(!pmap_is_modified(data[2]));
  check_all();
}

Test(sv39, referenced_counts_mappings)
{
  do_enter(0, 0, 4, VM_PROT_READ, false);
  do_enter(1, 5, 4, VM_PROT_READ, false);
  cr_assert(pmap_is_referenced(data[4]));
  cr_assert_eq(pmap_ts_referenced(data[4]), 2);
  cr_assert_eq(pmap_ts_referenced(data[4]), 0);
  cr_assert(!pmap_is_referenced(data[4]));
}

// Invalidations asked for since t0, pages and full flushes alike.
static uint64_t fences_since(struct sv39_tlb_stats t0)
{
  return sv39_tlb.pages - t0.pages + sv39_tlb.full - t0.full;
}

// A right taken away must leave every TLB that may cache it: each lowering
// of a live mapping, through a range or through the page's pv list, asks
// for its page (or the whole pmap) to be invalidated.
Test(sv39, lowering_fences_every_mapping)
{
  struct sv39_tlb_stats t0;

  do_enter(0, 0, 1, VM_PROT_RW, false);
  do_enter(1, 0, 1, VM_PROT_RW, false);
  t0 = sv39_tlb;
  pmap_protect(pm[0], slot_va[0], slot_va[0] + PAGE_SIZE, VM_PROT_READ);
  model[0][0].rights = PTE_R;
  cr_assert_geq(fences_since(t0), 1, "pmap_protect took W without a fence");
  check_all();
  t0 = sv39_tlb;
  pmap_page_protect(data[1], VM_PROT_READ);       // pmap 1 still had W
  model[1][0].rights = PTE_R;
  cr_assert_geq(fences_since(t0), 1, "pmap_page_protect took W unfenced");
  cr_assert_eq(pmap_enter(pm[0], slot_va[1], data[2], VM_PROT_RW,
                          VM_PROT_WRITE), KERN_SUCCESS);   // D preset
  model[0][1] = (struct slot){ 2, PTE_R | PTE_W, false };
  t0 = sv39_tlb;
  pmap_clear_modify(data[2]);
  cr_assert_geq(fences_since(t0), 1, "D cleared without a fence: a hart "
                "could keep writing through its cached dirty entry");
  cr_assert(!pmap_is_modified(data[2]));
  check_all();                    // (it expects A, which comes off next)
  t0 = sv39_tlb;
  cr_assert_eq(pmap_ts_referenced(data[1]), 2);
  cr_assert_geq(fences_since(t0), 2, "A cleared in two pmaps, fenced less");
  t0 = sv39_tlb;
  pmap_remove(pm[1], 0, MAXUVA);
  model[1][0].page = -1;
  cr_assert_geq(fences_since(t0), 1, "pmap_remove left a mapping cached");
  cr_assert_eq(pmap_resident_count(pm[1]), 0);
}

// A wired page never faults, so the hardware could not set A again once
// cleared: pmap_ts_referenced counts a wired mapping but leaves its A.
Test(sv39, ts_referenced_keeps_wired_mappings_referenced)
{
  do_enter(0, 2, 3, VM_PROT_RW, true);
  do_enter(1, 2, 3, VM_PROT_READ, false);
  cr_assert_eq(pmap_ts_referenced(data[3]), 2);
  cr_assert_eq(pmap_ts_referenced(data[3]), 1, "the wired mapping lost A");
  cr_assert(pmap_mincore(pm[0], slot_va[2]) & MINCORE_REFERENCED);
  cr_assert(!(pmap_mincore(pm[1], slot_va[2]) & MINCORE_REFERENCED));
  cr_assert(pmap_is_referenced(data[3]));
}

Test(sv39, shortage_changes_nothing)
{
  struct vm_page *hog[NPAGES];
  int n = 0;

  do_enter(0, 0, 0, VM_PROT_READ, false);
  while ((hog[n] = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY)) != NULL)
    n++;
  vm_page_free(hog[--n]);                          // one page: two are needed
  cr_assert_eq(pmap_enter(pm[0], slot_va[6], data[1], VM_PROT_READ, 0),
               KERN_RESOURCE_SHORTAGE);
  cr_assert_eq(vm_page_free_count(), 1, "the spare table page leaked");
  host_kmem_fail_after(0);                         // no pv entry either
  cr_assert_eq(pmap_enter(pm[0], slot_va[1], data[1], VM_PROT_READ, 0),
               KERN_RESOURCE_SHORTAGE);
  host_kmem_fail_after(-1);
  check_all();
  while (n-- > 0)
    vm_page_free(hog[n]);
}

Test(sv39, random_against_model)
{
  for (int step = 0; step < 3000; step++) {
    random_step();
    check_all();
  }
}

Test(sv39, destroy_with_mappings_panics, .signal = SIGABRT)
{
  expect_panic("pmap_destroy: pmap * still maps 1 pages");
  do_enter(0, 0, 0, VM_PROT_READ, false);
  pmap_destroy(pm[0]);
}

// --- page walks and the pv locks -------------------------------------------

// Every change of a page's pv list moves its generation; nothing else
// does, and freeing the page does not reset it.
Test(sv39, pv_gen_moves_with_the_pv_list)
{
  uint32_t g = data[5]->md.pv_gen;

  do_enter(0, 0, 5, VM_PROT_READ, false);
  cr_assert_eq(data[5]->md.pv_gen, g + 1, "an insert left pv_gen alone");
  do_enter(0, 0, 5, VM_PROT_RW, false);          // same page: same entry
  cr_assert_eq(data[5]->md.pv_gen, g + 1);
  do_enter(1, 3, 5, VM_PROT_READ, false);
  pmap_protect(pm[1], 0, MAXUVA, VM_PROT_READ);   // lowers, removes nothing
  cr_assert_eq(data[5]->md.pv_gen, g + 2);
  do_enter(0, 0, 6, VM_PROT_READ, false);         // replaces data[5] there
  model_lower(0, 0, 1, 0, 5);
  model[0][0] = (struct slot){ 6, PTE_R, false };
  cr_assert_eq(data[5]->md.pv_gen, g + 3, "a replaced page keeps its pv");
  pmap_page_protect(data[5], VM_PROT_NONE);
  model[1][3].page = -1;
  cr_assert_eq(data[5]->md.pv_gen, g + 4);
  pmap_page_init(data[5]);                        // as vm_page_free does
  cr_assert_eq(data[5]->md.pv_gen, g + 4, "a page's next life restarted it");
  check_all();
}

// Walks see every mapping of a page however its list was built: many
// mappings over both pmaps, some removed and made again in another order.
Test(sv39, walks_see_every_mapping_after_churn)
{
  int n = 0;

  for (int round = 0; round < 4; round++)
    for (int s = 0; s < NSLOTS; s++) {
      int p = (s + round) % NPMAPS;
      if (round % 2 == 0 || s % 3 == 0)
        do_enter(p, s, 0, VM_PROT_RW, false);
      else if (model[p][s].page >= 0) {
        pmap_remove(pm[p], slot_va[s], slot_va[s] + PAGE_SIZE);
        model[p][s].page = -1;
      }
    }
  check_all();
  for (int p = 0; p < NPMAPS; p++)
    for (int s = 0; s < NSLOTS; s++)
      n += model[p][s].page == 0;
  cr_assert_gt(n, NSLOTS, "the churn should leave many mappings");
  pmap_page_protect(data[0], VM_PROT_READ);
  model_lower(0, 0, NSLOTS, PTE_R | PTE_X, 0);
  model_lower(1, 0, NSLOTS, PTE_R | PTE_X, 0);
  check_all();
  cr_assert_eq(pmap_ts_referenced(data[0]), n, "a walk missed a mapping");
  pmap_page_protect(data[0], VM_PROT_NONE);
  model_lower(0, 0, NSLOTS, 0, 0);
  model_lower(1, 0, NSLOTS, 0, 0);
  check_all();
  cr_assert(!pmap_page_is_mapped(data[0]));
}

static int other_thread_ran;

static void other_thread_nothing(void *arg)
{
  (void)arg;
  other_thread_ran++;
}

// A walk that meets a pmap locked by another thread waits for it without
// holding the page's pv lock, and goes on where it was when the pv list
// did not change meanwhile.
Test(sv39, walk_waits_for_a_locked_pmap)
{
  do_enter(0, 0, 1, VM_PROT_RW, false);
  do_enter(1, 0, 1, VM_PROT_RW, false);
  do_enter(0, 1, 1, VM_PROT_RW, false);
  host_mtx_hold_foreign_then(&pm[1]->lock, other_thread_nothing, NULL);
  pmap_page_protect(data[1], VM_PROT_READ);
  cr_assert_eq(other_thread_ran, 1, "the walk never waited for pmap 1");
  model_lower(0, 0, NSLOTS, PTE_R | PTE_X, 1);
  model_lower(1, 0, NSLOTS, PTE_R | PTE_X, 1);
  check_all();
}

// What the other thread does while the walk waits: it removes the mapping
// after the one the walk stands on (freeing the pv entry a walk that went
// on would read next) and makes a new one.
static void other_thread_changes_the_list(void *arg)
{
  (void)arg;
  other_thread_ran++;
  pmap_remove(pm[0], slot_va[1], slot_va[1] + PAGE_SIZE);
  model[0][1].page = -1;
  do_enter(0, 2, 1, VM_PROT_RW, false);
}

Test(sv39, walk_restarts_when_the_list_changed)
{
  do_enter(0, 0, 1, VM_PROT_RW, false);
  do_enter(1, 0, 1, VM_PROT_RW, false);
  do_enter(0, 1, 1, VM_PROT_RW, false);
  host_mtx_hold_foreign_then(&pm[1]->lock, other_thread_changes_the_list,
                             NULL);
  pmap_page_protect(data[1], VM_PROT_READ);
  cr_assert_eq(other_thread_ran, 1);
  model_lower(0, 0, NSLOTS, PTE_R | PTE_X, 1);
  model_lower(1, 0, NSLOTS, PTE_R | PTE_X, 1);
  check_all();                    // the new mapping was write-protected too
}

// The other thread unmaps everything of a pmap and destroys it while the
// walk waits for its lock: the pmap's memory must outlive the wait.
static void other_thread_destroys(void *arg)
{
  struct pmap *q = arg;

  other_thread_ran++;
  pmap_remove(q, 0, MAXUVA);
  pmap_destroy(q);
}

Test(sv39, walk_outlives_a_pmap_destroyed_while_it_waits)
{
  struct pmap *q = pmap_create();

  cr_assert_not_null(q);
  cr_assert_eq(pmap_enter(q, slot_va[4], data[2], VM_PROT_RW, 0), KERN_SUCCESS);
  do_enter(0, 4, 2, VM_PROT_RW, false);
  host_mtx_hold_foreign_then(&q->lock, other_thread_destroys, q);
  pmap_page_protect(data[2], VM_PROT_NONE);
  cr_assert_eq(other_thread_ran, 1);
  model[0][4].page = -1;
  check_all();
  cr_assert(!pmap_page_is_mapped(data[2]));
}

// Every pv lock counts into one figure (vmstat's pv_lock_*).
Test(sv39, pv_locks_count_together)
{
  uint64_t a = lock_stats_sum(&vm_cnt.v_pv_lock).acquires;

  int i = 1;

  while (pmap_pv_lock_of(data[i]) == pmap_pv_lock_of(data[0]))
    i++;                                        // two pages, two locks
  do_enter(0, 0, 0, VM_PROT_READ, false);
  do_enter(0, 1, i, VM_PROT_READ, false);
  cr_assert_geq(lock_stats_sum(&vm_cnt.v_pv_lock).acquires, a + 2);
}
