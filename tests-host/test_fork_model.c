// SPDX-License-Identifier: MIT
// Model-based test of fork, copy-on-write and friends: random sequences of
// fork (with inheritance set beforehand by minherit), write, read, exit,
// mprotect, wire/unwire, munmap+remap and sbrk over several processes,
// checked against a byte-level model of every process's memory.
//
// The model: each process has NREG fixed regions and a heap. A mapped
// region points at a model buffer holding its bytes; processes that share
// the memory (INHERIT_SHARE) point at the same buffer, a COPY gets a
// duplicate, ZERO a zeroed one. Every read compares the VM's bytes with the
// buffer's, and vmtest_check_map runs on every live process after every
// step. The seed comes from vmtest_seed() and is printed on failure.
//
// swap_model runs the same steps with swap attached (host_swapdev.h) and
// fewer pages of RAM than the processes use, plus madvise and explicit
// page-out steps, so pages keep going to swap and coming back through
// fork, copy-on-write, collapse and wiring; every byte read is checked.
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_pmap.h"
#include "host_swapdev.h"
#include "lib/errno.h"
#include "vm/vm_map.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/swap_pager.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"
#include "vm/vmspace.h"
#include "vmtest.h"

#define NPAGES    1024
#define NPROC     5
#define NREG      4
#define REGPAGES  4
#define REGSIZE   (REGPAGES * PAGE_SIZE)
#define REGVA(r)  (0x100000UL + (vm_offset_t)(r) * 2 * REGSIZE)
#define HEAPVA    0x800000UL
#define HEAPMAX   (6 * PAGE_SIZE)
#define NSTEPS    10000
// swap_model: RAM for about half of what the processes map, and a cap on
// wired regions so that paging can always make room.
#define SWAP_NPAGES   32
#define SWAP_NBLOCKS  1024
#define SWAP_MAXWIRED 3

struct buf {
  int refs;
  uint8_t bytes[REGSIZE];
};

struct region {
  struct buf *buf;          // NULL: unmapped
  vm_prot_t prot;
  vm_inherit_t inherit;
  bool wired;
};

struct proc {
  struct vmspace *vm;       // NULL: slot free
  struct region reg[NREG];
  uint8_t heap[HEAPMAX];    // bytes below the break (rest is zero)
};

static struct proc procs[NPROC];
static uint64_t seed;
static unsigned long step;
static bool tight;            // swap_model: RAM is short, swap attached

static void setup(void)
{
  vmtest_boot(NPAGES);
  seed = vmtest_seed();
}

static void procs_free(void)
{
  for (int i = 0; i < NPROC; i++) {
    struct proc *p = &procs[i];
    if (p->vm == NULL)
      continue;
    vmspace_free(p->vm);
    p->vm = NULL;
    for (int r = 0; r < NREG; r++)
      if (p->reg[r].buf != NULL && --p->reg[r].buf->refs == 0)
        free(p->reg[r].buf);
  }
}

static void teardown(void)
{
  procs_free();
  vmtest_teardown_strict();
}

TestSuite(fork_model, .init = setup, .fini = teardown);

static void swap_setup(void)
{
  vmtest_boot(SWAP_NPAGES);
  host_swapdev_attach(SWAP_NBLOCKS);
  seed = vmtest_seed();
  tight = true;
}

// Everything has exited: swap must be empty again.
static void swap_teardown(void)
{
  struct swap_stats st;

  procs_free();
  swap_pager_stats(&st);
  cr_assert_eq(st.used, 0, "seed %#llx: %lu swap blocks left",
               (unsigned long long)seed, (unsigned long)st.used);
  host_swapdev_detach();
  vmtest_teardown_strict();
}

TestSuite(swap_model, .init = swap_setup, .fini = swap_teardown);

#define CHECK(cond, fmt, ...) \
  cr_assert(cond, "seed %#llx step %lu: " fmt, (unsigned long long)seed, \
            step, ##__VA_ARGS__)

static struct buf *buf_new(const struct buf *from)
{
  struct buf *b = calloc(1, sizeof(*b));

  CHECK(b != NULL, "host out of memory");
  if (from != NULL)
    memcpy(b->bytes, from->bytes, REGSIZE);
  b->refs = 1;
  return b;
}

static void buf_drop(struct buf *b)
{
  if (b != NULL && --b->refs == 0)
    free(b);
}

static struct vm_map *map_of(struct proc *p)
{
  return &p->vm->vm_map;
}

static void map_region(struct proc *p, int r)
{
  struct vm_map *map = map_of(p);
  int rv;

  vm_map_lock(map);
  rv = vm_map_insert(map, NULL, 0, REGVA(r), REGVA(r) + REGSIZE, VM_PROT_RW,
                     VM_PROT_ALL, MAP_COPY_ON_WRITE);
  vm_map_unlock(map);
  CHECK(rv == KERN_SUCCESS, "map region %d: %d", r, rv);
  p->reg[r] = (struct region){ buf_new(NULL), VM_PROT_RW, VM_INHERIT_COPY,
                               false };
}

static void proc_new(struct proc *p)
{
  p->vm = vmspace_alloc(PAGE_SIZE, 0x4000000000UL);
  CHECK(p->vm != NULL, "vmspace_alloc");
  p->vm->vm_daddr = p->vm->vm_break = HEAPVA;
  memset(p->heap, 0, sizeof(p->heap));
  for (int r = 0; r < NREG; r++)
    map_region(p, r);
}

static struct proc *pick_live(void)
{
  int live[NPROC], n = 0;

  for (int i = 0; i < NPROC; i++)
    if (procs[i].vm != NULL)
      live[n++] = i;
  CHECK(n > 0, "no process");
  return &procs[live[vmtest_rand_below((uint64_t)n)]];
}

// --- operations -----------------------------------------------------------

static void op_fork(struct proc *parent)
{
  struct proc *c = NULL;

  for (int i = 0; i < NPROC && c == NULL; i++)
    if (procs[i].vm == NULL)
      c = &procs[i];
  if (c == NULL)
    return;
  c->vm = vmspace_fork(parent->vm);
  if (c->vm == NULL && tight)
    return;                   // out of memory for wired copies: allowed
  CHECK(c->vm != NULL, "fork failed");
  memcpy(c->heap, parent->heap, sizeof(c->heap));
  for (int r = 0; r < NREG; r++) {
    struct region *pr = &parent->reg[r], *cr = &c->reg[r];
    *cr = (struct region){ NULL, pr->prot, pr->inherit, false };
    if (pr->buf == NULL)
      continue;
    switch (pr->inherit) {
    case VM_INHERIT_SHARE:
      cr->buf = pr->buf;
      pr->buf->refs++;
      break;
    case VM_INHERIT_COPY:
      cr->buf = buf_new(pr->buf);
      break;
    case VM_INHERIT_ZERO:
      cr->buf = buf_new(NULL);
      break;
    default:
      break;
    }
  }
}

static void op_exit(struct proc *p)
{
  vmspace_free(p->vm);
  p->vm = NULL;
  for (int r = 0; r < NREG; r++) {
    buf_drop(p->reg[r].buf);
    p->reg[r].buf = NULL;
  }
}

static void op_write(struct proc *p, int r)
{
  struct region *reg = &p->reg[r];
  uint8_t data[96];
  size_t off = vmtest_rand_below(REGSIZE - 1);
  size_t len = 1 + vmtest_rand_below(MIN(sizeof(data), REGSIZE - off));
  int rv, want;

  for (size_t i = 0; i < len; i++)
    data[i] = (uint8_t)vmtest_rand();
  rv = vmtest_write(map_of(p), REGVA(r) + off, data, len);
  want = reg->buf == NULL ? KERN_INVALID_ADDRESS :
         (reg->prot & VM_PROT_WRITE) ? KERN_SUCCESS : KERN_PROTECTION_FAILURE;
  CHECK(rv == want, "write region %d off %zu: %d, expected %d", r, off, rv,
        want);
  if (rv == KERN_SUCCESS)
    memcpy(reg->buf->bytes + off, data, len);
}

static void op_read(struct proc *p, int r)
{
  struct region *reg = &p->reg[r];
  uint8_t data[REGSIZE];
  size_t off = vmtest_rand_below(REGSIZE - 1);
  size_t len = 1 + vmtest_rand_below(MIN(2 * PAGE_SIZE, REGSIZE - off));
  int rv, want;

  rv = vmtest_read(map_of(p), REGVA(r) + off, data, len);
  want = reg->buf == NULL ? KERN_INVALID_ADDRESS :
         (reg->prot & VM_PROT_READ) ? KERN_SUCCESS : KERN_PROTECTION_FAILURE;
  CHECK(rv == want, "read region %d: %d, expected %d", r, rv, want);
  if (rv != KERN_SUCCESS)
    return;
  for (size_t i = 0; i < len; i++)
    CHECK(data[i] == reg->buf->bytes[off + i],
          "region %d byte %zu reads %u, model %u", r, off + i, data[i],
          reg->buf->bytes[off + i]);
}

static void op_protect(struct proc *p, int r)
{
  static const vm_prot_t choice[] = { VM_PROT_READ, VM_PROT_RW, VM_PROT_NONE };
  struct region *reg = &p->reg[r];
  vm_prot_t prot = choice[vmtest_rand_below(reg->wired ? 2 : 3)];
  int rv;

  rv = vm_map_protect(map_of(p), REGVA(r), REGVA(r) + REGSIZE, prot, false);
  CHECK(rv == (reg->buf == NULL ? KERN_INVALID_ADDRESS : KERN_SUCCESS),
        "mprotect region %d: %d", r, rv);
  if (rv == KERN_SUCCESS)
    reg->prot = prot;
}

static int count_wired(void)
{
  int n = 0;

  for (int i = 0; i < NPROC; i++)
    for (int r = 0; r < NREG; r++)
      n += procs[i].vm != NULL && procs[i].reg[r].wired;
  return n;
}

static void op_wire(struct proc *p, int r)
{
  struct region *reg = &p->reg[r];
  int rv;

  if (reg->wired) {
    rv = vm_map_unwire(map_of(p), REGVA(r), REGVA(r) + REGSIZE,
                       VM_MAP_WIRE_USER);
    CHECK(rv == KERN_SUCCESS, "munlock region %d: %d", r, rv);
    reg->wired = false;
    return;
  }
  if (tight && count_wired() >= SWAP_MAXWIRED)
    return;
  rv = vm_map_wire(map_of(p), REGVA(r), REGVA(r) + REGSIZE, VM_MAP_WIRE_USER);
  if (reg->buf == NULL || reg->prot == VM_PROT_NONE) {
    CHECK(rv != KERN_SUCCESS, "mlock of region %d succeeded", r);
    return;
  }
  CHECK(rv == KERN_SUCCESS, "mlock region %d: %d", r, rv);
  reg->wired = true;
}

static void op_inherit(struct proc *p, int r)
{
  static const vm_inherit_t choice[] = { VM_INHERIT_SHARE, VM_INHERIT_COPY,
                                         VM_INHERIT_COPY, VM_INHERIT_NONE,
                                         VM_INHERIT_ZERO };
  struct region *reg = &p->reg[r];
  vm_inherit_t inh = choice[vmtest_rand_below(nitems(choice))];
  int rv;

  rv = vm_map_inherit(map_of(p), REGVA(r), REGVA(r) + REGSIZE, inh);
  CHECK(rv == (reg->buf == NULL ? KERN_INVALID_ADDRESS : KERN_SUCCESS),
        "minherit region %d: %d", r, rv);
  if (rv == KERN_SUCCESS)
    reg->inherit = inh;
}

// DONTNEED keeps the contents; FREE leaves each page with its old bytes
// or zeros (the kernel may discard it or not), and the model follows what
// the page now holds (peek_page: the region may be unreadable) -- anything
// else is an error.
static const uint8_t *peek_page(struct proc *p, vm_offset_t va);

static void op_madvise(struct proc *p, int r)
{
  static const uint8_t zeros[PAGE_SIZE];
  struct region *reg = &p->reg[r];
  int behav = vmtest_rand_below(2) ? VM_BEHAV_DONTNEED : VM_BEHAV_FREE;
  int rv;

  rv = vm_map_madvise(map_of(p), REGVA(r), REGVA(r) + REGSIZE, behav);
  CHECK(rv == (reg->buf == NULL ? KERN_INVALID_ADDRESS : KERN_SUCCESS),
        "madvise region %d: %d", r, rv);
  if (rv != KERN_SUCCESS || behav != VM_BEHAV_FREE)
    return;
  for (int i = 0; i < REGPAGES; i++) {
    uint8_t *model = reg->buf->bytes + ptoa(i);
    const uint8_t *now = peek_page(p, REGVA(r) + ptoa(i));
    if (now == NULL)
      now = zeros;
    CHECK(memcmp(now, model, PAGE_SIZE) == 0 ||
          memcmp(now, zeros, PAGE_SIZE) == 0, "region %d page %d after "
          "MADV_FREE: neither old data nor zeros", r, i);
    memcpy(model, now, PAGE_SIZE);
  }
}

// Page out a random amount now, besides what the faults make room for.
static void op_pageout(void)
{
  (void)vm_pageout_reclaim(1 + vmtest_rand_below(32));
}

static void op_remap(struct proc *p, int r)
{
  struct region *reg = &p->reg[r];

  CHECK(vm_map_remove(map_of(p), REGVA(r), REGVA(r) + REGSIZE) ==
        KERN_SUCCESS, "munmap region %d", r);
  buf_drop(reg->buf);
  reg->buf = NULL;
  reg->wired = false;
  if (vmtest_rand_below(2))
    map_region(p, r);
}

static void op_sbrk(struct proc *p)
{
  vm_offset_t brk = p->vm->vm_break, old, end;
  size_t used = brk - HEAPVA;
  long n = (long)vmtest_rand_below(HEAPMAX + 1) - (long)used;
  uint8_t data[64];
  int rv;

  rv = vm_sbrk(p->vm, n, HEAPMAX, RLIM_INFINITY, &old);
  CHECK(rv == 0 && old == brk, "sbrk(%ld): %d", n, rv);
  brk += (vm_offset_t)n;
  end = round_page(brk);
  if (end - HEAPVA < HEAPMAX)   // pages past the break are gone: zeros later
    memset(p->heap + (end - HEAPVA), 0, HEAPMAX - (end - HEAPVA));
  if (brk == HEAPVA)
    return;
  // Touch the heap: write a little at a random place below the break, read
  // a random range back.
  size_t off = vmtest_rand_below(brk - HEAPVA);
  size_t len = MIN(sizeof(data), brk - HEAPVA - off);
  for (size_t i = 0; i < len; i++)
    data[i] = (uint8_t)vmtest_rand();
  CHECK(vmtest_write(map_of(p), HEAPVA + off, data, len) == KERN_SUCCESS,
        "heap write");
  memcpy(p->heap + off, data, len);
  off = vmtest_rand_below(brk - HEAPVA);
  len = MIN(sizeof(data), brk - HEAPVA - off);
  CHECK(vmtest_read(map_of(p), HEAPVA + off, data, len) == KERN_SUCCESS,
        "heap read");
  CHECK(memcmp(data, p->heap + off, len) == 0, "heap contents at %zu", off);
}

// Wired regions stay mapped, wired, on wired pages (docs/semantics.md: a fault
// never happens on them).
static void check_wired(struct proc *p)
{
  struct vm_page *m;
  bool wired;

  for (int r = 0; r < NREG; r++) {
    if (!p->reg[r].wired)
      continue;
    for (int i = 0; i < REGPAGES; i++) {
      vm_offset_t va = REGVA(r) + ptoa(i);
      CHECK(host_pmap_lookup(p->vm->vm_map.pmap, va, &m, NULL, &wired) &&
            wired && m->wire_count > 0, "process %d: wired page at %#lx "
            "lost its wired mapping", (int)(p - procs), va);
    }
  }
}

// The bytes the VM holds for page va of process p, found without a fault:
// down the entry's chain to the first object with the page resident or on
// swap (read from the fake device's store); NULL for zeros.
static const uint8_t *peek_page(struct proc *p, vm_offset_t va)
{
  struct vm_map_entry *e = vmtest_entry_at(map_of(p), va);
  struct vm_object *obj;
  const uint8_t *bytes = NULL;
  struct vm_page *m;
  vm_pindex_t pindex;
  swblk_t b;

  if (e == NULL || e->object == NULL)
    return NULL;
  obj = e->object;
  pindex = atop(e->offset + (va - e->start));
  mtx_lock(&obj->lock);
  do {
    if ((m = vm_object_page_lookup(obj, pindex)) != NULL) {
      bytes = pmap_page_kva(m);
      break;
    }
    if ((b = swap_pager_lookup(obj, pindex)) != SWAPBLK_NONE) {
      bytes = host_swapdev.store + (size_t)b * PAGE_SIZE;
      break;
    }
  } while (vm_object_chain_next(&obj, &pindex));
  mtx_unlock(&obj->lock);
  return bytes;
}

// Every byte of every mapped region of every process, wherever it is (RAM
// or swap), against the model: a lost page shows the step it was lost at.
static void check_contents(void)
{
  static const uint8_t zeros[PAGE_SIZE];

  for (int i = 0; i < NPROC; i++)
    for (int r = 0; procs[i].vm != NULL && r < NREG; r++) {
      struct region *reg = &procs[i].reg[r];
      for (int k = 0; reg->buf != NULL && k < REGPAGES; k++) {
        const uint8_t *got = peek_page(&procs[i], REGVA(r) + ptoa(k));
        CHECK(memcmp(got != NULL ? got : zeros, reg->buf->bytes + ptoa(k),
                     PAGE_SIZE) == 0, "process %d region %d page %d differs "
              "from the model", i, r, k);
      }
    }
}

static void check_all(void)
{
  if (tight && (getenv("SWAP_MODEL_CHECK_ALL") != NULL || step % 64 == 0))
    check_contents();
  for (int i = 0; i < NPROC; i++)
    if (procs[i].vm != NULL) {
      vmtest_check_map(map_of(&procs[i]));
      check_wired(&procs[i]);
    }
}

static void one_step(void)
{
  struct proc *p = pick_live();
  int r = (int)vmtest_rand_below(NREG);
  uint64_t k = vmtest_rand_below(100);
  int live = 0;

  // FORK_MODEL_TRACE=1 prints every step, to debug a replayed seed.
  if (getenv("FORK_MODEL_TRACE") != NULL)
    fprintf(stderr, "step %lu: proc %d region %d op %d prot %#x wired %d "
            "inherit %d\n", step, (int)(p - procs), r, (int)k, p->reg[r].prot,
            p->reg[r].wired, p->reg[r].inherit);

  for (int i = 0; i < NPROC; i++)
    live += procs[i].vm != NULL;
  if (k < 8)
    op_fork(p);
  else if (k < 12 && live > 1)
    op_exit(p);
  else if (k < 45)
    op_write(p, r);
  else if (k < 75)
    op_read(p, r);
  else if (k < 80)
    op_protect(p, r);
  else if (k < 84)
    op_wire(p, r);
  else if (k < 92)
    op_inherit(p, r);
  else if (k < 95)
    op_remap(p, r);
  else if (!tight || k < 97)
    op_sbrk(p);
  else if (k < 99) {
    if (!getenv("NOMADV")) op_madvise(p, r);
  }
  else if (!getenv("NOPO"))
    op_pageout();
  check_all();
}

static void run_model(void)
{
  size_t free0 = vm_page_free_count();

  cr_log_info("fork_model: seed %#llx", (unsigned long long)seed);
  proc_new(&procs[0]);
  for (step = 0; step < NSTEPS; step++)
    one_step();
  // Everything but one process exits; its memory still reads right.
  for (int i = 0; i < NPROC; i++) {
    struct proc *p = &procs[i];
    if (p->vm == NULL)
      continue;
    for (int r = 0; r < NREG; r++)
      op_read(p, r);
    op_exit(p);
  }
  CHECK(vm_page_free_count() == free0, "pages leaked: %zu",
        free0 - vm_page_free_count());
  // The run must have exercised copy-on-write. (Moves are not required:
  // a backing object left to a single shadow is collapsed into it at
  // once, so a single-threaded run never leaves one for a fault to take
  // a page from; test_vm_fault.c builds that state by hand.)
  cr_log_info("fork_model: %lu faults, %lu zfod, %lu cow, %lu cow moves, "
              "%lu prefault", (unsigned long)vm_cnt.v_faults,
              (unsigned long)vm_cnt.v_zfod, (unsigned long)vm_cnt.v_cow_faults,
              (unsigned long)vm_cnt.v_cow_optim,
              (unsigned long)vm_cnt.v_prefault);
  CHECK(vm_cnt.v_cow_faults > 0, "no cow faults");
}

Test(fork_model, random_steps, .timeout = 600)
{
  run_model();
}

// The budget is smaller than the working set: pages must have gone to swap
// and come back, many times.
Test(swap_model, random_steps, .timeout = 600)
{
  run_model();
  cr_log_info("swap_model: %d pages written in %d requests, %d read in %d",
              host_swapdev.pages_written, host_swapdev.writes,
              host_swapdev.pages_read, host_swapdev.reads);
  CHECK(host_swapdev.pages_written > 300 && host_swapdev.pages_read > 300,
        "too little paging: %d out, %d in", host_swapdev.pages_written,
        host_swapdev.pages_read);
}
