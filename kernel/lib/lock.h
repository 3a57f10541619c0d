// SPDX-License-Identifier: MIT
// The kernel's locks: one interface, two implementations chosen at link time
// (kernel/lock.c on the machine, tests-host/host_lock.c on the host, which
// checks ownership the same way).
//
//   struct mtx  a spin mutex. Interrupts stay off on this hart while it is
//               held; never sleep or do I/O while holding one.
//   struct sx   a sleepable shared/exclusive lock (FreeBSD's sx): shared
//               holders may run together, an exclusive holder runs alone.
//               May be held across sleeps; needs process context.
//
// sleep() and wakeup() are xv6's: sleep atomically releases the mutex, waits
// for a wakeup on chan, and reacquires the mutex before returning.
#ifndef LIB_LOCK_H
#define LIB_LOCK_H

#include "lib/kassert.h"
#include "lib/lockstat.h"
#include "lib/types.h"

struct mtx {
  volatile uint32_t locked;   // 0 free, 1 held
  uintptr_t owner;            // implementation's owner id while held
  uintptr_t where;            // return address of the lock call that took it
  const char *name;           // for diagnostics
  struct lock_stats *stats;   // its class's counters, or NULL
};

struct sx {
  struct mtx interlock;       // protects the fields below
  int32_t readers;            // shared holders
  uintptr_t xowner;           // exclusive holder's owner id, 0 if none
  uint32_t waiters;           // threads sleeping in sx_*lock
  const char *name;
};

void mtx_init(struct mtx *m, const char *name);
void mtx_lock(struct mtx *m);
void mtx_unlock(struct mtx *m);
// Take m only if it is free right now: true and held, or false at once.
// For the few places that meet a lock out of order (the pageout scan
// holds the page queue lock, which comes after object locks) and must not
// wait for it. Taking a lock the caller already holds is still a bug.
bool mtx_trylock(struct mtx *m);
bool mtx_owned(const struct mtx *m);      // held by the caller
// Count m's acquisitions and spins in s from now on (sx: sx_set_stats,
// which also counts its sleeps).
void mtx_set_stats(struct mtx *m, struct lock_stats *s);
// How many spin mutexes the caller holds (on the machine: its interrupts-
// off sections, a bare push_off included). Code that may sleep asserts it
// holds none (ASSERT_SLEEPABLE): a sleep with one held deadlocks its hart.
int mtx_held(void);

void sx_init(struct sx *sx, const char *name);
void sx_xlock(struct sx *sx);
bool sx_try_xlock(struct sx *sx);         // exclusive if free now, never sleeps
void sx_slock(struct sx *sx);
void sx_xunlock(struct sx *sx);
void sx_sunlock(struct sx *sx);
void sx_set_stats(struct sx *sx, struct lock_stats *s);
bool sx_try_upgrade(struct sx *sx);       // shared -> exclusive if sole reader
void sx_downgrade(struct sx *sx);         // exclusive -> shared
bool sx_xlocked(const struct sx *sx);     // held exclusively by the caller
bool sx_locked(const struct sx *sx);      // held shared or exclusive by anyone

// The index of the hart the caller runs on, 0 .. ncpu - 1 (kernel/lock.c;
// the host says whatever host_set_cpuid last set, 0 by default). Without
// a spin mutex held the answer may be stale as soon as it is read (the
// thread may move), so per-hart data reached through it still needs a
// lock: the caller then merely works on another hart's copy.
int cpuid(void);

// Sleep on chan, releasing m while asleep; m is held again on return.
void sleep(void *chan, struct mtx *m);
// The same, but m stays released: for a sleeper whose m may be freed
// while it sleeps (FreeBSD's PDROP), as a busy page's object may be
// (vm_page_busy_sleep).
void sleep_drop(void *chan, struct mtx *m);
// Wake every thread sleeping on chan.
void wakeup(void *chan);

#define MTX_ASSERT_OWNED(m) \
  KASSERT(mtx_owned(m), ("%s: mutex %s not owned", __func__, (m)->name))
#define SX_ASSERT_XLOCKED(s) \
  KASSERT(sx_xlocked(s), ("%s: %s not exclusively locked", __func__, (s)->name))
#define SX_ASSERT_LOCKED(s) \
  KASSERT(sx_locked(s), ("%s: %s not locked", __func__, (s)->name))
#define ASSERT_SLEEPABLE() \
  KASSERT(mtx_held() == 0, ("%s: may sleep with %d spin locks held", \
                            __func__, mtx_held()))

#endif
