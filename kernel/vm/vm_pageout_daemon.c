// SPDX-License-Identifier: MIT
// The pageout daemon (vm_pageout.h): when it runs a pass, who waits for
// one, and when memory is out for good. A pass itself (aging, the scan,
// laundering) is vm_pageout_pass, in vm_pageout.c.
//
// A kernel thread (the kernel starts it: kthread_start) runs
// vm_pageout_daemon. It sleeps while at least vm_pageout_free_min() pages
// are free (the low mark, 1/2048 of memory, at least 16) and nobody waits
// for it; vm_page_alloc pokes it when an allocation leaves fewer. The
// marks are low on purpose: the daemon keeps a small reserve for the
// allocations that cannot wait, it does not shrink the page cache ahead
// of need (a pass frees up to twice the low mark, no more). Each pass then
//   1. ages the active queue: from its head, a page referenced since it
//      was last looked at (the pmap's referenced bits, Sv39's A bit,
//      cleared as they are read) goes to the tail, one that was not to the
//      inactive queue -- until the inactive queue holds a third of the
//      queued pages or it has looked at 4 pages for each page wanted;
//   2. reclaims up to the high mark from the inactive
//      and laundry queues as vm_pageout_reclaim does, but keeping
//      referenced pages (they go back to the active queue); the next pass
//      ages more if this was not enough;
//   3. if that was not enough, launders: writes the dirty file pages of
//      the laundry queue to their files and frees them (vm_pageout_launder);
//   4. when someone waits and that was not enough, reclaims once more
//      without looking at referenced bits: a page in use is better paged
//      out than a fault failed.
// A fault short of pages calls vm_pageout_wait, which sleeps until a pass
// that began after the call has finished, then tries again. One urgent
// pass per shortage: the waiters ask for a pass number (wanted), not for
// passes while they wait, so a waiter woken but not yet run (one CPU)
// does not get pass after pass, each shrinking the page cache. A pass
// that frees nothing and has no waiter makes the daemon ignore pokes until
// a waiter comes: nothing it can do would help until then.
//
// Out of memory: when two urgent passes in a row are futile -- each freed
// less than the low mark, and less than that is free besides what it
// freed -- RAM and swap are full of pages nobody can give up. (A pass
// that frees a page or two is no progress: a fault that needs a run of
// text pages got them back, lost them to the next pass, and so on until
// it gave up.) The daemon then calls vm_oom_kill (outside kernel/vm),
// which kills one process; while the victim dies the waiters keep waiting
// without using up their tries, since its memory is on the way; a killed
// waiter returns at once. Two passes, not one, so that a pass that only
// met busy pages (I/O under way) kills nobody.
//
// Without the thread (host tests; the kernel before it starts),
// vm_pageout_wait reclaims in the caller.
//
// Locking: vm_pageout_d.lock (a leaf after object locks) protects the
// daemon's state; the daemon holds no lock during a pass.

#include "vm/vm_pageout.h"

#include "lib/kassert.h"
#include "lib/lock.h"
#include "lib/string.h"
#include "vm/vm_page.h"

// Locks: (d) vm_pageout_d.lock, (a) atomic.
static struct {
  struct mtx lock;
  bool running;          // (a) the daemon thread exists
  bool busy;             // (a) a pass is under way
  bool stalled;          // (d) the last pass freed nothing, no one waited
  uint64_t passes;       // (d) passes finished
  size_t last_freed;     // (d) pages the last pass freed
  bool oom;              // (d) after the last pass memory may still come
                         // (vm_pageout_oom): waiters wait on
  int futile;            // (t) futile urgent passes in a row (vm_pageout_oom)
  int waiters;           // (d) threads in vm_pageout_wait
  uint64_t wanted;       // (d) the pass the waiters wait for ends passes here
} vm_pageout_d;

void vm_pageout_init(void)
{
  memset(&vm_pageout_d, 0, sizeof(vm_pageout_d));
  mtx_init(&vm_pageout_d.lock, "vm_pageout");
}

#define VM_PAGEOUT_FREE_MIN     16    // pages
#define VM_PAGEOUT_FREE_MIN_DIV 2048  // of all pages

size_t vm_pageout_free_min(void)
{
  return MAX((size_t)VM_PAGEOUT_FREE_MIN,
             vm_page_total_count() / VM_PAGEOUT_FREE_MIN_DIV);
}

void vm_pageout_poke(void)
{
  if (!__atomic_load_n(&vm_pageout_d.running, __ATOMIC_RELAXED) ||
      __atomic_load_n(&vm_pageout_d.busy, __ATOMIC_RELAXED))
    return;
  mtx_lock(&vm_pageout_d.lock);
  if (!vm_pageout_d.stalled)
    wakeup(&vm_pageout_d);
  mtx_unlock(&vm_pageout_d.lock);
}

// Must the daemon run a pass? (d) held.
static bool vm_pageout_needed(void)
{
  return vm_pageout_d.wanted > vm_pageout_d.passes ||
         (!vm_pageout_d.stalled && vm_page_free_count() < vm_pageout_free_min());
}

// After a pass: kill for memory if urgent passes keep being futile.
// Returns whether memory may still come for the waiters: false only when
// two urgent passes in a row were futile and nobody is left to kill. No
// lock held.
static bool vm_pageout_oom(bool urgent, size_t target, size_t freed)
{
  // A pass is futile when it could not free even the low mark's worth
  // and memory is still short: a pass that frees a page or two is no
  // progress when the fault needs more (make check: a hog's text page
  // was read in, taken back by the next pass, read in again... until its
  // fault gave up). Pages that came back some other way (an exit) are no
  // shortage: the waiters will find them, nobody dies for them. But the
  // pass's own few do not count as such: a pass that freed 12 pages onto
  // 4 left the low mark's 16 free, and every pass did the same, a text
  // thrash that held a hog's kill up for minutes (swaptests baddisk).
  // A pass that freed all it set out to is no failure either, however few
  // that was: at two low marks' worth of free pages it wants only the
  // rest, and when four processes fault at once they take the pages
  // before the daemon looks again (swaptests busy.four_at_once: killed
  // with swap nearly empty).
  if (!urgent)
    return true;                      // (pokes between urgent passes)
  if (freed >= MIN(target, vm_pageout_free_min()) ||
      vm_page_free_count() >= vm_pageout_free_min() + freed) {
    vm_pageout_d.futile = 0;
    return true;
  }
  if (++vm_pageout_d.futile < 2)
    return true;                      // one more pass decides
  return vm_oom_kill();
}

void vm_pageout_daemon(void)
{
  size_t freed, target;
  bool urgent, oom;

  mtx_lock(&vm_pageout_d.lock);
  __atomic_store_n(&vm_pageout_d.running, true, __ATOMIC_RELEASE);
  for (;;) {
    while (!vm_pageout_needed())
      sleep(&vm_pageout_d, &vm_pageout_d.lock);
    // Urgent only for a waiter whose pass is still to come: one that was
    // answered but has not run yet (on one CPU it may not, while this
    // thread runs) must not get pass after pass, each shrinking the cache.
    urgent = vm_pageout_d.wanted > vm_pageout_d.passes;
    __atomic_store_n(&vm_pageout_d.busy, true, __ATOMIC_RELAXED);
    mtx_unlock(&vm_pageout_d.lock);
    target = vm_pageout_pass_target(urgent);
    freed = vm_pageout_pass(urgent);
    oom = vm_pageout_oom(urgent, target, freed);
    mtx_lock(&vm_pageout_d.lock);
    vm_pageout_d.oom = oom;
    __atomic_store_n(&vm_pageout_d.busy, false, __ATOMIC_RELAXED);
    vm_pageout_d.passes++;
    vm_pageout_d.last_freed = freed;
    vm_pageout_d.stalled = freed == 0 &&
                           vm_pageout_d.wanted <= vm_pageout_d.passes;
    wakeup(&vm_pageout_d.passes);
  }
}

// Wait for a daemon pass that began after the call (or, without a
// daemon, reclaim here); *freedp gets the pages that pass freed. True when
// trying again can help: something was freed, or some page is free; false
// at once for a killed caller. While an out-of-memory victim is dying it
// waits on, so that no fault gives up before the victim's memory is back.
static bool vm_pageout_wait(size_t *freedp)
{
  uint64_t want;
  size_t freed;
  bool oom, killed;

  ASSERT_SLEEPABLE();
  *freedp = 0;
  if (vm_oom_caller_killed())
    return false;                     // its memory is better given back
  if (!__atomic_load_n(&vm_pageout_d.running, __ATOMIC_ACQUIRE))
    return (*freedp = vm_pageout_reclaim(vm_pageout_target())) > 0;
  mtx_lock(&vm_pageout_d.lock);
  vm_pageout_d.waiters++;
  do {
    // A pass under way may have looked at the queues before our shortage.
    want = vm_pageout_d.passes + (vm_pageout_d.busy ? 2 : 1);
    vm_pageout_d.wanted = MAX(vm_pageout_d.wanted, want);
    vm_pageout_d.stalled = false;
    wakeup(&vm_pageout_d);
    // A killed waiter stops waiting (kill wakes it): its fault fails and
    // it exits, giving its memory back, even if the pass never comes.
    while (vm_pageout_d.passes < want && !vm_oom_caller_killed())
      sleep(&vm_pageout_d.passes, &vm_pageout_d.lock);
    freed = vm_pageout_d.last_freed;
    oom = vm_pageout_d.oom;
    killed = vm_oom_caller_killed();
    // While a victim is dying its memory is on the way: wait for it
    // without counting tries, or every fault in the system would run out
    // of them first and its process die too.
  } while (oom && freed == 0 && vm_page_free_count() == 0 && !killed);
  vm_pageout_d.waiters--;
  mtx_unlock(&vm_pageout_d.lock);
  *freedp = freed;
  return !killed && (freed > 0 || oom || vm_page_free_count() > 0);
}

// A try counts only when the pass waited for was futile (freed less than
// the low mark): after a pass that freed more, a caller that finds no page
// has lost it to others faulting at the same time, while paging still
// works. Counting those killed processes "out of memory" with swap nearly
// empty (several processes touching more than the free pages beside a
// hog; the daemon's passes freed hundreds of pages each).
bool vm_pageout_retry(int *tries)
{
  size_t freed;

  if (*tries <= 0 || !vm_pageout_wait(&freed))
    return false;
  if (freed < vm_pageout_free_min())
    (*tries)--;
  return true;
}
