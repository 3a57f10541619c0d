// SPDX-License-Identifier: MIT
// Test hooks of the host locks (host_lock.c, which implements lib/lock.h).
//
// Host tests run one thread, so no lock is ever contended. Code that must
// cope with a lock somebody else holds -- the pageout scan, which only
// try-locks objects -- is tested by pretending that another thread holds
// it:
//
//   host_mtx_hold_foreign(&obj->lock);     // mtx_trylock(&obj->lock) fails
//   ...
//   host_mtx_release_foreign(&obj->lock);
//
// While so held, mtx_trylock returns false and mtx_lock panics (on the
// machine it would wait until the other thread let go, which never comes).
//
// Code that waits for such a lock after letting go of its others (a pmap
// page walk: pmap_pv_lock_pmap) is tested by having the other thread
// finish when it does:
//
//   host_mtx_hold_foreign_then(&pmap->lock, fn, arg);
//
// The first mtx_lock of that mutex then lets the other thread go on: the
// mutex is released, fn(arg) runs as that thread's work (it may take any
// lock the waiter does not hold), and the waiter takes the mutex.
//
// Per-hart data (vm_page.c's caches of free pages) is reached through
// cpuid(); a test plays the thread of another hart by switching the answer:
//
//   host_set_cpuid(1);   // frees now fill hart 1's cache
//   ...
//   host_set_cpuid(0);
//
// A sleep waits for another thread; a test plays that thread with a hook,
// which sleep() runs (with the mutex released) instead of panicking:
//
//   host_set_sleep_hook(release_it);   // sleep(chan, m) calls release_it(chan)
//   ...
//   host_set_sleep_hook(NULL);          // sleep() panics again
#ifndef HOST_LOCK_H
#define HOST_LOCK_H

struct mtx;

void host_mtx_hold_foreign(struct mtx *m);
void host_mtx_release_foreign(struct mtx *m);
void host_mtx_hold_foreign_then(struct mtx *m, void (*fn)(void *), void *arg);
void host_set_cpuid(int id);
void host_set_sleep_hook(void (*hook)(void *chan));

#endif
