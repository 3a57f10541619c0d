// SPDX-License-Identifier: MIT
// The kernel's locks (lib/lock.h) and xv6's sleep/wakeup.
//
// struct mtx: a test-and-set spin lock. Interrupts are off on this hart
// from mtx_lock to mtx_unlock (push_off/pop_off nest), so an interrupt
// handler can never spin on a lock its own hart holds. The owner is the
// struct cpu holding it.
//
// struct sx: a sleepable shared/exclusive lock built from an interlock mtx
// and sleep/wakeup on the sx itself. The exclusive owner is the process
// (or, before processes exist, the hart) that took it. Readers are not
// tracked individually. No writer preference: readers may keep a writer
// waiting, which is fine at our scale.
//
// sleep/wakeup: a sleeper holds p->lock from before it marks itself
// SLEEPING until the scheduler has switched away, and wakeup takes each
// p->lock, so a wakeup between "condition false" and "asleep" cannot be
// lost as long as the caller's mutex covers the condition.
#include "cpu.h"
#include "lib/kmem.h"
#include "lib/lock.h"
#include "machdep.h"
#include "platform.h"
#include "printf.h"
#include "proc.h"

struct cpu cpus[NCPU];
int ncpu = 1;

struct cpu *mycpu(void)
{
  return (struct cpu *)md_cpu_self();
}

int cpuid(void)
{
  return mycpu()->id;
}

void push_off(void)
{
  int old = intr_get();
  intr_off();
  struct cpu *c = mycpu();
  if (c->noff == 0)
    c->intena = old;
  c->noff++;
}

void pop_off(void)
{
  struct cpu *c = mycpu();
  KASSERT(!intr_get(), ("pop_off: interruptible"));
  KASSERT(c->noff >= 1, ("pop_off: unbalanced"));
  c->noff--;
  if (c->noff == 0 && c->intena)
    intr_on();
}

void mtx_init(struct mtx *m, const char *name)
{
  m->locked = 0;
  m->owner = 0;
  m->where = 0;
  m->name = name;
  m->stats = NULL;
}

void mtx_set_stats(struct mtx *m, struct lock_stats *s)
{
  m->stats = s;
}

void sx_set_stats(struct sx *sx, struct lock_stats *s)
{
  sx->interlock.stats = s;
}

CTASSERT(NCPU <= LOCK_STATS_NCPU);

// Count into this hart's slot of s (lib/lockstat.h). Interrupts are off:
// the lock's push_off keeps us on this hart.
static void lock_stats_add(struct lock_stats *s, uint64_t spins)
{
  struct lock_counts *c = &s->cpu[cpuid()];

  __atomic_store_n(&c->acquires, c->acquires + 1, __ATOMIC_RELAXED);
  if (spins)
    __atomic_store_n(&c->spins, c->spins + spins, __ATOMIC_RELAXED);
}

// mtx_owned for callers that already run with interrupts off (between
// push_off and pop_off), so mycpu() cannot change under them. The lock
// and unlock paths use it: a push_off/pop_off pair costs as much as the
// lock itself.
static bool mtx_owned_intr_off(const struct mtx *m)
{
  return m->locked && m->owner == (uintptr_t)mycpu();
}

// A spin mutex is held for microseconds. A hart that has waited for one
// for SPIN_LIMIT seconds is in a deadlock (or its holder lost its way):
// panic with the lock, the holder and where the holder took it (the pc
// goes to addr2line) rather than hang in silence with interrupts off.
// The clock is read once every 2^16 tries, so waiting costs no more.
#define SPIN_LIMIT 20

// A mutex in freed memory: a use after free (m is the first word of an
// object of a kernel zone, freed). Its test-and-set has just written the
// freed object's free-list link; say who did, before the allocator
// finds the broken list somewhere else.
static void mtx_check_freed(struct mtx *m, const char *fn)
{
  if (m->owner == KMEM_FREE_MAGIC)
    panic("%s: mutex %p is in a freed object (use after free)", fn,
          (void *)m);
}

static uint64_t mtx_spin(struct mtx *m)
{
  uint64_t start = md_clock(), spins = 0;
  uint64_t limit = SPIN_LIMIT * platform_timebase_freq();

  mtx_check_freed(m, "mtx_lock");

  while (__atomic_exchange_n(&m->locked, 1, __ATOMIC_ACQUIRE) != 0) {
    if ((++spins & 0xffff) != 0 || md_clock() - start < limit)
      continue;
    struct cpu *holder = (struct cpu *)m->owner;
    panic("mtx_lock: cpu %d waited %d s for %s, held by cpu %d (taken at "
          "pc %p)", cpuid(), SPIN_LIMIT, m->name, holder ? holder->id : -1,
          (void *)m->where);
  }
  return spins;
}

void mtx_lock(struct mtx *m)
{
  uint64_t spins = 0;

  push_off();
  KASSERT(!mtx_owned_intr_off(m), ("mtx_lock: %s already held", m->name));
  if (__atomic_exchange_n(&m->locked, 1, __ATOMIC_ACQUIRE) != 0)
    spins = mtx_spin(m);
  m->owner = (uintptr_t)mycpu();
  m->where = (uintptr_t)__builtin_return_address(0);
  if (m->stats)
    lock_stats_add(m->stats, spins);
}

bool mtx_trylock(struct mtx *m)
{
  push_off();
  KASSERT(!mtx_owned_intr_off(m), ("mtx_trylock: %s already held", m->name));
  if (__atomic_exchange_n(&m->locked, 1, __ATOMIC_ACQUIRE) != 0) {
    mtx_check_freed(m, "mtx_trylock");
    pop_off();
    return false;
  }
  m->owner = (uintptr_t)mycpu();
  m->where = (uintptr_t)__builtin_return_address(0);
  if (m->stats)
    lock_stats_add(m->stats, 0);
  return true;
}

void mtx_unlock(struct mtx *m)
{
  // Holding a spin mutex keeps interrupts off (mtx_lock's push_off), so
  // a caller that does not hold m may be interruptible: check that first.
  KASSERT(!intr_get() && mtx_owned_intr_off(m),
          ("mtx_unlock: %s not held", m->name));
  m->owner = 0;
  __atomic_store_n(&m->locked, 0, __ATOMIC_RELEASE);
  pop_off();
}

// With interrupts off (as they are for every holder of a spin mutex, so
// for every lock assertion that holds) this hart cannot change under us,
// and the push_off/pop_off pair, which costs as much as the check, can go.
bool mtx_owned(const struct mtx *m)
{
  bool r;
  if (!intr_get())
    return mtx_owned_intr_off(m);
  push_off();
  r = mtx_owned_intr_off(m);
  pop_off();
  return r;
}

// With interrupts on, nothing is held (mtx_lock's push_off turns them off)
// and mycpu() is not stable enough to read; with them off, noff counts.
int mtx_held(void)
{
  return intr_get() ? 0 : mycpu()->noff;
}

// The identity sx records for an exclusive holder.
static uintptr_t sx_self(void)
{
  struct proc *p = myproc();
  return p != NULL ? (uintptr_t)p : (uintptr_t)mycpu() | 1;
}

void sx_init(struct sx *sx, const char *name)
{
  mtx_init(&sx->interlock, name);
  sx->readers = 0;
  sx->xowner = 0;
  sx->waiters = 0;
  sx->name = name;
}

// Count a sleep into this hart's slot. Requires the interlock (interrupts
// off, so we stay on this hart).
static void sx_count_sleep(struct sx *sx)
{
  if (sx->interlock.stats) {
    struct lock_counts *c = &sx->interlock.stats->cpu[cpuid()];
    __atomic_store_n(&c->sleeps, c->sleeps + 1, __ATOMIC_RELAXED);
  }
}

void sx_xlock(struct sx *sx)
{
  ASSERT_SLEEPABLE();
  uintptr_t self = sx_self();
  mtx_lock(&sx->interlock);
  KASSERT(sx->xowner != self, ("sx_xlock: %s already held", sx->name));
  while (sx->readers > 0 || sx->xowner != 0) {
    sx_count_sleep(sx);
    sx->waiters++;
    sleep(sx, &sx->interlock);
    sx->waiters--;
  }
  sx->xowner = self;
  mtx_unlock(&sx->interlock);
}

bool sx_try_xlock(struct sx *sx)
{
  uintptr_t self = sx_self();
  bool ok;

  mtx_lock(&sx->interlock);
  KASSERT(sx->xowner != self, ("sx_try_xlock: %s already held", sx->name));
  ok = sx->readers == 0 && sx->xowner == 0;
  if (ok)
    sx->xowner = self;
  mtx_unlock(&sx->interlock);
  return ok;
}

void sx_slock(struct sx *sx)
{
  ASSERT_SLEEPABLE();
  mtx_lock(&sx->interlock);
  KASSERT(sx->xowner != sx_self(), ("sx_slock: %s held exclusive", sx->name));
  while (sx->xowner != 0) {
    sx_count_sleep(sx);
    sx->waiters++;
    sleep(sx, &sx->interlock);
    sx->waiters--;
  }
  sx->readers++;
  mtx_unlock(&sx->interlock);
}

void sx_xunlock(struct sx *sx)
{
  mtx_lock(&sx->interlock);
  KASSERT(sx->xowner == sx_self(), ("sx_xunlock: %s not held", sx->name));
  sx->xowner = 0;
  if (sx->waiters > 0)
    wakeup(sx);
  mtx_unlock(&sx->interlock);
}

void sx_sunlock(struct sx *sx)
{
  mtx_lock(&sx->interlock);
  KASSERT(sx->readers > 0, ("sx_sunlock: %s not shared", sx->name));
  sx->readers--;
  if (sx->readers == 0 && sx->waiters > 0)
    wakeup(sx);
  mtx_unlock(&sx->interlock);
}

bool sx_try_upgrade(struct sx *sx)
{
  bool ok;
  mtx_lock(&sx->interlock);
  KASSERT(sx->readers > 0, ("sx_try_upgrade: %s not shared", sx->name));
  ok = sx->readers == 1;
  if (ok) {
    sx->readers = 0;
    sx->xowner = sx_self();
  }
  mtx_unlock(&sx->interlock);
  return ok;
}

void sx_downgrade(struct sx *sx)
{
  mtx_lock(&sx->interlock);
  KASSERT(sx->xowner == sx_self(), ("sx_downgrade: %s not held", sx->name));
  sx->xowner = 0;
  sx->readers = 1;
  if (sx->waiters > 0)
    wakeup(sx);                     // other readers may now enter
  mtx_unlock(&sx->interlock);
}

bool sx_xlocked(const struct sx *sx)
{
  return sx->xowner == sx_self();
}

bool sx_locked(const struct sx *sx)
{
  return sx->readers > 0 || sx->xowner != 0;
}

// Atomically release m and sleep on chan; reacquire m on wakeup.
// Release m (holding p->lock instead, unless m is it) and sleep on chan.
// Returns with p->lock held.
static void sleep_locked(struct proc *p, void *chan, struct mtx *m)
{
  KASSERT(mtx_owned(m) && mtx_held() == 1,
          ("sleep: %d spin locks held, not just %s", mtx_held(), m->name));
  if (m != &p->lock) {
    mtx_lock(&p->lock);
    mtx_unlock(m);
  }
  p->chan = chan;
  p->state = SLEEPING;
  sched();
  p->chan = NULL;
}

void sleep(void *chan, struct mtx *m)
{
  struct proc *p = myproc();

  KASSERT(p != NULL, ("sleep: no process (chan %p)", chan));
  sleep_locked(p, chan, m);
  if (m != &p->lock) {
    mtx_unlock(&p->lock);
    mtx_lock(m);
  }
}

void sleep_drop(void *chan, struct mtx *m)
{
  struct proc *p = myproc();

  KASSERT(p != NULL && m != &p->lock,
          ("sleep_drop: no process, or its own lock (chan %p)", chan));
  sleep_locked(p, chan, m);
  mtx_unlock(&p->lock);
}

// Wake every process sleeping on chan. Must not hold any p->lock.
void wakeup(void *chan)
{
  struct proc *me = myproc();
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    if (p == me)
      continue;
    mtx_lock(&p->lock);
    if (p->state == SLEEPING && p->chan == chan)
      setrunnable(p);
    mtx_unlock(&p->lock);
  }
}
