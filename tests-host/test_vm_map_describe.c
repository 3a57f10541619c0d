// SPDX-License-Identifier: MIT
// Tests of vm_map_describe (vm_map_describe.c), the records behind the
// vmmap() system call: kinds and flags of entries, resident pages counted
// once down a shadow chain, the chain depth, the ident hook that names a
// front object's file, and the chunked walk sysvm.c does (*next, a NULL
// buffer that only counts).
#include "lib/lock.h"
#include "maptest.h"
#include "vm/vm_map.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vmmap.h"
#include "vm/vmspace.h"

static void setup(void) { maptest_setup(256); }

TestSuite(vm_map_describe, .init = setup, .fini = maptest_teardown);

// Describe the whole map into out (up to max records); returns the count.
static int describe_all(struct vm_map *m, struct vmmap_entry *out, int max)
{
  vm_offset_t next = 0;

  return vm_map_describe(m, &next, out, max, NULL);
}

Test(vm_map_describe, empty_map_has_no_records)
{
  struct vmmap_entry e[1];

  cr_assert_eq(describe_all(&map, e, 1), 0);
}

Test(vm_map_describe, untouched_anon_has_no_object)
{
  struct vmmap_entry e[2];

  cr_assert_eq(anon(0, 4), KERN_SUCCESS);
  cr_assert_eq(describe_all(&map, e, 2), 1);
  cr_assert_eq(e[0].start, P(0));
  cr_assert_eq(e[0].end, P(4));
  cr_assert_eq(e[0].kind, VMMAP_KIND_NONE);
  cr_assert_eq(e[0].objid, 0);
  cr_assert_eq(e[0].depth, 0);
  cr_assert_eq(e[0].resident, 0);
  cr_assert_eq(e[0].prot, VM_PROT_RW);
  cr_assert_eq(e[0].maxprot, VM_PROT_ALL);
  cr_assert(e[0].flags & VMMAP_F_COW);
}

Test(vm_map_describe, counts_the_pages_touched)
{
  struct vmmap_entry e[1];

  cr_assert_eq(anon(0, 8), KERN_SUCCESS);
  touch(P(1), VM_PROT_WRITE);
  touch(P(5), VM_PROT_READ);
  cr_assert_eq(describe_all(&map, e, 1), 1);
  cr_assert_eq(e[0].kind, VMMAP_KIND_ANON);
  cr_assert_eq(e[0].depth, 1);
  cr_assert_eq(e[0].resident, 2);
  cr_assert_neq(e[0].objid, 0);
}

// The ident hook runs with the front object locked and fills ino.
static struct vm_object *ident_seen;
static unsigned ident_stub(struct vm_object *obj)
{
  cr_assert(mtx_owned(&obj->lock), "ident called unlocked");
  ident_seen = obj;
  return 42;
}

Test(vm_map_describe, ident_names_the_front_object)
{
  struct vmmap_entry e[1];
  vm_offset_t next = 0;

  cr_assert_eq(anon(0, 2), KERN_SUCCESS);
  touch(P(0), VM_PROT_WRITE);
  ident_seen = NULL;
  cr_assert_eq(vm_map_describe(&map, &next, e, 1, ident_stub), 1);
  cr_assert_eq(e[0].ino, 42);
  cr_assert_eq(ident_seen, entry_at(P(0)).object);
  cr_assert_eq(e[0].objid, ident_seen->id);
}

// Three separate entries read two at a time, then only counted, as
// sys_vmmap does when the user's buffer is short.
Test(vm_map_describe, chunks_resume_after_next)
{
  struct vmmap_entry e[2];
  vm_offset_t next = 0;

  cr_assert_eq(anon(0, 1), KERN_SUCCESS);
  cr_assert_eq(insert(NULL, 0, 2, 1, VM_PROT_READ, MAP_COPY_ON_WRITE),
               KERN_SUCCESS);
  cr_assert_eq(anon(4, 2), KERN_SUCCESS);
  cr_assert_eq(vm_map_describe(&map, &next, e, 2, NULL), 2);
  cr_assert_eq(e[0].start, P(0));
  cr_assert_eq(e[1].start, P(2));
  cr_assert_eq(next, P(3));
  cr_assert_eq(vm_map_describe(&map, &next, e, 2, NULL), 1);
  cr_assert_eq(e[0].start, P(4));
  cr_assert_eq(e[0].end, P(6));
  cr_assert_eq(vm_map_describe(&map, &next, e, 2, NULL), 0);
  next = P(2);                       // inside the second entry: it counts
  cr_assert_eq(vm_map_describe(&map, &next, NULL, 100, NULL), 2);
  cr_assert_eq(next, P(6));
}

// After fork and a write in the child, the child's entry sees a two-level
// chain: its own copy of the written page shadows the parent's, so that
// page is counted once, and the page only the parent's object holds
// counts too.
Test(vm_map_describe, shadow_chain_counts_each_page_once)
{
  struct vmspace *parent = vmspace_alloc(PAGE_SIZE, MAX_VA);
  struct vmspace *child;
  struct vmmap_entry e[1];
  vm_offset_t va = P(0);

  cr_assert_not_null(parent);
  cr_assert_eq(vm_map_find(&parent->vm_map, NULL, 0, &va, 4 * PAGE_SIZE,
                           VMFS_NO_SPACE, VM_PROT_RW, VM_PROT_ALL,
                           MAP_COPY_ON_WRITE), KERN_SUCCESS);
  cr_assert_eq(vmtest_access(&parent->vm_map, P(0), VM_PROT_WRITE), KERN_SUCCESS);
  cr_assert_eq(vmtest_access(&parent->vm_map, P(1), VM_PROT_WRITE), KERN_SUCCESS);
  child = vmspace_fork(parent);
  cr_assert_not_null(child);
  cr_assert_eq(vmtest_access(&child->vm_map, P(0), VM_PROT_WRITE), KERN_SUCCESS);

  cr_assert_eq(describe_all(&child->vm_map, e, 1), 1);
  cr_assert_eq(e[0].depth, 2);
  cr_assert_eq(e[0].resident, 2, "page 0 counted once, page 1 from below");
  cr_assert_eq(e[0].flags & VMMAP_F_DEPTH_CAP, 0);
  cr_assert_eq(describe_all(&parent->vm_map, e, 1), 1);
  cr_assert(e[0].depth >= 1);
  cr_assert_eq(e[0].resident, 2);

  vmtest_check_map(&child->vm_map);
  vmtest_check_map(&parent->vm_map);
  vmspace_free(child);
  vmspace_free(parent);
}
