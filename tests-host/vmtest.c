// SPDX-License-Identifier: MIT
// Fixture helpers for the host tests (see vmtest.h for the interface).
//
// Physical memory is one page-aligned host buffer and the page array sits
// outside it, so vm_page_startup manages every page of the buffer. All
// state here is per process: Criterion runs each test in a fresh one.
//
// The map checker holds the map's read lock for the whole walk and takes
// each object's lock on its own while looking a page up, which follows
// the lock order (map before objects, one object at a time).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_kmem.h"
#include "host_pmap.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vmtest.h"

#define VMTEST_DEFAULT_SEED 0x2545f4914f6cdd1dULL

unsigned long vmtest_faults;

static void *vmtest_membuf;
static struct vm_page *vmtest_page_array;
static size_t vmtest_npage;
static uint64_t vmtest_rng_state = VMTEST_DEFAULT_SEED;

uint64_t vmtest_seed(void)
{
  const char *s = getenv("VMTEST_SEED");

  if (s == NULL || *s == '\0')
    return VMTEST_DEFAULT_SEED;
  return strtoull(s, NULL, 0);
}

void vmtest_srand(uint64_t seed)
{
  // xorshift's state must never be zero.
  vmtest_rng_state = seed != 0 ? seed : VMTEST_DEFAULT_SEED;
}

// xorshift64* (Marsaglia's shifts, Vigna's multiplier): small, fast, and
// the same sequence on every machine for a given seed.
uint64_t vmtest_rand(void)
{
  uint64_t x = vmtest_rng_state;

  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  vmtest_rng_state = x;
  return x * 0x2545f4914f6cdd1dULL;
}

uint64_t vmtest_rand_below(uint64_t n)
{
  KASSERT(n > 0, ("vmtest_rand_below: empty range"));
  return vmtest_rand() % n;
}

void vmtest_boot(size_t npages)
{
  KASSERT(npages > 0, ("vmtest_boot: no pages"));
  KASSERT(vmtest_membuf == NULL, ("vmtest_boot: already booted"));
  host_kmem_reset();
  host_pmap_reset();
  vmtest_faults = 0;
  vmtest_srand(vmtest_seed());
  vmtest_membuf = aligned_alloc(PAGE_SIZE, npages * PAGE_SIZE);
  vmtest_page_array = calloc(npages, sizeof(struct vm_page));
  KASSERT(vmtest_membuf != NULL && vmtest_page_array != NULL,
          ("vmtest_boot: host out of memory for %zu pages", npages));
  vmtest_npage = npages;
  vm_page_startup(vmtest_page_array, (paddr_t)(uintptr_t)vmtest_membuf,
                  npages);
  vm_object_startup();
  vm_map_startup();
}

// The checks both teardown variants run before freeing the memory.
static void vmtest_check_pages(void)
{
  vm_page_check();              // the caches as they are
  vm_page_pcpu_drain_all();     // then every free page in the buddy lists
  vm_page_check();
  for (size_t i = 0; i < vmtest_npage; i++)
    host_pmap_check_page(&vmtest_page_array[i]);
}

static void vmtest_release(void)
{
  free(vmtest_membuf);
  free(vmtest_page_array);
  vmtest_membuf = NULL;
  vmtest_page_array = NULL;
  vmtest_npage = 0;
}

void vmtest_teardown(void)
{
  KASSERT(vmtest_membuf != NULL, ("vmtest_teardown: not booted"));
  vmtest_hog_release();
  vmtest_check_pages();
  vmtest_release();
}

void vmtest_teardown_strict(void)
{
  KASSERT(vmtest_membuf != NULL, ("vmtest_teardown_strict: not booted"));
  vmtest_hog_release();
  vmtest_check_pages();
  KASSERT(vm_page_free_count() == vm_page_total_count(),
          ("vmtest_teardown_strict: %zu of %zu pages not freed",
           vm_page_total_count() - vm_page_free_count(), vm_page_total_count()));
  KASSERT(vm_object_count() == 0,
          ("vmtest_teardown_strict: %zu objects alive", vm_object_count()));
  KASSERT(host_kmem_live() == 0,
          ("vmtest_teardown_strict: %zu kmem objects alive", host_kmem_live()));
  KASSERT(host_pmap_live() == 0,
          ("vmtest_teardown_strict: %zu pmaps alive", host_pmap_live()));
  vmtest_release();
}

struct vm_page *vmtest_pages(void)
{
  return vmtest_page_array;
}

size_t vmtest_npages(void)
{
  return vmtest_npage;
}

void *vmtest_mem(void)
{
  return vmtest_membuf;
}

int vmtest_access(struct vm_map *map, vm_offset_t va, vm_prot_t type)
{
  int rv;

  if (host_pmap_access(map->pmap, va, type))
    return KERN_SUCCESS;
  vmtest_faults++;
  rv = vm_fault(map, va, type, VM_FAULT_NORMAL);
  if (rv != KERN_SUCCESS)
    return rv;
  KASSERT(host_pmap_access(map->pmap, va, type),
          ("vmtest_access: %#lx not accessible (type %#x) after a successful "
           "fault", va, type));
  return KERN_SUCCESS;
}

// The kernel address of user address va, which vmtest_access just made
// accessible.
static char *vmtest_kva(struct vm_map *map, vm_offset_t va)
{
  struct vm_page *m;
  bool mapped = host_pmap_lookup(map->pmap, va, &m, NULL, NULL);

  KASSERT(mapped, ("vmtest_kva: %#lx not mapped", va));
  return (char *)pmap_page_kva(m) + (va & PAGE_MASK);
}

int vmtest_read(struct vm_map *map, vm_offset_t va, void *buf, size_t len)
{
  char *dst = buf;

  while (len > 0) {
    size_t n = MIN(len, PAGE_SIZE - (va & PAGE_MASK));
    int rv = vmtest_access(map, va, VM_PROT_READ);
    if (rv != KERN_SUCCESS)
      return rv;
    memcpy(dst, vmtest_kva(map, va), n);
    dst += n;
    va += n;
    len -= n;
  }
  return KERN_SUCCESS;
}

int vmtest_write(struct vm_map *map, vm_offset_t va, const void *buf,
                 size_t len)
{
  const char *src = buf;

  while (len > 0) {
    size_t n = MIN(len, PAGE_SIZE - (va & PAGE_MASK));
    int rv = vmtest_access(map, va, VM_PROT_WRITE);
    if (rv != KERN_SUCCESS)
      return rv;
    memcpy(vmtest_kva(map, va), src, n);
    src += n;
    va += n;
    len -= n;
  }
  return KERN_SUCCESS;
}

// Is the page at pindex of obj resident? Takes and drops obj's lock.
static struct vm_page *vmtest_object_lookup(struct vm_object *obj,
                                            vm_pindex_t pindex)
{
  struct vm_page *m;

  mtx_lock(&obj->lock);
  m = vm_object_page_lookup(obj, pindex);
  mtx_unlock(&obj->lock);
  return m;
}

// Walk entry's object chain for the page that va should show, and check
// that the mapping's page m is exactly that page.
static void vmtest_check_chain(struct vm_map_entry *entry, vm_offset_t va,
                               struct vm_page *m)
{
  struct vm_object *obj = entry->object;
  vm_pindex_t pindex = atop(entry->offset + (va - entry->start));

  KASSERT(obj != NULL, ("vmtest_check_map: %#lx mapped but its entry "
                        "[%#lx, %#lx) has no object", va, entry->start,
                        entry->end));
  for (; obj != NULL; obj = obj->backing_object) {
    struct vm_page *found = vmtest_object_lookup(obj, pindex);
    if (found != NULL) {
      KASSERT(found == m, ("vmtest_check_map: %#lx maps page %p but object "
                           "%u nearer the front holds %p at index %lu", va, m,
                           obj->id, found, (unsigned long)pindex));
      return;
    }
    pindex += atop(obj->backing_offset);
  }
  panic("vmtest_check_map: %#lx maps page %p, not in its entry's chain", va, m);
}

static void vmtest_check_mapping(struct pmap *pmap, vm_offset_t va,
                                 struct vm_page *m, vm_prot_t prot, bool wired,
                                 void *arg)
{
  struct vm_map *map = arg;
  struct vm_map_entry *entry;

  (void)pmap;
  KASSERT(vm_map_lookup_entry(map, va, &entry),
          ("vmtest_check_map: %#lx mapped outside every entry", va));
  KASSERT((prot & ~entry->protection) == 0,
          ("vmtest_check_map: %#lx mapped with prot %#x, entry allows %#x", va,
           prot, entry->protection));
  KASSERT(!wired || entry->wired_count > 0,
          ("vmtest_check_map: %#lx wired in an unwired entry", va));
  vmtest_check_chain(entry, va, m);
  if ((prot & VM_PROT_WRITE) == 0)
    return;
  KASSERT((entry->eflags & MAP_ENTRY_NEEDS_COPY) == 0,
          ("vmtest_check_map: %#lx writable in a NEEDS_COPY entry", va));
  KASSERT(m->object == entry->object,
          ("vmtest_check_map: %#lx writable but its page is in a backing "
           "object", va));
  // A file's pages may be written through a shared mapping while private
  // mappings that have not copied them yet see the change.
  KASSERT((m->object->flags & OBJ_ANON) == 0 || m->object->shadow_count == 0,
          ("vmtest_check_map: %#lx writable but object %u has %d shadows", va,
           m->object->id, m->object->shadow_count));
}

void vmtest_check_map(struct vm_map *map)
{
  vm_map_lock_read(map);
  vm_map_check(map);
  host_pmap_check(map->pmap);
  host_pmap_foreach(map->pmap, vmtest_check_mapping, map);
  vm_map_unlock_read(map);
}

// obj and every object shadowing it, recursively.
static void vmtest_check_shadows(struct vm_object *obj)
{
  struct list_node *l;

  vm_object_check(obj);
  list_for_each(l, &obj->shadows)
    vmtest_check_shadows(container_of(l, struct vm_object, shadow_link));
}

void vmtest_check_object_tree(struct vm_object *obj)
{
  vmtest_check_shadows(obj);
  for (obj = obj->backing_object; obj != NULL; obj = obj->backing_object)
    vm_object_check(obj);
}

// LeakSanitizer hook: Criterion's runner keeps a small allocation to the
// end on purpose; without this its exit status would sometimes say
// "leak" although every test passed. Our own leaks are still reported.
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
  return "leak:libcriterion.so\n";
}

// --- helpers shared by the tests ----------------------------------------------

void vmtest_put(struct vm_map *map, vm_offset_t va, uint8_t v)
{
  int rc = vmtest_write(map, va, &v, 1);

  KASSERT(rc == KERN_SUCCESS, ("vmtest_put: write at %#lx: %d",
                               (unsigned long)va, rc));
}

uint8_t vmtest_get(struct vm_map *map, vm_offset_t va)
{
  uint8_t v = 0xee;
  int rc = vmtest_read(map, va, &v, 1);

  KASSERT(rc == KERN_SUCCESS, ("vmtest_get: read at %#lx: %d",
                               (unsigned long)va, rc));
  return v;
}

struct vm_map_entry *vmtest_entry_at(struct vm_map *map, vm_offset_t va)
{
  struct vm_map_entry *e;
  bool found;

  vm_map_lock_read(map);
  found = vm_map_lookup_entry(map, va, &e);
  vm_map_unlock_read(map);
  return found ? e : NULL;
}

// The hogged pages, a stack; grown as needed (a test's memory is small).
static struct vm_page **vmtest_hog;
static size_t vmtest_nhog, vmtest_hog_cap;

void vmtest_hog_all(size_t keep)
{
  struct vm_page *m;

  while (vm_page_free_count() > keep &&
         (m = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY)) != NULL) {
    if (vmtest_nhog == vmtest_hog_cap) {
      vmtest_hog_cap = vmtest_hog_cap ? 2 * vmtest_hog_cap : 64;
      vmtest_hog = realloc(vmtest_hog, vmtest_hog_cap * sizeof(*vmtest_hog));
      KASSERT(vmtest_hog != NULL, ("vmtest_hog_all: out of host memory"));
    }
    vmtest_hog[vmtest_nhog++] = m;
  }
}

void vmtest_hog_release(void)
{
  while (vmtest_nhog > 0)
    vm_page_free(vmtest_hog[--vmtest_nhog]);
}
