// SPDX-License-Identifier: MIT
// Zones: the kernel's allocator of fixed-size objects (lib/kmem.h), for
// map entries, objects, pmaps, pv entries, processes, files.
//
// A zone cuts slabs into objects of one size. A slab is a block of 2^order
// pages from vm_page_alloc_contig, reached through the direct map: one page
// for objects up to about PAGE_SIZE / 2, more for bigger ones, so that a
// slab always holds at least two. Its header sits at the start of its first
// page and the objects follow, KMEM_ALIGN-aligned. A slab's free objects are
// chained through their first word. The zone keeps slabs with a free object
// on `partial`, the others on `full`, and gives a slab back to vm_page as
// soon as all its objects are free: the free page count then returns to
// its old value when the objects do, which the leak checks of the test
// suites rely on.
//
// From an object to its slab: every page of a slab records its index in the
// slab in its vm_page's pindex (a slab page has no object), so the header
// is at trunc_page(p) minus that many pages.
//
// Tripwires: a free object holds KMEM_FREE_MAGIC in its second word and
// 0xdf bytes after it. Allocation checks both (a write after free panics),
// freeing an object that already looks free searches the slab's free list
// (a double free panics), and a pointer that is not an object of the zone
// panics.
//
// Locking: each zone has a spin mutex (z), a leaf under every other lock.
// Slab pages are allocated and freed with no zone lock held, because
// vm_page's lock comes before it in the order.
#include "lib/kassert.h"
#include "lib/kmem.h"
#include "lib/list.h"
#include "lib/lock.h"
#include "lib/string.h"
#include "machdep.h"
#include "vm/pmap.h"
#include "vm/vm_page.h"

#define KMEM_MAX_ZONES    32
#define KMEM_ALIGN        16
#define KMEM_SLAB_MAGIC   0x51ab51abu
#define KMEM_JUNK         0xdf

struct kmem_slab {
  struct list_node link;         // (z) on the zone's partial or full list
  void *free;                    // (z) first free object, NULL when full
  uint32_t inuse;                // (z) objects handed out
  uint32_t magic;                // (c) KMEM_SLAB_MAGIC
  struct kmem_zone *zone;        // (c)
};

// The words every free object starts with.
struct kmem_free {
  void *next;                    // (z) next free object of the slab
  uint64_t magic;                // (z) KMEM_FREE_MAGIC
};

struct kmem_zone {
  struct mtx lock;
  const char *name;              // (c)
  size_t size;                   // (c) object size, a multiple of KMEM_ALIGN
  int order;                     // (c) a slab is 2^order pages
  uint32_t per_slab;             // (c) objects per slab
  struct list_node partial;      // (z) slabs with a free object
  struct list_node full;         // (z) slabs without
  size_t nslabs;                 // (z)
  size_t nobjects;               // (z) objects handed out
};

#define KMEM_HDR_SIZE \
  ((sizeof(struct kmem_slab) + KMEM_ALIGN - 1) & ~(size_t)(KMEM_ALIGN - 1))

static struct kmem_zone kmem_zones[KMEM_MAX_ZONES];
static int kmem_nzones;          // only start-up code creates zones
static size_t kmem_pages;        // (a) pages held by slabs of every zone
static size_t kmem_objects;      // (a) objects handed out, over every zone

struct kmem_zone *kmem_zone_create(const char *name, size_t size)
{
  struct kmem_zone *z;

  KASSERT(size > 0, ("kmem_zone_create: %s has size 0", name));
  KASSERT(kmem_nzones < KMEM_MAX_ZONES,
          ("kmem_zone_create: too many zones (%s)", name));
  z = &kmem_zones[kmem_nzones++];
  mtx_init(&z->lock, name);
  z->name = name;
  z->size = (MAX(size, sizeof(struct kmem_free)) + KMEM_ALIGN - 1) &
            ~(size_t)(KMEM_ALIGN - 1);
  for (z->order = 0; z->order < VM_NFREEORDER; z->order++) {
    z->per_slab = (ptoa(1UL << z->order) - KMEM_HDR_SIZE) / z->size;
    if (z->per_slab >= 2)
      break;
  }
  KASSERT(z->order < VM_NFREEORDER,
          ("kmem_zone_create: %s objects of %lu bytes are too big", name,
           (unsigned long)size));
  list_init(&z->partial);
  list_init(&z->full);
  return z;
}

static void *kmem_slab_object(struct kmem_slab *slab, uint32_t i)
{
  return (char *)slab + KMEM_HDR_SIZE + (size_t)i * slab->zone->size;
}

// Mark obj free: magic in its second word, junk after.
static void kmem_obj_junk(struct kmem_zone *z, void *obj, void *next)
{
  struct kmem_free *f = obj;

  f->next = next;
  f->magic = KMEM_FREE_MAGIC;
  memset(f + 1, KMEM_JUNK, z->size - sizeof(*f));
}

// A new slab with every object free, or NULL when memory is short.
// Requires no zone lock.
static struct kmem_slab *kmem_slab_alloc(struct kmem_zone *z)
{
  struct vm_page *m = vm_page_alloc_contig(z->order);
  struct kmem_slab *slab;

  if (m == NULL)
    return NULL;
  for (size_t i = 0; i < (1UL << z->order); i++)
    m[i].pindex = i;
  __atomic_fetch_add(&kmem_pages, 1UL << z->order, __ATOMIC_RELAXED);
  slab = pmap_page_kva(m);
  slab->magic = KMEM_SLAB_MAGIC;
  slab->zone = z;
  slab->inuse = 0;
  slab->free = NULL;
  for (uint32_t i = z->per_slab; i-- > 0;) {
    kmem_obj_junk(z, kmem_slab_object(slab, i), slab->free);
    slab->free = kmem_slab_object(slab, i);
  }
  return slab;
}

// Give an empty slab's pages back. Requires no zone lock.
static void kmem_slab_free(struct kmem_zone *z, struct kmem_slab *slab)
{
  struct vm_page *m = PHYS_TO_VM_PAGE(DMAP_TO_PHYS(slab));

  KASSERT(slab->inuse == 0, ("kmem_slab_free: %s slab %p in use", z->name, slab));
  slab->magic = 0;
  for (size_t i = 0; i < (1UL << z->order); i++)
    m[i].pindex = 0;
  vm_page_free_contig(m, z->order);
  __atomic_fetch_sub(&kmem_pages, 1UL << z->order, __ATOMIC_RELAXED);
}

// The slab holding p, after checking that p is an object of zone z.
static struct kmem_slab *kmem_slab_of(struct kmem_zone *z, void *p)
{
  struct vm_page *m = PHYS_TO_VM_PAGE(DMAP_TO_PHYS(p));
  struct kmem_slab *slab;
  size_t off;

  KASSERT(m != NULL && m->object == NULL,
          ("kmem_zfree: %p is not zone memory (%s)", p, z->name));
  slab = (struct kmem_slab *)(trunc_page((uintptr_t)p) - ptoa(m->pindex));
  KASSERT(slab->magic == KMEM_SLAB_MAGIC && slab->zone == z,
          ("kmem_zfree: %p is not an object of zone %s", p, z->name));
  off = (uintptr_t)p - (uintptr_t)kmem_slab_object(slab, 0);
  KASSERT((uintptr_t)p >= (uintptr_t)kmem_slab_object(slab, 0) &&
          off % z->size == 0 && off / z->size < z->per_slab,
          ("kmem_zfree: %p is inside an object of zone %s", p, z->name));
  return slab;
}

// Is p an object of slab? A slab's free list links its own objects only.
static bool kmem_slab_holds(struct kmem_slab *slab, const void *p)
{
  uintptr_t first = (uintptr_t)kmem_slab_object(slab, 0);
  uintptr_t off = (uintptr_t)p - first;

  return (uintptr_t)p >= first && off % slab->zone->size == 0 &&
         off / slab->zone->size < slab->zone->per_slab;
}

// Take the first free object of slab, checking its tripwires. Requires
// the zone lock.
static void *kmem_slab_take(struct kmem_zone *z, struct kmem_slab *slab)
{
  struct kmem_free *f = slab->free;
  const uint8_t *junk = (const uint8_t *)(f + 1);

  // A store into the first word of a freed object (an unlock of a mutex
  // that starts a freed structure, say) breaks the chain: name the zone
  // rather than fault on the bad link.
  KASSERT(kmem_slab_holds(slab, f),
          ("kmem_zalloc: zone %s's free list links to %p, not one of its "
           "objects: a free object's first word was written", z->name, f));
  KASSERT(f->magic == KMEM_FREE_MAGIC,
          ("kmem_zalloc: free object %p of zone %s was written", f, z->name));
  for (size_t i = 0; i < z->size - sizeof(*f); i++)
    KASSERT(junk[i] == KMEM_JUNK, ("kmem_zalloc: free object %p of zone %s "
                                   "was written at %lu", f, z->name,
                                   (unsigned long)i + 16));
  slab->free = f->next;
  slab->inuse++;
  z->nobjects++;
  __atomic_fetch_add(&kmem_objects, 1, __ATOMIC_RELAXED);
  if (slab->free == NULL) {
    list_remove(&slab->link);
    list_insert_tail(&z->full, &slab->link);
  }
  return f;
}

void *kmem_zalloc(struct kmem_zone *z)
{
  struct kmem_slab *slab;
  void *p;

  mtx_lock(&z->lock);
  if (list_empty(&z->partial)) {
    mtx_unlock(&z->lock);
    if ((slab = kmem_slab_alloc(z)) == NULL)
      return NULL;
    mtx_lock(&z->lock);
    list_insert_head(&z->partial, &slab->link);
    z->nslabs++;
  }
  slab = container_of(list_first(&z->partial), struct kmem_slab, link);
  p = kmem_slab_take(z, slab);
  mtx_unlock(&z->lock);
  memset(p, 0, z->size);
  return p;
}

// Is p on slab's free list? For the double-free check only.
static bool kmem_slab_has_free(struct kmem_slab *slab, void *p)
{
  for (struct kmem_free *f = slab->free; f != NULL; f = f->next)
    if ((void *)f == p)
      return true;
  return false;
}

void kmem_zfree(struct kmem_zone *z, void *p)
{
  struct kmem_slab *slab = kmem_slab_of(z, p), *empty = NULL;

  mtx_lock(&z->lock);
  KASSERT(((struct kmem_free *)p)->magic != KMEM_FREE_MAGIC ||
          !kmem_slab_has_free(slab, p),
          ("kmem_zfree: %p of zone %s freed twice", p, z->name));
  if (slab->free == NULL) {
    list_remove(&slab->link);
    list_insert_tail(&z->partial, &slab->link);
  }
  kmem_obj_junk(z, p, slab->free);
  slab->free = p;
  slab->inuse--;
  z->nobjects--;
  __atomic_fetch_sub(&kmem_objects, 1, __ATOMIC_RELAXED);
  if (slab->inuse == 0) {
    list_remove(&slab->link);
    z->nslabs--;
    empty = slab;
  }
  mtx_unlock(&z->lock);
  if (empty != NULL)
    kmem_slab_free(z, empty);
}

size_t kmem_page_count(void)
{
  return __atomic_load_n(&kmem_pages, __ATOMIC_RELAXED);
}

size_t kmem_object_count(void)
{
  return __atomic_load_n(&kmem_objects, __ATOMIC_RELAXED);
}
