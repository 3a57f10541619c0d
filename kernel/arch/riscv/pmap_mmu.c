// SPDX-License-Identifier: MIT
// The half of the Sv39 pmap that talks to the MMU: the boot-time kernel
// page table, satp, ASIDs and TLB shootdown. pmap.c keeps the tables and
// pv lists and calls pmap_invalidate after lowering or removing mappings.
//
// Boot: pmap_bootstrap runs on hart 0 on entry.S's boot table. A bump
// allocator hands out the RAM after the kernel for the new root and the
// tables below it (never freed: they are not vm_pages), then the vm_page
// array goes right after them and vm_page_startup gets the rest of RAM.
// Every upper-half root entry is made here (direct map gigapages, the
// image's table, a level-1 table per GiB of kernel_map) so none changes
// later and user roots can copy them once.
//
// ASIDs: pmap_bootstrap counts the ASID bits the hart keeps in satp;
// pmap_asid.c decides which ASID each pmap runs with, which cpus a
// shootdown must reach now, and which flush a cpu owes when it switches
// (see there). This file carries those decisions out: satp, sfence.vma and
// SBI remote fences.
//
// Shootdown: sfence.vma on this hart; SBI RFENCE for the others, which
// OpenSBI completes before it returns, so a flushed mapping is gone
// everywhere when pmap_invalidate returns. Callers hold a pmap lock, so
// interrupts are off and cpuid() is stable.
//
// Locking: pmap_asid_lock (s, pmap_asid.c) protects the ASID state, every
// pmap's asid, asid_gen, active and stale, and pmap_cur[]. It is a leaf,
// taken inside pmap locks by pmap_invalidate.
#include "arch/riscv/memlayout.h"
#include "arch/riscv/pmap_md.h"
#include "arch/riscv/pmap_var.h"
#include "arch/riscv/riscv.h"
#include "arch/riscv/sbi.h"
#include "cpu.h"
#include "lib/lock.h"
#include "lib/string.h"
#include "platform.h"
#include "printf.h"
#include "vm/pmap.h"
#include "vm/vm_page.h"

// Flushing more pages than this one by one costs more than a full flush.
#define PMAP_FLUSH_MAX  32

static struct pmap *pmap_cur[NCPU];    // (s) the pmap each cpu runs on

static paddr_t boot_next;              // (c) the boot bump allocator

// ---------------------------------------------------------------------------
// TLB shootdown.

// The cpus running the kernel: kernel_pmap's mappings are global, so any
// of them may cache one. Harts not started yet still run the boot table.
static uint64_t pmap_kernel_cpus(void)
{
  uint64_t mask = 0;

  for (int i = 0; i < ncpu && i < NCPU; i++)
    if (cpus[i].started)
      mask |= 1UL << i;
  return mask;
}

// Make every TLB forget [sva, eva) of pmap (everything of it when all):
// this hart with sfence.vma, the others through SBI RFENCE, and only the
// cpus running the pmap (every cpu for kernel_pmap, whose entries are
// global); the rest flush later (see `stale` above). Requires the pmap
// lock, so interrupts are off.
void pmap_invalidate(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva,
                     bool all)
{
  uint64_t me, mask;
  uint32_t asid;

  MTX_ASSERT_OWNED(&pmap->lock);
  me = 1UL << cpuid();
  all = all || eva - sva > PMAP_FLUSH_MAX * PAGE_SIZE;
  if (pmap == kernel_pmap) {
    mask = pmap_kernel_cpus() | me;
    asid = 0;
  } else {
    mtx_lock(&pmap_asid_lock);
    mask = pmap_asid_shootdown(pmap);
    asid = pmap->asid;
    mtx_unlock(&pmap_asid_lock);
  }
  if (mask & me) {
    if (all && pmap != kernel_pmap && pmap_asid_max > 0)
      sfence_vma_asid(asid);
    else if (all)
      sfence_vma();
    else
      for (vm_offset_t va = sva; va < eva; va += PAGE_SIZE)
        sfence_vma_page(va);
  }
  if ((mask &= ~me) == 0)
    return;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);      // tables before the IPIs
  if (pmap == kernel_pmap || pmap_asid_max == 0)
    sbi_remote_sfence_vma_cpus(mask, all ? 0 : sva, all ? -1UL : eva - sva);
  else
    sbi_remote_sfence_vma_asid_cpus(mask, all ? 0 : sva, all ? -1UL : eva - sva,
                                    asid);
}

void pmap_invalidate_new(struct pmap *pmap, vm_offset_t va)
{
  // Nothing to do (see pmap_pte_fence in pmap.c): a hart that still
  // holds the old entry faults once and fences then. This stays a call
  // so that the host tests of pmap.c (tests-host/sv39) can count them.
  (void)pmap;
  (void)va;
}

// One page of every ASID: va is a user address, so no kernel entry goes,
// and no ASID lookup is needed (the pmap might not even run here: exec
// fills a new address space through the fault path).
void pmap_invalidate_local(struct pmap *pmap, vm_offset_t va)
{
  MTX_ASSERT_OWNED(&pmap->lock);
  sfence_vma_page(va);
}

// ---------------------------------------------------------------------------
// ASIDs and activation.

// Stop using pmap on every cpu: this one switches to kernel_pmap (exit and
// exec drop the address space they run on); no other may still run it.
void pmap_mmu_forget(struct pmap *pmap)
{
  int me;

  mtx_lock(&pmap_asid_lock);
  me = cpuid();
  for (int i = 0; i < NCPU; i++) {
    if (pmap_cur[i] != pmap)
      continue;
    KASSERT(i == me, ("pmap_mmu_forget: pmap %p still runs on cpu %d", pmap, i));
    pmap_cur[i] = kernel_pmap;
    pmap->active &= ~(1UL << i);
    w_satp(MAKE_SATP(kernel_pmap->root_pa, 0));
    sfence_vma();           // it may cache the dying tables' entries
  }
  mtx_unlock(&pmap_asid_lock);
}

// Switch this cpu to pmap. The pmap it leaves stops being active here.
void pmap_activate(struct pmap *pmap)
{
  enum pmap_asid_flush flush;

  mtx_lock(&pmap_asid_lock);
  flush = pmap_asid_switch(pmap_cur[cpuid()], pmap, cpuid());
  pmap_cur[cpuid()] = pmap;
  w_satp(MAKE_SATP(pmap->root_pa, pmap->asid));
  if (flush == PMAP_ASID_FLUSH_ALL)
    sfence_vma();
  else if (flush == PMAP_ASID_FLUSH_ASID)
    sfence_vma_asid(pmap->asid);
  mtx_unlock(&pmap_asid_lock);
}

// ---------------------------------------------------------------------------
// Boot. Runs on hart 0 alone, on entry.S's boot table, whose direct map of
// [0, 4 GiB) reaches the memory after the kernel.

// A zeroed page from the bump allocator, which hands out the RAM after the
// kernel until the vm_page array is placed.
static pt_entry_t *pmap_boot_table(void)
{
  pt_entry_t *t = PHYS_TO_DMAP(boot_next);

  KASSERT(boot_next + PAGE_SIZE <= platform.ram_base + platform.ram_size,
          ("pmap_boot_table: out of RAM"));
  boot_next += PAGE_SIZE;
  memset(t, 0, PAGE_SIZE);
  return t;
}

// The kernel_pmap entry for va at the level whose pages are 1 << shift
// bytes, making the tables above it.
static pt_entry_t *pmap_boot_walk(vm_offset_t va, int shift)
{
  pt_entry_t *table = kernel_pmap->root, *e;

  for (int s = L2_SHIFT; s > shift; s -= 9) {
    e = &table[pt_index(va, s)];
    if (!pte_valid(*e))
      *e = pa_pte(DMAP_TO_PHYS(pmap_boot_table())) | PTE_V;
    table = pte_table(*e);
  }
  return &table[pt_index(va, shift)];
}

// Map [va, va + size) to pa with global leaves of 1 << shift bytes.
static void pmap_boot_map(vm_offset_t va, paddr_t pa, size_t size, int shift,
                          pt_entry_t rights)
{
  for (size_t off = 0; off < size; off += 1UL << shift)
    *pmap_boot_walk(va + off, shift) =
        pa_pte(pa + off) | rights | PTE_V | PTE_G | PTE_A | PTE_D;
}

// The kernel's half: direct map, image (text read/execute, the rest
// read/write, 4 KiB pages), and the level-1 tables of kernel_map.
static void pmap_boot_kernel(paddr_t kernel_end_pa, paddr_t ram_end)
{
  extern char _entry[], etext[];
  const size_t giga = 1UL << L2_SHIFT;
  paddr_t ram_lo = platform.ram_base & ~(giga - 1);
  paddr_t text_pa = kvtophys(_entry), etext_pa = kvtophys(etext);

  KASSERT(ram_end <= DMAP_SIZE && ram_lo >= giga,
          ("pmap_boot_kernel: RAM [%lx, %lx) does not fit the direct map",
           platform.ram_base, ram_end));
  pmap_boot_map(DMAP_BASE, 0, giga, L2_SHIFT, PTE_R | PTE_W);
  pmap_boot_map(DMAP_BASE + ram_lo, ram_lo, ram_end - ram_lo + giga - 1,
                L2_SHIFT, PTE_R | PTE_W);
  pmap_boot_map((vm_offset_t)_entry, text_pa, etext_pa - text_pa, L0_SHIFT,
                PTE_R | PTE_X);
  pmap_boot_map((vm_offset_t)etext, etext_pa,
                round_page(kernel_end_pa) - etext_pa, L0_SHIFT, PTE_R | PTE_W);
  for (vm_offset_t va = KVA_START; va < KVA_END; va += giga)
    pmap_boot_walk(va, L1_SHIFT);
}

// How many ASID bits the hart keeps: write all ones, read back.
static void pmap_boot_asid(void)
{
  uint64_t bits;

  w_satp(MAKE_SATP(kernel_pmap->root_pa, SATP_ASID_MASK));
  bits = (r_satp() >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
  w_satp(MAKE_SATP(kernel_pmap->root_pa, 0));
  sfence_vma();
  pmap_asid_max = bits == 0 ? 0 : (uint32_t)bits + 1;
}

// Place the vm_page array at boot_next and hand the RAM after it to
// Every hart has a cache of free pages (vm_page.c).
CTASSERT(NCPU <= VM_PAGE_NCACHE);

// vm_page_startup: n pages need n * (PAGE_SIZE + sizeof(struct vm_page)).
static void pmap_boot_pages(paddr_t kernel_end, paddr_t ram_end)
{
  paddr_t array_pa = boot_next, base;
  size_t npages;

  npages = (ram_end - array_pa) / (PAGE_SIZE + sizeof(struct vm_page));
  base = round_page(array_pa + npages * sizeof(struct vm_page));
  npages = MIN(npages, (ram_end - base) / PAGE_SIZE);
  printf("pmap: %lu KiB of boot tables, %lu pages managed, %u ASIDs\n",
         (array_pa - kernel_end) >> 10, (unsigned long)npages, pmap_asid_max);
  boot_next = 0;                      // closed from now on
  vm_page_startup(PHYS_TO_DMAP(array_pa), base, npages);
}

void pmap_bootstrap(paddr_t kernel_end_pa)
{
  paddr_t ram_end = trunc_page(platform.ram_base + platform.ram_size);

  pmap_zones_init();         // locks now; zones are empty until used
  pmap_asid_init();
  boot_next = round_page(kernel_end_pa);
  kernel_pmap->root = pmap_boot_table();
  kernel_pmap->root_pa = DMAP_TO_PHYS(kernel_pmap->root);
  pmap_boot_kernel(kernel_end_pa, ram_end);
  w_satp(MAKE_SATP(kernel_pmap->root_pa, 0));
  sfence_vma();
  pmap_cur[cpuid()] = kernel_pmap;
  pmap_boot_asid();
  pmap_boot_pages(round_page(kernel_end_pa), ram_end);
}

void pmap_init_hart(void)
{
  mtx_lock(&pmap_asid_lock);
  pmap_cur[cpuid()] = kernel_pmap;
  w_satp(MAKE_SATP(kernel_pmap->root_pa, 0));
  sfence_vma();
  mtx_unlock(&pmap_asid_lock);
}
