// SPDX-License-Identifier: MIT
// sysfuzz: declarations shared by the fuzzer's files (user/sysfuzz.c, the
// conductor; user/sysfuzz/args.c, the argument generators; and
// user/sysfuzz/calls.c, the victims that make the calls).
//
// Processes: main -> conductor -> one supervisor per worker -> a victim at
// a time -> the victim's own children (depth 1 only). Everything they
// share lives in one MAP_SHARED anonymous mapping, struct sf_shared: the
// run's parameters, per worker a progress counter, a ring of its recent
// calls and the pids it may have left behind. Victims never unmap,
// protect or advise that mapping (args.c keeps it out of every range).
#ifndef USER_SYSFUZZ_SF_H
#define USER_SYSFUZZ_SF_H

#include "user/user.h"

#define SF_MAXWORKERS 8
#define SF_RING       64     // calls remembered per worker
#define SF_REPORT     16     // of which a failure report prints the last
#define SF_MAXPIDS    64     // live processes a worker may have
#define SF_CONSOLE    4096   // bytes the victims may write to the console
#define SF_NARENA     16     // mappings a victim remembers
#define SF_BIGMAP     (4ul << 20) // bigger mappings and heaps go at once

// One call in a ring: who made it, what, and how it ended.
struct sf_call {
  int pid;
  short nr;                  // system call number (SF_TOUCH_*: a user access)
  short state;               // SF_EMPTY, SF_INFLIGHT or SF_DONE
  long a[6];
  long ret;                  // the kernel's raw answer (-errno on failure)
};

#define SF_EMPTY     0
#define SF_INFLIGHT  1
#define SF_DONE      2

// Pseudo call numbers for accesses made from user mode (they may fault).
#define SF_TOUCH_READ   1000
#define SF_TOUCH_WRITE  1001

struct sf_worker {
  long progress;             // calls finished by the worker's processes (a)
  unsigned head;             // next ring slot (a)
  int done;                  // the supervisor has finished
  int victim;                // the supervisor's running victim, or 0 (a)
  int pids[SF_MAXPIDS];      // processes forked, not yet known gone (a)
  struct sf_call ring[SF_RING];
};

struct sf_shared {
  long seed;
  int deadline;              // uptime tick at which victims stop
  int nworkers;
  int failed;                // oracle failures seen by victims (a)
  int console;               // bytes written to the console so far (a)
  char reason[160];          // the first oracle failure
  struct sf_worker w[SF_MAXWORKERS];
};

extern struct sf_shared *sf_sh;

// --- args.c: random numbers and adversarial arguments ----------------------

uint64 sf_rnd(void);
int sf_pick(int n);
void sf_seed(uint64 seed);

// A protected range: what the fuzzer itself runs on. Range calls never
// touch one and the kernel is never asked to write into one.
void sf_protect(uint64 start, uint64 len);
int sf_protected(uint64 start, uint64 len);
void sf_protect_stack(uint64 lo);       // protects [lo, MAXUVA)

// Mappings the victim knows, for pointers into every kind of memory.
struct sf_arena {
  uint64 addr, len;
};
extern struct sf_arena sf_arenas[SF_NARENA];
void sf_arena_add(uint64 addr, uint64 len);

uint64 sf_ptr(uint64 wsize);           // any pointer; the kernel may write wsize bytes
uint64 sf_len(void);                   // a length at some boundary
uint64 sf_len_for(uint64 addr);        // ... or one that ends a mapping
uint64 sf_range(uint64 *len);          // an address and length for a range call
long sf_off(void);                     // a file offset or size
long sf_int(void);                     // an int-sized argument, any bits
uint64 sf_path(void);                  // a path: the pool's, or a bad pointer
int sf_prot(void);
int sf_mapflags(void);

extern char *sf_dots;                  // a page of '.' for console writes
extern char *sf_scratch;               // a page the kernel may fill

// --- calls.c: the victims --------------------------------------------------

void sf_victim(int w, int gen) __attribute__((noreturn));
long sf_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
void sf_print_call(const struct sf_call *c);
const char *sf_pool_name(int i);
int sf_pool_size(void);

#endif
