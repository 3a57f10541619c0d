// SPDX-License-Identifier: MIT
// Host tests of page reclaim (kernel/vm/vm_pageout.c): which pages the
// scan frees (clean, idle, valid file pages), which it never touches
// (dirty, wired, busy, anonymous, of a dying object or one locked
// elsewhere), the order it takes them in (DONTNEED'd first, then the rest
// of the inactive queue, then the active queue from its oldest page), and
// the fault path that calls it when no page is free.
//
// Files are objects of the fake pager (host_fakepager.h): page i reads as
// bytes of value FILL + i, so a page reclaimed and read again shows
// whether it came back from the "disk" intact. Memory is used up with
// vmtest_hog_all(), whose pages belong to no object and sit on no queue,
// so the only pages the scan can find are the ones a test made. The fixture is
// maptest.h's; after every step check_all() runs the map, page, object and
// host pmap checkers.
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "host_fakepager.h"
#include "host_lock.h"
#include "host_panic.h"
#include "host_pmap.h"
#include "maptest.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"
#include "vm/vm_pager.h"
#include "vmtest.h"

#define NPAGES  256
#define FILE_PAGES 64
#define FILL    0x40
#define USER    (VM_MAP_WIRE_USER | VM_MAP_WIRE_NOHOLES)

static struct vm_object *files[2];      // the tests' file objects

// ---------------------------------------------------------------------------
// Helpers.

static void setup(void)
{
  maptest_setup(NPAGES);
  host_fakepager_install(FILE_PAGES, FILL);
  files[0] = files[1] = NULL;
}

static void teardown(void)
{
  vmtest_hog_release();
  maptest_teardown();
}

TestSuite(vm_pageout, .init = setup, .fini = teardown);

// Every checker: the map against the pmap (vmtest_check_map), the page
// array and queues, and the file objects.
static void check_all(void)
{
  check();
  vm_page_check();
  for (size_t i = 0; i < nitems(files); i++)
    if (files[i] != NULL)
      vmtest_check_object_tree(files[i]);
}

// A file of npages pages in slot i, mapped shared at P(first) with prot.
// The map entry holds the object's only reference.
static struct vm_object *map_file(int i, int first, int npages, vm_prot_t prot)
{
  files[i] = host_fakepager_object((vm_pindex_t)npages);
  cr_assert_eq(insert(files[i], 0, first, npages, prot, MAP_INHERIT_SHARE),
               KERN_SUCCESS);
  return files[i];
}

// Read the file mapped at P(first) page by page; each must hold its data.
static void read_all(int first, int npages)
{
  for (int i = 0; i < npages; i++)
    cr_assert_eq(peek(P(first + i)), FILL + i, "file page %d", i);
}

// Page i of obj, or NULL when it is not resident.
static struct vm_page *page_of(struct vm_object *obj, vm_pindex_t i)
{
  struct vm_page *m;

  mtx_lock(&obj->lock);
  m = vm_object_page_lookup(obj, i);
  mtx_unlock(&obj->lock);
  return m;
}

static bool resident(struct vm_object *obj, vm_pindex_t i)
{
  return page_of(obj, i) != NULL;
}

// Move pages [first, end) of obj to the inactive queue's tail, as read-ahead
// and free-behind leave the pages nobody has used.
static void age(struct vm_object *obj, vm_pindex_t first, vm_pindex_t end)
{
  mtx_lock(&obj->lock);
  for (vm_pindex_t i = first; i < end; i++)
    vm_page_deactivate(vm_object_page_lookup(obj, i));
  mtx_unlock(&obj->lock);
}

// ---------------------------------------------------------------------------
// The fault path.

Test(vm_pageout, anon_fault_takes_clean_file_pages_when_memory_is_full)
{
  struct vm_object *f = map_file(0, 0, 16, VM_PROT_READ);

  read_all(0, 16);
  cr_assert_eq(anon(100, 4), KERN_SUCCESS);
  vmtest_hog_all(0);
  check_all();
  touch(P(100), VM_PROT_WRITE);     // no page is free: reclaim, then retry
  cr_assert_eq(vm_cnt.v_reclaimed, 16, "target %zu, the whole file is clean",
               vm_pageout_target());
  cr_assert_eq(f->resident_count, 0);
  for (int i = 0; i < 16; i++)
    cr_assert(!mapped_in_pmap(P(i), NULL), "reclaimed page %d still mapped", i);
  check_all();
  for (int i = 1; i < 4; i++)
    touch(P(100 + i), VM_PROT_WRITE);  // the freed pages serve later faults
  cr_assert_eq(vm_cnt.v_reclaimed, 16, "one scan was enough");
  check_all();
}

Test(vm_pageout, reclaimed_file_pages_read_back_from_the_file)
{
  struct vm_object *f = map_file(0, 0, 16, VM_PROT_READ);
  int getpages;

  read_all(0, 16);
  getpages = host_fakepager.getpages;
  cr_assert_eq(anon(100, 1), KERN_SUCCESS);
  vmtest_hog_all(0);
  touch(P(100), VM_PROT_WRITE);
  cr_assert_eq(f->resident_count, 0);
  vmtest_hog_release();
  read_all(0, 16);                   // faults page everything in again
  cr_assert_gt(host_fakepager.getpages, getpages, "nothing was paged in");
  cr_assert_eq(f->resident_count, 16);
  check_all();
}

Test(vm_pageout, file_fault_takes_another_files_pages)
{
  struct vm_object *a = map_file(0, 0, 8, VM_PROT_READ);

  read_all(0, 8);
  map_file(1, 32, 8, VM_PROT_READ);
  vmtest_hog_all(0);
  cr_assert_eq(peek(P(35)), FILL + 3, "the page-in found no page");
  cr_assert_eq(vm_cnt.v_reclaimed, 8);
  cr_assert_eq(a->resident_count, 0);
  check_all();
}

Test(vm_pageout, with_nothing_to_reclaim_the_fault_still_fails)
{
  struct vm_object *f;

  cr_assert_eq(anon(0, 2), KERN_SUCCESS);
  poke(P(0), 1);
  f = map_file(0, 16, 4, VM_PROT_RW);
  for (int i = 0; i < 4; i++)
    poke(P(16 + i), 2);               // every file page dirty
  vmtest_hog_all(0);
  cr_assert_eq(vm_fault(&map, P(1), VM_PROT_WRITE, VM_FAULT_NORMAL),
               KERN_RESOURCE_SHORTAGE);
  cr_assert_eq(vm_cnt.v_reclaimed, 0);
  cr_assert_eq(f->resident_count, 4);
  cr_assert(!mapped_in_pmap(P(1), NULL));
  check_all();
  vmtest_hog_release();
  touch(P(1), VM_PROT_WRITE);
  cr_assert_eq(peek(P(0)), 1);
  check_all();
}

// ---------------------------------------------------------------------------
// Order.

Test(vm_pageout, dontneed_pages_first_then_inactive_then_oldest_active)
{
  struct vm_object *a = map_file(0, 0, 16, VM_PROT_READ);
  struct vm_object *b = map_file(1, 32, 16, VM_PROT_READ);

  read_all(0, 16);
  read_all(32, 16);
  age(b, 0, 4);                       // b's pages 0-3 went inactive first
  cr_assert_eq(vm_map_madvise(&map, P(8), P(12), VM_BEHAV_DONTNEED),
               KERN_SUCCESS);
  cr_assert_eq(vm_page_inactive_first(), page_of(a, 11),
               "the last page advised is first in line");
  check_all();

  cr_assert_eq(vm_pageout_reclaim(4), 4);
  for (int i = 0; i < 16; i++)
    cr_assert_eq(resident(a, i), i < 8 || i >= 12, "a's page %d", i);
  cr_assert_eq(b->resident_count, 16, "aged pages went before DONTNEED'd");
  check_all();

  cr_assert_eq(vm_pageout_reclaim(4), 4);
  for (int i = 0; i < 16; i++)
    cr_assert_eq(resident(b, i), i >= 4, "b's page %d", i);
  cr_assert_eq(a->resident_count, 12, "active pages went before inactive");
  check_all();

  cr_assert_eq(vm_pageout_reclaim(4), 4);
  cr_assert_eq(a->resident_count, 8, "a was used before b: older");
  cr_assert_eq(b->resident_count, 12);
  cr_assert_eq(vm_cnt.v_reclaimed, 12);
  check_all();
}

// ---------------------------------------------------------------------------
// Pages waiting in a hart's batch of activations sit on no queue: the scan
// flushes every batch before it looks.

// A fresh file of npages pages, read on hart 1: the page faulted first
// waits in hart 1's batch (the ones read ahead with it went inactive).
static struct vm_object *pending_file_pages(int npages)
{
  struct vm_object *f = map_file(0, 0, npages, VM_PROT_READ);

  host_set_cpuid(1);
  read_all(0, npages);
  host_set_cpuid(0);
  cr_assert_eq(page_of(f, 0)->queue, PQ_PENDING);
  return f;
}

Test(vm_pageout, reclaim_finds_pages_waiting_in_a_batch)
{
  struct vm_object *f = pending_file_pages(4);

  cr_assert_eq(vm_pageout_reclaim(4), 4);
  cr_assert_eq(f->resident_count, 0);
  check_all();
}

Test(vm_pageout, daemon_pass_finds_pages_waiting_in_a_batch)
{
  struct vm_object *f = pending_file_pages(4);

  vmtest_hog_all(0);
  cr_assert_eq(vm_pageout_pass(true), 4);
  vmtest_hog_release();
  cr_assert_eq(f->resident_count, 0);
  check_all();
}

// ---------------------------------------------------------------------------
// Pages that stay.

// Three ways to be dirty: stored to through a writable mapping (only the
// pmap's modified bit says so), written by a write fault (PG_DIRTY and the
// bit), written by write() through the cache (PG_DIRTY, never mapped).
Test(vm_pageout, dirty_pages_stay_until_written_back)
{
  struct vm_object *f = map_file(0, 0, 4, VM_PROT_RW);
  struct vm_page *m[4];

  read_all(0, 4);                     // page 0 mapped writable, 1-3 read-only
  for (int i = 0; i < 4; i++)
    m[i] = page_of(f, i);
  poke(P(0), 7);                      // no fault: only the pmap knows
  cr_assert_eq(m[0]->flags & PG_DIRTY, 0);
  poke(P(1), 8);                      // a write fault: PG_DIRTY
  cr_assert_neq(m[1]->flags & PG_DIRTY, 0);
  cr_assert_eq(vm_map_madvise(&map, P(2), P(3), VM_BEHAV_DONTNEED),
               KERN_SUCCESS);         // unmapped, then dirtied as write() does
  mtx_lock(&f->lock);
  vm_page_dirty(m[2]);
  mtx_unlock(&f->lock);

  cr_assert_eq(vm_pageout_reclaim(8), 1, "only page 3 is clean");
  for (int i = 0; i < 3; i++) {
    cr_assert_eq(page_of(f, i), m[i], "dirty page %d freed", i);
    cr_assert_eq(m[i]->queue, PQ_LAUNDRY, "page %d", i);
  }
  cr_assert_neq(m[0]->flags & PG_DIRTY, 0, "the modified bit was lost");
  cr_assert(!mapped_in_pmap(P(0), NULL));
  check_all();
  cr_assert_eq(vm_pageout_reclaim(8), 0, "dirty pages are never freed");

  cr_assert_eq(vm_map_sync(&map, P(0), P(4), true, false), KERN_SUCCESS);
  cr_assert_eq(host_fakepager.pages_put, 3);
  for (int i = 0; i < 3; i++)
    cr_assert_eq(m[i]->queue, PQ_INACTIVE, "written, page %d is back in line",
                 i);
  check_all();
  cr_assert_eq(vm_pageout_reclaim(8), 3);
  cr_assert_eq(f->resident_count, 0);
  check_all();
}

// The daemon's laundering: dirty file pages, dirtied through a shared
// mapping and no longer in use, go to the laundry queue and are written
// to the file in one cluster, without waiting for anyone
// (VM_PAGER_PUT_NOWAIT), then freed; they read back from the file.
static uint8_t laundry_store[8 * PAGE_SIZE];

// A shared writable file of 8 pages whose store holds FILL + i, each
// page written with 0x10 + i and left unused long enough to be inactive.
static struct vm_object *laundry_setup(void)
{
  struct vm_object *f;

  for (int i = 0; i < 8; i++)
    memset(laundry_store + i * PAGE_SIZE, FILL + i, PAGE_SIZE);
  host_fakepager.store = laundry_store;
  f = map_file(0, 0, 8, VM_PROT_RW);
  for (int i = 0; i < 8; i++)
    poke(P(i), (uint8_t)(0x10 + i));
  vm_page_pqbatch_drain_all();        // every page on the active queue
  vm_pageout_age(64);                 // all were used: bits cleared
  age(f, 0, 8);                       // and none since
  return f;
}

Test(vm_pageout, daemon_writes_dirty_file_pages_and_frees_them)
{
  struct vm_object *f = laundry_setup();

  vmtest_hog_all(8);
  cr_assert_eq(vm_pageout_pass(false), 8);
  vmtest_hog_release();
  cr_assert_eq(host_fakepager.putpages, 1, "not one cluster");
  cr_assert_eq(host_fakepager.pages_put, 8);
  cr_assert_neq(host_fakepager.put_flags & VM_PAGER_PUT_NOWAIT, 0,
                "the daemon may wait for the file system");
  cr_assert_eq(f->resident_count, 0);
  check_all();
  for (int i = 0; i < 8; i++)
    cr_assert_eq(peek(P(i)), 0x10 + i, "page %d read back wrong", i);
}

// A write that fails -- the pager would have had to wait (AGAIN), the disk
// is full (NOSPACE), an I/O error -- loses nothing: the pages stay
// resident, dirty, on the laundry queue, and msync writes them later.
Test(vm_pageout, a_failed_daemon_write_keeps_the_pages_dirty)
{
  static const int errors[] = { VM_PAGER_AGAIN, VM_PAGER_NOSPACE,
                                VM_PAGER_ERROR };
  struct vm_object *f = laundry_setup();
  struct vm_page *m;

  host_fakepager.put_fail = true;
  for (size_t e = 0; e < nitems(errors); e++) {
    host_fakepager.put_error = errors[e];
    vmtest_hog_all(8);
    cr_assert_eq(vm_pageout_pass(false), 0, "error %d", errors[e]);
    vmtest_hog_release();
    cr_assert_eq(host_fakepager.putpages, (int)e + 1,
                 "a failed object is not skipped for the rest of the pass");
    for (int i = 0; i < 8; i++) {
      cr_assert_not_null(m = page_of(f, (vm_pindex_t)i), "page %d freed", i);
      cr_assert_neq(m->flags & PG_DIRTY, 0, "page %d is clean", i);
      cr_assert_eq(m->queue, PQ_LAUNDRY, "page %d", i);
    }
    check_all();
  }
  host_fakepager.put_fail = false;
  cr_assert_eq(vm_map_sync(&map, P(0), P(8), true, false), KERN_SUCCESS);
  for (int i = 0; i < 8; i++)
    cr_assert_eq(laundry_store[i * PAGE_SIZE], 0x10 + i, "page %d", i);
}

// An object whose last reference is going (its count is 0 while the
// pager's cache operation writes it back, the object unlocked during the
// write) is not the daemon's to write: a reference taken then would bring
// it back to life behind its pager. Its dirty pages wait; its clean ones
// may go. (This panicked in the kernel: swaptests file, then oom.)
Test(vm_pageout, pages_of_an_object_letting_go_are_not_written)
{
  struct vm_object *f = laundry_setup();
  struct vm_page *m;

  mtx_lock(&f->lock);
  cr_assert_eq(vm_object_page_clean(f, 6, 8, true), KERN_SUCCESS);
  cr_assert_eq(f->ref_count, 1, "the map entry's reference only");
  f->ref_count = 0;
  mtx_unlock(&f->lock);
  vmtest_hog_all(8);
  cr_assert_eq(vm_pageout_pass(false), 2, "the clean pages 6 and 7");
  vmtest_hog_release();
  mtx_lock(&f->lock);
  f->ref_count = 1;
  mtx_unlock(&f->lock);
  cr_assert_eq(host_fakepager.pages_put, 2, "the daemon wrote a page");
  for (int i = 0; i < 6; i++) {
    cr_assert_not_null(m = page_of(f, (vm_pindex_t)i), "page %d freed", i);
    cr_assert_neq(m->flags & PG_DIRTY, 0, "page %d is clean", i);
  }
  check_all();
}

Test(vm_pageout, wired_pages_stay)
{
  struct vm_object *f = map_file(0, 0, 8, VM_PROT_READ);

  cr_assert_eq(vm_map_wire(&map, P(0), P(4), USER), KERN_SUCCESS);
  read_all(0, 8);
  cr_assert_eq(vm_pageout_reclaim(64), 4);
  for (int i = 0; i < 8; i++)
    cr_assert_eq(resident(f, i), i < 4, "page %d", i);
  for (int i = 0; i < 4; i++)
    cr_assert(mapped_in_pmap(P(i), NULL), "wired page %d unmapped", i);
  check_all();

  cr_assert_eq(anon(100, 1), KERN_SUCCESS);
  vmtest_hog_all(0);
  cr_assert_eq(vm_fault(&map, P(100), VM_PROT_WRITE, VM_FAULT_NORMAL),
               KERN_RESOURCE_SHORTAGE, "only wired file pages are left");
  vmtest_hog_release();
  cr_assert_eq(vm_map_unwire(&map, P(0), P(4), USER), KERN_SUCCESS);
  check_all();
}

Test(vm_pageout, busy_pages_wait_their_turn)
{
  struct vm_object *f = map_file(0, 0, 4, VM_PROT_READ);
  struct vm_page *m;

  read_all(0, 4);
  m = page_of(f, 2);
  mtx_lock(&f->lock);
  vm_page_xbusy(m);                   // as if a write-back had it
  mtx_unlock(&f->lock);
  cr_assert_eq(vm_pageout_reclaim(8), 3);
  cr_assert_eq(page_of(f, 2), m);
  cr_assert_eq(m->queue, PQ_ACTIVE, "a skipped page stays in its queue");
  mtx_lock(&f->lock);
  vm_page_xunbusy(m);
  mtx_unlock(&f->lock);
  check_all();
  cr_assert_eq(vm_pageout_reclaim(8), 1);
  check_all();
}

Test(vm_pageout, anonymous_pages_are_never_reclaimed)
{
  struct vm_object *obj;

  cr_assert_eq(anon(0, 8), KERN_SUCCESS);
  for (int i = 0; i < 8; i++)
    poke(P(i), (uint8_t)(i + 1));
  cr_assert_eq(vm_map_madvise(&map, P(0), P(4), VM_BEHAV_DONTNEED),
               KERN_SUCCESS);
  cr_assert_eq(vm_pageout_reclaim(64), 0);
  cr_assert_eq(vm_cnt.v_reclaimed, 0);
  obj = entry_at(P(0)).object;
  cr_assert_eq(obj->resident_count, 8);
  for (int i = 0; i < 8; i++)
    cr_assert_eq(page_of(obj, i)->queue, i < 4 ? PQ_LAUNDRY : PQ_ACTIVE,
                 "page %d", i);
  check_all();
  for (int i = 0; i < 8; i++)
    cr_assert_eq(peek(P(i)), i + 1);
  check_all();
}

Test(vm_pageout, an_object_locked_elsewhere_is_skipped_not_waited_for)
{
  struct vm_object *f = map_file(0, 0, 4, VM_PROT_READ);

  read_all(0, 4);
  host_mtx_hold_foreign(&f->lock);    // mtx_lock here would never return
  cr_assert_eq(vm_pageout_reclaim(8), 0);
  host_mtx_release_foreign(&f->lock);
  cr_assert_eq(f->resident_count, 4);
  check_all();
  cr_assert_eq(vm_pageout_reclaim(8), 4);
  check_all();
}

// vm_object_terminate sets OBJ_DEAD and may drop the lock to write pages
// back; the scan must leave such an object's pages to it.
Test(vm_pageout, pages_of_a_dying_object_are_left_alone)
{
  struct vm_object *f = map_file(0, 0, 4, VM_PROT_READ);

  read_all(0, 4);
  mtx_lock(&f->lock);
  f->flags |= OBJ_DEAD;
  mtx_unlock(&f->lock);
  cr_assert_eq(vm_pageout_reclaim(8), 0);
  mtx_lock(&f->lock);
  f->flags &= ~OBJ_DEAD;
  mtx_unlock(&f->lock);
  cr_assert_eq(f->resident_count, 4);
  check_all();
}

// ---------------------------------------------------------------------------
// The locking rule the scan depends on.

Test(vm_pageout, unlinking_a_queued_page_needs_the_queue_lock,
     .signal = SIGABRT)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);
  struct vm_page *m;

  expect_panic("vm_object_page_unlink: page * is queued");
  mtx_lock(&obj->lock);
  m = vm_page_alloc(obj, 0, VM_ALLOC_NOBUSY);
  vm_page_activate(m);
  vm_object_page_unlink(m);
}
