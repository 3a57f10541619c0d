// SPDX-License-Identifier: MIT
// Host seam for kernel/lib/lock.h: single-threaded locks that still check.
//
// Host tests run one thread per process, so a lock can never be contended:
// any attempt to take a lock that is already held would deadlock (or, for
// a spin mutex, recurse) on the machine, and here it panics at once with
// the lock's name. Ownership is tracked as on the machine, so the lock
// assertions in kernel/vm (MTX_ASSERT_OWNED, SX_ASSERT_XLOCKED) mean the
// same thing in both builds.
//
// A test may pretend that another thread holds a mutex
// (host_mtx_hold_foreign, host_lock.h): mtx_trylock then fails as it would
// under contention, and mtx_lock, which would wait for ever, panics --
// unless the test said what the other thread does before it lets go
// (host_mtx_hold_foreign_then).
//
// sleep() can never be woken (there is nobody else to call wakeup), so it
// panics -- unless a test has set a hook to play the other thread
// (host_set_sleep_hook); wakeup() has nobody to wake and does nothing.
#include "host_lock.h"
#include "lib/lock.h"

// The one thread's owner id: any non-zero value; and the id of the
// imaginary other thread of host_mtx_hold_foreign.
#define HOST_OWNER   ((uintptr_t)1)
#define HOST_FOREIGN ((uintptr_t)2)

static int host_mtx_nheld;             // mutexes the one thread holds
static int host_cpuid;                 // the hart the thread pretends to be on

// The mutex of host_mtx_hold_foreign_then and what the other thread does
// when somebody waits for it.
static struct {
  struct mtx *m;
  void (*fn)(void *);
  void *arg;
} host_foreign_then;

int cpuid(void)
{
  return host_cpuid;
}

void host_set_cpuid(int id)
{
  KASSERT(id >= 0 && id < LOCK_STATS_NCPU, ("host_set_cpuid: bad hart %d", id));
  host_cpuid = id;
}

void mtx_init(struct mtx *m, const char *name)
{
  m->locked = 0;
  m->owner = 0;
  m->name = name;
  m->stats = NULL;
}

// Counted as on the machine; a host lock never spins or sleeps.
void mtx_set_stats(struct mtx *m, struct lock_stats *s)
{
  m->stats = s;
}

void sx_set_stats(struct sx *sx, struct lock_stats *s)
{
  sx->interlock.stats = s;
}

void mtx_lock(struct mtx *m)
{
  if (m == host_foreign_then.m && m->owner == HOST_FOREIGN) {
    host_foreign_then.m = NULL;
    host_mtx_release_foreign(m);
    host_foreign_then.fn(host_foreign_then.arg);
  }
  KASSERT(!m->locked, ("mtx_lock: %s on %s", m->owner == HOST_FOREIGN ?
                       "would wait for ever" : "recursion", m->name));
  m->locked = 1;
  m->owner = HOST_OWNER;
  host_mtx_nheld++;
  if (m->stats)
    m->stats->cpu[host_cpuid].acquires++;
}

bool mtx_trylock(struct mtx *m)
{
  KASSERT(!mtx_owned(m), ("mtx_trylock: recursion on %s", m->name));
  if (m->locked)
    return false;
  m->locked = 1;
  m->owner = HOST_OWNER;
  host_mtx_nheld++;
  if (m->stats)
    m->stats->cpu[host_cpuid].acquires++;
  return true;
}

void host_mtx_hold_foreign(struct mtx *m)
{
  KASSERT(!m->locked, ("host_mtx_hold_foreign: %s is held", m->name));
  m->locked = 1;
  m->owner = HOST_FOREIGN;
}

void host_mtx_release_foreign(struct mtx *m)
{
  KASSERT(m->locked && m->owner == HOST_FOREIGN,
          ("host_mtx_release_foreign: %s is not held by the other thread",
           m->name));
  m->locked = 0;
  m->owner = 0;
}

void host_mtx_hold_foreign_then(struct mtx *m, void (*fn)(void *), void *arg)
{
  host_mtx_hold_foreign(m);
  host_foreign_then.m = m;
  host_foreign_then.fn = fn;
  host_foreign_then.arg = arg;
}

void mtx_unlock(struct mtx *m)
{
  KASSERT(m->locked && m->owner == HOST_OWNER,
          ("mtx_unlock: %s not held", m->name));
  m->locked = 0;
  m->owner = 0;
  host_mtx_nheld--;
}

bool mtx_owned(const struct mtx *m)
{
  return m->locked && m->owner == HOST_OWNER;
}

int mtx_held(void)
{
  return host_mtx_nheld;
}

void sx_init(struct sx *sx, const char *name)
{
  mtx_init(&sx->interlock, name);
  sx->readers = 0;
  sx->xowner = 0;
  sx->waiters = 0;
  sx->name = name;
}

void sx_xlock(struct sx *sx)
{
  ASSERT_SLEEPABLE();
  KASSERT(sx->xowner == 0, ("sx_xlock: recursion on %s", sx->name));
  KASSERT(sx->readers == 0,
          ("sx_xlock: %s held shared; would deadlock", sx->name));
  sx->xowner = HOST_OWNER;
}

void sx_slock(struct sx *sx)
{
  ASSERT_SLEEPABLE();
  KASSERT(sx->xowner == 0,
          ("sx_slock: %s held exclusive; would deadlock", sx->name));
  sx->readers++;
}

void sx_xunlock(struct sx *sx)
{
  KASSERT(sx->xowner == HOST_OWNER,
          ("sx_xunlock: %s not held exclusive", sx->name));
  sx->xowner = 0;
}

void sx_sunlock(struct sx *sx)
{
  KASSERT(sx->readers > 0, ("sx_sunlock: %s not held shared", sx->name));
  sx->readers--;
}

bool sx_try_upgrade(struct sx *sx)
{
  KASSERT(sx->readers > 0, ("sx_try_upgrade: %s not held shared", sx->name));
  if (sx->readers != 1)
    return false;
  sx->readers = 0;
  sx->xowner = HOST_OWNER;
  return true;
}

void sx_downgrade(struct sx *sx)
{
  KASSERT(sx->xowner == HOST_OWNER,
          ("sx_downgrade: %s not held exclusive", sx->name));
  sx->xowner = 0;
  sx->readers = 1;
}

bool sx_xlocked(const struct sx *sx)
{
  return sx->xowner == HOST_OWNER;
}

bool sx_locked(const struct sx *sx)
{
  return sx->xowner != 0 || sx->readers > 0;
}

static void (*host_sleep_hook)(void *chan);

void host_set_sleep_hook(void (*hook)(void *chan))
{
  host_sleep_hook = hook;
}

// Release m and run the hook: the other threads' work while we sleep.
static void host_sleep_wait(void *chan, struct mtx *m)
{
  if (host_sleep_hook == NULL)
    panic("sleep: would block forever on the host (chan %p, lock %s)", chan,
          m != NULL ? m->name : "none");
  if (m != NULL)
    mtx_unlock(m);
  host_sleep_hook(chan);
}

void sleep(void *chan, struct mtx *m)
{
  host_sleep_wait(chan, m);
  if (m != NULL)
    mtx_lock(m);
}

void sleep_drop(void *chan, struct mtx *m)
{
  host_sleep_wait(chan, m);           // m is not touched again: it may be gone
}

void wakeup(void *chan)
{
  (void)chan;
}
