// SPDX-License-Identifier: MIT
// The Sv39 pmap's private definitions, shared by its four files and by
// nothing else: pmap.c (tables, pv entries, the range operations of
// pmap.h), pmap_page.c (the per-page operations of pmap.h), pmap_asid.c
// (which ASID a pmap runs with and which flushes cpus owe) and pmap_mmu.c
// (everything that touches satp, sfence.vma or SBI: the boot page table,
// activation and TLB shootdown).
#ifndef RISCV_PMAP_VAR_H
#define RISCV_PMAP_VAR_H

#include "arch/riscv/memlayout.h"
#include "lib/list.h"
#include "lib/lock.h"
#include "vm/vm.h"
#include "vm/vm_page.h"

// Sv39 page-table entry (RISC-V privileged spec, "Sv39"):
//
//   63    54 53                 10 9   8 7 6 5 4 3 2 1 0
//  | 0      | PPN[2] PPN[1] PPN[0] | RSW |D|A|G|U|X|W|R|V|
//
// V valid. R W X the rights; all three clear means a pointer to the next
// level's table, and W without R is reserved. U user page; G global (in
// every address space: the kernel's half). A accessed, D dirty: pmap_enter
// presets them so the hardware never needs to set them or fault for them.
// RSW is ours: WIRED and MANAGED (the mapping has a pv entry).
typedef uint64_t pt_entry_t;

#define PTE_V           (1UL << 0)
#define PTE_R           (1UL << 1)
#define PTE_W           (1UL << 2)
#define PTE_X           (1UL << 3)
#define PTE_U           (1UL << 4)
#define PTE_G           (1UL << 5)
#define PTE_A           (1UL << 6)
#define PTE_D           (1UL << 7)
#define PTE_SW_WIRED    (1UL << 8)
#define PTE_SW_MANAGED  (1UL << 9)
#define PTE_RWX         (PTE_R | PTE_W | PTE_X)
#define PTE_PPN_SHIFT   10
#define PTE_PPN_MASK    ((1UL << 44) - 1)

// A virtual address: three 9-bit table indexes above the page offset.
// Entries of the root map 1 GiB, of level 1 2 MiB, of level 0 4 KiB.
#define L2_SHIFT        30
#define L1_SHIFT        21
#define L0_SHIFT        12
#define PT_ENTRIES      512
#define PT_KERNEL_FIRST 256            // first root entry of the upper half

// Locks: (p) the pmap's lock; (s) pmap_asid_lock in pmap_asid.c;
// (a) atomic.
struct pmap {
  struct mtx lock;
  uint32_t holds;                      // (a) 1 until pmap_destroy, plus one
                                       //     per page walk waiting for lock
  pt_entry_t *root;                    // (c) root table, in the direct map
  paddr_t root_pa;                     // (c)
  size_t resident;                     // (p) leaf mappings
  size_t wired;                        // (p) wired leaf mappings
  uint64_t asid_gen;                   // (s) generation of asid; 0 = none yet
  uint32_t asid;                       // (s)
  uint64_t active;                     // (s) cpus running it, by index
  uint64_t stale;                      // (s) cpus owing a flush of its ASID
};

static inline paddr_t pte_pa(pt_entry_t pte)
{
  return ((pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK) << PAGE_SHIFT;
}

static inline pt_entry_t pa_pte(paddr_t pa)
{
  return (pa >> PAGE_SHIFT) << PTE_PPN_SHIFT;
}

static inline bool pte_valid(pt_entry_t pte) { return (pte & PTE_V) != 0; }
static inline bool pte_leaf(pt_entry_t pte) { return (pte & PTE_RWX) != 0; }

static inline unsigned pt_index(vm_offset_t va, int shift)
{
  return (va >> shift) & (PT_ENTRIES - 1);
}

// The hardware may set A or D in a valid leaf at any moment, so a valid
// leaf is only changed atomically.
static inline pt_entry_t pte_swap(pt_entry_t *pte, pt_entry_t v)
{
  return __atomic_exchange_n(pte, v, __ATOMIC_SEQ_CST);
}

static inline pt_entry_t pte_clear_bits(pt_entry_t *pte, pt_entry_t bits)
{
  return __atomic_fetch_and(pte, ~bits, __ATOMIC_SEQ_CST);
}

// The table a valid non-leaf entry points to.
static inline pt_entry_t *pte_table(pt_entry_t pte)
{
  return PHYS_TO_DMAP(pte_pa(pte));
}

// pmap_mmu.c. Make the TLBs of every cpu that may cache pmap forget
// [sva, eva) of it (everything of it when all). Requires the pmap lock.
void pmap_invalidate(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva,
                     bool all);
// The user mapping at va of pmap just became valid or gained rights on
// the same page (pmap_pte_fence): no TLB needs a fence yet.
void pmap_invalidate_new(struct pmap *pmap, vm_offset_t va);
// The user mapping at va of pmap was entered again unchanged, after a
// fault through a stale entry (pmap_pte_fence): fence this hart only.
// Requires the pmap lock.
void pmap_invalidate_local(struct pmap *pmap, vm_offset_t va);
// No cpu may run pmap any more (it is being destroyed): this one switches
// to kernel_pmap, any other still running it is a bug.
void pmap_mmu_forget(struct pmap *pmap);

// pmap.c, for pmap_bootstrap once vm_page is up.
void pmap_zones_init(void);

// --- pmap_asid.c: the ASID bookkeeping, for pmap_mmu.c ---------------------

extern struct mtx pmap_asid_lock;
extern uint32_t pmap_asid_max;         // (c) ASIDs the harts keep; 0 = none

// What a cpu must flush before it runs a pmap.
enum pmap_asid_flush {
  PMAP_ASID_FLUSH_NONE,                // its TLB holds nothing stale of it
  PMAP_ASID_FLUSH_ASID,                // entries of the pmap's ASID
  PMAP_ASID_FLUSH_ALL,                 // everything (new generation, no ASIDs)
};

// Initialise the lock and the first generation. Boot, before any pmap runs.
void pmap_asid_init(void);
// The cpus running the user pmap now, which a shootdown of it must reach;
// every other cpu is marked as owing a flush of its ASID before it runs it
// again. Requires pmap_asid_lock.
uint64_t pmap_asid_shootdown(struct pmap *pmap);
// Cpu cpu leaves old (kernel_pmap or NULL at boot) for pmap: give pmap an
// ASID of the current generation if it has none, mark it active on cpu and
// no longer stale there, old no longer active there, and return the flush
// cpu owes before it runs pmap (none for kernel_pmap, whose entries are
// global). Requires pmap_asid_lock.
enum pmap_asid_flush pmap_asid_switch(struct pmap *old, struct pmap *pmap,
                                      int cpu);

// --- pmap.c and pmap_page.c, for each other --------------------------------

// md.pv_flags bits.
#define PV_MODIFIED     0x1            // a removed mapping had D set
#define PV_REFERENCED   0x2            // a removed mapping had A set
#define PV_PTP          0x4            // a page-table page: pv_count = entries

// The pv locks: PMAP_PV_NLOCKS spin mutexes, each guarding the pv lists
// and md fields (pv_list, pv_count, pv_gen, pv_flags) of the data pages
// whose frame number hashes to its index, so that two processes faulting
// their own pages rarely meet on one. The hash is Fibonacci hashing (the
// frame number times 2^64 / golden ratio, top bits): frame numbers modulo
// PMAP_PV_NLOCKS would make two processes that fill aligned blocks page
// by page, as the per-hart free caches hand them out, take the same lock
// at every step. Taken after the
// pmap lock (pmap.c's lock order), at most one at a time except in
// pmap_enter, which takes two in index order. Each sits in a cache line
// of its own. A table page's md.pv_count is its pmap's, not these.
#define PMAP_PV_NLOCKS_LOG2 6
#define PMAP_PV_NLOCKS  (1 << PMAP_PV_NLOCKS_LOG2)

struct pmap_pv_lock {
  struct mtx lock;
} __attribute__((aligned(64)));

extern struct pmap_pv_lock pmap_pv_locks[PMAP_PV_NLOCKS];

static inline struct mtx *pmap_pv_lock_of(struct vm_page *m)
{
  uint64_t h = atop(VM_PAGE_TO_PHYS(m)) * 0x9e3779b97f4a7c15ULL;

  return &pmap_pv_locks[h >> (64 - PMAP_PV_NLOCKS_LOG2)].lock;
}

// Whether the caller holds any pv lock (for assertions). Not cheap: callers
// on the fault path ask only when it matters.
static inline bool pmap_pv_lock_owned_any(void)
{
  if (mtx_held() == 0)
    return false;
  for (int i = 0; i < PMAP_PV_NLOCKS; i++)
    if (mtx_owned(&pmap_pv_locks[i].lock))
      return true;
  return false;
}

// Make *held the lock want (NULL: none), letting go of the one held
// before unless it is the same. For loops over many pages that hold the
// pv lock of one page at a time.
static inline void pmap_pv_relock(struct mtx **held, struct mtx *want)
{
  if (*held == want)
    return;
  if (*held != NULL)
    mtx_unlock(*held);
  if ((*held = want) != NULL)
    mtx_lock(want);
}

// For pmap_enter, with the pmap locked: lock what putting m in place of
// the leaf old changes besides the tables: m's pv list when m gains a pv
// entry (insert), and that of the managed page old maps when m replaces
// it. Two pv locks are taken in index order, the only place that holds
// two; pvl[] gets them for pmap_enter_pv_unlock (NULL: none).
static inline void pmap_enter_pv_lock(pt_entry_t old, struct vm_page *m,
                                      bool insert, struct mtx *pvl[2])
{
  struct mtx *a = insert ? pmap_pv_lock_of(m) : NULL, *b = NULL, *t;

  if (pte_valid(old) && (old & PTE_SW_MANAGED) &&
      pte_pa(old) != VM_PAGE_TO_PHYS(m))
    b = pmap_pv_lock_of(PHYS_TO_VM_PAGE(pte_pa(old)));
  if (b == a) {
    b = NULL;
  } else if (a == NULL || (b != NULL && b < a)) {
    t = a;
    a = b;
    b = t;
  }
  if ((pvl[0] = a) != NULL)
    mtx_lock(a);
  if ((pvl[1] = b) != NULL)
    mtx_lock(b);
}

static inline void pmap_enter_pv_unlock(struct mtx *pvl[2])
{
  if (pvl[1] != NULL)
    mtx_unlock(pvl[1]);
  if (pvl[0] != NULL)
    mtx_unlock(pvl[0]);
}

// Locks: (v) the pv lock of the page the entry is on.
struct pv_entry {
  struct list_node link;               // (v) on m->md.pv_list
  struct pmap *pmap;                   // (v)
  vm_offset_t va;                      // (v)
};

// Drop a hold on pmap (pmap->holds), freeing it with the last.
void pmap_release(struct pmap *pmap);
// Give back the table pages queued on free. Requires no pmap, pv or asid
// lock.
void pmap_ptp_free_queued(struct list_node *free);
// Lock pmap, which a pv entry of m names, while m's pv lock is held: the
// pmap lock comes first, so unless it is free now, let go of m's, wait for
// the pmap's and take m's again. True with both held and m's pv list as it
// was; false with only m's held when the list changed meanwhile (the
// caller starts its walk again from the head). A hold (pmap->holds) keeps
// pmap's memory while it waits, in case it is destroyed meanwhile.
bool pmap_pv_lock_pmap(struct vm_page *m, struct pmap *pmap);
// The leaf entry of a pv's mapping of m. Requires pv->pmap's lock.
pt_entry_t *pmap_pv_pte(struct pv_entry *pv, struct vm_page *m);
// Remove the mapping at va, its pv entry (keeping its A and D bits in the
// page) and the tables left empty (queued on free). True when a table
// went, so the whole TLB of pmap must be flushed. Requires the pmap lock
// and the pv lock of the page mapped.
bool pmap_remove_pte(struct pmap *pmap, pt_entry_t *pte, vm_offset_t va,
                     struct list_node *free);

static inline void pmap_invalidate_page(struct pmap *pmap, vm_offset_t va,
                                        bool all)
{
  pmap_invalidate(pmap, va, va + PAGE_SIZE, all);
}

#endif
