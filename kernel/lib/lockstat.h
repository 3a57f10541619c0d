// SPDX-License-Identifier: MIT
// Contention counters shared by a class of locks (all map locks, say; see
// mtx_set_stats in lib/lock.h): how often they were taken, how many failed
// tries the takers spun for, and how often a taker of an sx had to sleep.
// Relaxed atomics, for make bench and vmstat, never for decisions. Apart
// from lock.h so that headers holding counters need not declare sleep().
#ifndef LIB_LOCKSTAT_H
#define LIB_LOCKSTAT_H

#include "lib/types.h"

struct lock_stats {
  uint64_t acquires;
  uint64_t spins;
  uint64_t sleeps;
};

#endif
