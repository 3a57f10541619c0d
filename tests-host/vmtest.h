// SPDX-License-Identifier: MIT
// Fixture helpers shared by every host test of kernel/vm.
//
// A test boots a small VM over host memory, drives it, and tears it down
// with the checkers:
//
//   static void setup(void) { vmtest_boot(256); }
//   static void teardown(void) { vmtest_teardown_strict(); }
//   TestSuite(vm_map, .init = setup, .fini = teardown);
//
// vmtest_access / vmtest_read / vmtest_write behave like a user program's
// loads and stores: a hit in the host pmap just sets the referenced and
// modified bits, a miss goes through vm_fault exactly as a page fault
// would. Randomised tests take their seed from vmtest_seed(); any panic
// prints it so a failure can be replayed with VMTEST_SEED=n.
//
// None of this uses Criterion: a broken invariant panics (the test
// crashes and Criterion reports it), so benchmarks can link it too.
#ifndef VMTEST_H
#define VMTEST_H

#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"

struct vm_map;
struct vm_object;
struct vm_page;

// The seed of randomised tests: $VMTEST_SEED if set, else a fixed default.
uint64_t vmtest_seed(void);

// A small reproducible generator (xorshift64*), seeded by vmtest_boot with
// vmtest_seed(). vmtest_rand_below(n) is uniform enough in [0, n), n > 0.
void vmtest_srand(uint64_t seed);
uint64_t vmtest_rand(void);
uint64_t vmtest_rand_below(uint64_t n);

// Boot the VM over npages of host memory (one page-aligned buffer; a
// page's physical address is its host address): vm_page_startup,
// vm_object_startup, vm_map_startup. Also resets the host seams' fault
// injection and counters and vmtest_faults.
void vmtest_boot(size_t npages);

// Run the page checker and every page's pv-list check, then free the host
// memory. The strict variant first also asserts that nothing leaked: every
// page free, no object alive, no kmem object alive, no user pmap alive.
void vmtest_teardown(void);
void vmtest_teardown_strict(void);

// The page array and host memory of the booted VM.
struct vm_page *vmtest_pages(void);
size_t vmtest_npages(void);
void *vmtest_mem(void);

// Faults taken by vmtest_access since boot.
extern unsigned long vmtest_faults;

// An access of the given type (one VM_PROT_* bit) at va, as the MMU would
// do it: KERN_SUCCESS if the pmap allows it, else the result of vm_fault.
// A fault that succeeds without making the access possible panics.
int vmtest_access(struct vm_map *map, vm_offset_t va, vm_prot_t type);

// Copy len bytes from / to user memory at va, page by page, through each
// page's kernel address after vmtest_access. Returns KERN_SUCCESS or the
// first failure (bytes before it have been copied).
int vmtest_read(struct vm_map *map, vm_offset_t va, void *buf, size_t len);
int vmtest_write(struct vm_map *map, vm_offset_t va, const void *buf,
                 size_t len);

// One byte stored at / loaded from va as a program would (vmtest_write,
// vmtest_read); panics, naming va and the KERN_* code, if the access fails.
void vmtest_put(struct vm_map *map, vm_offset_t va, uint8_t v);
uint8_t vmtest_get(struct vm_map *map, vm_offset_t va);

// The entry of map containing va, or NULL. The map lock is taken and
// dropped: the pointer is good only while nothing changes the map.
struct vm_map_entry *vmtest_entry_at(struct vm_map *map, vm_offset_t va);

// Take free pages until only keep are left (or allocation fails), so that
// faults and allocations must run short; vmtest_hog_release gives them
// all back (vmtest_teardown does too, for a test that fails between).
void vmtest_hog_all(size_t keep);
void vmtest_hog_release(void);

// Check map (vm_map_check), its pmap (host_pmap_check), and every mapping
// against the map: inside an entry, protection within the entry's, wired
// only in wired entries, the page found where the entry's object chain
// says (no object nearer the front holds that index), and if writable:
// the entry is not NEEDS_COPY and the page is in the entry's own object,
// which has no shadows. Panics on a violation. Call with the map and its
// objects unlocked: it takes the map's read lock and each object's lock.
void vmtest_check_map(struct vm_map *map);

// vm_object_check on obj, down its backing chain, and up through every
// object that shadows it (recursively). Objects unlocked.
void vmtest_check_object_tree(struct vm_object *obj);

#endif
