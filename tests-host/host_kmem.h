// SPDX-License-Identifier: MIT
// Test controls of the host zone allocator (host_kmem.c), which implements
// kernel/lib/kmem.h over calloc.
#ifndef HOST_KMEM_H
#define HOST_KMEM_H

#include <stddef.h>

// After n more successful kmem_zalloc calls, every call returns NULL until
// this is called again; -1 (the default) never fails. n = 0 fails the next.
void host_kmem_fail_after(long n);

// Objects allocated and not yet freed, over all zones (a leak check).
size_t host_kmem_live(void);

// The same for one zone, found by the name it was created with (0 if there
// is no such zone).
size_t host_kmem_zone_live(const char *name);

// Forget every zone's counts and the failure setting (vmtest_boot calls
// this). Zones themselves stay: kernel code creates them once at start-up.
void host_kmem_reset(void);

#endif
