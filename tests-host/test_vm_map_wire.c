// SPDX-License-Identifier: MIT
// Host tests of the map operations that reach pages and the fault path
// (kernel/vm/vm_map_ops.c, kernel/vm/vm_map_wire.c): madvise, the fault
// path's lookup, stacks, and wiring (vm_map_wire / vm_map_unwire and the
// in-transition protocol).
// msync is in test_vm_map_sync.c; the fixture is maptest.h's.
//
// Wiring goes through the real vm_fault, so these tests also check the
// contract between the map and the fault path: a wired entry's pages are
// private, mapped and wired in the pmap; a failure part way leaves nothing
// wired by the failed call. Failures are injected with host_pmap_fail_after
// (pmap_enter runs short) and by exhausting physical pages.
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "host_kmem.h"
#include "host_panic.h"
#include "host_pmap.h"
#include "lib/lock.h"
#include "maptest.h"
#include "vm/pmap.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vmtest.h"

#define NPAGES  256
#define USER    (VM_MAP_WIRE_USER | VM_MAP_WIRE_NOHOLES)
#define SYSTEM  (VM_MAP_WIRE_SYSTEM | VM_MAP_WIRE_NOHOLES)

static void setup(void)
{
  maptest_setup(NPAGES);
}

TestSuite(vm_map_wire, .init = setup, .fini = maptest_teardown);

// ---------------------------------------------------------------------------
// Helpers.

static bool page_wired(vm_offset_t va)
{
  bool wired = false;

  return host_pmap_lookup(map.pmap, va, NULL, NULL, &wired) && wired;
}

// Every page of [P(first), P(first + n)) mapped and wired (or none wired).
static void assert_wired(int first, int n, bool wired)
{
  for (int i = first; i < first + n; i++)
    cr_assert_eq(page_wired(P(i)), wired, "page %d: wired %d expected %d", i,
                 page_wired(P(i)), wired);
}

static void assert_no_transition(void)
{
  vm_map_lock_read(&map);
  for (struct vm_map_entry *e = vm_map_entry_first(&map); e != NULL;
       e = vm_map_entry_next(e))
    cr_assert_eq(e->eflags & (MAP_ENTRY_IN_TRANSITION | MAP_ENTRY_NEEDS_WAKEUP),
                 0);
  vm_map_unlock_read(&map);
}

// ---------------------------------------------------------------------------
// Advice.

Test(vm_map_wire, madvise_sets_behaviour_by_range)
{
  cr_assert_eq(anon(10, 8), KERN_SUCCESS);
  cr_assert_eq(vm_map_madvise(&map, P(12), P(14), VM_BEHAV_SEQUENTIAL),
               KERN_SUCCESS);
  cr_assert_eq(map.nentries, 3);
  cr_assert_eq(entry_at(P(12)).behavior, VM_BEHAV_SEQUENTIAL);
  cr_assert_eq(entry_at(P(11)).behavior, VM_BEHAV_NORMAL);
  cr_assert_eq(vm_map_madvise(&map, P(10), P(18), VM_BEHAV_RANDOM),
               KERN_SUCCESS);
  cr_assert_eq(map.nentries, 1);
  cr_assert_eq(entry_at(P(17)).behavior, VM_BEHAV_RANDOM);
  check();
}

Test(vm_map_wire, madvise_rejects_bad_advice_and_holes)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(vm_map_madvise(&map, P(10), P(12), 42), KERN_INVALID_ARGUMENT);
  cr_assert_eq(vm_map_madvise(&map, P(12), P(16), VM_BEHAV_RANDOM),
               KERN_INVALID_ADDRESS);
  cr_assert_eq(vm_map_madvise(&map, P(12), P(16), VM_BEHAV_DONTNEED),
               KERN_INVALID_ADDRESS);
  cr_assert_eq(map.nentries, 1);
  cr_assert_eq(entry_at(P(12)).behavior, VM_BEHAV_NORMAL);
  check();
}

Test(vm_map_wire, madvise_willneed_maps_resident_pages)
{
  vm_prot_t prot;

  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  touch(P(10), VM_PROT_WRITE);
  touch(P(12), VM_PROT_WRITE);
  pmap_remove(map.pmap, P(10), P(14));
  cr_assert_eq(vm_map_madvise(&map, P(10), P(14), VM_BEHAV_WILLNEED),
               KERN_SUCCESS);
  cr_assert(mapped_in_pmap(P(10), &prot));
  cr_assert_eq(prot, VM_PROT_RW, "private pages of the front object");
  cr_assert(mapped_in_pmap(P(12), NULL));
  cr_assert_not(mapped_in_pmap(P(11), NULL), "not resident: left alone");
  cr_assert_eq(map.stats.prefault, 2);
  check();
}

Test(vm_map_wire, madvise_willneed_on_shared_copy_maps_readonly)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);
  struct vm_page *m;
  vm_prot_t prot;

  mtx_lock(&obj->lock);
  m = vm_page_alloc(obj, 1, VM_ALLOC_ZERO);
  vm_page_xunbusy(m);
  mtx_unlock(&obj->lock);
  vm_object_reference(obj);
  cr_assert_eq(insert(obj, 0, 10, 4, VM_PROT_RW, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  cr_assert_eq(vm_map_madvise(&map, P(10), P(14), VM_BEHAV_WILLNEED),
               KERN_SUCCESS);
  cr_assert(mapped_in_pmap(P(11), &prot));
  cr_assert_eq(prot & VM_PROT_WRITE, 0, "NEEDS_COPY: read-only");
  check();
  cr_assert_eq(vm_map_remove(&map, P(10), P(14)), KERN_SUCCESS);
  vm_object_deallocate(obj);
}

Test(vm_map_wire, madvise_dontneed_unmaps_and_keeps_contents)
{
  char buf[16] = "keep me", out[16];

  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(vmtest_write(&map, P(11), buf, sizeof(buf)), KERN_SUCCESS);
  cr_assert_eq(vm_map_madvise(&map, P(10), P(14), VM_BEHAV_DONTNEED),
               KERN_SUCCESS);
  cr_assert_not(mapped_in_pmap(P(11), NULL));
  cr_assert_eq(vmtest_read(&map, P(11), out, sizeof(out)), KERN_SUCCESS);
  cr_assert_str_eq(out, "keep me");
  check();
}

Test(vm_map_wire, madvise_free_discards_private_anonymous)
{
  char buf[16] = "scratch", out[16];
  size_t free_before;

  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(vmtest_write(&map, P(11), buf, sizeof(buf)), KERN_SUCCESS);
  free_before = vm_page_free_count();
  cr_assert_eq(vm_map_madvise(&map, P(10), P(14), VM_BEHAV_FREE),
               KERN_SUCCESS);
  cr_assert_not(mapped_in_pmap(P(11), NULL));
  cr_assert_geq(vm_page_free_count(), free_before);
  cr_assert_eq(vmtest_read(&map, P(11), out, sizeof(out)), KERN_SUCCESS);
  cr_assert(strcmp(out, "scratch") == 0 || out[0] == 0,
            "either the last write or zeros");
  check();
}

Test(vm_map_wire, madvise_free_leaves_shared_memory_alone)
{
  char buf[16] = "shared", out[16];

  cr_assert_eq(insert(NULL, 0, 10, 4, VM_PROT_RW, MAP_INHERIT_SHARE),
               KERN_SUCCESS);
  cr_assert_eq(vmtest_write(&map, P(11), buf, sizeof(buf)), KERN_SUCCESS);
  cr_assert_eq(vm_map_madvise(&map, P(10), P(14), VM_BEHAV_FREE),
               KERN_SUCCESS);
  cr_assert(mapped_in_pmap(P(11), NULL));
  cr_assert_eq(vmtest_read(&map, P(11), out, sizeof(out)), KERN_SUCCESS);
  cr_assert_str_eq(out, "shared");
  check();
}

// ---------------------------------------------------------------------------
// The fault path's lookup.

static int lookup(vm_offset_t va, vm_prot_t type, struct vm_map_entry **e,
                  struct vm_object **obj, vm_pindex_t *pindex, vm_prot_t *prot)
{
  bool wired;

  return vm_map_lookup(&map, va, type, e, obj, pindex, prot, &wired);
}

Test(vm_map_wire, lookup_gives_an_object_and_stays_read_locked)
{
  struct vm_map_entry *e;
  struct vm_object *obj;
  vm_pindex_t pindex;
  vm_prot_t prot;

  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(lookup(P(12), VM_PROT_READ, &e, &obj, &pindex, &prot),
               KERN_SUCCESS);
  cr_assert_not_null(obj);
  cr_assert_eq(obj, e->object);
  cr_assert_eq(obj->size, 4);
  cr_assert_eq(pindex, 2);
  cr_assert_eq(prot, VM_PROT_RW);
  cr_assert_eq(map.lock.readers, 1);
  cr_assert_not(sx_xlocked(&map.lock));
  vm_map_lookup_done(&map, e);
  cr_assert_eq(map.lock.readers, 0);
  check();
}

Test(vm_map_wire, lookup_shadows_needs_copy_on_write_only)
{
  struct vm_object *file = vm_object_allocate(OBJT_DEFAULT, 8);
  struct vm_map_entry *e;
  struct vm_object *obj;
  vm_pindex_t pindex;
  vm_prot_t prot;

  vm_object_reference(file);
  cr_assert_eq(insert(file, 2 * PAGE_SIZE, 10, 4, VM_PROT_RW,
                      MAP_COPY_ON_WRITE), KERN_SUCCESS);
  cr_assert_eq(lookup(P(11), VM_PROT_READ, &e, &obj, &pindex, &prot),
               KERN_SUCCESS);
  cr_assert_eq(obj, file, "a read leaves the object shared");
  cr_assert_eq(pindex, 3);
  cr_assert_eq(prot, VM_PROT_READ, "write removed while NEEDS_COPY");
  vm_map_lookup_done(&map, e);
  cr_assert_eq(lookup(P(11), VM_PROT_WRITE, &e, &obj, &pindex, &prot),
               KERN_SUCCESS);
  cr_assert_neq(obj, file);
  cr_assert_eq(obj->backing_object, file);
  cr_assert_eq(obj->backing_offset, 2 * PAGE_SIZE);
  cr_assert_eq(pindex, 1);
  cr_assert_eq(prot, VM_PROT_RW);
  cr_assert_eq(e->eflags & MAP_ENTRY_NEEDS_COPY, 0);
  vm_map_lookup_done(&map, e);
  check();
  vm_object_deallocate(file);
}

Test(vm_map_wire, lookup_reports_holes_guards_and_protection)
{
  struct vm_map_entry *e;
  struct vm_object *obj;
  vm_pindex_t pindex;
  vm_prot_t prot;

  cr_assert_eq(insert(NULL, 0, 10, 2, VM_PROT_READ, 0), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 12, 2, VM_PROT_NONE, MAP_CREATE_GUARD),
               KERN_SUCCESS);
  cr_assert_eq(lookup(P(5), VM_PROT_READ, &e, &obj, &pindex, &prot),
               KERN_INVALID_ADDRESS);
  cr_assert_eq(lookup(P(12), VM_PROT_READ, &e, &obj, &pindex, &prot),
               KERN_INVALID_ADDRESS);
  cr_assert_eq(lookup(P(10), VM_PROT_WRITE, &e, &obj, &pindex, &prot),
               KERN_PROTECTION_FAILURE);
  cr_assert_eq(lookup(P(10), VM_PROT_EXECUTE, &e, &obj, &pindex, &prot),
               KERN_PROTECTION_FAILURE);
  cr_assert_eq(map.lock.readers, 0, "failures return unlocked");
  cr_assert_not(sx_xlocked(&map.lock));
  check();
}

Test(vm_map_wire, lookup_out_of_kernel_memory_fails_unlocked)
{
  struct vm_map_entry *e;
  struct vm_object *obj;
  vm_pindex_t pindex;
  vm_prot_t prot;

  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  host_kmem_fail_after(0);
  cr_assert_eq(lookup(P(10), VM_PROT_WRITE, &e, &obj, &pindex, &prot),
               KERN_RESOURCE_SHORTAGE);
  host_kmem_fail_after(-1);
  cr_assert_eq(map.lock.readers, 0);
  cr_assert_not(sx_xlocked(&map.lock));
  cr_assert_null(entry_at(P(10)).object);
  check();
}

// ---------------------------------------------------------------------------
// Stacks.

#define STACK_BOS   P(1000)
#define STACK_MAX   (16 * PAGE_SIZE)
#define STACK_TOP   (STACK_BOS + STACK_MAX)

static void make_stack(void)
{
  cr_assert_eq(vm_map_stack(&map, STACK_BOS, STACK_MAX, 2 * PAGE_SIZE,
                            VM_PROT_RW, VM_PROT_ALL, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
}

Test(vm_map_wire, stack_reserves_a_guard_below)
{
  make_stack();
  cr_assert_eq(map.nentries, 2);
  struct vm_map_entry g = entry_at(STACK_BOS), s = entry_at(STACK_TOP - 1);
  cr_assert(g.eflags & MAP_ENTRY_GUARD);
  cr_assert_eq(g.end, STACK_TOP - 2 * PAGE_SIZE);
  cr_assert(s.eflags & MAP_ENTRY_GROWS_DOWN);
  cr_assert_eq(s.start, STACK_TOP - 2 * PAGE_SIZE);
  cr_assert_eq(map.size, 2 * PAGE_SIZE);
  vm_offset_t addr = STACK_BOS;
  cr_assert_eq(find(&addr, 1), KERN_SUCCESS);
  cr_assert(addr >= STACK_TOP, "nothing is placed in the reservation");
  check();
}

Test(vm_map_wire, stack_rejects_bad_sizes_and_overlap)
{
  cr_assert_eq(vm_map_stack(&map, STACK_BOS, STACK_MAX, STACK_MAX, VM_PROT_RW,
                            VM_PROT_ALL, 0), KERN_INVALID_ARGUMENT);
  cr_assert_eq(anon(1005, 1), KERN_SUCCESS);
  cr_assert_eq(vm_map_stack(&map, STACK_BOS, STACK_MAX, PAGE_SIZE, VM_PROT_RW,
                            VM_PROT_ALL, 0), KERN_NO_SPACE);
  cr_assert_eq(map.nentries, 1);
  check();
}

Test(vm_map_wire, growstack_grows_down_to_the_fault)
{
  make_stack();
  cr_assert_eq(vmtest_access(&map, STACK_TOP - 5 * PAGE_SIZE, VM_PROT_WRITE),
               KERN_INVALID_ADDRESS);
  cr_assert_eq(vm_map_growstack(&map, STACK_TOP - 5 * PAGE_SIZE + 8, 0),
               KERN_SUCCESS);
  cr_assert_eq(map.nentries, 2, "an untouched stack just grows");
  cr_assert_eq(entry_at(STACK_TOP - 1).start, STACK_TOP - 5 * PAGE_SIZE);
  cr_assert_eq(entry_at(STACK_BOS).end, STACK_TOP - 5 * PAGE_SIZE);
  cr_assert_eq(map.size, 5 * PAGE_SIZE);
  touch(STACK_TOP - 5 * PAGE_SIZE, VM_PROT_WRITE);
  check();
}

Test(vm_map_wire, growstack_below_a_touched_stack_adds_an_entry)
{
  make_stack();
  touch(STACK_TOP - PAGE_SIZE, VM_PROT_WRITE);
  cr_assert_eq(vm_map_growstack(&map, STACK_TOP - 4 * PAGE_SIZE, 0),
               KERN_SUCCESS);
  cr_assert_eq(map.nentries, 3);
  struct vm_map_entry low = entry_at(STACK_TOP - 4 * PAGE_SIZE);
  cr_assert_eq(low.end, STACK_TOP - 2 * PAGE_SIZE);
  cr_assert(low.eflags & MAP_ENTRY_GROWS_DOWN);
  touch(STACK_TOP - 4 * PAGE_SIZE, VM_PROT_WRITE);
  cr_assert_eq(vm_map_growstack(&map, STACK_TOP - 6 * PAGE_SIZE, 0),
               KERN_SUCCESS);
  cr_assert_eq(map.nentries, 4);
  check();
}

Test(vm_map_wire, growstack_never_takes_the_guard_page)
{
  make_stack();
  cr_assert_eq(vm_map_growstack(&map, STACK_BOS + 100, 0), KERN_INVALID_ADDRESS);
  cr_assert_eq(vm_map_growstack(&map, STACK_BOS + PAGE_SIZE, 0), KERN_SUCCESS);
  cr_assert_eq(entry_at(STACK_BOS).end, STACK_BOS + PAGE_SIZE);
  cr_assert_eq(vm_map_growstack(&map, STACK_BOS, 0), KERN_INVALID_ADDRESS);
  cr_assert_eq(vm_map_growstack(&map, STACK_BOS - PAGE_SIZE, 0),
               KERN_INVALID_ADDRESS, "below the reservation");
  cr_assert_eq(vm_map_growstack(&map, STACK_TOP - 1, 0), KERN_SUCCESS,
               "already mapped");
  cr_assert_eq(map.nentries, 2);
  check();
}

Test(vm_map_wire, growstack_outside_a_stack_fails)
{
  cr_assert_eq(insert(NULL, 0, 10, 4, VM_PROT_NONE, MAP_CREATE_GUARD),
               KERN_SUCCESS);
  cr_assert_eq(vm_map_growstack(&map, P(12), 0), KERN_INVALID_ADDRESS,
               "a guard with no stack above it");
  cr_assert_eq(vm_map_growstack(&map, P(50), 0), KERN_INVALID_ADDRESS);
  check();
}

// ---------------------------------------------------------------------------
// Wiring.

Test(vm_map_wire, wire_faults_in_and_wires_every_page)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(14), USER), KERN_SUCCESS);
  assert_wired(10, 4, true);
  struct vm_map_entry e = entry_at(P(10));
  cr_assert_eq(e.wired_count, 1);
  cr_assert(e.eflags & MAP_ENTRY_USER_WIRED);
  cr_assert_eq(vm_cnt.v_user_wire_count, 4);
  cr_assert_eq(pmap_wired_count(map.pmap), 4);
  vmtest_check_map(&map);
  cr_assert_eq(vm_map_unwire(&map, P(10), P(14), USER), KERN_SUCCESS);
  assert_wired(10, 4, false);
  cr_assert(host_pmap_lookup(map.pmap, P(10), NULL, NULL, NULL),
            "unwired pages stay mapped");
  cr_assert_eq(entry_at(P(10)).wired_count, 0);
  cr_assert_eq(vm_cnt.v_user_wire_count, 0);
  assert_no_transition();
}

Test(vm_map_wire, user_wiring_does_not_nest)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(14), USER), KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(14), USER), KERN_SUCCESS);
  cr_assert_eq(entry_at(P(10)).wired_count, 1);
  cr_assert_eq(vm_cnt.v_user_wire_count, 4);
  cr_assert_eq(vm_map_unwire(&map, P(10), P(14), USER), KERN_SUCCESS);
  assert_wired(10, 4, false);
  cr_assert_eq(entry_at(P(10)).wired_count, 0);
}

Test(vm_map_wire, system_wiring_nests_and_combines_with_user)
{
  cr_assert_eq(anon(10, 2), KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(12), SYSTEM), KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(12), SYSTEM), KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(12), USER), KERN_SUCCESS);
  cr_assert_eq(entry_at(P(10)).wired_count, 3);
  cr_assert_eq(pmap_wired_count(map.pmap), 2, "pages are wired once");
  cr_assert_eq(vm_map_unwire(&map, P(10), P(12), USER), KERN_SUCCESS);
  cr_assert_eq(vm_map_unwire(&map, P(10), P(12), SYSTEM), KERN_SUCCESS);
  assert_wired(10, 2, true);
  cr_assert_eq(vm_map_unwire(&map, P(10), P(12), SYSTEM), KERN_SUCCESS);
  assert_wired(10, 2, false);
  vmtest_check_map(&map);
}

Test(vm_map_wire, wire_part_clips_and_unwire_merges_back)
{
  cr_assert_eq(anon(10, 10), KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(12), P(14), USER), KERN_SUCCESS);
  cr_assert_eq(map.nentries, 3);
  assert_wired(12, 2, true);
  cr_assert_not(page_wired(P(11)));
  cr_assert_not(page_wired(P(14)));
  vmtest_check_map(&map);
  cr_assert_eq(vm_map_unwire(&map, P(10), P(20), USER), KERN_SUCCESS);
  // The middle got an object when it was faulted in, its neighbours have
  // none yet, so they stay apart (clipping does not allocate objects).
  cr_assert_eq(map.nentries, 3);
  cr_assert_eq(vm_map_wire(&map, P(12), P(14), USER), KERN_SUCCESS);
  cr_assert_eq(vm_map_unwire(&map, P(12), P(14), USER), KERN_SUCCESS);
  cr_assert_eq(map.nentries, 3, "no further splitting");
}

Test(vm_map_wire, unwire_merges_entries_sharing_an_object)
{
  cr_assert_eq(anon(10, 10), KERN_SUCCESS);
  cr_assert_eq(vmtest_access(&map, P(10), VM_PROT_WRITE), KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(12), P(14), USER), KERN_SUCCESS);
  cr_assert_eq(map.nentries, 3);
  cr_assert_eq(vm_map_unwire(&map, P(10), P(20), USER), KERN_SUCCESS);
  cr_assert_eq(map.nentries, 1);
}

Test(vm_map_wire, wire_over_prot_none_fails_and_wires_nothing)
{
  cr_assert_eq(anon(10, 2), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 12, 2, VM_PROT_NONE, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(14), USER), KERN_INVALID_ADDRESS);
  cr_assert_eq(map.nentries, 2);
  cr_assert_eq(entry_at(P(10)).wired_count, 0);
  cr_assert_eq(host_pmap_count(map.pmap), 0, "nothing was even faulted");
  assert_no_transition();
}

Test(vm_map_wire, wire_hole_fails_unless_holes_are_ok)
{
  cr_assert_eq(anon(10, 2), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 12, 2, VM_PROT_NONE, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 14, 1, VM_PROT_NONE, MAP_CREATE_GUARD),
               KERN_SUCCESS);
  cr_assert_eq(anon(20, 2), KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(22), USER), KERN_INVALID_ADDRESS);
  cr_assert_eq(host_pmap_count(map.pmap), 0);
  cr_assert_eq(vm_map_wire(&map, P(0), P(30),
                           VM_MAP_WIRE_USER | VM_MAP_WIRE_HOLESOK),
               KERN_SUCCESS);
  assert_wired(10, 2, true);
  assert_wired(20, 2, true);
  cr_assert_eq(entry_at(P(12)).wired_count, 0, "PROT_NONE skipped");
  cr_assert_eq(entry_at(P(14)).wired_count, 0, "guard skipped");
  cr_assert_eq(vm_map_unwire(&map, P(0), P(30),
                             VM_MAP_WIRE_USER | VM_MAP_WIRE_HOLESOK),
               KERN_SUCCESS);
  assert_wired(10, 2, false);
  vmtest_check_map(&map);
}

Test(vm_map_wire, failure_part_way_leaves_nothing_wired)
{
  cr_assert_eq(anon(10, 3), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 13, 3, VM_PROT_READ, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  cr_assert_eq(anon(16, 3), KERN_SUCCESS);
  host_pmap_fail_after(4);             // the second entry's second page
  int rv = vm_map_wire(&map, P(10), P(19), USER);
  host_pmap_fail_after(-1);
  cr_assert_eq(rv, KERN_RESOURCE_SHORTAGE);
  cr_assert_eq(pmap_wired_count(map.pmap), 0);
  for (int i = 10; i < 19; i++)
    cr_assert_eq(entry_at(P(i)).wired_count, 0);
  cr_assert_eq(vm_cnt.v_user_wire_count, 0);
  cr_assert_eq(map.nentries, 3);
  assert_no_transition();
  vmtest_check_map(&map);
  cr_assert_eq(vm_map_wire(&map, P(10), P(19), USER), KERN_SUCCESS,
               "and it works once memory is back");
}

Test(vm_map_wire, failure_keeps_earlier_wiring_of_others)
{
  cr_assert_eq(anon(10, 2), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 12, 2, VM_PROT_READ, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(12), SYSTEM), KERN_SUCCESS);
  host_pmap_fail_after(1);
  cr_assert_eq(vm_map_wire(&map, P(10), P(14), USER), KERN_RESOURCE_SHORTAGE);
  host_pmap_fail_after(-1);
  assert_wired(10, 2, true);
  cr_assert_eq(entry_at(P(10)).wired_count, 1, "the system wiring remains");
  cr_assert_eq(entry_at(P(10)).eflags & MAP_ENTRY_USER_WIRED, 0);
  cr_assert_eq(entry_at(P(12)).wired_count, 0);
  cr_assert_eq(vm_map_unwire(&map, P(10), P(12), SYSTEM), KERN_SUCCESS);
  vmtest_check_map(&map);
}

Test(vm_map_wire, running_out_of_pages_leaves_nothing_wired)
{
  cr_assert_eq(anon(10, NPAGES + 10), KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(20 + NPAGES), USER),
               KERN_RESOURCE_SHORTAGE);
  cr_assert_eq(pmap_wired_count(map.pmap), 0);
  cr_assert_eq(entry_at(P(10)).wired_count, 0);
  assert_no_transition();
  vmtest_check_map(&map);
}

Test(vm_map_wire, wiring_a_shared_copy_makes_it_private)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);
  struct vm_page *m;
  char c;

  mtx_lock(&obj->lock);
  m = vm_page_alloc(obj, 0, VM_ALLOC_ZERO);
  memset(pmap_page_kva(m), 'A', PAGE_SIZE);
  vm_page_xunbusy(m);
  mtx_unlock(&obj->lock);
  vm_object_reference(obj);                  // someone else holds it too
  cr_assert_eq(insert(obj, 0, 10, 4, VM_PROT_RW, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(14), USER), KERN_SUCCESS);
  struct vm_map_entry e = entry_at(P(10));
  cr_assert_eq(e.eflags & MAP_ENTRY_NEEDS_COPY, 0);
  cr_assert_neq(e.object, obj, "a shadow took its place");
  struct vm_page *wired;
  cr_assert(host_pmap_lookup(map.pmap, P(10), &wired, NULL, NULL));
  cr_assert_eq(wired->object, e.object, "the wired page is our own copy");
  cr_assert_eq(vmtest_read(&map, P(10), &c, 1), KERN_SUCCESS);
  cr_assert_eq(c, 'A');
  vmtest_check_map(&map);
  cr_assert_eq(vm_map_remove(&map, P(10), P(14)), KERN_SUCCESS);
  vm_object_deallocate(obj);
}

Test(vm_map_wire, unwiring_unwired_user_memory_is_a_noop)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(vm_map_unwire(&map, P(11), P(12), USER), KERN_SUCCESS);
  cr_assert_eq(map.nentries, 1, "not even clipped");
  cr_assert_eq(vm_map_unwire(&map, P(11), P(16), USER), KERN_INVALID_ADDRESS);
}

Test(vm_map_wire, system_unwire_of_unwired_memory_panics, .signal = SIGABRT)
{
  expect_panic("vm_map_unwire: * is not wired");
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  vm_map_unwire(&map, P(10), P(14), SYSTEM);
}

Test(vm_map_wire, delete_unwires_first)
{
  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(14), USER), KERN_SUCCESS);
  cr_assert_eq(vm_map_remove(&map, P(11), P(13)), KERN_SUCCESS);
  cr_assert_eq(vm_cnt.v_user_wire_count, 2);
  assert_wired(10, 1, true);
  assert_wired(13, 1, true);
  cr_assert_eq(vm_page_free_count(), free_at_boot - 2);
  cr_assert_eq(vm_map_fixed(&map, NULL, 0, P(10), 4 * PAGE_SIZE, VM_PROT_RW,
                            VM_PROT_ALL, MAP_COPY_ON_WRITE), KERN_SUCCESS);
  cr_assert_eq(vm_cnt.v_user_wire_count, 0);
  cr_assert_eq(pmap_wired_count(map.pmap), 0);
  cr_assert_eq(vm_page_free_count(), free_at_boot);
}

Test(vm_map_wire, kmem_failure_changes_nothing)
{
  cr_assert_eq(anon(10, 10), KERN_SUCCESS);
  host_kmem_fail_after(0);
  cr_assert_eq(vm_map_wire(&map, P(12), P(14), USER), KERN_RESOURCE_SHORTAGE);
  host_kmem_fail_after(-1);
  cr_assert_eq(map.nentries, 1);
  cr_assert_eq(host_pmap_count(map.pmap), 0);
  cr_assert_eq(vm_map_wire(&map, P(12), P(14), USER), KERN_SUCCESS);
  host_kmem_fail_after(0);
  cr_assert_eq(vm_map_unwire(&map, P(12), P(13), USER), KERN_RESOURCE_SHORTAGE);
  host_kmem_fail_after(-1);
  assert_wired(12, 2, true);
}

Test(vm_map_wire, wired_pages_survive_advice_and_protection)
{
  vm_prot_t prot;

  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(14), USER), KERN_SUCCESS);
  cr_assert_eq(vm_map_madvise(&map, P(10), P(14), VM_BEHAV_DONTNEED),
               KERN_SUCCESS);
  cr_assert_eq(vm_map_madvise(&map, P(10), P(14), VM_BEHAV_FREE),
               KERN_SUCCESS);
  assert_wired(10, 4, true);
  cr_assert_eq(vm_map_protect(&map, P(11), P(12), VM_PROT_READ, false),
               KERN_SUCCESS);
  assert_wired(10, 4, true);
  cr_assert(host_pmap_lookup(map.pmap, P(11), NULL, &prot, NULL));
  cr_assert_eq(prot & VM_PROT_WRITE, 0);
  cr_assert_eq(entry_at(P(11)).wired_count, 1, "clipped halves stay wired");
  vmtest_check_map(&map);
}

// PROT_NONE cannot be a RISC-V leaf, so it unmaps wired pages; they stay
// wired, come back mapped (and wired) with the rights, and unwire even
// while unmapped (vm_fault_unwire goes through the object).
Test(vm_map_wire, wired_pages_survive_prot_none)
{
  size_t wired = vm_cnt.v_wire_count;

  cr_assert_eq(anon(10, 4), KERN_SUCCESS);
  cr_assert_eq(vm_map_wire(&map, P(10), P(14), USER), KERN_SUCCESS);
  cr_assert_eq(vm_map_protect(&map, P(10), P(14), VM_PROT_NONE, false),
               KERN_SUCCESS);
  cr_assert_not(host_pmap_lookup(map.pmap, P(11), NULL, NULL, NULL));
  cr_assert_eq(vm_cnt.v_wire_count, wired + 4, "pages unwired by mprotect");
  cr_assert_eq(vm_map_protect(&map, P(10), P(12), VM_PROT_RW, false),
               KERN_SUCCESS);
  assert_wired(10, 2, true);
  vmtest_check_map(&map);
  cr_assert_eq(vm_map_unwire(&map, P(10), P(14), USER), KERN_SUCCESS);
  cr_assert_eq(vm_cnt.v_wire_count, wired, "a wiring was lost");
  assert_wired(10, 2, false);
  vmtest_check_map(&map);
}

Test(vm_map_wire, stack_growth_is_wired_under_mcl_future)
{
  vm_offset_t bos = P(100), top = P(116);

  cr_assert_eq(vm_map_stack(&map, bos, 16 * PAGE_SIZE, PAGE_SIZE, VM_PROT_RW,
                            VM_PROT_ALL, MAP_COPY_ON_WRITE), KERN_SUCCESS);
  map.flags |= MAP_WIREFUTURE;
  cr_assert_eq(vm_map_growstack(&map, top - 3 * PAGE_SIZE, 2 * PAGE_SIZE),
               KERN_SUCCESS);
  assert_wired(113, 2, true);
  cr_assert_eq(vm_cnt.v_user_wire_count, 2);
  vmtest_check_map(&map);
}

// Growth that would wire more than wire_max is refused before anything
// moves (it used to grow and wire without any limit).
Test(vm_map_wire, stack_growth_past_wire_max_refused)
{
  vm_offset_t bos = P(100), top = P(116);
  struct vm_map_entry *e;

  cr_assert_eq(vm_map_stack(&map, bos, 16 * PAGE_SIZE, PAGE_SIZE, VM_PROT_RW,
                            VM_PROT_ALL, MAP_COPY_ON_WRITE), KERN_SUCCESS);
  map.flags |= MAP_WIREFUTURE;
  cr_assert_eq(vm_map_growstack(&map, top - 3 * PAGE_SIZE, PAGE_SIZE),
               KERN_RESOURCE_SHORTAGE);
  vm_map_lock_read(&map);
  cr_assert(vm_map_lookup_entry(&map, top - 3 * PAGE_SIZE, &e) &&
            (e->eflags & MAP_ENTRY_GUARD), "the stack grew");
  vm_map_unlock_read(&map);
  cr_assert_eq(vm_cnt.v_user_wire_count, 0);
  map.flags &= ~MAP_WIREFUTURE;
  cr_assert_eq(vm_map_growstack(&map, top - 3 * PAGE_SIZE, 0), KERN_SUCCESS,
               "wire_max binds only under MCL_FUTURE");
  vmtest_check_map(&map);
}

// Under MCL_FUTURE, mprotect wires what it makes accessible out of
// PROT_NONE, and only that: an accessible entry mapped before mlockall
// stays unwired.
Test(vm_map_wire, protect_wires_prot_none_under_mcl_future)
{
  cr_assert_eq(anon(10, 2), KERN_SUCCESS);
  cr_assert_eq(vm_map_protect(&map, P(10), P(12), VM_PROT_NONE, false),
               KERN_SUCCESS);
  cr_assert_eq(anon(12, 2), KERN_SUCCESS);
  map.flags |= MAP_WIREFUTURE;
  cr_assert_eq(vm_map_wire_size(&map, P(10), P(14), true), 2 * PAGE_SIZE);
  cr_assert_eq(vm_map_wire_size(&map, P(10), P(14), false), 2 * PAGE_SIZE);
  cr_assert_eq(vm_map_protect(&map, P(10), P(14), VM_PROT_READ, false),
               KERN_SUCCESS);
  assert_wired(10, 2, true);
  assert_wired(12, 2, false);
  cr_assert_eq(vm_cnt.v_user_wire_count, 2);
  cr_assert_eq(vm_map_wire_size(&map, P(10), P(14), false), 2 * PAGE_SIZE,
               "only the unwired part counts");
  cr_assert_eq(vm_map_unwire(&map, P(10), P(14), USER), KERN_SUCCESS);
  map.flags &= ~MAP_WIREFUTURE;
  vmtest_check_map(&map);
}
