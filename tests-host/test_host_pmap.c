// SPDX-License-Identifier: MIT
// Tests of the host pmap model itself (host_pmap.c): the other tests trust
// it to say what is mapped, so every operation of pmap.h is checked here
// against hand-computed expectations, along with the pv lists, the
// access bits, fault injection, scale, and the promise violations it must
// catch.
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "arch/riscv/vmparam.h"   // MAXUVA: the user space the tests model
#include "host_panic.h"
#include "host_pmap.h"
#include "vm/mman.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vmtest.h"

#define NPAGES 1024
#define VA(i)  (0x100000UL + ptoa(i))

static struct pmap *pmap;
static struct vm_page *pg[8];

static void setup(void)
{
  vmtest_boot(NPAGES);
  pmap = pmap_create();
  for (size_t i = 0; i < nitems(pg); i++)
    pg[i] = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY);
}

static void teardown(void)
{
  host_pmap_check(pmap);
  pmap_remove(pmap, 0, MAXUVA);
  pmap_destroy(pmap);
  for (size_t i = 0; i < nitems(pg); i++)
    vm_page_free(pg[i]);
  vmtest_teardown_strict();
}

TestSuite(host_pmap, .init = setup, .fini = teardown);

Test(host_pmap, enter_records_the_mapping)
{
  struct vm_page *m;
  vm_prot_t prot;
  bool wired;

  cr_assert_eq(pmap_enter(pmap, VA(1), pg[0], VM_PROT_RW, PMAP_ENTER_WIRED),
               KERN_SUCCESS);
  cr_assert(host_pmap_lookup(pmap, VA(1) + 17, &m, &prot, &wired));
  cr_assert_eq(m, pg[0]);
  cr_assert_eq(prot, VM_PROT_RW);
  cr_assert(wired);
  cr_assert_eq(host_pmap_count(pmap), 1);
  cr_assert_eq(pmap_resident_count(pmap), 1);
  cr_assert_eq(pmap_wired_count(pmap), 1);
  cr_assert(pmap_page_is_mapped(pg[0]));
  cr_assert_eq(pg[0]->md.pv_count, 1);
  cr_assert_not(host_pmap_lookup(pmap, VA(0), NULL, NULL, NULL));
  cr_assert_not(host_pmap_lookup(pmap, VA(2), NULL, NULL, NULL));
}

Test(host_pmap, enter_replaces_another_page)
{
  pmap_enter(pmap, VA(1), pg[0], VM_PROT_READ, VM_PROT_READ);
  pmap_enter(pmap, VA(1), pg[1], VM_PROT_READ, 0);
  cr_assert_eq(pmap_extract_page(pmap, VA(1), NULL), pg[1]);
  cr_assert_not(pmap_page_is_mapped(pg[0]));
  cr_assert_eq(host_pmap_count(pmap), 1);
  cr_assert(pmap_is_referenced(pg[0]), "the lost mapping's bit survives");
  cr_assert_eq(pg[0]->flags & PG_REFERENCED, 0, "m->flags are not the pmap's");
}

Test(host_pmap, enter_same_page_updates_prot_and_wiring)
{
  pmap_enter(pmap, VA(1), pg[0], VM_PROT_READ, PMAP_ENTER_WIRED);
  pmap_enter(pmap, VA(1), pg[0], VM_PROT_RW, 0);
  vm_prot_t prot;
  bool wired;
  cr_assert(host_pmap_lookup(pmap, VA(1), NULL, &prot, &wired));
  cr_assert_eq(prot, VM_PROT_RW);
  cr_assert_not(wired);
  cr_assert_eq(pmap_wired_count(pmap), 0);
  cr_assert_eq(pg[0]->md.pv_count, 1);
}

Test(host_pmap, access_bits_follow_the_fault_type)
{
  pmap_enter(pmap, VA(1), pg[0], VM_PROT_RW, 0);
  pmap_enter(pmap, VA(2), pg[1], VM_PROT_RW, VM_PROT_READ);
  pmap_enter(pmap, VA(3), pg[2], VM_PROT_RW, VM_PROT_WRITE);
  cr_assert_not(pmap_is_referenced(pg[0]));
  cr_assert(pmap_is_referenced(pg[1]));
  cr_assert_not(pmap_is_modified(pg[1]));
  cr_assert(pmap_is_modified(pg[2]));
  cr_assert_eq(pmap_mincore(pmap, VA(1)), 0);
  cr_assert_eq(pmap_mincore(pmap, VA(2)), MINCORE_REFERENCED);
  cr_assert_eq(pmap_mincore(pmap, VA(3)),
               MINCORE_REFERENCED | MINCORE_MODIFIED);
  cr_assert_eq(pmap_mincore(pmap, VA(4)), 0);
  pmap_clear_modify(pg[2]);
  cr_assert_not(pmap_is_modified(pg[2]));
  cr_assert_eq(pmap_ts_referenced(pg[2]), 1);
  cr_assert_eq(pmap_ts_referenced(pg[2]), 0, "ts_referenced clears");
}

Test(host_pmap, access_like_the_mmu)
{
  pmap_enter(pmap, VA(1), pg[0], VM_PROT_READ, 0);
  cr_assert_not(host_pmap_access(pmap, VA(1), VM_PROT_WRITE));
  cr_assert_not(host_pmap_referenced(pmap, VA(1)), "a failed access sets nothing");
  cr_assert(host_pmap_access(pmap, VA(1), VM_PROT_READ));
  cr_assert(host_pmap_referenced(pmap, VA(1)));
  cr_assert_not(host_pmap_access(pmap, VA(5), VM_PROT_READ));
  pmap_enter(pmap, VA(1), pg[0], VM_PROT_RW, 0);
  cr_assert(host_pmap_access(pmap, VA(1) + 100, VM_PROT_WRITE));
  cr_assert(host_pmap_modified(pmap, VA(1)));
}

Test(host_pmap, remove_takes_exactly_the_range)
{
  for (int i = 0; i < 8; i++)
    pmap_enter(pmap, VA(i), pg[i], VM_PROT_READ, 0);
  pmap_remove(pmap, VA(3), VA(6));
  cr_assert_eq(host_pmap_count(pmap), 5);
  for (int i = 0; i < 8; i++)
    cr_assert_eq(host_pmap_lookup(pmap, VA(i), NULL, NULL, NULL),
                 i < 3 || i >= 6, "page %d", i);
  cr_assert_not(pmap_page_is_mapped(pg[4]));
  pmap_remove(pmap, VA(100), VA(200));     // an empty range is fine
  cr_assert_eq(host_pmap_count(pmap), 5);
  host_pmap_check(pmap);
}

Test(host_pmap, removed_mappings_leave_their_bits_with_the_page)
{
  pmap_enter(pmap, VA(1), pg[0], VM_PROT_RW, VM_PROT_WRITE);
  pmap_remove(pmap, VA(1), VA(2));
  cr_assert_not(pmap_page_is_mapped(pg[0]));
  cr_assert(pmap_is_modified(pg[0]));
  cr_assert(pmap_is_referenced(pg[0]));
  cr_assert_eq(pg[0]->flags & (PG_DIRTY | PG_REFERENCED), 0);
  pmap_clear_modify(pg[0]);
  cr_assert_not(pmap_is_modified(pg[0]));
  cr_assert_eq(pmap_ts_referenced(pg[0]), 1);
  cr_assert_not(pmap_is_referenced(pg[0]));
}

Test(host_pmap, wired_mappings_always_count_as_referenced)
{
  pmap_enter(pmap, VA(1), pg[0], VM_PROT_READ, PMAP_ENTER_WIRED);
  cr_assert_eq(pmap_ts_referenced(pg[0]), 1);
  cr_assert_eq(pmap_ts_referenced(pg[0]), 1);
}

Test(host_pmap, protect_only_lowers)
{
  pmap_enter(pmap, VA(1), pg[0], VM_PROT_ALL, 0);
  pmap_enter(pmap, VA(2), pg[1], VM_PROT_READ, 0);
  pmap_protect(pmap, VA(0), VA(3), VM_PROT_READ | VM_PROT_EXECUTE);
  vm_prot_t prot;
  pmap_extract_page(pmap, VA(1), &prot);
  cr_assert_eq(prot, VM_PROT_READ | VM_PROT_EXECUTE);
  pmap_protect(pmap, VA(0), VA(3), VM_PROT_ALL);
  pmap_extract_page(pmap, VA(2), &prot);
  cr_assert_eq(prot, VM_PROT_READ, "protect never adds rights");
  pmap_protect(pmap, VA(2), VA(3), VM_PROT_NONE);
  cr_assert_null(pmap_extract_page(pmap, VA(2), NULL));
  cr_assert_not_null(pmap_extract_page(pmap, VA(1), NULL));
}

Test(host_pmap, page_protect_reaches_every_pmap)
{
  struct pmap *other = pmap_create();

  pmap_enter(pmap, VA(1), pg[0], VM_PROT_RW | VM_PROT_EXECUTE, 0);
  pmap_enter(pmap, VA(7), pg[0], VM_PROT_RW, 0);
  pmap_enter(other, VA(1), pg[0], VM_PROT_RW, 0);
  cr_assert_eq(pg[0]->md.pv_count, 3);
  pmap_page_protect(pg[0], VM_PROT_READ);
  vm_prot_t prot;
  pmap_extract_page(pmap, VA(1), &prot);
  cr_assert_eq(prot, VM_PROT_READ | VM_PROT_EXECUTE, "only write goes");
  pmap_extract_page(other, VA(1), &prot);
  cr_assert_eq(prot, VM_PROT_READ);
  host_pmap_check(other);
  pmap_page_protect(pg[0], VM_PROT_NONE);
  cr_assert_not(pmap_page_is_mapped(pg[0]));
  cr_assert_eq(host_pmap_count(pmap), 0);
  cr_assert_eq(host_pmap_count(other), 0);
  pmap_destroy(other);
}

Test(host_pmap, unwire_clears_only_the_range)
{
  pmap_enter(pmap, VA(1), pg[0], VM_PROT_READ, PMAP_ENTER_WIRED);
  pmap_enter(pmap, VA(2), pg[1], VM_PROT_READ, PMAP_ENTER_WIRED);
  pmap_unwire(pmap, VA(1), VA(2));
  cr_assert_eq(pmap_wired_count(pmap), 1);
  bool wired;
  host_pmap_lookup(pmap, VA(2), NULL, NULL, &wired);
  cr_assert(wired);
}

Test(host_pmap, zero_and_copy_go_through_the_page_memory)
{
  memset(pmap_page_kva(pg[0]), 0x11, PAGE_SIZE);
  pmap_copy_page(pg[0], pg[1]);
  cr_assert_eq(memcmp(pmap_page_kva(pg[0]), pmap_page_kva(pg[1]), PAGE_SIZE),
               0);
  pmap_zero_page(pg[0]);
  cr_assert_eq(((char *)pmap_page_kva(pg[0]))[PAGE_SIZE - 1], 0);
  cr_assert_eq(((char *)pmap_page_kva(pg[1]))[PAGE_SIZE - 1], 0x11);
}

Test(host_pmap, kernel_pmap_exists)
{
  cr_assert_not_null(kernel_pmap);
  pmap_enter(kernel_pmap, VA(1), pg[0], VM_PROT_RW, PMAP_ENTER_WIRED);
  cr_assert_eq(pmap_extract_page(kernel_pmap, VA(1), NULL), pg[0]);
  host_pmap_check(kernel_pmap);
  pmap_remove(kernel_pmap, VA(1), VA(2));
  cr_assert_eq(host_pmap_count(kernel_pmap), 0);
}

Test(host_pmap, fault_injection_fails_enter_without_change)
{
  host_pmap_fail_after(2);
  cr_assert_eq(pmap_enter(pmap, VA(1), pg[0], VM_PROT_READ, 0), KERN_SUCCESS);
  cr_assert_eq(pmap_enter(pmap, VA(2), pg[1], VM_PROT_READ, 0), KERN_SUCCESS);
  cr_assert_eq(pmap_enter(pmap, VA(3), pg[2], VM_PROT_READ, 0),
               KERN_RESOURCE_SHORTAGE);
  cr_assert_eq(pmap_enter(pmap, VA(1), pg[3], VM_PROT_READ, 0),
               KERN_RESOURCE_SHORTAGE);
  cr_assert_eq(pmap_extract_page(pmap, VA(1), NULL), pg[0]);
  cr_assert_eq(host_pmap_count(pmap), 2);
  host_pmap_fail_after(-1);
  cr_assert_eq(pmap_enter(pmap, VA(3), pg[2], VM_PROT_READ, 0), KERN_SUCCESS);
}

static vm_offset_t visited[8];
static int nvisited;

static void record_visit(struct pmap *p, vm_offset_t va, struct vm_page *m,
                         vm_prot_t prot, bool wired, void *arg)
{
  (void)m; (void)prot; (void)wired;
  cr_assert_eq(p, arg);
  visited[nvisited++] = va;
}

Test(host_pmap, foreach_visits_in_address_order)
{
  for (int i = 7; i >= 0; i--)
    pmap_enter(pmap, VA(i * 3), pg[i], VM_PROT_READ, 0);
  host_pmap_foreach(pmap, record_visit, pmap);
  cr_assert_eq(nvisited, 8);
  for (int i = 0; i < 8; i++)
    cr_assert_eq(visited[i], VA(i * 3));
}

Test(host_pmap, hundred_thousand_mappings)
{
  enum { N = 100000 };

  for (size_t i = 0; i < N; i++)
    cr_assert_eq(pmap_enter(pmap, VA(i), pg[i % 8], VM_PROT_READ, 0),
                 KERN_SUCCESS);
  cr_assert_eq(host_pmap_count(pmap), N);
  cr_assert_eq(pg[3]->md.pv_count, N / 8);
  for (size_t i = 0; i < N; i += 997)
    cr_assert_eq(pmap_extract_page(pmap, VA(i), NULL), pg[i % 8]);
  pmap_remove(pmap, VA(N / 2), VA(N));
  cr_assert_eq(host_pmap_count(pmap), N / 2);
  pmap_page_protect(pg[0], VM_PROT_NONE);
  cr_assert_eq(host_pmap_count(pmap), N / 2 - N / 16);
}

Test(host_pmap, read_only_mapping_of_shadowed_page_is_fine)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  mtx_lock(&obj->lock);
  struct vm_page *m = vm_page_alloc(obj, 0, VM_ALLOC_NOBUSY);
  obj->shadow_count = 1;        // pretend: a fork shadowed it
  cr_assert_eq(pmap_enter(pmap, VA(1), m, VM_PROT_READ, VM_PROT_READ),
               KERN_SUCCESS);
  pmap_page_protect(m, VM_PROT_NONE);
  obj->shadow_count = 0;
  vm_page_free(m);
  mtx_unlock(&obj->lock);
  vm_object_deallocate(obj);
}

Test(host_pmap, writable_mapping_of_shadowed_page_panics, .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);

  expect_panic("pmap_enter: writable mapping * shadows");
  mtx_lock(&obj->lock);
  struct vm_page *m = vm_page_alloc(obj, 0, VM_ALLOC_NOBUSY);
  obj->shadow_count = 1;
  pmap_enter(pmap, VA(1), m, VM_PROT_RW, VM_PROT_READ);
}

Test(host_pmap, mapping_a_free_page_panics, .signal = SIGABRT)
{
  expect_panic("pmap_enter: page * is free");
  pmap_enter(pmap, VA(1), &vmtest_pages()[NPAGES - 1], VM_PROT_READ, 0);
}

Test(host_pmap, unaligned_va_panics, .signal = SIGABRT)
{
  expect_panic("pmap_enter: va * not page aligned");
  pmap_enter(pmap, VA(1) + 8, pg[0], VM_PROT_READ, 0);
}

Test(host_pmap, access_beyond_prot_panics, .signal = SIGABRT)
{
  expect_panic("pmap_enter: access * not allowed by prot");
  pmap_enter(pmap, VA(1), pg[0], VM_PROT_READ, VM_PROT_WRITE);
}

Test(host_pmap, destroying_a_pmap_with_mappings_panics, .signal = SIGABRT)
{
  struct pmap *other = pmap_create();

  expect_panic("pmap_destroy: * mappings left");
  pmap_enter(other, VA(1), pg[0], VM_PROT_READ, 0);
  pmap_destroy(other);
}

Test(host_pmap, check_catches_a_bad_pv_count, .signal = SIGABRT)
{
  expect_panic("host_pmap_check_page: page * pv entries, count says");
  pmap_enter(pmap, VA(1), pg[0], VM_PROT_READ, 0);
  pg[0]->md.pv_count++;
  host_pmap_check(pmap);
}

// ---------------------------------------------------------------------------
// The other seams the model relies on: checking locks and counting zones.

#include "host_kmem.h"
#include "lib/kmem.h"
#include "lib/lock.h"

TestSuite(host_seams, .init = setup, .fini = teardown);

Test(host_seams, mutex_ownership)
{
  struct mtx m;

  mtx_init(&m, "test");
  cr_assert_not(mtx_owned(&m));
  mtx_lock(&m);
  cr_assert(mtx_owned(&m));
  mtx_unlock(&m);
  cr_assert_not(mtx_owned(&m));
}

Test(host_seams, mutex_recursion_panics, .signal = SIGABRT)
{
  struct mtx m;

  expect_panic("mtx_lock: recursion on test");
  mtx_init(&m, "test");
  mtx_lock(&m);
  mtx_lock(&m);
}

Test(host_seams, unlocking_a_free_mutex_panics, .signal = SIGABRT)
{
  struct mtx m;

  expect_panic("mtx_unlock: test not held");
  mtx_init(&m, "test");
  mtx_unlock(&m);
}

Test(host_seams, sx_shared_exclusive_rules)
{
  struct sx sx;

  sx_init(&sx, "test");
  sx_slock(&sx);
  sx_slock(&sx);
  cr_assert(sx_locked(&sx));
  cr_assert_not(sx_try_upgrade(&sx), "two readers cannot upgrade");
  sx_sunlock(&sx);
  cr_assert(sx_try_upgrade(&sx));
  cr_assert(sx_xlocked(&sx));
  sx_downgrade(&sx);
  cr_assert_not(sx_xlocked(&sx));
  cr_assert(sx_locked(&sx));
  sx_sunlock(&sx);
  cr_assert_not(sx_locked(&sx));
}

Test(host_seams, sx_xlock_while_shared_panics, .signal = SIGABRT)
{
  struct sx sx;

  expect_panic("sx_xlock: test held shared");
  sx_init(&sx, "test");
  sx_slock(&sx);
  sx_xlock(&sx);
}

Test(host_seams, sx_slock_while_exclusive_panics, .signal = SIGABRT)
{
  struct sx sx;

  expect_panic("sx_slock: test held exclusive");
  sx_init(&sx, "test");
  sx_xlock(&sx);
  sx_slock(&sx);
}

Test(host_seams, sleep_panics, .signal = SIGABRT)
{
  struct mtx m;

  expect_panic("sleep: would block forever on the host");
  mtx_init(&m, "test");
  mtx_lock(&m);
  sleep(&m, &m);
}

Test(host_seams, kmem_counts_and_fails_on_request)
{
  struct kmem_zone *z = kmem_zone_create("seam test", 24);
  size_t base = host_kmem_live();

  host_kmem_fail_after(2);
  void *a = kmem_zalloc(z), *b = kmem_zalloc(z);
  cr_assert_not_null(a);
  cr_assert_not_null(b);
  cr_assert_null(kmem_zalloc(z));
  cr_assert_eq(host_kmem_live(), base + 2);
  cr_assert_eq(host_kmem_zone_live("seam test"), 2);
  cr_assert_eq(((char *)a)[23], 0, "objects come zeroed");
  host_kmem_fail_after(-1);
  void *c = kmem_zalloc(z);
  cr_assert_not_null(c);
  kmem_zfree(z, a);
  kmem_zfree(z, b);
  kmem_zfree(z, c);
  cr_assert_eq(host_kmem_live(), base);
}

Test(host_seams, kmem_free_into_wrong_zone_panics, .signal = SIGABRT)
{
  struct kmem_zone *z1 = kmem_zone_create("seam one", 24);
  struct kmem_zone *z2 = kmem_zone_create("seam two", 24);

  expect_panic("kmem_zfree: * belongs to seam one, not seam two");
  kmem_zfree(z2, kmem_zalloc(z1));
}
