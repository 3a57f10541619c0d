// SPDX-License-Identifier: MIT
// Common definitions of the machine-independent VM.
//
// Layers (each a .c/.h pair in this folder):
//   vmspace  -> a process's address space: one vm_map plus its pmap
//   vm_map   -> sorted, non-overlapping entries [start, end) in an AVL tree
//   vm_object-> memory objects: resident pages + shadow chains + a pager
//   vm_page  -> one struct vm_page per physical page; buddy free lists
//   vm_fault -> the one page-fault path; also wires pages
//   vm_pageout -> reclaim: frees clean file pages, pages anonymous memory
//                out to swap (swap_pager), when no page is free
//   pmap.h   -> the machine-dependent MMU, behind an opaque struct pmap
//
// Lock order (always acquire left to right; never the reverse):
//   map lock (sx: shared for faults, exclusive for changes)
//     -> object lock (mtx; a shadow before its backing object, hand over hand)
//       -> pmap lock, then a page's pv lock (mtx, inside pmap.c; page
//          walks meet them the other way round and only try-lock the pmap)
//         -> a hart's cache of free pages (mtx, one at a time; vm_page.c),
//            or a hart's batch of activations (vm_page_queue.c)
//           -> page queue / free lock (mtx, leaf)
//             -> kmem zone locks (leaf)
// Also after the object lock, leaves: the swap allocator's lock
// (swap_pager.c), the pageout daemon's (vm_pageout.c), and the swap
// device's own when a read-ahead starts (swap_pager_ra.c; its completion
// takes the object lock in interrupt context, the device's dropped).
// No spin mutex is held across pager I/O or a sleep: the fault path marks
// pages busy, drops every lock, sleeps, and starts again from the map
// lookup afterwards (it keeps nothing from before the sleep).
//
// Lock letters used in struct comments: (c) constant after init, (m) map
// lock, (o) object lock, (p) pmap lock, (q) page queue / free lock,
// (a) atomic, (t) private to the owning thread, (h) one slot per hart,
// written only by that hart.
#ifndef VM_VM_H
#define VM_VM_H

#include "lib/kassert.h"
#include "lib/lockstat.h"
#include "lib/types.h"

#define PAGE_SHIFT   12
#define PAGE_SIZE    (1UL << PAGE_SHIFT)
#define PAGE_MASK    (PAGE_SIZE - 1)

#define trunc_page(x)  ((vm_offset_t)(x) & ~PAGE_MASK)
#define round_page(x)  (((vm_offset_t)(x) + PAGE_MASK) & ~PAGE_MASK)
#define atop(x)        ((vm_pindex_t)(x) >> PAGE_SHIFT)
#define ptoa(x)        ((vm_offset_t)(x) << PAGE_SHIFT)
#define page_aligned(x) (((vm_offset_t)(x) & PAGE_MASK) == 0)

// Protection bits, as in the user's PROT_* values.
#define VM_PROT_NONE     ((vm_prot_t)0x00)
#define VM_PROT_READ     ((vm_prot_t)0x01)
#define VM_PROT_WRITE    ((vm_prot_t)0x02)
#define VM_PROT_EXECUTE  ((vm_prot_t)0x04)
#define VM_PROT_RW       (VM_PROT_READ | VM_PROT_WRITE)
#define VM_PROT_ALL      (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE)

// The rights a mapping asked for prot really has: write brings read. The
// MMU cannot say "write-only" (RISC-V reserves W without R in a PTE), so
// the contract makes PROT_WRITE readable too (docs/semantics.md: mmap). mmap and
// mprotect record this in the map entry, so what vmmap reports is what
// the hardware does, and the pmap encodes its PTEs from it. The one place
// the rule lives.
static inline vm_prot_t vm_prot_mappable(vm_prot_t prot)
{
  return (prot & VM_PROT_WRITE) ? prot | VM_PROT_READ : prot;
}

// Inheritance at fork, as in the user's INHERIT_* values.
#define VM_INHERIT_SHARE ((vm_inherit_t)0)
#define VM_INHERIT_COPY  ((vm_inherit_t)1)
#define VM_INHERIT_NONE  ((vm_inherit_t)2)
#define VM_INHERIT_ZERO  ((vm_inherit_t)3)

// Paging behaviour of a map entry, as in the user's MADV_* values; the last
// three are actions, not stored behaviours.
#define VM_BEHAV_NORMAL     0
#define VM_BEHAV_RANDOM     1
#define VM_BEHAV_SEQUENTIAL 2
#define VM_BEHAV_WILLNEED   3
#define VM_BEHAV_DONTNEED   4
#define VM_BEHAV_FREE       5

// Results of VM operations (Mach's names). Each system call translates them
// once with vm_kern_to_errno(); the trap handler switches on them.
#define KERN_SUCCESS             0
#define KERN_INVALID_ADDRESS     1   // no mapping there
#define KERN_PROTECTION_FAILURE  2   // mapping forbids the access
#define KERN_NO_SPACE            3   // no room in the map (or overlap), or on
                                     // a pager's store (write-back)
#define KERN_INVALID_ARGUMENT    4
#define KERN_FAILURE             5   // e.g. wiring a PROT_NONE page
#define KERN_RESOURCE_SHORTAGE   6   // out of pages or kernel memory
#define KERN_OUT_OF_BOUNDS       9   // past the end of a file: bus error
#define KERN_MEMORY_ERROR       10   // a pager failed to write a page (EIO)

// System-wide counters, updated atomically, reported by vmstat.
struct vmmeter {
  uint64_t v_faults;        // (a) calls to vm_fault
  uint64_t v_zfod;          // (a) zero-fill faults
  uint64_t v_cow_faults;    // (a) copy-on-write faults that copied a page
  uint64_t v_cow_optim;     // (a) copy-on-write faults that moved a page
  uint64_t v_readahead;     // (a) pages brought in ahead of a fault
  uint64_t v_prefault;      // (a) resident pages mapped ahead of a fault
  uint64_t v_pagein;        // (a) pages read by a pager
  uint64_t v_pageout;       // (a) pages written by a pager
  uint64_t v_freebehind;    // (a) pages deactivated behind a sequential scan
  uint64_t v_reclaimed;     // (a) pages freed by vm_pageout_reclaim
  uint64_t v_filepageout;   // (a) file pages the pageout daemon wrote and freed
  uint64_t v_wire_count;    // (a) wired pages
  uint64_t v_user_wire_count; // (a) pages wired by mlock/mlockall
  // Contention of the VM's hot locks (lib/lock.h), for vmstat and bench,
  // one slot per hart (lib/lockstat.h; lock_stats_sum adds them up):
  struct lock_stats v_page_lock;   // (h) the free lists and page queues
  struct lock_stats v_object_lock; // (h) every object's lock
  struct lock_stats v_map_lock;    // (h) every map's lock (its interlock)
  struct lock_stats v_pv_lock;     // (h) the pmap's pv locks, all of them
};
extern struct vmmeter vm_cnt;

#define VM_CNT_INC(field)     __atomic_fetch_add(&vm_cnt.field, 1, __ATOMIC_RELAXED)
#define VM_CNT_ADD(field, n)  __atomic_fetch_add(&vm_cnt.field, (n), __ATOMIC_RELAXED)

// Overflow-checked range arithmetic: true when [start, start + len) neither
// wraps nor passes limit; the end is stored in *end.
static inline bool vm_range_ok(vm_offset_t start, vm_size_t len,
                               vm_offset_t limit, vm_offset_t *end)
{
  vm_offset_t e;
  if (__builtin_add_overflow(start, len, &e) || e > limit)
    return false;
  *end = e;
  return true;
}

// The expensive invariant checkers (VMCHECK). At 0 only the cheap KASSERTs
// run; at 1 or more every exclusive map unlock or downgrade also runs
// vm_map_check, every shadow creation, collapse and bypass runs
// vm_object_check on the objects involved, and every page queue change
// checks the page's queue links. A runtime switch, defined outside
// kernel/vm: the kernel takes it from the boot argument vmcheck=N
// (kernel/vmcheck.c, `make VMCHECK=1`), the host tests run at 1.
extern int vm_check_level;

#endif
