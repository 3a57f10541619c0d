// SPDX-License-Identifier: MIT
// Tests of vm_fault: zero-fill, copy-on-write (copy and move), read faults
// on backing pages, protection and address errors, a file-like pager
// (bounds, read-ahead by behaviour), wiring, and page exhaustion. Every
// test ends with vmtest_check_map on its maps and a strict teardown (no
// page, object, kmem or pmap leaked).
#include <criterion/criterion.h>

#include "host_fakepager.h"
#include "host_kmem.h"
#include "host_lock.h"
#include "host_pmap.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vmspace.h"
#include "vmtest.h"

#define NPAGES 256
#define BASE   0x100000UL
#define VA(i)  (BASE + ptoa(i))

static struct vmspace *vs[4];

static void setup(void)
{
  vmtest_boot(NPAGES);
}

static void teardown(void)
{
  for (size_t i = 0; i < nitems(vs); i++)
    if (vs[i] != NULL) {
      vmtest_check_map(&vs[i]->vm_map);
      vmspace_free(vs[i]);
      vs[i] = NULL;
    }
  vmtest_teardown_strict();
}

TestSuite(vm_fault, .init = setup, .fini = teardown);

// A new address space in slot i.
static struct vm_map *space(int i)
{
  vs[i] = vmspace_alloc(PAGE_SIZE, 0x4000000000UL);
  cr_assert_not_null(vs[i]);
  return &vs[i]->vm_map;
}

// Map npages of obj (NULL: zero-fill memory) at VA(first) with the given
// protection and MAP_* flags; the entry takes the caller's reference.
static void map_object(struct vm_map *map, struct vm_object *obj, int first,
                       int npages, vm_prot_t prot, int cow)
{
  int rv;

  vm_map_lock(map);
  rv = vm_map_insert(map, obj, 0, VA(first), VA(first + npages), prot,
                     VM_PROT_ALL, cow);
  vm_map_unlock(map);
  cr_assert_eq(rv, KERN_SUCCESS);
}

// Map npages of private zero-fill memory at VA(first).
static void map_anon(struct vm_map *map, int first, int npages, vm_prot_t prot)
{
  map_object(map, NULL, first, npages, prot, MAP_COPY_ON_WRITE);
}

static struct vm_page *mapped(struct vm_map *map, vm_offset_t va,
                              vm_prot_t *prot, bool *wired)
{
  struct vm_page *m = NULL;

  if (!host_pmap_lookup(map->pmap, va, &m, prot, wired))
    return NULL;
  return m;
}

// Make a copy-on-write copy of [VA(first), VA(first + n)) in a new space j
// the way fork does, without needing vmspace_fork: a second private entry
// on the same object, both NEEDS_COPY.
static struct vm_map *cow_clone(struct vm_map *src, int j, int first, int n)
{
  vs[j] = vmspace_fork(container_of(src, struct vmspace, vm_map));
  cr_assert_not_null(vs[j]);
  (void)first;
  (void)n;
  return &vs[j]->vm_map;
}

// --- zero fill --------------------------------------------------------------

Test(vm_fault, zero_fill_reads_zero)
{
  struct vm_map *map = space(0);
  uint8_t buf[64];

  map_anon(map, 0, 4, VM_PROT_RW);
  cr_assert_eq(vmtest_read(map, VA(1) + 100, buf, sizeof(buf)), KERN_SUCCESS);
  for (size_t i = 0; i < sizeof(buf); i++)
    cr_assert_eq(buf[i], 0);
  cr_assert_eq(vm_cnt.v_zfod, 1);
  cr_assert_eq(map->stats.zfod, 1);
}

Test(vm_fault, zero_fill_allocates_on_first_touch_only)
{
  struct vm_map *map = space(0);
  size_t free0 = vm_page_free_count();

  map_anon(map, 0, 8, VM_PROT_RW);
  cr_assert_eq(vm_page_free_count(), free0, "mapping must not allocate");
  vmtest_put(map, VA(3), 7);
  cr_assert_eq(vm_page_free_count(), free0 - 1);
  vmtest_put(map, VA(3) + 5, 8);
  cr_assert_eq(vmtest_get(map, VA(3)), 7);
  cr_assert_eq(vm_page_free_count(), free0 - 1);
  cr_assert_eq(vm_cnt.v_zfod, 1);
}

Test(vm_fault, read_then_write_private)
{
  struct vm_map *map = space(0);
  vm_prot_t prot;
  struct vm_page *m;

  map_anon(map, 0, 2, VM_PROT_RW);
  cr_assert_eq(vmtest_get(map, VA(0)), 0);
  m = mapped(map, VA(0), &prot, NULL);
  cr_assert_not_null(m);
  vmtest_put(map, VA(0), 42);
  cr_assert_eq(mapped(map, VA(0), &prot, NULL), m, "same page, no copy");
  cr_assert(prot & VM_PROT_WRITE);
  cr_assert_eq(vmtest_get(map, VA(0)), 42);
  cr_assert_eq(vm_cnt.v_cow_faults + vm_cnt.v_cow_optim, 0);
  cr_assert((m->flags & PG_DIRTY) || pmap_is_modified(m));
  cr_assert(vm_page_active(m), "queue %d", m->queue);
}

Test(vm_fault, fault_counters)
{
  struct vm_map *map = space(0);

  map_anon(map, 0, 2, VM_PROT_RW);
  vmtest_put(map, VA(0), 1);
  vmtest_put(map, VA(1), 1);
  cr_assert_eq(vm_cnt.v_faults, 2);
  cr_assert_eq(map->stats.faults, 2);
}

// --- errors -----------------------------------------------------------------

Test(vm_fault, invalid_address)
{
  struct vm_map *map = space(0);

  map_anon(map, 0, 2, VM_PROT_RW);
  cr_assert_eq(vm_fault(map, VA(5), VM_PROT_READ, 0), KERN_INVALID_ADDRESS);
  cr_assert_eq(vm_fault(map, 0, VM_PROT_READ, 0), KERN_INVALID_ADDRESS);
  cr_assert_eq(vm_page_free_count(), vm_page_total_count());
}

Test(vm_fault, protection_failures)
{
  struct vm_map *map = space(0);

  map_anon(map, 0, 1, VM_PROT_READ);
  map_anon(map, 2, 1, VM_PROT_NONE);
  cr_assert_eq(vm_fault(map, VA(0), VM_PROT_WRITE, 0), KERN_PROTECTION_FAILURE);
  cr_assert_eq(vm_fault(map, VA(0), VM_PROT_EXECUTE, 0),
               KERN_PROTECTION_FAILURE);
  cr_assert_eq(vm_fault(map, VA(2), VM_PROT_READ, 0), KERN_PROTECTION_FAILURE);
  cr_assert_eq(vmtest_get(map, VA(0)), 0);
  cr_assert_eq(vmtest_access(map, VA(0), VM_PROT_WRITE),
               KERN_PROTECTION_FAILURE);
}

Test(vm_fault, write_only_entry_prefaults_nothing)
{
  struct vm_map *map = space(0);

  map_anon(map, 0, 4, VM_PROT_WRITE);
  for (int i = 0; i < 4; i++)
    cr_assert_eq(vm_fault(map, VA(i), VM_PROT_WRITE, 0), KERN_SUCCESS);
  pmap_remove(map->pmap, VA(0), VA(4));
  cr_assert_eq(vm_fault(map, VA(1), VM_PROT_WRITE, 0), KERN_SUCCESS);
  cr_assert_eq(host_pmap_count(map->pmap), 1, "no access-less prefault");
  host_pmap_check(map->pmap);
}

// --- copy on write ------------------------------------------------------------

Test(vm_fault, cow_copy_when_both_sides_share)
{
  struct vm_map *a = space(0), *b;
  struct vm_page *pa, *pb;

  map_anon(a, 0, 1, VM_PROT_RW);
  vmtest_put(a, VA(0), 1);
  b = cow_clone(a, 1, 0, 1);
  // Both see 1; a writes and copies (b still maps the old page through the
  // shared object, so moving it would be wrong).
  cr_assert_eq(vmtest_get(b, VA(0)), 1);
  vmtest_put(a, VA(0), 2);
  cr_assert_eq(vm_cnt.v_cow_faults, 1);
  cr_assert_eq(vm_cnt.v_cow_optim, 0);
  cr_assert_eq(vmtest_get(a, VA(0)), 2);
  cr_assert_eq(vmtest_get(b, VA(0)), 1);
  pa = mapped(a, VA(0), NULL, NULL);
  pb = mapped(b, VA(0), NULL, NULL);
  cr_assert_neq(pa, pb);
  cr_assert_eq(pa->object, vmtest_entry_at(a, VA(0))->object);
  cr_assert_eq(a->stats.cow, 1);
}

Test(vm_fault, cow_moves_page_when_backing_is_private)
{
  struct vm_map *a = space(0), *b;
  struct vm_page *orig, *now;
  struct vm_object *front;

  map_anon(a, 0, 1, VM_PROT_RW);
  vmtest_put(a, VA(0), 1);
  orig = mapped(a, VA(0), NULL, NULL);
  b = cow_clone(a, 1, 0, 1);
  // b writes first: it gets a copy. Then b goes away, so the old object is
  // reachable only through a's shadow: a's write may take the page itself.
  vmtest_put(b, VA(0), 9);
  vmtest_check_map(b);
  vmspace_free(vs[1]);
  vs[1] = NULL;
  vmtest_put(a, VA(0), 3);
  now = mapped(a, VA(0), NULL, NULL);
  front = vmtest_entry_at(a, VA(0))->object;
  cr_assert_eq(now->object, front);
  cr_assert_eq(vmtest_get(a, VA(0)), 3);
  // Either the collapse at b's exit already brought the page to the front
  // (no fault needed a move) or the fault moved it: never a copy.
  cr_assert_eq(vm_cnt.v_cow_faults, 1, "only b's write copied");
  cr_assert_eq(now, orig);
  (void)b;
}

Test(vm_fault, cow_move_counts_when_chain_is_private)
{
  struct vm_map *a = space(0);
  struct vm_map_entry *e;
  struct vm_object *back, *obj;
  struct vm_page *m;

  map_anon(a, 0, 1, VM_PROT_RW);
  vmtest_put(a, VA(0), 6);
  // Put a shadow in front by hand. (Marking the entry NEEDS_COPY would not
  // do: an entry holding the only reference writes its object in place.)
  e = vmtest_entry_at(a, VA(0));
  vm_map_lock(a);
  cr_assert_eq(vm_object_shadow(&e->object, &e->offset, e->end - e->start),
               KERN_SUCCESS);
  pmap_protect(a->pmap, e->start, e->end, VM_PROT_READ);
  vm_map_unlock(a);
  m = mapped(a, VA(0), NULL, NULL);
  back = m->object;
  cr_assert_neq(vmtest_entry_at(a, VA(0))->object, back);
  vmtest_put(a, VA(0), 7);
  obj = vmtest_entry_at(a, VA(0))->object;
  cr_assert_neq(obj, back);
  cr_assert_eq(mapped(a, VA(0), NULL, NULL), m, "the page moved, not copied");
  cr_assert_eq(m->object, obj);
  cr_assert_eq(vm_cnt.v_cow_optim, 1);
  cr_assert_eq(vm_cnt.v_cow_faults, 0);
  cr_assert_eq(vmtest_get(a, VA(0)), 7);
}

// Forks whose children are gone before the parent writes: the parent's
// entry holds the only reference to its object again, so the write needs no
// shadow. (It used to get one per fork: the chain grew by an object per
// fork, and a write to a page deep in it copied the page, leaving the
// original resident but hidden until some later collapse.)
Test(vm_fault, cow_needs_no_shadow_when_the_other_side_is_gone)
{
  struct vm_map *a = space(0);
  struct vm_object *obj;
  struct vm_page *m0, *m1;
  size_t free0, objs0;

  map_anon(a, 0, 2, VM_PROT_RW);
  vmtest_put(a, VA(0), 1);
  vmtest_put(a, VA(1), 2);
  obj = vmtest_entry_at(a, VA(0))->object;
  m0 = mapped(a, VA(0), NULL, NULL);
  m1 = mapped(a, VA(1), NULL, NULL);
  free0 = vm_page_free_count();
  objs0 = vm_object_count();
  for (int i = 0; i < 10; i++) {
    cow_clone(a, 1, 0, 2);
    vmspace_free(vs[1]);
    vs[1] = NULL;
    vmtest_put(a, VA(i % 2), (uint8_t)(10 + i));
    cr_assert_eq(vmtest_entry_at(a, VA(0))->object, obj, "fork %d: a shadow", i);
    cr_assert_eq(vmtest_entry_at(a, VA(0))->eflags & MAP_ENTRY_NEEDS_COPY, 0);
    cr_assert_eq(vm_object_shadow_depth(obj), 1);
  }
  vmtest_put(a, VA(0), 5);
  vmtest_put(a, VA(1), 6);
  cr_assert_eq(mapped(a, VA(0), NULL, NULL), m0, "written in place");
  cr_assert_eq(mapped(a, VA(1), NULL, NULL), m1, "written in place");
  cr_assert_eq(vmtest_get(a, VA(0)), 5);
  cr_assert_eq(vmtest_get(a, VA(1)), 6);
  cr_assert_eq(vm_cnt.v_cow_faults, 0);
  cr_assert_eq(vm_page_free_count(), free0);
  cr_assert_eq(vm_object_count(), objs0);
}

Test(vm_fault, read_fault_on_backing_page_maps_read_only)
{
  struct vm_map *a = space(0), *b;
  vm_prot_t prot;
  struct vm_page *m;

  map_anon(a, 0, 2, VM_PROT_RW);
  vmtest_put(a, VA(1), 4);
  b = cow_clone(a, 1, 0, 2);
  vmtest_put(b, VA(0), 1);           // b gets its own front object
  cr_assert_eq(vmtest_get(b, VA(1)), 4);
  m = mapped(b, VA(1), &prot, NULL);
  cr_assert_eq(prot & VM_PROT_WRITE, 0);
  cr_assert_neq(m->object, vmtest_entry_at(b, VA(1))->object);
  cr_assert_eq(vmtest_get(a, VA(1)), 4);
  mapped(a, VA(1), &prot, NULL);
  cr_assert_eq(prot & VM_PROT_WRITE, 0, "a's copy still pending");
}

// A fault that meets a busy page deep in the chain (a page-out's, say)
// sleeps holding nothing: no map lock, no reference on that object. While
// it sleeps the page is released and the other side of the fork exits, so
// the object collapses into a's shadow and is freed. The sleeper must not
// touch it again (it used to lock it on waking: sysfuzz with swap found a
// freed object's lock taken).
static struct vm_page *busy_page;
static int busy_wakes;

static void busy_released_then_fork_gone(void *chan)
{
  struct vm_object *obj = busy_page->object;

  cr_assert_eq(chan, busy_page);
  mtx_lock(&obj->lock);
  vm_page_xunbusy(busy_page);
  mtx_unlock(&obj->lock);
  vmspace_free(vs[1]);
  vs[1] = NULL;
  busy_wakes++;
}

Test(vm_fault, busy_sleep_outlives_the_collapse_of_its_object)
{
  struct vm_map *a = space(0);
  struct vm_object *back;
  struct vm_page *m;

  map_anon(a, 0, 2, VM_PROT_RW);
  vmtest_put(a, VA(0), 4);
  cow_clone(a, 1, 0, 2);
  vmtest_put(a, VA(1), 1);            // both get a shadow over the old object
  vmtest_put(&vs[1]->vm_map, VA(1), 2);
  m = mapped(a, VA(0), NULL, NULL);
  back = m->object;
  cr_assert_neq(back, vmtest_entry_at(a, VA(0))->object);
  mtx_lock(&back->lock);
  vm_page_xbusy(m);                   // as a page-out holds it
  mtx_unlock(&back->lock);
  busy_page = m;
  busy_wakes = 0;
  host_set_sleep_hook(busy_released_then_fork_gone);
  cr_assert_eq(vm_fault(a, VA(0), VM_PROT_READ, 0), KERN_SUCCESS);
  host_set_sleep_hook(NULL);
  cr_assert_eq(busy_wakes, 1);
  cr_assert_eq(m->object, vmtest_entry_at(a, VA(0))->object,
               "the collapse moved the page to a's shadow");
  cr_assert_eq(vmtest_get(a, VA(0)), 4);
  cr_assert_eq(vmtest_get(a, VA(1)), 1);
}

Test(vm_fault, cow_isolation_many_pages)
{
  struct vm_map *a = space(0), *b;

  map_anon(a, 0, 16, VM_PROT_RW);
  for (int i = 0; i < 16; i++)
    vmtest_put(a, VA(i), (uint8_t)i);
  b = cow_clone(a, 1, 0, 16);
  for (int i = 0; i < 16; i += 2)
    vmtest_put(b, VA(i), (uint8_t)(100 + i));
  for (int i = 1; i < 16; i += 2)
    vmtest_put(a, VA(i), (uint8_t)(200 + i));
  for (int i = 0; i < 16; i++) {
    cr_assert_eq(vmtest_get(a, VA(i)), (i & 1) ? 200 + i : i);
    cr_assert_eq(vmtest_get(b, VA(i)), (i & 1) ? i : 100 + i);
  }
  vmtest_check_map(a);
  vmtest_check_map(b);
}

Test(vm_fault, prefault_maps_resident_neighbours_read_only)
{
  struct vm_map *a = space(0), *b;
  vm_prot_t prot;

  map_anon(a, 0, 8, VM_PROT_RW);
  for (int i = 0; i < 8; i++)
    vmtest_put(a, VA(i), 1);
  pmap_remove(a->pmap, VA(0), VA(8));
  cr_assert_eq(vmtest_get(a, VA(4)), 1);
  cr_assert_not_null(mapped(a, VA(3), &prot, NULL));
  cr_assert_eq(prot & VM_PROT_WRITE, 0);
  cr_assert_gt(vm_cnt.v_prefault, 0);
  vmtest_put(a, VA(3), 2);     // the read-only prefault upgrades on write
  cr_assert_eq(vmtest_get(a, VA(3)), 2);
  b = NULL;
  (void)b;
}

// --- a file-like pager ------------------------------------------------------

// A shared mapping of a fake file of npages pages (page i holding bytes of
// 0x40 + i; object sized size pages) at VA(0), two pages longer than the
// object, with the given behaviour.
static struct vm_map *file_space(int npages, int size, int behav)
{
  struct vm_map *map = space(0);

  map_object(map, host_fakepager_file(npages, 0x40, size), 0, size + 2,
             VM_PROT_READ, MAP_INHERIT_SHARE);
  if (behav != VM_BEHAV_NORMAL)
    cr_assert_eq(vm_map_madvise(map, VA(0), VA(size), behav), KERN_SUCCESS);
  return map;
}

// A private (copy-on-write) mapping of a 4-page fake file at VA(0).
static struct vm_object *map_private_file(struct vm_map *map)
{
  struct vm_object *obj = host_fakepager_file(4, 0x40, 4);

  map_object(map, obj, 0, 4, VM_PROT_RW, MAP_COPY_ON_WRITE);
  return obj;
}

Test(vm_fault, pager_pages_in_with_contents)
{
  struct vm_map *map = file_space(4, 4, VM_BEHAV_RANDOM);

  cr_assert_eq(vmtest_get(map, VA(2)), 0x42);
  cr_assert_eq(host_fakepager.getpages, 1);
  cr_assert_eq(host_fakepager.get_count, 1, "RANDOM reads no more than asked");
  cr_assert_eq(vm_cnt.v_pagein, 1);
  cr_assert_eq(vm_cnt.v_readahead, 0);
}

Test(vm_fault, out_of_bounds_past_object)
{
  struct vm_map *map = file_space(4, 4, VM_BEHAV_NORMAL);

  cr_assert_eq(vm_fault(map, VA(4), VM_PROT_READ, 0), KERN_OUT_OF_BOUNDS);
  cr_assert_eq(vm_fault(map, VA(5), VM_PROT_READ, 0), KERN_OUT_OF_BOUNDS);
  cr_assert_eq(host_fakepager.getpages, 0);
}

Test(vm_fault, pager_bad_and_error)
{
  struct vm_map *map = file_space(8, 8, VM_BEHAV_NORMAL);
  size_t free0 = vm_page_free_count();

  host_fakepager.get_result = VM_PAGER_BAD;
  cr_assert_eq(vm_fault(map, VA(1), VM_PROT_READ, 0), KERN_OUT_OF_BOUNDS);
  host_fakepager.get_result = VM_PAGER_ERROR;
  cr_assert_eq(vm_fault(map, VA(1), VM_PROT_READ, 0), KERN_FAILURE);
  cr_assert_eq(vm_page_free_count(), free0, "failed page-ins keep no page");
  host_fakepager.get_result = VM_PAGER_OK;
}

Test(vm_fault, readahead_normal_window)
{
  struct vm_map *map = file_space(32, 32, VM_BEHAV_NORMAL);

  cr_assert_eq(vmtest_get(map, VA(10)), 0x4a);
  cr_assert_eq(host_fakepager.getpages, 1);
  cr_assert_eq(host_fakepager.get_count, 1 + 7 + 8);
  cr_assert_eq(vm_cnt.v_readahead, 15);
  cr_assert_eq(vm_cnt.v_pagein, 16);
  // The neighbours are resident now: no more pager calls for them.
  for (int i = 3; i <= 18; i++)
    cr_assert_eq(vmtest_get(map, VA(i)), 0x40 + i);
  cr_assert_eq(host_fakepager.getpages, 1);
}

Test(vm_fault, readahead_clamped_by_file_end)
{
  struct vm_map *map = file_space(5, 5, VM_BEHAV_NORMAL);

  cr_assert_eq(vmtest_get(map, VA(0)), 0x40);
  cr_assert_eq(host_fakepager.get_count, 5);
}

// Read-ahead stays inside the map entry: a mapping of pages 8..11 of a
// 32-page file reads those four, never the file's pages around them
// (exec's text segment used to read ahead into the data and symbols).
Test(vm_fault, readahead_clamped_by_the_entry)
{
  struct vm_map *map = space(0);
  struct vm_object *obj = host_fakepager_file(32, 0x40, 32);
  struct vm_map_entry *e;

  vm_map_lock(map);
  cr_assert_eq(vm_map_insert(map, obj, ptoa(8), VA(0), VA(4), VM_PROT_READ,
                             VM_PROT_ALL, MAP_INHERIT_SHARE), KERN_SUCCESS);
  vm_map_unlock(map);
  cr_assert_eq(vmtest_get(map, VA(1)), 0x49);
  cr_assert_eq(host_fakepager.get_count, 4, "read %d pages",
               host_fakepager.get_count);
  e = vmtest_entry_at(map, VA(0));
  cr_assert_eq(e->object->resident_count, 4);
  for (int i = 0; i < 4; i++)
    cr_assert_eq(vmtest_get(map, VA(i)), 0x48 + i);
  cr_assert_eq(host_fakepager.getpages, 1);
}

Test(vm_fault, readahead_stops_at_resident_page)
{
  struct vm_map *map = file_space(32, 32, VM_BEHAV_NORMAL);

  cr_assert_eq(vmtest_get(map, VA(20)), 0x54);   // reads 13..28
  cr_assert_eq(vmtest_get(map, VA(10)), 0x4a);   // 3..12: stops before 13
  cr_assert_eq(host_fakepager.get_count, 10);
}

Test(vm_fault, readahead_sequential_and_free_behind)
{
  struct vm_map *map = file_space(64, 64, VM_BEHAV_SEQUENTIAL);

  cr_assert_eq(vmtest_get(map, VA(0)), 0x40);
  cr_assert_eq(host_fakepager.get_count, 17);
  for (int i = 0; i < 40; i++)
    cr_assert_eq(vmtest_get(map, VA(i)), 0x40 + i);
  cr_assert_eq(host_fakepager.getpages, 3);
  cr_assert_gt(vm_cnt.v_freebehind, 0);
}

Test(vm_fault, private_file_mapping_copies_on_write)
{
  struct vm_map *map = space(0);
  struct vm_object *obj = map_private_file(map);
  struct vm_page *m;

  cr_assert_eq(vmtest_get(map, VA(1)), 0x41);
  vmtest_put(map, VA(1), 9);
  m = mapped(map, VA(1), NULL, NULL);
  cr_assert_neq(m->object, obj, "the write went to a private shadow");
  cr_assert_eq(vmtest_get(map, VA(1)), 9);
  cr_assert_eq(vmtest_get(map, VA(1) + 1), 0x41);
  mtx_lock(&obj->lock);
  m = vm_object_page_lookup(obj, 1);
  cr_assert_eq(*(uint8_t *)pmap_page_kva(m), 0x41, "the file is untouched");
  mtx_unlock(&obj->lock);
}

// --- wiring -------------------------------------------------------------------

Test(vm_fault, wire_and_unwire)
{
  struct vm_map *map = space(0);
  bool wired;
  vm_prot_t prot;
  struct vm_page *m;

  map_anon(map, 0, 4, VM_PROT_RW);
  cr_assert_eq(vm_map_wire(map, VA(0), VA(4), VM_MAP_WIRE_USER), KERN_SUCCESS);
  for (int i = 0; i < 4; i++) {
    m = mapped(map, VA(i), &prot, &wired);
    cr_assert_not_null(m);
    cr_assert(wired);
    cr_assert(prot & VM_PROT_WRITE, "wired writable memory is copied up");
    cr_assert_eq(m->wire_count, 1);
  }
  cr_assert_eq(vmspace_wired_count(vs[0]), 4);
  vmtest_check_map(map);
  cr_assert_eq(vm_map_unwire(map, VA(0), VA(4), VM_MAP_WIRE_USER),
               KERN_SUCCESS);
  m = mapped(map, VA(0), NULL, &wired);
  cr_assert(!wired);
  cr_assert_eq(m->wire_count, 0);
  cr_assert_eq(vmspace_wired_count(vs[0]), 0);
}

Test(vm_fault, wire_fault_directly)
{
  struct vm_map *map = space(0);
  struct vm_map_entry *e;
  struct vm_page *m;

  map_anon(map, 0, 2, VM_PROT_RW);
  cr_assert_eq(vm_fault(map, VA(1), VM_PROT_READ, VM_FAULT_WIRE),
               KERN_SUCCESS);
  m = mapped(map, VA(1), NULL, NULL);
  cr_assert_eq(m->wire_count, 1);
  cr_assert_eq(m->queue, PQ_NONE);
  e = vmtest_entry_at(map, VA(1));
  vm_map_lock(map);
  vm_fault_unwire(map, e, VA(1), VA(2));
  vm_map_unlock(map);
  cr_assert_eq(m->wire_count, 0);
}

Test(vm_fault, wire_protnone_fails_and_undoes)
{
  struct vm_map *map = space(0);

  map_anon(map, 0, 2, VM_PROT_RW);
  map_anon(map, 2, 1, VM_PROT_NONE);
  cr_assert_neq(vm_map_wire(map, VA(0), VA(3), VM_MAP_WIRE_USER),
                KERN_SUCCESS);
  for (int i = 0; i < 2; i++) {
    struct vm_page *m = mapped(map, VA(i), NULL, NULL);
    cr_assert(m == NULL || m->wire_count == 0);
  }
}

// --- page exhaustion ----------------------------------------------------------

Test(vm_fault, zero_fill_shortage_leaves_nothing)
{
  struct vm_map *map = space(0);
  struct vm_object *obj;

  map_anon(map, 0, 2, VM_PROT_RW);
  vmtest_hog_all(0);
  cr_assert_eq(vm_fault(map, VA(0), VM_PROT_WRITE, 0), KERN_RESOURCE_SHORTAGE);
  obj = vmtest_entry_at(map, VA(0))->object;
  cr_assert(obj == NULL || obj->resident_count == 0);
  cr_assert_eq(host_pmap_count(map->pmap), 0);
  vmtest_check_map(map);
  vmtest_hog_release();
  vmtest_put(map, VA(0), 1);
  cr_assert_eq(vmtest_get(map, VA(0)), 1);
}

Test(vm_fault, cow_shortage_leaves_nothing)
{
  struct vm_map *a = space(0), *b;
  struct vm_object *front;

  map_anon(a, 0, 1, VM_PROT_RW);
  vmtest_put(a, VA(0), 5);
  b = cow_clone(a, 1, 0, 1);
  cr_assert_eq(vmtest_get(b, VA(0)), 5);
  vmtest_hog_all(0);
  cr_assert_eq(vm_fault(b, VA(0), VM_PROT_WRITE, 0), KERN_RESOURCE_SHORTAGE);
  front = vmtest_entry_at(b, VA(0))->object;
  cr_assert_eq(front->resident_count, 0);
  cr_assert_eq(vmtest_get(b, VA(0)), 5);
  vmtest_check_map(a);
  vmtest_check_map(b);
  vmtest_hog_release();
  vmtest_put(b, VA(0), 6);
  cr_assert_eq(vmtest_get(a, VA(0)), 5);
  cr_assert_eq(vmtest_get(b, VA(0)), 6);
}

Test(vm_fault, pmap_enter_failure_frees_new_page)
{
  struct vm_map *map = space(0);
  size_t free0;

  map_anon(map, 0, 1, VM_PROT_RW);
  free0 = vm_page_free_count();
  host_pmap_fail_after(0);
  cr_assert_eq(vm_fault(map, VA(0), VM_PROT_WRITE, 0), KERN_RESOURCE_SHORTAGE);
  host_pmap_fail_after(-1);
  cr_assert_eq(vm_page_free_count(), free0);
  vmtest_put(map, VA(0), 3);
  cr_assert_eq(vmtest_get(map, VA(0)), 3);
}

Test(vm_fault, pager_shortage)
{
  struct vm_map *map = file_space(8, 8, VM_BEHAV_NORMAL);

  vmtest_hog_all(0);
  cr_assert_eq(vm_fault(map, VA(0), VM_PROT_READ, 0), KERN_RESOURCE_SHORTAGE);
  cr_assert_eq(host_fakepager.getpages, 0);
  vmtest_hog_release();
  vmtest_hog_all(1);
  cr_assert_eq(vmtest_get(map, VA(3)), 0x43, "a short window still reads the page");
  cr_assert_eq(host_fakepager.get_count, 1);
  vmtest_hog_release();
}

Test(vm_fault, wire_failure_part_way_unwires)
{
  struct vm_map *map = space(0);

  map_anon(map, 0, 4, VM_PROT_RW);
  vmtest_hog_all(2);
  cr_assert_eq(vm_fault_wire(map, VA(0), VA(4)), KERN_RESOURCE_SHORTAGE);
  vmtest_hog_release();
  for (int i = 0; i < 4; i++) {
    bool wired = false;
    struct vm_page *m = mapped(map, VA(i), NULL, &wired);
    cr_assert(m == NULL || (m->wire_count == 0 && !wired), "page %d", i);
  }
  cr_assert_eq(vmspace_wired_count(vs[0]), 0);
}

Test(vm_fault, wiring_read_only_private_memory_copies_to_front)
{
  struct vm_map *a = space(0), *b;
  struct vm_page *orig, *w;

  map_anon(a, 0, 1, VM_PROT_RW);
  vmtest_put(a, VA(0), 1);
  orig = mapped(a, VA(0), NULL, NULL);
  b = cow_clone(a, 1, 0, 1);
  cr_assert_eq(vm_map_protect(a, VA(0), VA(1), VM_PROT_READ, false),
               KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(a, VA(0), VA(1), VM_MAP_WIRE_USER), KERN_SUCCESS);
  w = mapped(a, VA(0), NULL, NULL);
  cr_assert_neq(w, orig, "the wired page is a private copy");
  cr_assert_eq(w->object, vmtest_entry_at(a, VA(0))->object);
  cr_assert_eq(w->wire_count, 1);
  cr_assert_eq(orig->wire_count, 0);
  cr_assert_eq(vmtest_get(b, VA(0)), 1);
  cr_assert_eq(vm_map_protect(a, VA(0), VA(1), VM_PROT_RW, false),
               KERN_SUCCESS);
  vmtest_put(a, VA(0), 2);
  cr_assert_eq(mapped(a, VA(0), NULL, NULL), w, "no fault moved the wiring");
  cr_assert_eq(vmtest_get(b, VA(0)), 1);
  vmtest_check_map(a);
  cr_assert_eq(vm_map_unwire(a, VA(0), VA(1), VM_MAP_WIRE_USER), KERN_SUCCESS);
  cr_assert_eq(w->wire_count, 0);
}

Test(vm_fault, eager_copy_of_shared_private_file_mapping)
{
  struct vm_map *p = space(0), *c, *g;

  map_private_file(p);
  vmtest_put(p, VA(1), 9);
  cr_assert_eq(vm_map_inherit(p, VA(0), VA(4), VM_INHERIT_SHARE),
               KERN_SUCCESS);
  c = cow_clone(p, 1, 0, 4);
  cr_assert_eq(vm_map_inherit(c, VA(0), VA(4), VM_INHERIT_COPY),
               KERN_SUCCESS);
  g = cow_clone(c, 2, 0, 4);
  vmtest_put(p, VA(1), 10);
  vmtest_put(c, VA(2), 11);
  cr_assert_eq(vmtest_get(g, VA(0)), 0x40, "file pages read through");
  cr_assert_eq(vmtest_get(g, VA(1)), 9, "the copy kept the write before fork");
  cr_assert_eq(vmtest_get(g, VA(2)), 0x42);
  cr_assert_eq(vmtest_get(c, VA(1)), 10);
  cr_assert_eq(vmtest_get(p, VA(2)), 11);
  vmtest_put(g, VA(3), 12);
  cr_assert_eq(vmtest_get(p, VA(3)), 0x43);
  cr_assert_eq(vm_object_shadow_depth(vmtest_entry_at(g, VA(0))->object), 2);
}
