// SPDX-License-Identifier: MIT
// Host seam for kernel/lib/kmem.h: zones over calloc.
//
// Each zone counts its live objects so tests can check that nothing leaks
// (host_kmem_live), and a global countdown injects allocation failures
// (host_kmem_fail_after) so error paths run. kmem_zfree checks that the
// object really came from that zone: every object is preceded by a header
// naming its zone and a magic value. Memory goes straight back to malloc,
// so AddressSanitizer reports any use after free or double free.
#include <stdlib.h>
#include <string.h>

#include "host_kmem.h"
#include "lib/kmem.h"
#include "lib/kassert.h"

#define HOST_KMEM_MAGIC  0x6b6d656dUL   // "kmem"
#define HOST_KMEM_ZONES  64

struct kmem_zone {
  const char *name;     // (c)
  size_t size;          // (c) object size
  size_t live;          // objects allocated, not freed
};

// Sits in front of every object; 16 bytes keep the object 16-aligned.
struct host_kmem_hdr {
  struct kmem_zone *zone;
  unsigned long magic;
};

static struct kmem_zone host_zones[HOST_KMEM_ZONES];
static int host_nzones;
static long host_fail_countdown = -1;

struct kmem_zone *kmem_zone_create(const char *name, size_t size)
{
  struct kmem_zone *z;

  KASSERT(size > 0, ("kmem_zone_create: %s has size 0", name));
  for (int i = 0; i < host_nzones; i++) {
    // Start-up code runs again in every test process: reuse the zone.
    z = &host_zones[i];
    if (strcmp(z->name, name) == 0 && z->size == size)
      return z;
  }
  KASSERT(host_nzones < HOST_KMEM_ZONES,
          ("kmem_zone_create: too many zones (%s)", name));
  z = &host_zones[host_nzones++];
  z->name = name;
  z->size = size;
  z->live = 0;
  return z;
}

void *kmem_zalloc(struct kmem_zone *z)
{
  struct host_kmem_hdr *h;

  if (host_fail_countdown == 0)
    return NULL;
  if (host_fail_countdown > 0)
    host_fail_countdown--;
  h = calloc(1, sizeof(*h) + z->size);
  KASSERT(h != NULL, ("kmem_zalloc: host out of memory"));
  h->zone = z;
  h->magic = HOST_KMEM_MAGIC;
  z->live++;
  return h + 1;
}

void kmem_zfree(struct kmem_zone *z, void *p)
{
  struct host_kmem_hdr *h;

  KASSERT(p != NULL, ("kmem_zfree: NULL into %s", z->name));
  h = (struct host_kmem_hdr *)p - 1;
  KASSERT(h->magic == HOST_KMEM_MAGIC,
          ("kmem_zfree: %p is not a zone object", p));
  KASSERT(h->zone == z, ("kmem_zfree: %p belongs to %s, not %s", p,
                         h->zone->name, z->name));
  KASSERT(z->live > 0, ("kmem_zfree: %s count underflow", z->name));
  z->live--;
  h->magic = 0;
  free(h);
}

void host_kmem_fail_after(long n)
{
  host_fail_countdown = n < 0 ? -1 : n;
}

size_t host_kmem_live(void)
{
  size_t n = 0;

  for (int i = 0; i < host_nzones; i++)
    n += host_zones[i].live;
  return n;
}

size_t host_kmem_zone_live(const char *name)
{
  for (int i = 0; i < host_nzones; i++)
    if (strcmp(host_zones[i].name, name) == 0)
      return host_zones[i].live;
  return 0;
}

void host_kmem_reset(void)
{
  for (int i = 0; i < host_nzones; i++)
    host_zones[i].live = 0;
  host_fail_countdown = -1;
}
