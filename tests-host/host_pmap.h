// SPDX-License-Identifier: MIT
// Test access to the host pmap (host_pmap.c), a reference model of
// kernel/vm/pmap.h: every mapping is recorded (va -> page, prot, wired,
// referenced, modified) and the VM's promises are checked as it goes.
//
// Physical memory on the host is a page-aligned host buffer and a page's
// physical address is its host address, so pmap_page_kva(m) is just
// (void *)m->phys_addr.
//
// As on the machine (kernel/arch/riscv/pmap.c), when a mapping goes away
// its modified / referenced bits stay with the page (in m->md) and
// pmap_is_modified / pmap_is_referenced keep reporting them until
// pmap_clear_modify / pmap_ts_referenced. The pmap never sets PG_DIRTY.
#ifndef HOST_PMAP_H
#define HOST_PMAP_H

#include "vm/pmap.h"
#include "vm/vm_page.h"

// The mapping at va (any address inside the page): true and *m, *prot,
// *wired set (each may be NULL), or false.
bool host_pmap_lookup(struct pmap *pmap, vm_offset_t va, struct vm_page **m,
                      vm_prot_t *prot, bool *wired);

// Referenced / modified bits of the mapping at va (false if none).
bool host_pmap_referenced(struct pmap *pmap, vm_offset_t va);
bool host_pmap_modified(struct pmap *pmap, vm_offset_t va);

// What the MMU does on an access of the given type (VM_PROT_* bits): if
// the mapping at va allows it, set its referenced bit (and modified bit
// for a write) and return true; otherwise change nothing and return false
// (the hardware would raise a page fault).
bool host_pmap_access(struct pmap *pmap, vm_offset_t va, vm_prot_t type);

// Mappings in the pmap.
size_t host_pmap_count(struct pmap *pmap);

// Call fn for every mapping in address order. fn must not change the pmap.
typedef void (*host_pmap_visit_fn)(struct pmap *pmap, vm_offset_t va,
                                   struct vm_page *m, vm_prot_t prot,
                                   bool wired, void *arg);
void host_pmap_foreach(struct pmap *pmap, host_pmap_visit_fn fn, void *arg);

// Check internal consistency (panics): the address tree, the counts, and
// that the pages' pv lists and the pmap agree both ways.
void host_pmap_check(struct pmap *pmap);

// Check one page's pv list: every entry is a mapping of m that its pmap
// holds, and the count agrees (panics). A free page must have none.
void host_pmap_check_page(struct vm_page *m);

// After n more successful pmap_enter calls, pmap_enter returns
// KERN_RESOURCE_SHORTAGE (changing nothing) until called again; -1 (the
// default) never fails.
void host_pmap_fail_after(long n);

// User pmaps created and not destroyed (a leak check).
size_t host_pmap_live(void);

// Forget the failure setting and the live count (vmtest_boot calls this).
void host_pmap_reset(void);

#endif
