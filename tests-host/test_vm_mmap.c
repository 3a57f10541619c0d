// SPDX-License-Identifier: MIT
// Tests of vm_mmap.c, part one: every argument row of docs/semantics.md's
// table for mmap, munmap and the range calls, run against a host
// vmspace, each checking the errno and that a refused call left the map
// as it was; the write-back of shared file mappings by munmap and by exit
// (vmspace_free), through the fake file pager of host_fakepager.h;
// mincore; and stack growth by a user fault. The wiring calls are in
// test_vm_mlock.c, in the same suite; the fixture is mmaptest.h's.
#include <criterion/criterion.h>

#include "arch/riscv/vmparam.h"   // MAXUVA: the user space the tests model
#include "host_fakepager.h"
#include "mmaptest.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"

struct vmspace *vm;
struct vm_map *map;

static void setup(void)
{
  vmtest_boot(NPAGES);
  vm = vmspace_alloc(PAGE_SIZE, MAXUVA);
  cr_assert_not_null(vm);
  map = &vm->vm_map;
}

static void teardown(void)
{
  vmtest_check_map(map);
  vmspace_free(vm);
  vmtest_teardown_strict();
}

TestSuite(vm_mmap, .init = setup, .fini = teardown);

// --- mmap ------------------------------------------------------------------

Test(vm_mmap, len_zero_einval)
{
  vm_offset_t va;
  cr_assert_eq(anon(0, 0, RW, PA, &va), -EINVAL);
  cr_assert_eq(entries(), 0);
}

Test(vm_mmap, len_rounding_overflow_einval)
{
  vm_offset_t va;
  cr_assert_eq(anon(0, ~(vm_size_t)0 - 5, RW, PA, &va), -EINVAL);
}

Test(vm_mmap, unknown_prot_einval)
{
  vm_offset_t va;
  cr_assert_eq(anon(0, PAGE_SIZE, 0x10, PA, &va), -EINVAL);
}

Test(vm_mmap, unknown_flag_einval)
{
  vm_offset_t va;
  cr_assert_eq(anon(0, PAGE_SIZE, RW, PA | 0x80000, &va), -EINVAL);
}

Test(vm_mmap, shared_and_private_einval)
{
  vm_offset_t va;
  cr_assert_eq(anon(0, PAGE_SIZE, RW, MAP_SHARED | PA, &va), -EINVAL);
}

Test(vm_mmap, check_file_with_neither_einval)
{
  cr_assert_eq(vm_mmap_check(0, PAGE_SIZE, RW, 0, 3, 0), -EINVAL);
  cr_assert_eq(vm_mmap_check(0, PAGE_SIZE, RW, MAP_SHARED, 3, 0), 0);
}

Test(vm_mmap, check_anon_with_fd_or_off_einval)
{
  cr_assert_eq(vm_mmap_check(0, PAGE_SIZE, RW, PA, 3, 0), -EINVAL);
  cr_assert_eq(vm_mmap_check(0, PAGE_SIZE, RW, PA, -1, PAGE_SIZE), -EINVAL);
  cr_assert_eq(vm_mmap_check(0, PAGE_SIZE, RW, PA, -1, 0), 0);
}

Test(vm_mmap, check_unaligned_off_einval)
{
  cr_assert_eq(vm_mmap_check(0, PAGE_SIZE, RW, MAP_PRIVATE, 3, 100), -EINVAL);
}

// off_t is signed: a negative offset, or one whose end passes INT64_MAX.
// (The kernel used to check only for a wrap of the unsigned sum.)
Test(vm_mmap, check_off_overflow_einval)
{
  const vm_ooffset_t last = (vm_ooffset_t)INT64_MAX & ~(vm_ooffset_t)PAGE_MASK;
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 1);
  vm_offset_t va;

  cr_assert_eq(vm_mmap_check(0, PAGE_SIZE, RW, MAP_PRIVATE, 3, last - PAGE_SIZE),
               0);
  cr_assert_eq(vm_mmap_check(0, PAGE_SIZE, RW, MAP_PRIVATE, 3, last), -EINVAL);
  cr_assert_eq(vm_mmap_check(0, 1, RW, MAP_PRIVATE, 3, last), -EINVAL,
               "the rounded length counts");
  cr_assert_eq(vm_mmap_check(0, 3 * PAGE_SIZE, RW, MAP_PRIVATE, 3,
                             last - PAGE_SIZE), -EINVAL);
  cr_assert_eq(vm_mmap_check(0, PAGE_SIZE, RW, MAP_SHARED, 3,
                             (vm_ooffset_t)-2 * PAGE_SIZE), -EINVAL, "negative");
  cr_assert_not_null(obj);
  cr_assert_eq(vm_mmap(vm, 0, PAGE_SIZE, RW, MAP_SHARED, obj,
                       (vm_ooffset_t)INT64_MIN, true, true, NOLIM, &va), -EINVAL);
  cr_assert_eq(vm_mmap(vm, 0, 2 * PAGE_SIZE, RW, MAP_SHARED, obj, last, true,
                       true, NOLIM, &va), -EINVAL);
  cr_assert_eq(entries(), 0);
  vm_object_deallocate(obj);
}

Test(vm_mmap, anon_alone_is_private)
{
  vm_offset_t va;
  struct vm_map_entry *e;

  cr_assert_eq(anon(0, PAGE_SIZE, RW, MAP_ANON, &va), 0);
  e = lookup(va);
  cr_assert(e->eflags & MAP_ENTRY_COW);
  cr_assert_eq(e->inheritance, VM_INHERIT_COPY);
}

Test(vm_mmap, shared_anon_has_object_and_shares)
{
  vm_offset_t va;
  struct vm_map_entry *e;

  cr_assert_eq(anon(0, 2 * PAGE_SIZE, RW, MAP_SHARED | MAP_ANON, &va), 0);
  e = lookup(va);
  cr_assert_not_null(e->object);
  cr_assert_eq(e->inheritance, VM_INHERIT_SHARE);
  cr_assert_not(e->eflags & MAP_ENTRY_COW);
}

Test(vm_mmap, fixed_unaligned_einval)
{
  vm_offset_t va;
  cr_assert_eq(anon(0x10001, PAGE_SIZE, RW, PA | MAP_FIXED, &va), -EINVAL);
}

Test(vm_mmap, fixed_page_zero_einval)
{
  vm_offset_t va;
  cr_assert_eq(anon(0, PAGE_SIZE, RW, PA | MAP_FIXED, &va), -EINVAL);
}

Test(vm_mmap, fixed_reaching_maxuva_einval)
{
  vm_offset_t va;
  cr_assert_eq(anon(MAXUVA - PAGE_SIZE, 2 * PAGE_SIZE, RW, PA | MAP_FIXED, &va),
               -EINVAL);
  cr_assert_eq(anon(MAXUVA - PAGE_SIZE, PAGE_SIZE, RW, PA | MAP_FIXED, &va), 0);
  cr_assert_eq(va, MAXUVA - PAGE_SIZE);
}

Test(vm_mmap, fixed_replaces)
{
  vm_offset_t va = must_anon(3 * PAGE_SIZE), r;
  char b = 'x', got;

  cr_assert_eq(vmtest_write(map, va + PAGE_SIZE, &b, 1), KERN_SUCCESS);
  cr_assert_eq(anon(va + PAGE_SIZE, PAGE_SIZE, PROT_READ, PA | MAP_FIXED, &r), 0);
  cr_assert_eq(r, va + PAGE_SIZE);
  cr_assert_eq(vmtest_read(map, r, &got, 1), KERN_SUCCESS);
  cr_assert_eq(got, 0);
  cr_assert_neq(vmtest_access(map, r, VM_PROT_WRITE), KERN_SUCCESS);
}

Test(vm_mmap, fixed_excl_eexist_unchanged)
{
  vm_offset_t va = must_anon(2 * PAGE_SIZE), r;
  uint32_t n = entries();

  cr_assert_eq(anon(va, PAGE_SIZE, PROT_READ, PA | MAP_FIXED | MAP_EXCL, &r),
               -EEXIST);
  cr_assert_eq(entries(), n);
  cr_assert_eq(vmtest_access(map, va, VM_PROT_WRITE), KERN_SUCCESS);
}

Test(vm_mmap, excl_without_fixed_einval)
{
  vm_offset_t va;
  cr_assert_eq(anon(0, PAGE_SIZE, RW, PA | MAP_EXCL, &va), -EINVAL);
}

Test(vm_mmap, hint_taken_placed_elsewhere)
{
  vm_offset_t va = must_anon(PAGE_SIZE), r;

  cr_assert_eq(anon(va, PAGE_SIZE, RW, PA, &r), 0);
  cr_assert_neq(r, va);
}

Test(vm_mmap, hint_free_used)
{
  vm_offset_t r;

  cr_assert_eq(anon(0x200000, PAGE_SIZE, RW, PA, &r), 0);
  cr_assert_eq(r, 0x200000);
}

Test(vm_mmap, hint_invalid_placed_elsewhere)
{
  vm_offset_t r;

  cr_assert_eq(anon(MAXUVA + PAGE_SIZE, PAGE_SIZE, RW, PA, &r), 0);
  cr_assert(r >= PAGE_SIZE && r < MAXUVA);
  cr_assert_eq(anon(MAXUVA - PAGE_SIZE, 4 * PAGE_SIZE, RW, PA, &r), 0);
  cr_assert(r + 4 * PAGE_SIZE <= MAXUVA);
}

Test(vm_mmap, no_room_enomem)
{
  vm_offset_t r;
  cr_assert_eq(anon(0, MAXUVA, RW, PA, &r), -ENOMEM);
}

Test(vm_mmap, write_only_prot_is_readable)
{
  vm_offset_t va;
  struct vm_map_entry *e;

  cr_assert_eq(anon(0, PAGE_SIZE, PROT_WRITE, PA, &va), 0);
  e = lookup(va);
  cr_assert_eq(e->protection, VM_PROT_RW);
}

Test(vm_mmap, stack_is_private_anon)
{
  vm_offset_t va;
  cr_assert_eq(anon(0, PAGE_SIZE, RW, MAP_STACK, &va), 0);
  cr_assert_eq(vm_mmap_check(0, PAGE_SIZE, RW, MAP_STACK, 3, 0), -EINVAL);
}

// File rows, with an anonymous object standing in for the file's.
static struct vm_object *file_obj(void)
{
  struct vm_object *obj = vm_object_allocate(OBJT_DEFAULT, 4);
  cr_assert_not_null(obj);
  return obj;
}

Test(vm_mmap, file_write_only_fd_eacces)
{
  struct vm_object *obj = file_obj();
  vm_offset_t va;

  cr_assert_eq(vm_mmap(vm, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, obj, 0, false,
                       true, NOLIM, &va), -EACCES);
  vm_object_deallocate(obj);   // still the caller's on failure
}

Test(vm_mmap, file_shared_write_readonly_fd_eacces)
{
  struct vm_object *obj = file_obj();
  vm_offset_t va;

  cr_assert_eq(vm_mmap(vm, 0, PAGE_SIZE, RW, MAP_SHARED, obj, 0, true, false,
                       NOLIM, &va), -EACCES);
  vm_object_deallocate(obj);
}

Test(vm_mmap, file_shared_readonly_fd_max_excludes_write)
{
  struct vm_object *obj = file_obj();
  vm_offset_t va;

  cr_assert_eq(vm_mmap(vm, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, obj, 0, true,
                       false, NOLIM, &va), 0);
  cr_assert_eq(vm_mprotect(vm, va, PAGE_SIZE, RW, NOLIM), -EACCES);
}

Test(vm_mmap, file_private_write_readonly_fd_allowed)
{
  struct vm_object *obj = file_obj();
  vm_offset_t va;
  struct vm_map_entry *e;

  cr_assert_eq(vm_mmap(vm, 0, PAGE_SIZE, RW, MAP_PRIVATE, obj, 0, true, false,
                       NOLIM, &va), 0);
  e = lookup(va);
  cr_assert(e->eflags & MAP_ENTRY_NEEDS_COPY);
  cr_assert_eq(vmtest_access(map, va, VM_PROT_WRITE), KERN_SUCCESS);
}

Test(vm_mmap, file_anon_flag_with_object_einval)
{
  struct vm_object *obj = file_obj();
  vm_offset_t va;

  cr_assert_eq(vm_mmap(vm, 0, PAGE_SIZE, RW, PA, obj, 0, true, true, NOLIM,
                       &va), -EINVAL);
  vm_object_deallocate(obj);
}

// --- munmap ------------------------------------------------------------------

Test(vm_mmap, munmap_bad_args_einval)
{
  vm_offset_t va = must_anon(PAGE_SIZE);

  cr_assert_eq(vm_munmap(vm, va, 0), -EINVAL);
  cr_assert_eq(vm_munmap(vm, va + 1, PAGE_SIZE), -EINVAL);
  cr_assert_eq(vm_munmap(vm, va, ~(vm_size_t)0 - 10), -EINVAL);
  cr_assert_eq(vm_munmap(vm, MAXUVA - PAGE_SIZE, 2 * PAGE_SIZE), -EINVAL);
  cr_assert_eq(entries(), 1);
}

Test(vm_mmap, munmap_holes_fine)
{
  vm_offset_t va = must_anon(4 * PAGE_SIZE);

  cr_assert_eq(vm_munmap(vm, va + PAGE_SIZE, PAGE_SIZE), 0);
  cr_assert_eq(vm_munmap(vm, va, 8 * PAGE_SIZE), 0);
  cr_assert_eq(entries(), 0);
  cr_assert_eq(vm_munmap(vm, va, 8 * PAGE_SIZE), 0);
}

// --- write-back of shared file mappings: munmap and exit ------------------------
//
// Dirty pages of a MAP_SHARED file mapping must reach the file when the
// mapping goes, not only when the object dies: another mapping, or a
// reference such as the page cache's, may keep the object alive for long.
// So each test here keeps the object alive past the call it tests.

// Map obj MAP_SHARED, read/write, in v; the mapping takes one reference.
static vm_offset_t map_shared(struct vmspace *v, struct vm_object *obj)
{
  vm_offset_t va;

  cr_assert_eq(vm_mmap(v, 0, 4 * PAGE_SIZE, RW, MAP_SHARED, obj, 0, true,
                       true, NOLIM, &va), 0);
  return va;
}

// A write-back error is EIO even with MS_INVALIDATE (it once came back as
// the EBUSY of a wired page: the host fuzzer, docs/testing.md), and the
// written byte stays, dirty, for the next msync.
Test(vm_mmap, msync_invalidate_write_error_is_eio)
{
  struct vm_object *obj = host_fakepager_file(4, 0, 4);
  vm_offset_t va = map_shared(vm, obj);
  char c;

  vmtest_put(&vm->vm_map, va, 'x');
  host_fakepager.put_fail = true;
  cr_assert_eq(vm_msync(vm, va, PAGE_SIZE, MS_SYNC | MS_INVALIDATE), -EIO);
  cr_assert_eq(vm_msync(vm, va, PAGE_SIZE, MS_ASYNC | MS_INVALIDATE), -EIO);
  host_fakepager.put_fail = false;
  cr_assert_eq(vmtest_read(&vm->vm_map, va, &c, 1), KERN_SUCCESS);
  cr_assert_eq(c, 'x');
  cr_assert_eq(vm_msync(vm, va, PAGE_SIZE, MS_SYNC | MS_INVALIDATE), 0);
}

Test(vm_mmap, munmap_writes_back_the_file_pages_it_unmaps)
{
  struct vm_object *obj = host_fakepager_file(4, 0, 4);
  vm_offset_t va;

  vm_object_reference(obj);                  // ours, held to the end
  va = map_shared(vm, obj);
  vmtest_put(&vm->vm_map, va + PAGE_SIZE, 'a');
  vmtest_put(&vm->vm_map, va + 2 * PAGE_SIZE, 'b');
  cr_assert_eq(vm_munmap(vm, va, 2 * PAGE_SIZE), 0);
  cr_assert_eq(host_fakepager.pages_put, 1, "page 2 is still mapped");
  cr_assert_eq(host_fakepager.put_first[0], 1);
  cr_assert_eq(vm_munmap(vm, va + 2 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
  cr_assert_eq(host_fakepager.pages_put, 2);
  cr_assert_eq(host_fakepager.put_first[1], 2);
  cr_assert_eq(host_fakepager.dealloc, 0, "our reference kept the object");
  vm_object_deallocate(obj);
  cr_assert_eq(host_fakepager.pages_put, 2, "nothing left to write at the end");
  cr_assert_eq(host_fakepager.dealloc, 1);
}

// msync's errors after a failed write-back (docs/semantics.md): ENOSPC when the
// store is full, EIO for another failure, also with MS_INVALIDATE (EBUSY
// is for wired pages only).
Test(vm_mmap, msync_reports_enospc_and_eio)
{
  struct vm_object *obj = host_fakepager_file(4, 0, 4);
  vm_offset_t va = map_shared(vm, obj);

  vmtest_put(&vm->vm_map, va, 'a');
  host_fakepager.put_fail = true;
  host_fakepager.put_error = VM_PAGER_NOSPACE;
  cr_assert_eq(vm_msync(vm, va, PAGE_SIZE, MS_SYNC), -ENOSPC);
  cr_assert_eq(vm_msync(vm, va, PAGE_SIZE, MS_ASYNC), -ENOSPC);
  host_fakepager.put_error = VM_PAGER_ERROR;
  cr_assert_eq(vm_msync(vm, va, PAGE_SIZE, MS_SYNC), -EIO);
  cr_assert_eq(vm_msync(vm, va, PAGE_SIZE, MS_SYNC | MS_INVALIDATE), -EIO);
  host_fakepager.put_fail = false;
  cr_assert_eq(vm_msync(vm, va, PAGE_SIZE, MS_SYNC), 0);
  cr_assert_eq(host_fakepager.pages_put, 5, "the same page, five tries");
}

Test(vm_mmap, exit_writes_back_what_a_shared_child_wrote)
{
  struct vm_object *obj = host_fakepager_file(4, 0, 4);
  vm_offset_t va = map_shared(vm, obj);
  struct vmspace *child = vmspace_fork(vm);
  char c = 0;

  cr_assert_not_null(child);
  vmtest_put(&child->vm_map, va + 3 * PAGE_SIZE, 'c');
  vmspace_free(child);                       // the child exits
  cr_assert_eq(host_fakepager.pages_put, 1, "the parent's mapping kept obj");
  cr_assert_eq(host_fakepager.put_first[0], 3);
  cr_assert_eq(vmtest_read(map, va + 3 * PAGE_SIZE, &c, 1), KERN_SUCCESS);
  cr_assert_eq(c, 'c');
}

Test(vm_mmap, exit_writes_back_while_a_reference_holds_the_object)
{
  struct vm_object *obj = host_fakepager_file(4, 0, 4);
  struct vmspace *other = vmspace_alloc(PAGE_SIZE, MAXUVA);
  vm_offset_t va;

  cr_assert_not_null(other);
  vm_object_reference(obj);
  va = map_shared(other, obj);
  vmtest_put(&other->vm_map, va, 'd');
  vmtest_put(&other->vm_map, va + 2 * PAGE_SIZE, 'e');
  vmspace_free(other);
  cr_assert_eq(host_fakepager.pages_put, 2);
  cr_assert_eq(host_fakepager.putpages, 2, "pages 0 and 2: two runs");
  cr_assert_eq(host_fakepager.dealloc, 0);
  vm_object_deallocate(obj);
  cr_assert_eq(host_fakepager.pages_put, 2);
}

// --- the range calls ------------------------------------------------------------

Test(vm_mmap, range_calls_unaligned_or_wrapping_einval)
{
  vm_offset_t va = must_anon(PAGE_SIZE);
  char vec[2];

  cr_assert_eq(vm_mprotect(vm, va + 1, PAGE_SIZE, RW, NOLIM), -EINVAL);
  cr_assert_eq(vm_madvise(vm, va + 1, PAGE_SIZE, MADV_NORMAL), -EINVAL);
  cr_assert_eq(vm_minherit(vm, va + 1, PAGE_SIZE, INHERIT_SHARE), -EINVAL);
  cr_assert_eq(vm_msync(vm, va + 1, PAGE_SIZE, MS_SYNC), -EINVAL);
  cr_assert_eq(vm_mincore(vm, va + 1, PAGE_SIZE, vec), -EINVAL);
  cr_assert_eq(vm_mprotect(vm, va, ~(vm_size_t)0, RW, NOLIM), -EINVAL);
  cr_assert_eq(vm_madvise(vm, va, -PAGE_SIZE, MADV_NORMAL), -EINVAL);
  cr_assert_eq(vm_mincore(vm, MAXUVA - PAGE_SIZE, 2 * PAGE_SIZE, vec), -EINVAL);
  cr_assert_eq(vm_msync(vm, MAXUVA, PAGE_SIZE, MS_SYNC), -EINVAL);
}

Test(vm_mmap, range_calls_hole_enomem_unchanged)
{
  vm_offset_t va = must_anon(3 * PAGE_SIZE);
  struct vm_map_entry *e;
  char vec[3];

  cr_assert_eq(vm_munmap(vm, va + PAGE_SIZE, PAGE_SIZE), 0);
  cr_assert_eq(vm_mprotect(vm, va, 3 * PAGE_SIZE, PROT_READ, NOLIM), -ENOMEM);
  cr_assert_eq(vm_madvise(vm, va, 3 * PAGE_SIZE, MADV_RANDOM), -ENOMEM);
  cr_assert_eq(vm_minherit(vm, va, 3 * PAGE_SIZE, INHERIT_NONE), -ENOMEM);
  cr_assert_eq(vm_msync(vm, va, 3 * PAGE_SIZE, MS_ASYNC), -ENOMEM);
  cr_assert_eq(vm_mincore(vm, va, 3 * PAGE_SIZE, vec), -ENOMEM);
  cr_assert_eq(vm_mlock(vm, va, 3 * PAGE_SIZE, NOLIM), -ENOMEM);
  cr_assert_eq(vm_munlock(vm, va, 3 * PAGE_SIZE), -ENOMEM);
  e = lookup(va);
  cr_assert_eq(e->protection, VM_PROT_RW);
  cr_assert_eq(e->behavior, VM_BEHAV_NORMAL);
  cr_assert_eq(e->inheritance, VM_INHERIT_COPY);
  cr_assert_eq(e->wired_count, 0);
}

Test(vm_mmap, mprotect_beyond_max_eacces)
{
  struct vm_object *obj = file_obj();
  vm_offset_t va;

  cr_assert_eq(vm_mmap(vm, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, obj, 0, true,
                       false, NOLIM, &va), 0);
  cr_assert_eq(vm_mprotect(vm, va, PAGE_SIZE, PROT_WRITE, NOLIM), -EACCES);
  cr_assert_eq(vm_mprotect(vm, va, PAGE_SIZE, PROT_NONE, NOLIM), 0);
}

Test(vm_mmap, unknown_advice_and_inheritance_einval)
{
  vm_offset_t va = must_anon(PAGE_SIZE);

  cr_assert_eq(vm_madvise(vm, va, PAGE_SIZE, 6), -EINVAL);
  cr_assert_eq(vm_madvise(vm, va, PAGE_SIZE, -1), -EINVAL);
  cr_assert_eq(vm_minherit(vm, va, PAGE_SIZE, 4), -EINVAL);
  cr_assert_eq(vm_mprotect(vm, va, PAGE_SIZE, 0x20, NOLIM), -EINVAL);
}

Test(vm_mmap, msync_flags)
{
  vm_offset_t va = must_anon(PAGE_SIZE);

  cr_assert_eq(vm_msync(vm, va, PAGE_SIZE, 0x8), -EINVAL);
  cr_assert_eq(vm_msync(vm, va, PAGE_SIZE, MS_SYNC | MS_ASYNC), -EINVAL);
  cr_assert_eq(vm_msync(vm, va, PAGE_SIZE, MS_SYNC | MS_INVALIDATE), 0);
  cr_assert_eq(vm_mlock(vm, va, PAGE_SIZE, NOLIM), 0);
  cr_assert_eq(vm_msync(vm, va, PAGE_SIZE, MS_INVALIDATE), -EBUSY);
}

// --- stack growth by a user fault ----------------------------------------------

// A fault below a stack's mapped part grows it and is resolved in the same
// call; a fault in the guard page, or in no stack's growth area, stays a
// miss and grows nothing.
Test(vm_mmap, fault_user_grows_the_stack_once)
{
  vm_offset_t top = 0x800000;
  struct vm_map_entry *e;
  vm_prot_t prot;

  cr_assert_eq(vm_map_stack(map, top - 16 * PAGE_SIZE, 16 * PAGE_SIZE,
                            PAGE_SIZE, VM_PROT_RW, VM_PROT_ALL,
                            MAP_COPY_ON_WRITE), KERN_SUCCESS);
  cr_assert_eq(vm_fault_user(vm, top - 3 * PAGE_SIZE, VM_PROT_WRITE, NOLIM),
               KERN_SUCCESS);
  e = vmtest_entry_at(map, top - 3 * PAGE_SIZE);
  cr_assert_not_null(e, "the stack did not grow");
  cr_assert_eq(e->end, top);
  cr_assert(pmap_extract_page(map->pmap, top - 3 * PAGE_SIZE, &prot) != NULL &&
            (prot & VM_PROT_WRITE), "grown but not faulted in");
  cr_assert_eq(vm_fault_user(vm, top - 16 * PAGE_SIZE, VM_PROT_READ, NOLIM),
               KERN_INVALID_ADDRESS, "the guard page");
  cr_assert_eq(vm_fault_user(vm, 0x100000, VM_PROT_READ, NOLIM),
               KERN_INVALID_ADDRESS, "no stack there");
  cr_assert_eq(vmtest_entry_at(map, top - 3 * PAGE_SIZE)->start,
               e->start, "a miss grew the stack");
}

// --- mincore --------------------------------------------------------------------

Test(vm_mmap, mincore_resident_bits)
{
  vm_offset_t va = must_anon(3 * PAGE_SIZE);
  char vec[3], b = 1;

  cr_assert_eq(vm_mincore(vm, va, 0, vec), 0);
  cr_assert_eq(vm_mincore(vm, va, 3 * PAGE_SIZE, vec), 0);
  cr_assert(vec[0] == 0 && vec[1] == 0 && vec[2] == 0);
  cr_assert_eq(vmtest_write(map, va + PAGE_SIZE, &b, 1), KERN_SUCCESS);
  cr_assert_eq(vm_mincore(vm, va, 3 * PAGE_SIZE - 1, vec), 0);
  cr_assert_eq(vec[0], 0);
  cr_assert(vec[1] & MINCORE_INCORE);
  cr_assert_eq(vec[2], 0);
  cr_assert_eq(vm_mincore(vm, va, 3 * PAGE_SIZE, NULL), 0);
}

Test(vm_mmap, mincore_sees_backing_pages)
{
  vm_offset_t va = must_anon(PAGE_SIZE);
  struct vmspace *child;
  char b = 1, vec[1];

  cr_assert_eq(vmtest_write(map, va, &b, 1), KERN_SUCCESS);
  child = vmspace_fork(vm);
  cr_assert_not_null(child);
  cr_assert_eq(vm_mincore(child, va, PAGE_SIZE, vec), 0);
  cr_assert(vec[0] & MINCORE_INCORE);
  vmspace_free(child);
}
