// SPDX-License-Identifier: MIT
// The host fuzzer of kernel/vm: input bytes -> a sequence of memory
// system calls and user accesses over several address spaces, each checked
// against the model (vmfuzz_model.c) and followed by every checker.
//
// Input format. The input is a sequence of operations, each
//
//   opcode  proc  arg0 arg1 arg2 arg3
//
// one byte each (a short input reads as if padded with zeros). opcode is
// taken modulo the number of operations in vmf_ops[] below, proc modulo
// VMF_NPROC: the process slot the operation acts in. An operation on an
// empty slot first starts a new process there with an empty address space.
// Each process sees a window of VMF_NVP pages from VMF_BASE; a range
// argument pair (a, b) is pages [a % VMF_NVP, + 1 + b % 8), cut at the end
// of the window. There is one file, VMF_FILEPAGES pages long at the start
// (page i reads as bytes 0x40 + i), that every file mapping maps; it can
// be truncated and grown back. vmf_ops[] lists the operations in opcode
// order; the comment above each one's function says what it does with its
// arguments.
//
// The "fail" operation injects an allocation failure into the operation
// that follows it (kernel memory after n allocations, pmap_enter after n
// entries, or every free page but n taken away): only user accesses, mmap
// and fork, whose contracts say that a refused call changes nothing, run
// with it armed; they may then fail with a shortage and the model stays
// as it was. (A wiring that fails part way leaves the private pages it
// had faulted copied up, and where it failed the model cannot know.)
//
// "diskfail" makes every write-back to the file fail until it is turned
// off again: msync may then say EIO, and no byte may change or be lost
// (a dirty page whose write failed must stay, even through reclaim).
//
// Locking: single-threaded; nothing is held between operations and each
// VM call takes its own locks (truncate takes the file object's lock as
// vnode_pager_setsize does). State is per process and reset per input.
//
// Replay: build/fuzz/vmfuzz FILE runs one input; VMFUZZ_TRACE=1 prints
// each operation (docs/testing.md).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv/vmparam.h"   // MAXUVA: the user space the fuzzer models
#include "host_fakepager.h"
#include "host_kmem.h"
#include "host_pmap.h"
#include "lib/errno.h"
#include "lib/lock.h"
#include "vm/vm_map.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"
#include "vm/vm_pager.h"
#include "vm/vmspace.h"
#include "vmfuzz.h"
#include "vmtest.h"

#define VMF_PHYS_PAGES 256
#define VMF_NARGS      4

// The injected failure armed for the next operation.
static struct {
  bool armed;
  struct vm_page *hog[VMF_PHYS_PAGES];
  int nhog;
} vmf_inject;

static bool vmf_trace;

// A page range [*a, *e) from two argument bytes.
static void vmf_range(const uint8_t *arg, int *a, int *e)
{
  *a = arg[0] % VMF_NVP;
  *e = MIN(*a + 1 + arg[1] % 8, VMF_NVP);
}

static bool vmf_all_mapped(struct vmf_proc *p, int a, int e)
{
  for (int i = a; i < e; i++)
    if (p->pg[i].cell == NULL)
      return false;
  return true;
}

static bool vmf_any(struct vmf_proc *p, int a, int e,
                    bool (*pred)(const struct vmf_vpage *))
{
  for (int i = a; i < e; i++)
    if (pred(&p->pg[i]))
      return true;
  return false;
}

static bool vmf_is_wired(const struct vmf_vpage *v) { return v->wired; }
static bool vmf_is_none(const struct vmf_vpage *v)
{
  return v->cell != NULL && v->prot == VM_PROT_NONE;
}

// An errno result must be want; a shortage is also allowed while a
// failure is armed (*failed is then set).
static void vmf_expect_rc(const char *what, int rc, int want, bool *failed)
{
  *failed = false;
  if (vmf_trace && rc != 0)
    fprintf(stderr, "vmfuzz %lu:   %s returned %d\n", vmf_step, what, rc);
  if (rc == want)
    return;
  if (vmf_inject.armed && (rc == -ENOMEM || rc == -EAGAIN ||
                           rc == KERN_RESOURCE_SHORTAGE)) {
    *failed = true;
    return;
  }
  vmf_fail("%s returned %d, model expects %d", what, rc, want);
}

// --- accesses -------------------------------------------------------------

// arg: page, offset / 16, length - 1 (bytes), first byte value.
static void op_write(struct vmf_proc *p, const uint8_t *arg)
{
  int pg = arg[0] % VMF_NVP;
  size_t off = (size_t)arg[1] * 16, len = MIN((size_t)arg[2] + 1, PAGE_SIZE - off);
  struct vmf_vpage *v = &p->pg[pg];
  uint8_t data[256];
  bool failed;
  int rv;

  for (size_t i = 0; i < len; i++)
    data[i] = (uint8_t)(arg[3] + i);
  rv = vmtest_write(&p->vm->vm_map, VMF_VA(pg) + off, data, len);
  vmf_expect_rc("write", rv, vmf_expect_access(v, VM_PROT_WRITE), &failed);
  if (rv != KERN_SUCCESS)
    return;
  struct vmf_cell *c = vmf_vpage_own(v);
  memcpy(c->bytes + off, data, len);
  for (int k = 0; k < c->nalt; k++)
    memcpy(c->alt[k] + off, data, len);
}

// Read a whole page and compare it with the model. Also the final sweep.
static void vmf_read_page(struct vmf_proc *p, int pg)
{
  static uint8_t got[PAGE_SIZE];
  bool failed;
  int rv;

  rv = vmtest_read(&p->vm->vm_map, VMF_VA(pg), got, PAGE_SIZE);
  vmf_expect_rc("read", rv, vmf_expect_access(&p->pg[pg], VM_PROT_READ),
                &failed);
  if (rv == KERN_SUCCESS)
    vmf_check_bytes(p, pg, got);
}

// arg: page.
static void op_read(struct vmf_proc *p, const uint8_t *arg)
{
  vmf_read_page(p, arg[0] % VMF_NVP);
}

// --- mappings -------------------------------------------------------------

// The model of a successful mmap of pages [a, e): kind and fp as below.
static void vmf_model_map(struct vmf_proc *p, int a, int e, int kind,
                          vm_prot_t prot, int fp)
{
  for (int i = a; i < e; i++) {
    struct vmf_vpage *v = &p->pg[i];
    int f = kind >= 2 ? fp + (i - a) : -1;
    vmf_vpage_unmap(v);
    v->prot = prot;
    v->inherit = kind == 1 || kind == 2 ? VM_INHERIT_SHARE : VM_INHERIT_COPY;
    v->wired = p->wirefuture && prot != VM_PROT_NONE;
    v->shared_file = kind == 2;
    v->fpage = f;
    if (kind == 2) {
      v->cell = vmf_file.page[f];
      v->cell->refs++;
    } else {
      v->cell = vmf_cell_new(kind == 3 ? vmf_file.page[f] : NULL);
    }
  }
}

// arg: range (2), kind + 4 * prot, file page. kind: 0 private anonymous,
// 1 shared anonymous, 2 shared file, 3 private file; prot: none, r, rw.
static void op_mmap(struct vmf_proc *p, const uint8_t *arg)
{
  static const vm_prot_t prots[] = { VM_PROT_NONE, VM_PROT_READ, VM_PROT_RW };
  int a, e, kind = arg[2] % 4, fp = arg[3] % VMF_MAPPAGES;
  vm_prot_t prot = prots[(arg[2] / 4) % 3];
  bool file = kind >= 2, shared = kind == 1 || kind == 2, failed;
  struct vm_object *obj = file ? vmf_file.obj : NULL;
  vm_offset_t out;
  int flags, rc;

  vmf_range(arg, &a, &e);
  if (file)
    e = MIN(e, a + VMF_MAPPAGES - fp);
  // Wiring a page past end-of-file at once would fail: not modelled.
  if (file && p->wirefuture && prot != VM_PROT_NONE &&
      fp + (e - a) > vmf_file.npages)
    return;
  if (obj != NULL)
    vm_object_reference(obj);
  flags = MAP_FIXED | (shared ? MAP_SHARED : MAP_PRIVATE) | (file ? 0 : MAP_ANON);
  rc = vm_mmap(p->vm, VMF_VA(a), ptoa(e - a), prot, flags, obj,
               file ? ptoa(fp) : 0, true, true, RLIM_INFINITY, &out);
  vmf_expect_rc("mmap", rc, 0, &failed);
  if (obj != NULL && rc != 0)
    vm_object_deallocate(obj);
  // A MAP_FIXED mapping that MCL_FUTURE cannot wire is removed again, and
  // what it replaced is gone too (POSIX allows it; docs/testing.md).
  if (rc == -EAGAIN && p->wirefuture && prot != VM_PROT_NONE)
    for (int i = a; i < e; i++)
      vmf_vpage_unmap(&p->pg[i]);
  if (rc == 0)
    vmf_model_map(p, a, e, kind, prot, fp);
}

// arg: range.
static void op_munmap(struct vmf_proc *p, const uint8_t *arg)
{
  int a, e, rc;

  vmf_range(arg, &a, &e);
  rc = vm_munmap(p->vm, VMF_VA(a), ptoa(e - a));
  if (rc != 0)
    vmf_fail("munmap returned %d", rc);
  for (int i = a; i < e; i++)
    vmf_vpage_unmap(&p->pg[i]);
}

// arg: range, prot (none, r, rw).
static void op_mprotect(struct vmf_proc *p, const uint8_t *arg)
{
  static const vm_prot_t prots[] = { VM_PROT_NONE, VM_PROT_READ, VM_PROT_RW };
  vm_prot_t prot = prots[arg[2] % 3];
  int a, e, rc;
  bool mapped, failed;

  vmf_range(arg, &a, &e);
  mapped = vmf_all_mapped(p, a, e);
  if (mapped && p->wirefuture && prot != VM_PROT_NONE)
    for (int i = a; i < e; i++)
      if (p->pg[i].prot == VM_PROT_NONE && vmf_past_eof(&p->pg[i]))
        return;                   // wiring it would fail: not modelled
  rc = vm_mprotect(p->vm, VMF_VA(a), ptoa(e - a), prot, RLIM_INFINITY);
  vmf_expect_rc("mprotect", rc, mapped ? 0 : -ENOMEM, &failed);
  if (rc != 0)
    return;
  // Under MCL_FUTURE only PROT_NONE memory made accessible is wired.
  for (int i = a; i < e; i++) {
    if (p->wirefuture && prot != VM_PROT_NONE && p->pg[i].prot == VM_PROT_NONE)
      p->pg[i].wired = true;
    p->pg[i].prot = prot;
  }
}

// arg: range, inheritance (0-3; 4 is an invalid value).
static void op_minherit(struct vmf_proc *p, const uint8_t *arg)
{
  int inh = arg[2] % 5, a, e, rc;
  bool failed;

  vmf_range(arg, &a, &e);
  if (inh == 4)
    inh = 7;
  rc = vm_minherit(p->vm, VMF_VA(a), ptoa(e - a), inh);
  vmf_expect_rc("minherit", rc, inh == 7 ? -EINVAL :
                vmf_all_mapped(p, a, e) ? 0 : -ENOMEM, &failed);
  if (rc != 0)
    return;
  for (int i = a; i < e; i++)
    p->pg[i].inherit = (vm_inherit_t)inh;
}

// MADV_FREE lets the VM drop an own page that nobody keeps wired.
static void vmf_model_free(struct vmf_vpage *v)
{
  struct vmf_cell *c = v->cell;

  if (v->shared_file || c->under != NULL || vmf_cell_wired(c))
    return;
  if (c->nalt == VMF_MAXALT) {
    memmove(c->alt[0], c->alt[1], (VMF_MAXALT - 1) * PAGE_SIZE);
    c->nalt--;
  }
  memset(c->alt[c->nalt++], 0, PAGE_SIZE);
}

// arg: range, advice (0-5; 6 is an invalid value).
static void op_madvise(struct vmf_proc *p, const uint8_t *arg)
{
  int adv = arg[2] % 7, a, e, rc;
  bool failed;

  vmf_range(arg, &a, &e);
  if (adv == 6)
    adv = 99;
  rc = vm_madvise(p->vm, VMF_VA(a), ptoa(e - a), adv);
  vmf_expect_rc("madvise", rc, adv == 99 ? -EINVAL :
                vmf_all_mapped(p, a, e) ? 0 : -ENOMEM, &failed);
  if (rc == 0 && adv == MADV_FREE)
    for (int i = a; i < e; i++)
      vmf_model_free(&p->pg[i]);
}

// arg: range, flags (0-7: ASYNC | INVALIDATE | SYNC bits).
static void op_msync(struct vmf_proc *p, const uint8_t *arg)
{
  int flags = arg[2] % 8, a, e, rc, want;

  vmf_range(arg, &a, &e);
  rc = vm_msync(p->vm, VMF_VA(a), ptoa(e - a), flags);
  want = (flags & MS_ASYNC) && (flags & MS_SYNC) ? -EINVAL :
         !vmf_all_mapped(p, a, e) ? -ENOMEM : 0;
  // MS_INVALIDATE may refuse wired pages (EBUSY), and a failing disk
  // gives EIO; either way no byte changes.
  if (want == 0 && rc == -EBUSY && (flags & MS_INVALIDATE) &&
      vmf_any(p, a, e, vmf_is_wired))
    return;
  if (want == 0 && rc == -EIO && host_fakepager.put_fail)
    return;
  if (rc != want)
    vmf_fail("msync(%#x) returned %d, model expects %d", flags, rc, want);
}

// --- wiring ---------------------------------------------------------------

// arg: range.
static void op_mlock(struct vmf_proc *p, const uint8_t *arg)
{
  int a, e, rc;
  bool eof = false;

  vmf_range(arg, &a, &e);
  rc = vm_mlock(p->vm, VMF_VA(a), ptoa(e - a), RLIM_INFINITY);
  if (!vmf_all_mapped(p, a, e) || vmf_any(p, a, e, vmf_is_none)) {
    if (rc != -ENOMEM)
      vmf_fail("mlock over a hole or PROT_NONE returned %d", rc);
    return;
  }
  for (int i = a; i < e; i++)
    eof |= vmf_past_eof(&p->pg[i]);
  if (eof ? rc == 0 : rc != 0)
    vmf_fail("mlock returned %d, model expects %s", rc,
             eof ? "an error (page past end-of-file)" : "0");
  if (rc != 0) {
    // The wiring faults before the failing page copied their private
    // pages up (vmf_settle) and unwiring leaves the copies.
    for (int i = a; i < e && !vmf_past_eof(&p->pg[i]); i++)
      if (!p->pg[i].shared_file)
        vmf_vpage_own(&p->pg[i]);
    return;
  }
  for (int i = a; i < e; i++)
    p->pg[i].wired = true;
}

// arg: range.
static void op_munlock(struct vmf_proc *p, const uint8_t *arg)
{
  int a, e, rc;
  bool mapped;

  vmf_range(arg, &a, &e);
  mapped = vmf_all_mapped(p, a, e);
  rc = vm_munlock(p->vm, VMF_VA(a), ptoa(e - a));
  if (rc != (mapped ? 0 : -ENOMEM))
    vmf_fail("munlock returned %d", rc);
  for (int i = a; i < e && mapped; i++)
    p->pg[i].wired = false;
}

// arg: flags (0-3: 0 is invalid, MCL_CURRENT, MCL_FUTURE, both).
static void op_mlockall(struct vmf_proc *p, const uint8_t *arg)
{
  int flags = arg[0] % 4, rc;

  for (int i = 0; i < VMF_NVP && (flags & MCL_CURRENT); i++)
    if (p->pg[i].prot != VM_PROT_NONE && vmf_past_eof(&p->pg[i]))
      return;                     // wiring it would fail: not modelled
  rc = vm_mlockall(p->vm, flags, RLIM_INFINITY);
  if (rc != (flags == 0 ? -EINVAL : 0))
    vmf_fail("mlockall(%d) returned %d", flags, rc);
  if (rc != 0)
    return;
  p->wirefuture |= (flags & MCL_FUTURE) != 0;
  for (int i = 0; i < VMF_NVP && (flags & MCL_CURRENT); i++)
    if (p->pg[i].cell != NULL && p->pg[i].prot != VM_PROT_NONE)
      p->pg[i].wired = true;
}

static void op_munlockall(struct vmf_proc *p, const uint8_t *arg)
{
  (void)arg;
  if (vm_munlockall(p->vm) != 0)
    vmf_fail("munlockall failed");
  p->wirefuture = false;
  for (int i = 0; i < VMF_NVP; i++)
    p->pg[i].wired = false;
}

// --- processes ------------------------------------------------------------

// What the child's page is after fork, by the parent's inheritance.
static void vmf_fork_page(const struct vmf_vpage *pv, struct vmf_vpage *cv)
{
  *cv = (struct vmf_vpage){ .fpage = -1 };
  if (pv->cell == NULL || pv->inherit == VM_INHERIT_NONE)
    return;
  *cv = *pv;
  cv->wired = false;              // locks are not inherited
  switch (pv->inherit) {
  case VM_INHERIT_SHARE:
    pv->cell->refs++;
    break;
  case VM_INHERIT_COPY:
    // A MAP_SHARED file page: the parent goes on writing the file and the
    // child becomes a private mapping of it (vmspace_fork_cow), reading
    // the file, the parent's later writes included, until it writes.
    if (pv->shared_file)
      cv->cell = vmf_cell_new(pv->cell);
    else
      cv->cell = vmf_cell_copy(pv->cell);
    cv->shared_file = false;
    break;
  default:                        // VM_INHERIT_ZERO
    cv->cell = vmf_cell_new(NULL);
    cv->shared_file = false;
    cv->fpage = -1;
    break;
  }
}

// arg: preferred child slot.
static void op_fork(struct vmf_proc *p, const uint8_t *arg)
{
  struct vmf_proc *c = NULL;
  struct vmspace *vm;

  for (int i = 0; i < VMF_NPROC && c == NULL; i++)
    if (vmf_procs[(arg[0] + i) % VMF_NPROC].vm == NULL)
      c = &vmf_procs[(arg[0] + i) % VMF_NPROC];
  if (c == NULL)
    return;
  if ((vm = vmspace_fork(p->vm)) == NULL) {
    if (!vmf_inject.armed)
      vmf_fail("fork failed without an injected failure");
    return;
  }
  c->vm = vm;
  c->wirefuture = false;
  for (int i = 0; i < VMF_NVP; i++)
    vmf_fork_page(&p->pg[i], &c->pg[i]);
}

static void vmf_exit(struct vmf_proc *p)
{
  vmspace_free(p->vm);
  p->vm = NULL;
  p->wirefuture = false;
  for (int i = 0; i < VMF_NVP; i++)
    vmf_vpage_unmap(&p->pg[i]);
}

static void op_exit(struct vmf_proc *p, const uint8_t *arg)
{
  (void)arg;
  vmf_exit(p);
}

// --- the file -------------------------------------------------------------

// Would truncating to n pages cut a wired page that reads the file? The
// kernel keeps such pages (OBJPR_NOTWIRED); what they read then is not
// modelled.
static bool vmf_truncate_cuts_wired(int n)
{
  for (int i = 0; i < VMF_NPROC; i++)
    for (int pg = 0; pg < VMF_NVP; pg++) {
      struct vmf_vpage *v = &vmf_procs[i].pg[pg];
      if (vmf_procs[i].vm != NULL && v->wired && v->fpage >= n &&
          (v->shared_file || v->cell->under != NULL))
        return true;
    }
  return false;
}

// ftruncate to arg0 % (VMF_FILEPAGES + 1) pages, as vnode_pager_setsize
// does it: new size, then the pages past it leave every pmap and the
// object. Growing reads zeros. proc is ignored.
static void op_truncate(struct vmf_proc *p, const uint8_t *arg)
{
  struct vm_object *obj = vmf_file.obj;
  int n = arg[0] % (VMF_FILEPAGES + 1);

  (void)p;
  if (vmf_truncate_cuts_wired(n))
    return;
  mtx_lock(&obj->lock);
  obj->pager_size = ptoa(n);
  obj->size = (vm_pindex_t)n;
  vm_object_page_remove(obj, (vm_pindex_t)n, 0, OBJPR_NOTWIRED);
  mtx_unlock(&obj->lock);
  host_fakepager.npages = (vm_pindex_t)n;
  for (int f = n; f < VMF_FILEPAGES; f++) {
    memset(vmf_file.store + ptoa(f), 0, PAGE_SIZE);
    memset(vmf_file.page[f]->bytes, 0, PAGE_SIZE);
  }
  vmf_file.npages = n;
}

// Reclaim up to 1 + arg0 % 64 pages (clean file pages only): no byte of
// any process may change. proc is ignored.
static void op_reclaim(struct vmf_proc *p, const uint8_t *arg)
{
  (void)p;
  vm_pageout_reclaim(1 + arg[0] % 64);
}

// --- injected failures ----------------------------------------------------

// arg: on (odd) or off. While on, every write-back to the file fails
// (msync: EIO); dirty pages must stay, nothing may be lost. proc ignored.
static void op_diskfail(struct vmf_proc *p, const uint8_t *arg)
{
  (void)p;
  host_fakepager.put_fail = (arg[0] & 1) != 0;
}

static struct {
  bool pending;
  int kind, n;
} vmf_next_fail;

// arg: kind (0 kernel memory, 1 pmap_enter, 2 free pages), n (0-7). Arms
// the failure for the next operation; proc is ignored.
static void op_fail(struct vmf_proc *p, const uint8_t *arg)
{
  (void)p;
  vmf_next_fail.pending = true;
  vmf_next_fail.kind = arg[0] % 3;
  vmf_next_fail.n = arg[1] % 8;
}

static void vmf_arm(void)
{
  struct vm_page *m;

  vmf_inject.armed = true;
  vmf_inject.nhog = 0;
  switch (vmf_next_fail.kind) {
  case 0:
    host_kmem_fail_after(vmf_next_fail.n);
    break;
  case 1:
    host_pmap_fail_after(vmf_next_fail.n);
    break;
  default:
    while ((int)vm_page_free_count() > vmf_next_fail.n &&
           (m = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY)) != NULL)
      vmf_inject.hog[vmf_inject.nhog++] = m;
    break;
  }
}

static void vmf_disarm(void)
{
  host_kmem_fail_after(-1);
  host_pmap_fail_after(-1);
  while (vmf_inject.nhog > 0)
    vm_page_free(vmf_inject.hog[--vmf_inject.nhog]);
  vmf_inject.armed = false;
}

// --- the decoder ----------------------------------------------------------

struct vmf_op {
  const char *name;
  void (*run)(struct vmf_proc *p, const uint8_t *arg);
  bool may_fail;                  // runs with an injected failure armed
};

static const struct vmf_op vmf_ops[] = {
  { "read",       op_read,       true  },
  { "write",      op_write,      true  },
  { "mmap",       op_mmap,       true  },
  { "fork",       op_fork,       true  },
  { "munmap",     op_munmap,     false },
  { "mprotect",   op_mprotect,   false },
  { "minherit",   op_minherit,   false },
  { "madvise",    op_madvise,    false },
  { "msync",      op_msync,      false },
  { "mlock",      op_mlock,      false },
  { "munlock",    op_munlock,    false },
  { "mlockall",   op_mlockall,   false },
  { "munlockall", op_munlockall, false },
  { "exit",       op_exit,       false },
  { "truncate",   op_truncate,   false },
  { "fail",       op_fail,       false },
  { "reclaim",    op_reclaim,    false },
  { "diskfail",   op_diskfail,   false },
};

static void vmf_spawn(struct vmf_proc *p)
{
  p->vm = vmspace_alloc(PAGE_SIZE, MAXUVA);
  if (p->vm == NULL)
    vmf_fail("vmspace_alloc failed");
  p->wirefuture = false;
  for (int i = 0; i < VMF_NVP; i++)
    p->pg[i] = (struct vmf_vpage){ .fpage = -1 };
}

// Decode and run one operation from in[0..n); returns the bytes used.
static size_t vmf_one(const uint8_t *in, size_t n)
{
  uint8_t b[2 + VMF_NARGS] = { 0 };
  const struct vmf_op *op;
  struct vmf_proc *p;
  bool fail_now;

  memcpy(b, in, MIN(n, sizeof(b)));
  op = &vmf_ops[b[0] % nitems(vmf_ops)];
  p = &vmf_procs[b[1] % VMF_NPROC];
  if (vmf_trace)
    fprintf(stderr, "vmfuzz %lu: %s proc %d args %u %u %u %u%s\n", vmf_step,
            op->name, b[1] % VMF_NPROC, b[2], b[3], b[4], b[5],
            vmf_next_fail.pending && op->may_fail ? " (failure armed)" : "");
  if (p->vm == NULL)
    vmf_spawn(p);
  fail_now = vmf_next_fail.pending && op->may_fail;
  if (op->run != op_fail)
    vmf_next_fail.pending = false;
  if (fail_now)
    vmf_arm();
  op->run(p, b + 2);
  if (fail_now)
    vmf_disarm();
  vmf_settle();
  vmf_check_all();
  return MIN(n, sizeof(b));
}

static void vmf_start(void)
{
  vmtest_boot(VMF_PHYS_PAGES);
  memset(vmf_procs, 0, sizeof(vmf_procs));
  memset(&vmf_file, 0, sizeof(vmf_file));
  memset(&vmf_next_fail, 0, sizeof(vmf_next_fail));
  vmf_inject.armed = false;
  vmf_step = 0;
  host_fakepager_install(VMF_FILEPAGES, 0x40);
  host_fakepager.store = vmf_file.store;
  vmf_file.npages = VMF_FILEPAGES;
  vmf_file.obj = host_fakepager_object(VMF_FILEPAGES);
  for (int f = 0; f < VMF_MAPPAGES; f++) {
    vmf_file.page[f] = vmf_cell_new(NULL);
    if (f < VMF_FILEPAGES) {
      memset(vmf_file.store + ptoa(f), 0x40 + f, PAGE_SIZE);
      memset(vmf_file.page[f]->bytes, 0x40 + f, PAGE_SIZE);
    }
  }
}

// Every page of every process still reads right; then everything exits
// and nothing may be left.
static void vmf_finish(void)
{
  for (int i = 0; i < VMF_NPROC; i++) {
    if (vmf_procs[i].vm == NULL)
      continue;
    for (int pg = 0; pg < VMF_NVP; pg++)
      vmf_read_page(&vmf_procs[i], pg);
    vmf_check_all();
  }
  host_fakepager.put_fail = false;
  for (int i = 0; i < VMF_NPROC; i++)
    if (vmf_procs[i].vm != NULL)
      vmf_exit(&vmf_procs[i]);
  vm_object_deallocate(vmf_file.obj);
  for (int f = 0; f < VMF_MAPPAGES; f++)
    if (vmf_file.page[f]->refs != 1)
      vmf_fail("model: file page %d has %d references at the end", f,
               vmf_file.page[f]->refs);
    else
      vmf_cell_drop(vmf_file.page[f]);
  host_fakepager.store = NULL;
  vmtest_teardown_strict();
}

void vmfuzz_run(const uint8_t *data, size_t size)
{
  vmf_trace = getenv("VMFUZZ_TRACE") != NULL;
  vmf_start();
  while (size > 0) {
    size_t used = vmf_one(data, size);
    data += used;
    size -= used;
    vmf_step++;
  }
  vmf_finish();
}
