// SPDX-License-Identifier: MIT
// Process system calls: fork, exit, wait, kill, getpid, sbrk, sleep,
// uptime, halt, vmstat, vmreclaim, getrlimit, setrlimit. Each returns >= 0
// or a negative errno (sys.h).
#include "lib/errno.h"
#include "lib/kassert.h"
#include "lib/kmem.h"
#include "machdep.h"
#include "proc.h"
#include "swap_dev.h"
#include "sys.h"
#include "uaccess.h"
#include "vm/swap_pager.h"
#include "vm/vm_mmap.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"
#include "vm/vmspace.h"
#include "vmstat.h"
#include "vnode_cache.h"

long sys_fork(void)
{
  return fork();
}

long sys_exit(void)
{
  exit((int)argint(0));
}

long sys_wait(void)
{
  return wait(argaddr(0));
}

long sys_kill(void)
{
  return kill((int)argint(0));
}

long sys_getpid(void)
{
  return myproc()->pid;
}

// sbrk(n): returns the old break. Growth is lazy (zero-fill on touch),
// except under mlockall(MCL_FUTURE), where RLIMIT_MEMLOCK bounds it too.
long sys_sbrk(void)
{
  struct proc *p = myproc();
  vm_offset_t old;
  int rc = vm_sbrk(p->vm, argint(0), p->rlim[RLIMIT_DATA].rlim_cur,
                   p->rlim[RLIMIT_MEMLOCK].rlim_cur, &old);
  return rc < 0 ? rc : (long)old;
}

// sleep(n): n ticks; -EINTR if killed meanwhile.
long sys_sleep(void)
{
  long n = argint(0);
  uint64_t ticks0;

  if (n < 0)
    n = 0;
  mtx_lock(&tickslock);
  ticks0 = ticks;
  while (ticks - ticks0 < (uint64_t)n) {
    if (killed(myproc())) {
      mtx_unlock(&tickslock);
      return -EINTR;
    }
    sleep(&ticks, &tickslock);
  }
  mtx_unlock(&tickslock);
  return 0;
}

long sys_uptime(void)
{
  mtx_lock(&tickslock);
  uint64_t t = ticks;
  mtx_unlock(&tickslock);
  return (long)t;
}

// halt(status): power off; QEMU exits non-zero when status != 0.
long sys_halt(void)
{
  md_halt(argint(0) != 0);
}

// Structures copied out whole must have no padding: a hole would carry
// old kernel-stack bytes out to the user (designated initialisers need not
// clear it). Adding a field that makes one breaks the build here.
CTASSERT(sizeof(struct vmstats) == 38 * sizeof(unsigned long));
CTASSERT(sizeof(struct rlimit) == 2 * sizeof(rlim_t));

long sys_vmstat(void)
{
  struct swap_stats sw;

  swap_pager_stats(&sw);
  uint64_t cached_objects, cached_pages;
  vnode_cache_stats(&cached_objects, &cached_pages);
  struct lock_counts page = lock_stats_sum(&vm_cnt.v_page_lock);
  struct lock_counts object = lock_stats_sum(&vm_cnt.v_object_lock);
  struct lock_counts map = lock_stats_sum(&vm_cnt.v_map_lock);
  struct lock_counts pv = lock_stats_sum(&vm_cnt.v_pv_lock);
  struct vmstats st = {
    .total = vm_page_total_count(),
    .free = vm_page_free_count(),
    .active = vm_page_queue_count(PQ_ACTIVE),
    .inactive = vm_page_queue_count(PQ_INACTIVE),
    .laundry = vm_page_queue_count(PQ_LAUNDRY),
    .wired = vm_cnt.v_wire_count,
    .faults = vm_cnt.v_faults,
    .zfod = vm_cnt.v_zfod,
    .cow = vm_cnt.v_cow_faults,
    .cow_optim = vm_cnt.v_cow_optim,
    .readahead = vm_cnt.v_readahead,
    .prefault = vm_cnt.v_prefault,
    .pagein = vm_cnt.v_pagein,
    .pageout = vm_cnt.v_pageout,
    .freebehind = vm_cnt.v_freebehind,
    .kmem = kmem_page_count(),
    .kmem_objects = kmem_object_count(),
    .reclaimed = vm_cnt.v_reclaimed,
    .swap_total = sw.total,
    .swap_used = sw.used,
    .swapin = sw.pageins,
    .swapout = sw.pageouts,
    .filepageout = vm_cnt.v_filepageout,
    .ncpu = ncpu,
    .sched_ipis = sched_stats.ipis,
    .sched_kicks = sched_stats.kicks,
    .sched_steals = sched_stats.steals,
    .page_lock_acq = page.acquires,
    .page_lock_spins = page.spins,
    .object_lock_acq = object.acquires,
    .object_lock_spins = object.spins,
    .map_lock_acq = map.acquires,
    .map_lock_spins = map.spins,
    .map_lock_sleeps = map.sleeps,
    .pv_lock_acq = pv.acquires,
    .pv_lock_spins = pv.spins,
    .cached_objects = cached_objects,
    .cached_pages = cached_pages,
  };
  return copyout(argaddr(0), &st, sizeof(st));
}

// vmreclaim(npages): drop the page cache of every file nobody uses (the
// cached objects, vnode_pager.h), then free up to npages clean pages of
// the page cache as a fault does when no page is free
// (kernel/vm/vm_pageout.h), and return how many of the latter went. Lets
// a test put the cache in a known state (vmreclaim(0) before the leak
// check of every group, user/testlib.h) and a user watch it shrink.
long sys_vmreclaim(void)
{
  long n = argint(0);

  if (n < 0)
    return -EINVAL;
  (void)vnode_cache_flush();
  return (long)vm_pageout_reclaim((size_t)n);
}

// swapraw(npages, ns): the swap disk's raw write and read of npages free
// blocks, ns per page in ns[0] and ns[1] (swap_dev.h), for make bench to
// set paging beside, measured next to it in the same boot.
long sys_swapraw(void)
{
  uint64_t ns[2];
  int rv = swap_dev_time(argint(0), ns);

  if (rv == 0 && copyout(argaddr(1), ns, sizeof(ns)) != 0)
    return -EFAULT;
  return rv;
}

static bool rlimit_supported(long res)
{
  return res == RLIMIT_DATA || res == RLIMIT_MEMLOCK;
}

long sys_getrlimit(void)
{
  long res = argint(0);
  if (!rlimit_supported(res))
    return -EINVAL;
  return copyout(argaddr(1), &myproc()->rlim[res], sizeof(struct rlimit));
}

// A process may lower its hard limit and move its soft limit anywhere up
// to the hard one; raising the hard limit is not allowed (no privileges).
long sys_setrlimit(void)
{
  struct proc *p = myproc();
  long res = argint(0);
  struct rlimit rl;
  int rc;

  if (!rlimit_supported(res))
    return -EINVAL;
  if ((rc = copyin(&rl, argaddr(1), sizeof(rl))) < 0)
    return rc;
  rl.rlim_cur = MIN(rl.rlim_cur, RLIM_INFINITY);   // larger means infinite
  rl.rlim_max = MIN(rl.rlim_max, RLIM_INFINITY);
  if (rl.rlim_cur > rl.rlim_max)
    return -EINVAL;
  if (rl.rlim_max > p->rlim[res].rlim_max)
    return -EPERM;
  p->rlim[res] = rl;
  return 0;
}
