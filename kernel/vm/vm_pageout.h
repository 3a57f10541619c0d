// SPDX-License-Identifier: MIT
// Page reclaim: memory given back by the page cache and by swap when
// free pages run short (docs/paging.md).
//
// Reclaim frees clean pages of files, whose contents are still on disk (the
// next fault or read() brings them back), and, when swap is attached,
// anonymous pages, written to swap first unless swap already holds them.
// The pageout daemon (vm_pageout_daemon.c) runs it in the background when
// free pages fall below its low mark; a caller that could not get a page
// releases every lock it holds and waits for a pass of it:
//
//   int tries = VM_RECLAIM_TRIES;
//   while ((m = ...allocate...) == NULL && vm_pageout_retry(&tries))
//     ;
//
// reporting the shortage only when the daemon can do no more (vm_fault,
// the vnode pager's read()/write(), fork, exec, pipe, sbrk do this).
#ifndef VM_VM_PAGEOUT_H
#define VM_VM_PAGEOUT_H

#include "vm/vm.h"

// Free up to target unwired, idle, valid pages: clean pages of files, and
// with swap anonymous pages (written out with their neighbours first
// unless swap holds a clean copy): the inactive queue first, from its
// head (DONTNEED'd pages, then the oldest), then the laundry queue (with
// swap), then the active queue from its oldest page. Without swap,
// anonymous pages are never freed. Returns how many pages were freed
// (also counted in vm_cnt.v_reclaimed). Call with no lock held; may sleep
// for swap I/O.
size_t vm_pageout_reclaim(size_t target);

// How much a caller that ran out should ask for: 1/128 of memory, at
// least 32 pages, so that the allocations after it do not each pay for a
// scan of their own.
size_t vm_pageout_target(void);

// The pageout daemon (vm_pageout_daemon.c).
//
// vm_pageout_init: reset its state; vm_page_startup calls it.
void vm_pageout_init(void);
// The daemon thread's body; never returns. The kernel runs it in a kernel
// thread of its own (kthread_start).
void vm_pageout_daemon(void);
// The daemon's low mark: it wakes when fewer pages are free (1/2048 of
// memory, at least 16), and a pass frees up to twice as many.
size_t vm_pageout_free_min(void);
// Wake the daemon if it sleeps: an allocation left fewer free pages than
// vm_pageout_free_min(). Callable with object locks held.
void vm_pageout_poke(void);
// For a caller that found no free page, with no lock held, in a loop that
// tries again after each wait, *tries (start at VM_RECLAIM_TRIES) times at
// most: waits for a daemon pass that began after the call (or, without a
// daemon, reclaims here) and returns whether trying again can help:
// something was freed, or some page is free; false at once for a killed
// caller. While an out-of-memory victim is dying it waits on, so that no
// fault gives up before the victim's memory is back. May sleep. A try
// counts when the pass waited for freed less than the low mark (one that
// freed more was progress the caller lost to others, not a shortage).
// Faults, and the system calls whose kernel allocations cannot wait where they are
// made (fork, exec, pipe, sbrk, kernel stacks), loop on it rather than fail
// while paging can still free memory. 32 tries are enough for an
// out-of-memory victim to exit (each wait while it dies lasts a clock
// tick or more: kernel/oom.c).
#define VM_RECLAIM_TRIES 32
bool vm_pageout_retry(int *tries);
// One pass of the daemon, in the caller: age the active queue, then
// reclaim up to the high mark keeping referenced pages (and, when urgent,
// without keeping them if that was not enough). Returns the pages freed.
// vm_pageout_age is step 1 alone, looking at up to budget active pages:
// returns the pages it deactivated.
size_t vm_pageout_pass(bool urgent);
// The pages a pass begun now would try to free: up to the high mark (twice
// the low one), and when urgent the low mark's worth at least.
size_t vm_pageout_pass_target(bool urgent);
size_t vm_pageout_age(size_t budget);

// Out of memory: the daemon calls this, with no lock held, when two urgent
// passes in a row were futile (vm_pageout_daemon.c) -- RAM and swap are
// full and nothing can be reclaimed. It is not in kernel/vm: the kernel's
// (kernel/oom.c) kills the process with the most anonymous memory,
// resident and on swap (never init), and the host
// tests' has no processes. Returns true when a
// victim was killed or is still dying (its memory will come back: worth
// waiting for), false when there is nobody to kill. May sleep.
bool vm_oom_kill(void);
// Is the calling thread's process killed (by that rule or any other)? Its
// shortage then ends its wait at once: the process is on its way out, and
// its memory is worth more given back than fed. False on the host.
bool vm_oom_caller_killed(void);

#endif
