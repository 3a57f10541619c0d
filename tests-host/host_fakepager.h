// SPDX-License-Identifier: MIT
// A fake file pager for the host tests (host_fakepager.c): one set of
// vm_pager_ops, registered for OBJT_VNODE in place of the kernel's vnode
// pager, that every test of file objects and file mappings shares.
//
//   host_fakepager_install(4, 0x40);        // a 4-page file, page i = 0x40+i
//   struct vm_object *obj = host_fakepager_object(4);
//   ...map it, fault, msync...
//   cr_assert_eq(host_fakepager.pages_put, 2);
//
// The file is host_fakepager.npages pages long and page i reads as bytes of
// value fill + i, so a test can tell which page a fault read. Writes go
// nowhere, unless a test gives the file a store (the fuzzer does, so that
// written-back data reads back); every call is counted, and the runs putpages was given are
// recorded, in host_fakepager. A test may change a setting between calls
// (make getpages or putpages fail).
//
// Each call also checks the pager contract of vm_pager.h and panics when
// the VM breaks it: the object locked; getpages' pages busy at consecutive
// indexes; putpages' pages the object's own, busy, dirty and consecutive.
//
// No Criterion here: host_*.c files are linked into the benchmarks too.
#ifndef HOST_FAKEPAGER_H
#define HOST_FAKEPAGER_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/vm.h"

struct vm_object;
struct vm_pager_ops;

// putpages calls whose run is recorded; later calls are only counted.
#define HOST_FAKEPAGER_RUNS 32

struct host_fakepager {
  // Settings: host_fakepager_install sets them, a test may change them.
  vm_pindex_t npages;     // the file's length: haspage and getpages stop here
  int fill;               // page i of the file reads as bytes of fill + i
  int get_result;         // VM_PAGER_OK, or what getpages fails with
  bool put_fail;          // putpages fails every page, with put_error
  int put_error;          // VM_PAGER_ERROR (if 0) or VM_PAGER_NOSPACE
  uint8_t *store;         // NULL, or npages pages the file really holds:
                          // getpages reads them, putpages writes them

  // What the VM asked for since host_fakepager_install.
  int getpages, putpages, haspage, dealloc;  // calls of each
  int get_count;          // pages in the last getpages call
  int get_reqpage;        // and its reqpage
  bool put_sync;          // VM_PAGER_PUT_SYNC in the last putpages call
  int put_flags;          // the last putpages call's flags
  int pages_put;          // pages over all putpages calls
  vm_pindex_t put_first[HOST_FAKEPAGER_RUNS];  // call i's first page index
  int put_count[HOST_FAKEPAGER_RUNS];          // and its number of pages
};

extern struct host_fakepager host_fakepager;
extern const struct vm_pager_ops host_fakepager_ops;

// Forget every count, make the file npages long with page i reading as
// fill + i and every call succeed, and register the pager for OBJT_VNODE.
void host_fakepager_install(vm_pindex_t npages, int fill);

// A new OBJT_VNODE object of size pages on the fake file (its pager_size
// is the file's length), with one reference. Panics if kernel memory is
// exhausted: tests that inject that allocate their objects themselves.
struct vm_object *host_fakepager_object(vm_pindex_t size);

// Both at once, for a test's one file: install a file of npages pages
// (page i reading as fill + i) and return an object of size pages on it.
struct vm_object *host_fakepager_file(vm_pindex_t npages, int fill,
                                      vm_pindex_t size);

#endif
