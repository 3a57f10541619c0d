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
// sleep() can never be woken (there is nobody else to call wakeup), so it
// panics; wakeup() has nobody to wake and does nothing.
#include "lib/lock.h"

// The one thread's owner id: any non-zero value.
#define HOST_OWNER ((uintptr_t)1)

void mtx_init(struct mtx *m, const char *name)
{
  m->locked = 0;
  m->owner = 0;
  m->name = name;
}

void mtx_lock(struct mtx *m)
{
  KASSERT(!m->locked, ("mtx_lock: recursion on %s", m->name));
  m->locked = 1;
  m->owner = HOST_OWNER;
}

void mtx_unlock(struct mtx *m)
{
  KASSERT(m->locked && m->owner == HOST_OWNER,
          ("mtx_unlock: %s not held", m->name));
  m->locked = 0;
  m->owner = 0;
}

bool mtx_owned(const struct mtx *m)
{
  return m->locked && m->owner == HOST_OWNER;
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
  KASSERT(sx->xowner == 0, ("sx_xlock: recursion on %s", sx->name));
  KASSERT(sx->readers == 0,
          ("sx_xlock: %s held shared; would deadlock", sx->name));
  sx->xowner = HOST_OWNER;
}

void sx_slock(struct sx *sx)
{
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

void sleep(void *chan, struct mtx *m)
{
  panic("sleep: would block forever on the host (chan %p, lock %s)", chan,
        m != NULL ? m->name : "none");
}

void wakeup(void *chan)
{
  (void)chan;
}
