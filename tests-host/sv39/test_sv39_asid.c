// SPDX-License-Identifier: MIT
// Host tests of the ASID bookkeeping (kernel/arch/riscv/pmap_asid.c): which
// ASID each pmap runs with and which flush a cpu owes when it switches.
// The pmaps here are bare structs: nothing below touches their tables.
//
// The rules every correct allocator keeps, whatever its shape: the pmaps
// of the current generation have distinct ASIDs in 1..max-1; a cpu that
// may hold entries a pmap's ASID no longer stands for (a new generation,
// a shootdown while it was away) flushes before it runs it; and a cpu
// coming back to a pmap nothing happened to keeps its TLB (the point of
// ASIDs).
#include <criterion/criterion.h>

#include "arch/riscv/pmap_var.h"
#include "vm/pmap.h"

#define NP 8

static struct pmap p[NP];

static void setup(void)
{
  pmap_asid_init();
  pmap_asid_max = 8;                   // ASIDs 1..7
}

TestSuite(sv39_asid, .init = setup);

static enum pmap_asid_flush sw(struct pmap *old, struct pmap *new, int cpu)
{
  enum pmap_asid_flush f;

  mtx_lock(&pmap_asid_lock);
  f = pmap_asid_switch(old, new, cpu);
  mtx_unlock(&pmap_asid_lock);
  return f;
}

static uint64_t shootdown(struct pmap *pmap)
{
  uint64_t mask;

  mtx_lock(&pmap_asid_lock);
  mask = pmap_asid_shootdown(pmap);
  mtx_unlock(&pmap_asid_lock);
  return mask;
}

// ASIDs of pmaps a..b-1, which must all be of the current generation.
static void assert_distinct(int a, int b)
{
  for (int i = a; i < b; i++) {
    cr_assert(p[i].asid > 0 && p[i].asid < pmap_asid_max,
              "pmap %d has ASID %u", i, p[i].asid);
    for (int j = a; j < i; j++)
      cr_assert_neq(p[i].asid, p[j].asid, "pmaps %d and %d share ASID %u",
                    j, i, p[i].asid);
  }
}

Test(sv39_asid, live_pmaps_get_distinct_asids)
{
  struct pmap *cur = NULL;

  for (int i = 0; i < 7; i++) {
    sw(cur, &p[i], 0);
    cur = &p[i];
    cr_assert_eq(p[i].active, 1UL, "pmap %d not active on cpu 0 alone", i);
  }
  assert_distinct(0, 7);
}

Test(sv39_asid, coming_back_keeps_the_tlb)
{
  sw(NULL, &p[0], 0);
  sw(&p[0], &p[1], 0);
  cr_assert_eq(p[0].active, 0, "p0 left cpu 0 but is still active there");
  cr_assert_eq(sw(&p[1], &p[0], 0), PMAP_ASID_FLUSH_NONE,
               "nothing happened to p0: its entries are still good");
  cr_assert_eq(sw(&p[0], kernel_pmap, 0), PMAP_ASID_FLUSH_NONE);
  cr_assert_eq(sw(kernel_pmap, &p[0], 0), PMAP_ASID_FLUSH_NONE,
               "a kernel thread in between changes nothing");
}

// A shootdown reaches only the cpus running the pmap; one that ran it and
// left must flush its ASID before it runs it again, once.
Test(sv39_asid, shootdown_while_away_is_paid_on_return)
{
  sw(NULL, &p[0], 0);
  sw(NULL, &p[0], 1);
  cr_assert_eq(p[0].active, 3UL);
  sw(&p[0], &p[1], 1);                  // cpu 1 leaves p0
  cr_assert_eq(shootdown(&p[0]), 1UL, "only cpu 0 runs p0 now");
  cr_assert_neq(sw(&p[1], &p[0], 1), PMAP_ASID_FLUSH_NONE,
                "cpu 1 may cache p0's old entries");
  sw(&p[0], &p[1], 1);
  cr_assert_eq(sw(&p[1], &p[0], 1), PMAP_ASID_FLUSH_NONE,
               "the flush was paid: nothing new since");
  cr_assert_eq(shootdown(&p[0]), 3UL, "p0 runs on both cpus");
}

// When the ASIDs run out, the cpu that starts the new generation flushes
// everything (it ran pmaps whose ASIDs come back), then never again in
// that generation; the ASIDs handed out again are distinct among the
// pmaps of the new generation.
Test(sv39_asid, new_generation_flushes_once)
{
  pmap_asid_max = 4;                    // ASIDs 1..3
  sw(NULL, &p[0], 0);
  sw(&p[0], &p[1], 0);
  sw(&p[1], &p[2], 0);
  assert_distinct(0, 3);
  cr_assert_eq(sw(&p[2], &p[3], 0), PMAP_ASID_FLUSH_ALL,
               "p3 needs an ASID that p0, p1 or p2 had on this cpu");
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 2; i++) {       // p3, p0, p1: this generation's 3
      cr_assert_neq(sw(&p[3], &p[i], 0), PMAP_ASID_FLUSH_ALL,
                    "cpu 0 flushed everything twice in one generation");
      sw(&p[i], &p[3], 0);
    }
  }
  cr_assert(p[0].asid != p[3].asid && p[1].asid != p[3].asid &&
            p[0].asid != p[1].asid, "ASIDs handed out twice in a generation");
}

// The same with the cpus' history spelled out: cpu 1 ran an ASID that the
// new generation gives to another pmap; it must flush before running it.
Test(sv39_asid, reused_asid_is_never_run_stale)
{
  pmap_asid_max = 3;                    // ASIDs 1..2
  sw(NULL, &p[0], 1);                   // cpu 1 caches p0's entries
  sw(&p[0], kernel_pmap, 1);
  sw(NULL, &p[1], 0);
  cr_assert_eq(sw(&p[1], &p[2], 0), PMAP_ASID_FLUSH_ALL,
               "cpu 0 starts a new generation: it flushes everything");
  cr_assert_eq(sw(kernel_pmap, &p[2], 1), PMAP_ASID_FLUSH_ALL,
               "p2's ASID may be the one p0 had on cpu 1");
  cr_assert_neq(sw(&p[2], &p[0], 1), PMAP_ASID_FLUSH_ALL,
                "cpu 1 paid its flush for this generation");
  cr_assert_neq(p[0].asid, p[2].asid);
  cr_assert(p[0].asid > 0 && p[0].asid < 3 && p[2].asid > 0 && p[2].asid < 3);
}

Test(sv39_asid, without_asids_every_user_switch_flushes)
{
  pmap_asid_max = 0;
  cr_assert_eq(sw(NULL, &p[0], 0), PMAP_ASID_FLUSH_ALL);
  cr_assert_eq(sw(&p[0], &p[1], 0), PMAP_ASID_FLUSH_ALL);
  cr_assert_eq(sw(&p[1], &p[1], 0), PMAP_ASID_FLUSH_ALL);
  cr_assert_eq(sw(&p[1], kernel_pmap, 0), PMAP_ASID_FLUSH_NONE);
  cr_assert_eq(p[1].active, 0);
  cr_assert_eq(p[0].asid, 0, "no ASIDs: every pmap runs with 0");
}
