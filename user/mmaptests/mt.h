// SPDX-License-Identifier: MIT
// The groups of mmaptests, one file each in user/mmaptests/, and the
// helpers they share (user/mmaptests.c).
#ifndef MMAPTESTS_MT_H
#define MMAPTESTS_MT_H

#include "user/testlib.h"

void mt_mmap_args(void);    // t_args.c: every mmap / munmap row of the table
void mt_range_args(void);   // t_args.c: mprotect, madvise, minherit, msync, mincore
void mt_wire(void);         // t_wire.c: mlock, mlockall, limits, mincore
void mt_advice(void);       // t_wire.c: madvise effects, laziness
void mt_fork(void);         // t_fork.c: inheritance, copy-on-write, chains
void mt_contract_args(void);   // t_contract.c: argument rows, every case
void mt_contract_behav(void);  // t_contract_behav.c: limits, wiring, files
// "mmaptests -limits CUR MAX": the exec half of t_contract_behav.c's
// rlimit_exec test; 0 or the failing line.
int mt_limits_probe(int argc, char **argv);

// A failing call: -1 (or MAP_FAILED) with errno e.
#define MT_FAILS(call, e)  ((call) == -1 && errno == (e))
#define MT_MFAILS(call, e) ((call) == MAP_FAILED && errno == (e))

// Anonymous private read-write memory of n pages, or MAP_FAILED.
char *mt_anon(int npages);
// Create path holding n bytes of the pattern mt_byte(i); 0 or -1.
int mt_make_file(const char *path, int n);
static inline char mt_byte(int i) { return (char)('A' + i % 26); }
// mincore's bit 0 for each of n pages at p: how many are resident, or -1.
int mt_resident(const void *p, int npages);
// The system-wide count of faults (vmstat) in *n; 0, or -1 if vmstat
// fails. Between two calls it grows by the caller's own faults only:
// nothing else runs during the suite, and a fault on the counters' own
// buffer is counted before the value is read.
int mt_faults(unsigned long *n);

#endif
