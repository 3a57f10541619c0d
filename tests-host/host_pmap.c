// SPDX-License-Identifier: MIT
// Host seam for kernel/vm/pmap.h: a reference model of an MMU.
//
// Each pmap keeps its mappings (struct host_pv: va -> page, protection,
// wired, referenced, modified) in an AVL tree by address, so lookups and
// range walks cost O(log n) with 100k mappings; each mapping is also on
// its page's md.pv_list, as the real pv entries are, so the per-page
// operations (pmap_page_protect, pmap_is_modified, ...) walk exactly the
// page's mappings. Page memory is the host buffer that vmtest_boot hands
// to vm_page_startup: a page's physical address is its host address.
//
// The model enforces the VM's promises and panics, naming the broken one,
// when a caller breaks them:
//   - a mapped page is never free;
//   - no mapping is writable while its page's anonymous object has shadows
//     (the page would be shared copy-on-write, and the write would leak to
//     them). A file's object is exempt: a MAP_SHARED writer is meant to
//     change the file under private mappings that have not copied the page;
//   - addresses are page aligned, and the access that caused a fault is
//     allowed by the protection it is mapped with.
// host_pmap_check verifies the model itself: tree, counts, pv lists.
//
// As in kernel/arch/riscv/pmap.c, state is not lost when a mapping goes
// away: its modified and referenced bits move into the page's md.pv_flags,
// and pmap_is_modified / pmap_is_referenced report them until
// pmap_clear_modify / pmap_ts_referenced. The model never writes m->flags
// (they belong to the object lock), so VM code must ask the pmap.
//
// Locking: each pmap's mutex is taken inside every pmap_* call (the host
// mutex panics on recursion, so a pmap function called back into itself
// is caught). The host_* inspection functions do not lock.
#include <stdlib.h>
#include <string.h>

#include "host_pmap.h"
#include "lib/list.h"
#include "lib/lock.h"
#include "vm/mman.h"
#include "vm/vm_object.h"

struct pmap {
  struct mtx lock;
  struct avl_tree mappings;   // (p) struct host_pv, by va
  size_t resident;            // (p) mappings
  size_t wired;               // (p) wired mappings
};

// One mapping: both a node in its pmap's tree and a pv entry of its page.
struct host_pv {
  struct avl_node node;       // (p) in pmap->mappings
  struct list_node pv_link;   // (p) in m->md.pv_list
  struct pmap *pmap;          // (c)
  vm_offset_t va;             // (c)
  struct vm_page *m;          // (c)
  vm_prot_t prot;             // (p)
  bool wired;                 // (p)
  bool referenced;            // (p)
  bool modified;              // (p)
};

static struct pmap host_kernel_pmap = {
  .lock = { .name = "kernel pmap" },
};
struct pmap *kernel_pmap = &host_kernel_pmap;

static long host_pmap_fail_countdown = -1;
static size_t host_pmap_nlive;

// md.pv_flags bits (the model's own; the page is opaque to MI code).
#define HOST_PV_MODIFIED   0x1   // a removed mapping was modified
#define HOST_PV_REFERENCED 0x2   // a removed mapping was referenced
#define HOST_PV_CHECKED    0x8   // host_pmap_check visited this page

static struct host_pv *host_pv_of(struct avl_node *n)
{
  return n != NULL ? container_of(n, struct host_pv, node) : NULL;
}

// The first mapping at or above va, or NULL.
static struct host_pv *host_pmap_ge(struct pmap *pmap, vm_offset_t va)
{
  struct avl_node *n = pmap->mappings.root, *best = NULL;

  while (n != NULL) {
    if (host_pv_of(n)->va >= va) {
      best = n;
      n = n->left;
    } else {
      n = n->right;
    }
  }
  return host_pv_of(best);
}

// The mapping of the page containing va, or NULL.
static struct host_pv *host_pmap_find(struct pmap *pmap, vm_offset_t va)
{
  struct host_pv *pv = host_pmap_ge(pmap, trunc_page(va));

  return pv != NULL && pv->va == trunc_page(va) ? pv : NULL;
}

static struct host_pv *host_pv_next(struct host_pv *pv)
{
  return host_pv_of(avl_next(&pv->node));
}

// Link a new mapping into pmap (locked) and into m's pv list.
static struct host_pv *host_pv_create(struct pmap *pmap, vm_offset_t va,
                                      struct vm_page *m)
{
  struct host_pv *pv = calloc(1, sizeof(*pv));
  struct avl_node **link = &pmap->mappings.root, *parent = NULL;

  KASSERT(pv != NULL, ("host_pv_create: host out of memory"));
  pv->pmap = pmap;
  pv->va = va;
  pv->m = m;
  while (*link != NULL) {
    parent = *link;
    link = va < host_pv_of(parent)->va ? &parent->left : &parent->right;
  }
  avl_insert(&pmap->mappings, &pv->node, parent, link);
  list_insert_tail(&m->md.pv_list, &pv->pv_link);
  m->md.pv_count++;
  pmap->resident++;
  return pv;
}

// Unlink and free a mapping, leaving its bits in the page's md.
static void host_pv_destroy(struct host_pv *pv)
{
  struct pmap *pmap = pv->pmap;
  struct vm_page *m = pv->m;

  MTX_ASSERT_OWNED(&pmap->lock);
  if (pv->modified)
    m->md.pv_flags |= HOST_PV_MODIFIED;
  if (pv->referenced)
    m->md.pv_flags |= HOST_PV_REFERENCED;
  if (pv->wired)
    pmap->wired--;
  pmap->resident--;
  KASSERT(m->md.pv_count > 0, ("host_pv_destroy: page %p pv count 0", m));
  m->md.pv_count--;
  list_remove(&pv->pv_link);
  avl_remove(&pmap->mappings, &pv->node);
  free(pv);
}

void pmap_page_init(struct vm_page *m)
{
  list_init(&m->md.pv_list);
  m->md.pv_count = 0;
  m->md.pv_flags = 0;
}

struct pmap *pmap_create(void)
{
  struct pmap *pmap = calloc(1, sizeof(*pmap));

  KASSERT(pmap != NULL, ("pmap_create: host out of memory"));
  mtx_init(&pmap->lock, "pmap");
  avl_init(&pmap->mappings, NULL);
  host_pmap_nlive++;
  return pmap;
}

void pmap_destroy(struct pmap *pmap)
{
  KASSERT(pmap != kernel_pmap, ("pmap_destroy: the kernel pmap"));
  KASSERT(pmap->resident == 0,
          ("pmap_destroy: %zu mappings left (first at %#lx)", pmap->resident,
           host_pmap_ge(pmap, 0)->va));
  KASSERT(host_pmap_nlive > 0, ("pmap_destroy: no live pmaps"));
  host_pmap_nlive--;
  free(pmap);
}

// The promises pmap_enter checks; each broken one is a bug in the VM.
static void pmap_enter_check(vm_offset_t va, struct vm_page *m, vm_prot_t prot,
                             unsigned flags)
{
  struct vm_object *obj = m->object;

  KASSERT(page_aligned(va), ("pmap_enter: va %#lx not page aligned", va));
  KASSERT(m->queue != PQ_FREE, ("pmap_enter: page %p at %#lx is free", m, va));
  KASSERT((prot & ~VM_PROT_ALL) == 0 && prot != VM_PROT_NONE,
          ("pmap_enter: bad prot %#x at %#lx", prot, va));
  KASSERT((flags & ~(PMAP_ENTER_ACCESS_MASK | PMAP_ENTER_WIRED)) == 0,
          ("pmap_enter: bad flags %#x", flags));
  KASSERT((flags & PMAP_ENTER_ACCESS_MASK & ~prot) == 0,
          ("pmap_enter: access %#x not allowed by prot %#x at %#lx",
           flags & PMAP_ENTER_ACCESS_MASK, prot, va));
  KASSERT((prot & VM_PROT_WRITE) == 0 || obj == NULL ||
              (obj->flags & OBJ_ANON) == 0 || obj->shadow_count == 0,
          ("pmap_enter: writable mapping at %#lx of page %p whose object %u "
           "has %d shadows (shared copy-on-write)", va, m, obj->id,
           obj->shadow_count));
}

int pmap_enter(struct pmap *pmap, vm_offset_t va, struct vm_page *m,
               vm_prot_t prot, unsigned flags)
{
  struct host_pv *pv;
  unsigned access = flags & PMAP_ENTER_ACCESS_MASK;

  pmap_enter_check(va, m, prot, flags);
  if (host_pmap_fail_countdown == 0)
    return KERN_RESOURCE_SHORTAGE;
  if (host_pmap_fail_countdown > 0)
    host_pmap_fail_countdown--;
  mtx_lock(&pmap->lock);
  pv = host_pmap_find(pmap, va);
  if (pv != NULL && pv->m != m) {
    host_pv_destroy(pv);
    pv = NULL;
  }
  if (pv == NULL)
    pv = host_pv_create(pmap, va, m);
  if (pv->wired)
    pmap->wired--;
  pv->prot = prot;
  pv->wired = (flags & PMAP_ENTER_WIRED) != 0;
  if (pv->wired)
    pmap->wired++;
  if (access != 0)
    pv->referenced = true;
  if (access & VM_PROT_WRITE)
    pv->modified = true;
  mtx_unlock(&pmap->lock);
  return KERN_SUCCESS;
}

void pmap_remove(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva)
{
  struct host_pv *pv, *next;

  mtx_lock(&pmap->lock);
  for (pv = host_pmap_ge(pmap, sva); pv != NULL && pv->va < eva; pv = next) {
    next = host_pv_next(pv);
    host_pv_destroy(pv);
  }
  mtx_unlock(&pmap->lock);
}

void pmap_protect(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva,
                  vm_prot_t prot)
{
  struct host_pv *pv;

  if (prot == VM_PROT_NONE) {
    pmap_remove(pmap, sva, eva);
    return;
  }
  mtx_lock(&pmap->lock);
  for (pv = host_pmap_ge(pmap, sva); pv != NULL && pv->va < eva;
       pv = host_pv_next(pv))
    pv->prot &= prot;
  mtx_unlock(&pmap->lock);
}

void pmap_page_protect(struct vm_page *m, vm_prot_t prot)
{
  struct list_node *l, *tmp;
  struct host_pv *pv;

  if (prot & VM_PROT_WRITE)
    return;
  list_for_each_safe(l, tmp, &m->md.pv_list) {
    pv = container_of(l, struct host_pv, pv_link);
    struct pmap *pmap = pv->pmap;
    mtx_lock(&pmap->lock);
    if (prot == VM_PROT_NONE)
      host_pv_destroy(pv);
    else
      pv->prot &= ~VM_PROT_WRITE;
    mtx_unlock(&pmap->lock);
  }
}

void pmap_page_remove_unwired(struct vm_page *m)
{
  struct list_node *l, *tmp;
  struct host_pv *pv;

  list_for_each_safe(l, tmp, &m->md.pv_list) {
    pv = container_of(l, struct host_pv, pv_link);
    struct pmap *pmap = pv->pmap;
    mtx_lock(&pmap->lock);
    if (!pv->wired)
      host_pv_destroy(pv);
    mtx_unlock(&pmap->lock);
  }
}

void pmap_unwire(struct pmap *pmap, vm_offset_t sva, vm_offset_t eva)
{
  struct host_pv *pv;

  mtx_lock(&pmap->lock);
  for (pv = host_pmap_ge(pmap, sva); pv != NULL && pv->va < eva;
       pv = host_pv_next(pv)) {
    if (pv->wired) {
      pv->wired = false;
      pmap->wired--;
    }
  }
  mtx_unlock(&pmap->lock);
}

struct vm_page *pmap_extract_page(struct pmap *pmap, vm_offset_t va,
                                  vm_prot_t *prot)
{
  struct host_pv *pv;
  struct vm_page *m = NULL;

  mtx_lock(&pmap->lock);
  pv = host_pmap_find(pmap, va);
  if (pv != NULL) {
    m = pv->m;
    if (prot != NULL)
      *prot = pv->prot;
  }
  mtx_unlock(&pmap->lock);
  return m;
}

// Per-page bit queries and updates over every mapping of m. On the host
// nothing runs concurrently, so the pv list is walked without pmap locks.
static struct host_pv *host_pv_of_link(struct list_node *l)
{
  return container_of(l, struct host_pv, pv_link);
}

bool pmap_is_modified(struct vm_page *m)
{
  struct list_node *l;

  if (m->md.pv_flags & HOST_PV_MODIFIED)
    return true;
  list_for_each(l, &m->md.pv_list)
    if (host_pv_of_link(l)->modified)
      return true;
  return false;
}

void pmap_clear_modify(struct vm_page *m)
{
  struct list_node *l;

  m->md.pv_flags &= ~HOST_PV_MODIFIED;
  list_for_each(l, &m->md.pv_list)
    host_pv_of_link(l)->modified = false;
}

bool pmap_is_referenced(struct vm_page *m)
{
  struct list_node *l;

  if (m->md.pv_flags & HOST_PV_REFERENCED)
    return true;
  list_for_each(l, &m->md.pv_list)
    if (host_pv_of_link(l)->referenced)
      return true;
  return false;
}

// As on the machine, a wired mapping always counts as referenced (its
// page can never fault to set the bit again) and keeps its bit.
int pmap_ts_referenced(struct vm_page *m)
{
  struct list_node *l;
  int count = 0;

  if (m->md.pv_flags & HOST_PV_REFERENCED) {
    m->md.pv_flags &= ~HOST_PV_REFERENCED;
    count++;
  }
  list_for_each(l, &m->md.pv_list) {
    struct host_pv *pv = host_pv_of_link(l);
    if (pv->wired) {
      count++;
      continue;
    }
    if (pv->referenced)
      count++;
    pv->referenced = false;
  }
  return count;
}

bool pmap_page_is_mapped(struct vm_page *m)
{
  return m->md.pv_count > 0;
}

int pmap_mincore(struct pmap *pmap, vm_offset_t va)
{
  struct host_pv *pv;
  int bits = 0;

  mtx_lock(&pmap->lock);
  pv = host_pmap_find(pmap, va);
  if (pv != NULL) {
    if (pv->referenced)
      bits |= MINCORE_REFERENCED;
    if (pv->modified)
      bits |= MINCORE_MODIFIED;
  }
  mtx_unlock(&pmap->lock);
  return bits;
}

size_t pmap_resident_count(struct pmap *pmap)
{
  return pmap->resident;
}

size_t pmap_wired_count(struct pmap *pmap)
{
  return pmap->wired;
}

void *pmap_page_kva(struct vm_page *m)
{
  return (void *)(uintptr_t)m->phys_addr;
}

void pmap_zero_page(struct vm_page *m)
{
  memset(pmap_page_kva(m), 0, PAGE_SIZE);
}

void pmap_copy_page(struct vm_page *src, struct vm_page *dst)
{
  KASSERT(src != dst, ("pmap_copy_page: page %p onto itself", src));
  memcpy(pmap_page_kva(dst), pmap_page_kva(src), PAGE_SIZE);
}

// ---------------------------------------------------------------------------
// Test access (host_pmap.h).

bool host_pmap_lookup(struct pmap *pmap, vm_offset_t va, struct vm_page **m,
                      vm_prot_t *prot, bool *wired)
{
  struct host_pv *pv = host_pmap_find(pmap, va);

  if (pv == NULL)
    return false;
  if (m != NULL)
    *m = pv->m;
  if (prot != NULL)
    *prot = pv->prot;
  if (wired != NULL)
    *wired = pv->wired;
  return true;
}

bool host_pmap_referenced(struct pmap *pmap, vm_offset_t va)
{
  struct host_pv *pv = host_pmap_find(pmap, va);

  return pv != NULL && pv->referenced;
}

bool host_pmap_modified(struct pmap *pmap, vm_offset_t va)
{
  struct host_pv *pv = host_pmap_find(pmap, va);

  return pv != NULL && pv->modified;
}

bool host_pmap_access(struct pmap *pmap, vm_offset_t va, vm_prot_t type)
{
  struct host_pv *pv = host_pmap_find(pmap, va);

  if (pv == NULL || (pv->prot & type) != type)
    return false;
  pv->referenced = true;
  if (type & VM_PROT_WRITE)
    pv->modified = true;
  return true;
}

size_t host_pmap_count(struct pmap *pmap)
{
  return pmap->resident;
}

void host_pmap_foreach(struct pmap *pmap, host_pmap_visit_fn fn, void *arg)
{
  struct host_pv *pv;

  for (pv = host_pmap_ge(pmap, 0); pv != NULL; pv = host_pv_next(pv))
    fn(pmap, pv->va, pv->m, pv->prot, pv->wired, arg);
}

void host_pmap_check_page(struct vm_page *m)
{
  struct list_node *l;
  uint32_t n = 0;

  list_for_each(l, &m->md.pv_list) {
    struct host_pv *pv = host_pv_of_link(l);
    KASSERT(pv->m == m, ("host_pmap_check_page: pv %p of page %p on %p's list",
                         pv, pv->m, m));
    KASSERT(host_pmap_find(pv->pmap, pv->va) == pv,
            ("host_pmap_check_page: page %p mapping at %#lx not in its pmap",
             m, pv->va));
    n++;
  }
  KASSERT(n == m->md.pv_count, ("host_pmap_check_page: page %p has %u pv "
                                "entries, count says %u", m, n, m->md.pv_count));
  KASSERT(n == 0 || m->queue != PQ_FREE,
          ("host_pmap_check_page: free page %p is mapped", m));
}

// One mapping of pmap: well formed, linked into a pv list, and its page's
// whole pv list checked the first time the page is met in this pass.
static void host_pmap_check_pv(struct pmap *pmap, struct host_pv *pv)
{
  KASSERT(pv->pmap == pmap, ("host_pmap_check: %#lx in the wrong pmap",
                             pv->va));
  KASSERT(pv->prot != VM_PROT_NONE,
          ("host_pmap_check: mapping at %#lx has no access", pv->va));
  KASSERT(pv->pv_link.next->prev == &pv->pv_link &&
          pv->pv_link.prev->next == &pv->pv_link,
          ("host_pmap_check: mapping at %#lx not on a pv list", pv->va));
  if ((pv->m->md.pv_flags & HOST_PV_CHECKED) == 0) {
    host_pmap_check_page(pv->m);
    pv->m->md.pv_flags |= HOST_PV_CHECKED;
  }
}

// Checking each page once keeps the cost O(n log n) even when a page has
// thousands of mappings.
void host_pmap_check(struct pmap *pmap)
{
  struct host_pv *pv;
  size_t n = 0, wired = 0;
  vm_offset_t prev = 0;

  KASSERT(avl_check(&pmap->mappings) == pmap->resident,
          ("host_pmap_check: tree size differs from resident count %zu",
           pmap->resident));
  for (pv = host_pmap_ge(pmap, 0); pv != NULL; pv = host_pv_next(pv)) {
    KASSERT(page_aligned(pv->va) && (n == 0 || pv->va > prev),
            ("host_pmap_check: mapping at %#lx out of order", pv->va));
    host_pmap_check_pv(pmap, pv);
    prev = pv->va;
    n++;
    if (pv->wired)
      wired++;
  }
  for (pv = host_pmap_ge(pmap, 0); pv != NULL; pv = host_pv_next(pv))
    pv->m->md.pv_flags &= ~HOST_PV_CHECKED;
  KASSERT(n == pmap->resident && wired == pmap->wired,
          ("host_pmap_check: counted %zu mappings, %zu wired; counts say %zu, "
           "%zu", n, wired, pmap->resident, pmap->wired));
}

void host_pmap_fail_after(long n)
{
  host_pmap_fail_countdown = n < 0 ? -1 : n;
}

size_t host_pmap_live(void)
{
  return host_pmap_nlive;
}

void host_pmap_reset(void)
{
  host_pmap_fail_countdown = -1;
  host_pmap_nlive = 0;
}
