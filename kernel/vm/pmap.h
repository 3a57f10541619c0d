// SPDX-License-Identifier: MIT
// The machine-independent interface to the MMU. struct pmap is opaque here:
// the machine's pmap.c (Sv39 page tables, under kernel/arch) implements it;
// tests-host/host_pmap.c, a reference model that records every mapping,
// does too and checks the VM's promises.
//
// A pmap is a cache of the map's translations: the VM may remove any
// unwired mapping at any time and the next access faults it back in. Every
// hardware effect on pages, zeroing and copying included, goes through here.
//
// Locking: each pmap has its own lock, taken inside these functions; callers
// may hold map and object locks (pmap locks come after them in the order).
#ifndef VM_PMAP_H
#define VM_PMAP_H

#include "vm/vm.h"

struct pmap;
struct vm_page;

extern struct pmap *kernel_pmap;

// Initialise the machine-dependent part of a page (m->md: an empty pv
// list). vm_page_startup calls it once for every page it manages.
void pmap_page_init(struct vm_page *m);

// A new, empty user pmap, or NULL when out of memory.
struct pmap *pmap_create(void);
// Destroy a pmap; every mapping must have been removed.
void pmap_destroy(struct pmap *pmap);

// pmap_enter flags: the access that caused the fault (VM_PROT_* bits, so
// the pmap can preset accessed/dirty bits) ORed with PMAP_ENTER_WIRED.
#define PMAP_ENTER_ACCESS_MASK  0x07
#define PMAP_ENTER_WIRED        0x100

// Map m at va with prot, replacing any mapping at va. Returns KERN_SUCCESS,
// or KERN_RESOURCE_SHORTAGE (nothing changed) when a table page or pv entry
// cannot be allocated. prot must not contain VM_PROT_WRITE if m may be
// shared copy-on-write: the host model fails the test otherwise.
int pmap_enter(struct pmap *pmap, vm_offset_t va, struct vm_page *m,
               vm_prot_t prot, unsigned flags);

// Remove every mapping in [sva, eva), wired ones included.
void pmap_remove(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva);

// Lower the protection of the mappings in [sva, eva) to at most prot
// (VM_PROT_NONE removes them). Never adds rights.
void pmap_protect(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva,
                  vm_prot_t prot);

// Lower the protection of every mapping of m, in every pmap: VM_PROT_READ
// (or READ|EXECUTE) removes write access, VM_PROT_NONE removes the mappings.
void pmap_page_protect(struct vm_page *m, vm_prot_t prot);

// Remove every mapping of m except the wired ones (which their owners
// unwire by finding the page through them: they must stay).
void pmap_page_remove_unwired(struct vm_page *m);

// Clear the wired attribute of the mappings in [sva, eva).
void pmap_unwire(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva);

// The page mapped at va and its protection, or NULL.
struct vm_page *pmap_extract_page(struct pmap *pmap, vm_offset_t va,
                                  vm_prot_t *prot);

// Referenced / modified state of a page over all its mappings.
bool pmap_is_modified(struct vm_page *m);
void pmap_clear_modify(struct vm_page *m);
bool pmap_is_referenced(struct vm_page *m);
// Count and clear the referenced bits of m's mappings.
int pmap_ts_referenced(struct vm_page *m);
// Is m mapped anywhere?
bool pmap_page_is_mapped(struct vm_page *m);

// MINCORE_REFERENCED / MINCORE_MODIFIED bits for the mapping at va (0 if none).
int pmap_mincore(struct pmap *pmap, vm_offset_t va);

// Statistics of a pmap, in pages.
size_t pmap_resident_count(struct pmap *pmap);
size_t pmap_wired_count(struct pmap *pmap);

// Page contents. pmap_page_kva gives a kernel address through which the
// kernel may read and write the page (the direct map on the machine).
void pmap_zero_page(struct vm_page *m);
void pmap_copy_page(struct vm_page *src, struct vm_page *dst);
void *pmap_page_kva(struct vm_page *m);

#endif
