// SPDX-License-Identifier: MIT
// What the vmstat() system call reports: system-wide page counts and fault
// counters (struct vmmeter in kernel/vm/vm.h, plus the page queues).
#ifndef KERNEL_VMSTAT_H
#define KERNEL_VMSTAT_H

struct vmstats {
  unsigned long total;        // pages of RAM managed by the VM
  unsigned long free;         // free pages (buddy lists and harts' caches)
  unsigned long active;       // pages on the active queue
  unsigned long inactive;     // pages on the inactive queue
  unsigned long laundry;      // pages on the laundry queue
  unsigned long wired;        // wired pages
  unsigned long faults;       // calls to vm_fault
  unsigned long zfod;         // zero-fill faults
  unsigned long cow;          // copy-on-write faults that copied
  unsigned long cow_optim;    // copy-on-write faults that moved a page
  unsigned long readahead;    // pages read ahead
  unsigned long prefault;     // resident pages mapped ahead of a fault
  unsigned long pagein;       // pages read by pagers
  unsigned long pageout;      // pages written by pagers
  unsigned long freebehind;   // pages deactivated behind sequential scans
  unsigned long kmem;         // pages held by kmem zone slabs (0: not reported)
  unsigned long kmem_objects; // objects allocated from kmem zones
  unsigned long reclaimed;    // pages freed to satisfy a shortage
  unsigned long swap_total;   // pages of swap (0: no swap device)
  unsigned long swap_used;    // pages of swap holding a page
  unsigned long swapin;       // pages read from swap
  unsigned long swapout;      // pages written to swap
  unsigned long filepageout;  // dirty file pages the pageout daemon wrote
  // The harts and the scheduler (kernel/sched.c, docs/scheduling.md).
  unsigned long ncpu;         // harts running
  unsigned long sched_ipis;   // idle harts woken for a process made runnable
  unsigned long sched_kicks;  // idle harts woken for a process left waiting
  unsigned long sched_steals; // processes taken from another hart's queue
  // Contention of the VM's hot locks: acquisitions, failed tries spun, and
  // (map locks) sleeps. The page lock guards the free lists and queues.
  unsigned long page_lock_acq;
  unsigned long page_lock_spins;
  unsigned long object_lock_acq;
  unsigned long object_lock_spins;
  unsigned long map_lock_acq;
  unsigned long map_lock_spins;
  unsigned long map_lock_sleeps;
  // The cache of unused files (kernel/vnode_pager.c): files whose object
  // outlived its last user, and the pages they still hold (reclaimable).
  unsigned long cached_objects;
  unsigned long cached_pages;
  // The pmap's pv locks (each page's list of mappings), all together.
  unsigned long pv_lock_acq;
  unsigned long pv_lock_spins;
};

#endif
