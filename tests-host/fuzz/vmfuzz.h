// SPDX-License-Identifier: MIT
// The host fuzzer of kernel/vm (vmfuzz.c decodes and runs, vmfuzz_model.c
// is the byte-level model it checks against). Two front ends share it:
// tests-host/fuzz/fuzz_main.c (libFuzzer, `make fuzz`) and
// tests-host/test_vmfuzz.c (Criterion: the seed corpus and every input
// the fuzzer ever crashed on, replayed by `make test`).
//
// No Criterion here: a disagreement with the model, a broken invariant or
// a leak panics, which libFuzzer reports as a crash (and saves the input)
// and Criterion as a crashed test.
#ifndef VMFUZZ_H
#define VMFUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"

// Boot a small VM, run the operations data decodes into (format at the
// top of vmfuzz.c) against the VM and the model, check everything after
// each, read back every page at the end, let every process exit and check
// that no page, object, kernel allocation or pmap is left. Panics on any
// disagreement. VMFUZZ_TRACE=1 in the environment prints each operation.
void vmfuzz_run(const uint8_t *data, size_t size);

// --- the model (vmfuzz_model.c), shared by the two vmfuzz files -------------

#define VMF_NPROC     4       // process slots
#define VMF_NVP       32      // pages in each process's window
#define VMF_FILEPAGES 8       // the file's largest size, in pages
#define VMF_MAPPAGES  (VMF_FILEPAGES + 2)  // file pages a mapping may name
#define VMF_BASE      0x100000UL
#define VMF_VA(i)     (VMF_BASE + ptoa((vm_offset_t)(i)))

// What one page reads as. Processes sharing memory (INHERIT_SHARE, or a
// MAP_SHARED file page) point at the same cell; a copy-on-write copy is a
// new cell. A private file page that was never written reads through
// `under` (the file's cell) and gets its own bytes at the first write.
// Each MADV_FREE since the page was last read adds an alternative (zeros,
// then every later write): the VM may have discarded the page at any of
// them. The first read that tells them apart keeps the one it saw; past
// VMF_MAXALT the oldest alternative is forgotten.
#define VMF_MAXALT 4

struct vmf_cell {
  int refs;
  struct vmf_cell *under;     // the file page it still reads, or NULL
  int nalt;                   // alternatives in alt[]
  uint8_t bytes[PAGE_SIZE];
  uint8_t alt[VMF_MAXALT][PAGE_SIZE];
};

struct vmf_vpage {
  struct vmf_cell *cell;      // NULL: unmapped
  vm_prot_t prot;
  vm_inherit_t inherit;
  bool wired;
  bool shared_file;           // MAP_SHARED file page: cell is the file's
  int fpage;                  // file page it maps, -1 for anonymous
};

struct vmf_proc {
  struct vmspace *vm;         // NULL: slot free
  bool wirefuture;            // mlockall(MCL_FUTURE)
  struct vmf_vpage pg[VMF_NVP];
};

struct vmf_file {
  struct vm_object *obj;      // the open file's object (one reference)
  int npages;                 // its size in pages
  uint8_t store[VMF_FILEPAGES * PAGE_SIZE];  // the "disk" (host_fakepager)
  struct vmf_cell *page[VMF_MAPPAGES];       // what each page reads as
};

extern struct vmf_proc vmf_procs[VMF_NPROC];
extern struct vmf_file vmf_file;
extern unsigned long vmf_step;        // operations run, for messages

struct vmf_cell *vmf_cell_new(struct vmf_cell *under);
struct vmf_cell *vmf_cell_copy(const struct vmf_cell *from);
void vmf_cell_drop(struct vmf_cell *c);
void vmf_vpage_unmap(struct vmf_vpage *v);
// The cell a write to v lands in: a private page reading through the file
// gets its own copy first.
struct vmf_cell *vmf_vpage_own(struct vmf_vpage *v);
// Does v read through the file at a page past its end?
bool vmf_past_eof(const struct vmf_vpage *v);
// The KERN_* result an access of type (one VM_PROT_* bit) to v must give.
int vmf_expect_access(const struct vmf_vpage *v, vm_prot_t type);
// Compare a page the VM read with what v's cell allows; collapses a
// MADV_FREE alternative once the VM has chosen. Panics on a mismatch.
void vmf_check_bytes(struct vmf_proc *p, int page, const uint8_t *got);
// Is some process's wired mapping on cell c?
bool vmf_cell_wired(const struct vmf_cell *c);
// Wired private pages hold their own copy: a wiring fault copies the page
// up even for a read (vm_fault.c), so from then on such a page no longer
// sees later writes to the file (docs/testing.md, fuzzer findings).
void vmf_settle(void);
// Every checker over every live process and the file object.
void vmf_check_all(void);

void vmf_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
