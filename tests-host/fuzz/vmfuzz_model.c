// SPDX-License-Identifier: MIT
// The fuzzer's model of memory (see vmfuzz.h): what every page of every
// process must read as, whether an access must fault, and the checks that
// compare the VM with it after each operation.
//
// The model is deliberately dumb: one cell of PAGE_SIZE bytes per page of
// memory, shared by pointer where the memory is shared. The semantics it
// encodes are docs/semantics.md's: COPY memory never sees the other side's later
// writes, MAP_PRIVATE sees the file until the page is first written, a
// whole page past end-of-file is a bus error, MADV_FREE reads back as the
// last write or zeros. State is per process (libFuzzer runs inputs one
// after the other in one process; vmfuzz_run resets it).
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_pmap.h"
#include "lib/kassert.h"
#include "lib/lock.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vmspace.h"
#include "vmfuzz.h"
#include "vmtest.h"

struct vmf_proc vmf_procs[VMF_NPROC];
struct vmf_file vmf_file;
unsigned long vmf_step;

void vmf_fail(const char *fmt, ...)
{
  char msg[256];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  panic("vmfuzz: operation %lu: %s", vmf_step, msg);
}

struct vmf_cell *vmf_cell_new(struct vmf_cell *under)
{
  struct vmf_cell *c = calloc(1, sizeof(*c));

  if (c == NULL)
    vmf_fail("host out of memory");
  c->refs = 1;
  c->under = under;
  if (under != NULL)
    under->refs++;
  return c;
}

struct vmf_cell *vmf_cell_copy(const struct vmf_cell *from)
{
  struct vmf_cell *c = vmf_cell_new(from->under);

  memcpy(c->bytes, from->bytes, PAGE_SIZE);
  memcpy(c->alt, from->alt, sizeof(c->alt));
  c->nalt = from->nalt;
  return c;
}

void vmf_cell_drop(struct vmf_cell *c)
{
  if (c == NULL || --c->refs > 0)
    return;
  vmf_cell_drop(c->under);
  free(c);
}

void vmf_vpage_unmap(struct vmf_vpage *v)
{
  vmf_cell_drop(v->cell);
  *v = (struct vmf_vpage){ .fpage = -1 };
}

struct vmf_cell *vmf_vpage_own(struct vmf_vpage *v)
{
  struct vmf_cell *c = v->cell;

  if (c->under != NULL) {
    memcpy(c->bytes, c->under->bytes, PAGE_SIZE);
    vmf_cell_drop(c->under);
    c->under = NULL;
  }
  return c;
}

bool vmf_past_eof(const struct vmf_vpage *v)
{
  if (v->cell == NULL || v->fpage < 0)
    return false;
  if (!v->shared_file && v->cell->under == NULL)
    return false;                 // a private copy: the file no longer matters
  return v->fpage >= vmf_file.npages;
}

int vmf_expect_access(const struct vmf_vpage *v, vm_prot_t type)
{
  if (v->cell == NULL)
    return KERN_INVALID_ADDRESS;
  if ((v->prot & type) != type)
    return KERN_PROTECTION_FAILURE;
  if (vmf_past_eof(v))
    return KERN_OUT_OF_BOUNDS;
  return KERN_SUCCESS;
}

static size_t vmf_first_diff(const uint8_t *a, const uint8_t *b)
{
  size_t i = 0;

  while (i < PAGE_SIZE && a[i] == b[i])
    i++;
  return i;
}

void vmf_check_bytes(struct vmf_proc *p, int page, const uint8_t *got)
{
  struct vmf_cell *c = p->pg[page].cell;
  const uint8_t *want = c->under != NULL ? c->under->bytes : c->bytes;
  size_t i = vmf_first_diff(got, want);

  if (i == PAGE_SIZE) {
    c->nalt = 0;                  // the VM kept the page
    return;
  }
  for (int k = 0; k < c->nalt; k++)
    if (vmf_first_diff(got, c->alt[k]) == PAGE_SIZE) {
      // The VM discarded the page at that MADV_FREE: this is it now.
      memcpy(c->bytes, c->alt[k], PAGE_SIZE);
      c->nalt = 0;
      return;
    }
  vmf_fail("process %d page %d (%#lx) byte %zu reads %#x, model %#x%s",
           (int)(p - vmf_procs), page, VMF_VA(page) + i, i, got[i], want[i],
           c->nalt > 0 ? " (nor any MADV_FREE alternative)" : "");
}

bool vmf_cell_wired(const struct vmf_cell *c)
{
  for (int i = 0; i < VMF_NPROC; i++)
    for (int pg = 0; pg < VMF_NVP; pg++)
      if (vmf_procs[i].vm != NULL && vmf_procs[i].pg[pg].wired &&
          vmf_procs[i].pg[pg].cell == c)
        return true;
  return false;
}

void vmf_settle(void)
{
  for (int i = 0; i < VMF_NPROC; i++)
    for (int pg = 0; pg < VMF_NVP; pg++) {
      struct vmf_vpage *v = &vmf_procs[i].pg[pg];
      if (v->cell != NULL && v->wired && !v->shared_file)
        vmf_vpage_own(v);
    }
}

// Wired accessible pages stay mapped, wired, on wired pages (docs/semantics.md:
// a fault never happens on them).
static void vmf_check_wired(struct vmf_proc *p)
{
  struct vm_page *m;
  bool wired;

  for (int pg = 0; pg < VMF_NVP; pg++) {
    struct vmf_vpage *v = &p->pg[pg];
    if (!v->wired || v->prot == VM_PROT_NONE)
      continue;
    if (!host_pmap_lookup(vmspace_pmap(p->vm), VMF_VA(pg), &m, NULL, &wired) ||
        !wired || m->wire_count == 0)
      vmf_fail("process %d: wired page %d (%#lx) lost its wired mapping",
               (int)(p - vmf_procs), pg, VMF_VA(pg));
  }
}

// With every process gone only the file's object and its pages remain:
// the exact leak check, whenever the run passes through that state.
static void vmf_check_no_leak(void)
{
  struct vm_object *obj = vmf_file.obj;
  size_t resident;

  mtx_lock(&obj->lock);
  resident = obj->resident_count;
  mtx_unlock(&obj->lock);
  if (vm_object_count() != 1)
    vmf_fail("no process left, but %zu objects", vm_object_count());
  if (vm_page_free_count() + resident != vm_page_total_count())
    vmf_fail("no process left, but %zu pages in use besides the file's %zu",
             vm_page_total_count() - vm_page_free_count() - resident, resident);
}

void vmf_check_all(void)
{
  int live = 0;

  for (int i = 0; i < VMF_NPROC; i++) {
    struct vmf_proc *p = &vmf_procs[i];
    if (p->vm == NULL)
      continue;
    live++;
    vmtest_check_map(&p->vm->vm_map);
    vmf_check_wired(p);
  }
  vmtest_check_object_tree(vmf_file.obj);
  vm_page_check();
  if (live == 0)
    vmf_check_no_leak();
}
