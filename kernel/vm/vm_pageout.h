// SPDX-License-Identifier: MIT
// Page reclaim: memory given back by the page cache when no page is free.
//
// There is no pageout daemon yet: reclaim is synchronous. It frees clean
// pages of files, whose contents are still on disk (the next fault or
// read() brings them back), and, when swap is attached, anonymous pages,
// written to swap first unless swap already holds them (docs/paging.md).
// A caller that could not get a page releases every lock it holds and then
//
//   if (vm_pageout_reclaim(vm_pageout_target()) > 0)
//     ... tries once more ...
//
// reporting the shortage only if nothing was freed or the retry fails too.
// vm_fault and the vnode pager's read()/write() do this.
#ifndef VM_VM_PAGEOUT_H
#define VM_VM_PAGEOUT_H

#include "vm/vm.h"

// Free up to target unwired, idle, valid pages: clean pages of files, and
// with swap anonymous pages (written out with their neighbours first
// unless swap holds a clean copy): the inactive queue first, from its
// head (DONTNEED'd pages, then the oldest), then the laundry queue (with
// swap), then the active queue from its oldest page. Without swap,
// anonymous pages are never freed. Returns how many pages were freed
// (also counted in vm_cnt.v_reclaimed). Call with no lock held; may sleep
// for swap I/O.
size_t vm_pageout_reclaim(size_t target);

// How much a caller that ran out should ask for: 1/128 of memory, at
// least 32 pages, so that the allocations after it do not each pay for a
// scan of their own.
size_t vm_pageout_target(void);

#endif
