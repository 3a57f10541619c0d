// SPDX-License-Identifier: MIT
// The swaptests groups on anonymous memory out on swap when a system call
// or a memory call touches it, and the helpers they share
// (user/swaptests/t_syslib.c).
//
// Every test first pushes its pages out with vmreclaim (which, with swap,
// writes every anonymous page of every process to swap and frees it) and
// checks with mincore that they really are gone, then acts, then checks
// every byte.
#ifndef SWAPTESTS_SYS_H
#define SWAPTESTS_SYS_H

#include "user/testlib.h"

void ss_group_sysbuf(void);     // t_sys.c: user buffers of system calls on swap
void ss_group_shrink(void);     // t_sys.c: sbrk, munmap, madvise, mprotect
void ss_group_inherit(void);    // t_fork.c: minherit, fork chains, collapse
void ss_group_kill(void);       // t_fork.c: kills while paging in or out
void ss_group_lockswap(void);   // t_lock.c: mlock and mlockall of swapped pages
void ss_group_exhaust(void);    // t_lock.c: RAM and swap full
void ss_group_baddisk(void);    // t_bad.c: a disk failing every write (named)
void ss_group_busy(void);       // t_busy.c: several processes at once; swapraw
void ss_group_readahead(void);  // t_ra.c: asynchronous read-ahead

// The byte at offset i of a buffer filled for salt s: every page differs.
static inline char ss_pb(unsigned long i, int s)
{
  return (char)((i * 131 + (i >> 12) * 7 + (unsigned long)s * 29) & 0xff);
}

// Fill b[0, n) for salt s; the first byte that is not salt s's, or -1;
// the first byte that is not zero, or -1.
void ss_fill(char *b, unsigned long n, int s);
long ss_check(const char *b, unsigned long n, int s);
long ss_zcheck(const char *b, unsigned long n);

char *ss_anon(unsigned long npages);    // private anonymous memory, or 0
unsigned long ss_swap_used(void);       // vmstat's swap_used
unsigned long ss_room(void);            // free pages of RAM and swap
int ss_have_swap(void);

// How many of the n pages at a mincore reports resident, or -1.
long ss_resident(const void *a, unsigned long n);
// Page everything out (a few passes: a pass skips the pages other
// processes are paging at the time); how many of the n pages at a are
// still resident (0 is success), or -1.
long ss_swap_out(const void *a, unsigned long n);

// Helpers that loop until killed give up after this many ticks, so that a
// test that fails half way leaves nothing running behind it.
#define SS_LOOP_TICKS (30 * 100)

// Fork a child that runs fn(arg, wfd); it writes a byte to wfd when it is
// ready. Returns its pid once it has, or -1 (no fork, or it ended first).
int ss_start_child(void (*fn)(void *, int), void *arg);
// Wait for child pid (a looping helper that ended by itself on a slow
// machine may be reaped meanwhile: remembered if it failed). Returns pid,
// or -1 if it is no child (any more).
int ss_wait_for(int pid, int *st);
// Kill a looping helper and reap it; 0 unless a helper failed.
int ss_stop_helper(int pid);

#endif
