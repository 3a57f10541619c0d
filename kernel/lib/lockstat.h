// SPDX-License-Identifier: MIT
// Contention counters shared by a class of locks (all map locks, say; see
// mtx_set_stats in lib/lock.h): how often they were taken, how many failed
// tries the takers spun for, and how often a taker of an sx had to sleep.
// For make bench and vmstat, never for decisions. Apart from lock.h so
// that headers holding counters need not declare sleep().
//
// Each hart counts in a slot of its own, a cache line no other hart
// writes, with plain (relaxed) stores while it holds the lock's interrupts
// off; readers add the slots up. One shared atomic counter per class made
// two harts faulting in parallel 15 to 25% slower under QEMU: every
// acquisition of a hot lock moved the counter's line between host cores.
#ifndef LIB_LOCKSTAT_H
#define LIB_LOCKSTAT_H

#include "lib/types.h"

#define LOCK_STATS_NCPU 8             // harts 0 .. 7 (the kernel asserts
                                      // NCPU fits)

struct lock_counts {
  uint64_t acquires;
  uint64_t spins;
  uint64_t sleeps;
} __attribute__((aligned(64)));

struct lock_stats {
  struct lock_counts cpu[LOCK_STATS_NCPU];   // (h) one per hart
};

// The counts of every hart added up: a snapshot that may be a moment old.
static inline struct lock_counts lock_stats_sum(const struct lock_stats *s)
{
  struct lock_counts t = { 0, 0, 0 };

  for (int i = 0; i < LOCK_STATS_NCPU; i++) {
    t.acquires += __atomic_load_n(&s->cpu[i].acquires, __ATOMIC_RELAXED);
    t.spins += __atomic_load_n(&s->cpu[i].spins, __ATOMIC_RELAXED);
    t.sleeps += __atomic_load_n(&s->cpu[i].sleeps, __ATOMIC_RELAXED);
  }
  return t;
}

#endif
