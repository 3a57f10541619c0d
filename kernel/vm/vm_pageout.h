// SPDX-License-Identifier: MIT
// Page reclaim: memory given back by the page cache when no page is free.
//
// There is no pageout daemon yet, and no swap: reclaim is synchronous and
// frees only clean pages of files, whose contents are still on disk (the
// next fault or read() brings them back). A caller that could not get a
// page releases every lock it holds and then
//
//   if (vm_pageout_reclaim(vm_pageout_target()) > 0)
//     ... tries once more ...
//
// reporting the shortage only if nothing was freed or the retry fails too.
// vm_fault and the vnode pager's read()/write() do this.
#ifndef VM_VM_PAGEOUT_H
#define VM_VM_PAGEOUT_H

#include "vm/vm.h"

// Free up to target pages of file objects that are clean, unwired, idle
// and valid: the inactive queue first, from its head (DONTNEED'd pages,
// then the oldest), then the active queue from its oldest page. Anonymous
// pages are never freed. Returns how many pages were freed (also counted
// in vm_cnt.v_reclaimed). Call with no lock held.
size_t vm_pageout_reclaim(size_t target);

// How much a caller that ran out should ask for: 1/128 of memory, at
// least 32 pages, so that the allocations after it do not each pay for a
// scan of their own.
size_t vm_pageout_target(void);

#endif
