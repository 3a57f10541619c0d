// SPDX-License-Identifier: MIT
// Zones: allocators of fixed-size kernel objects (map entries, objects,
// processes, files). The kernel's zones carve slabs out of pages from
// vm_page (kernel/kmem.c); the host's are malloc with fault injection
// (tests-host/host_kmem.c).
#ifndef LIB_KMEM_H
#define LIB_KMEM_H

#include "lib/types.h"

struct kmem_zone;

// The second word of every free object of the kernel's zones (kmem.c).
// A struct mtx that starts an object has its owner there, which is never
// this value while the object is alive, so the lock code can tell a lock
// taken in freed memory (kernel/lock.c).
#define KMEM_FREE_MAGIC 0xf4eef4eef4eef4eeUL

// Create a zone of objects of the given size. Called at start-up only;
// panics if it cannot.
struct kmem_zone *kmem_zone_create(const char *name, size_t size);

// A zeroed object, or NULL when memory is exhausted. Never sleeps.
void *kmem_zalloc(struct kmem_zone *z);

// Return an object to its zone.
void kmem_zfree(struct kmem_zone *z, void *p);

// Pages the zones' slabs hold right now, over all zones (vmstat's kmem:
// leak checks compare free + kmem, since slab use moves with fragmentation).
size_t kmem_page_count(void);

// Objects handed out right now, over all zones (vmstat's kmem_objects). A
// leaked object can hide in a slab that stays in use anyway, so the page
// count alone does not show it; this count does.
size_t kmem_object_count(void);

#endif
