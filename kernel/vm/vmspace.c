// SPDX-License-Identifier: MIT
// Address spaces: creation, reference counting, and fork.
//
// A vmspace is what a process owns: its vm_map, the pmap caching the map's
// translations, and the heap and stack layout. exec makes one with
// vmspace_alloc, fork with vmspace_fork, and exit drops it with
// vmspace_free; the last reference removes every mapping.
//
// Fork walks the parent's entries once, under the parent's exclusive map
// lock, and gives the child one entry for each according to its
// inheritance:
//
//   SHARE  both entries map the same object from now on. An entry still
//          waiting for its copy (NEEDS_COPY) first gets its own shadow, or
//          parent and child would each make a private copy on their first
//          write and stop sharing -- unless nobody else references the
//          object any more, and then the entry just takes it over.
//   COPY   copy-on-write: write-protect the parent's range, mark both
//          entries NEEDS_COPY, and let the first write to each side shadow
//          the object (vm_map_lookup) and copy the page (vm_fault). Two
//          cases copy at once instead (vm_fault_copy_entry): a wired
//          private entry, whose pages must stay where they are in the
//          parent and may not become copy-on-write (read-only ones too:
//          a wired page must never end up behind someone's shadow, where a
//          copy-on-write fault could unmap it, see vm_fault.c); and an
//          anonymous object that is also mapped shared by someone else
//          (another SHARE entry), which keeps changing under the child's
//          feet: a shadow of it would show the child those later writes.
//   NONE   no entry: a hole in the child.
//   ZERO   a fresh zero-fill entry with the same range and protections,
//          whose inheritance stays ZERO for the child's own children.
//
// An entry without an object was never touched, so it holds only zeros:
// COPY and ZERO give the child an entry without an object too, each side
// gets its own object on its first fault. SHARE must allocate the object
// now, since both sides must find the same one.
//
// Invariant kept for vm_fault: an anonymous object that an entry maps
// without NEEDS_COPY (so the entry may write it) is never the backing
// object of a shadow. The eager copy of shared objects is what keeps it.
//
// Locking: the parent's map is locked exclusive for the whole fork (no
// fault can run in it), after waiting for wirings in progress to finish;
// the child's map is private until returned and is locked only to satisfy
// the map's assertions.
#include "lib/kmem.h"
#include "lib/lock.h"
#include "vm/pmap.h"
#include "vm/vm_fault.h"
#include "vm/vm_object.h"
#include "vm/vmspace.h"

static struct kmem_zone *vmspace_zone;

// The zone is made by the first call, during boot, before a second hart
// or process exists (there is no vmspace_startup in the interface).
struct vmspace *vmspace_alloc(vm_offset_t min, vm_offset_t max)
{
  struct vmspace *vm;
  struct pmap *pmap;

  KASSERT(min < max && page_aligned(min) && page_aligned(max),
          ("vmspace_alloc: bad range %#lx-%#lx", min, max));
  if (vmspace_zone == NULL)
    vmspace_zone = kmem_zone_create("vmspace", sizeof(struct vmspace));
  if ((pmap = pmap_create()) == NULL)
    return NULL;
  if ((vm = kmem_zalloc(vmspace_zone)) == NULL) {
    pmap_destroy(pmap);
    return NULL;
  }
  vm_map_init(&vm->vm_map, pmap, min, max);
  vm->vm_refcnt = 1;
  return vm;
}

void vmspace_ref(struct vmspace *vm)
{
  int32_t old;

  old = __atomic_fetch_add(&vm->vm_refcnt, 1, __ATOMIC_RELAXED);
  KASSERT(old > 0, ("vmspace_ref: vmspace %p is dead", (void *)vm));
}

void vmspace_free(struct vmspace *vm)
{
  struct vm_map *map = &vm->vm_map;
  int32_t left;

  left = __atomic_sub_fetch(&vm->vm_refcnt, 1, __ATOMIC_ACQ_REL);
  KASSERT(left >= 0, ("vmspace_free: vmspace %p over-released", (void *)vm));
  if (left > 0)
    return;
  (void)vm_map_writeback(map, map->min_offset, map->max_offset);
  vm_map_remove(map, map->min_offset, map->max_offset);
  KASSERT(map->nentries == 0 && map->size == 0,
          ("vmspace_free: %u entries left", map->nentries));
  pmap_destroy(map->pmap);
  kmem_zfree(vmspace_zone, vm);
}

size_t vmspace_resident_count(struct vmspace *vm)
{
  return pmap_resident_count(vmspace_pmap(vm));
}

// The OOM rule's measure. Objects shared between entries or processes are
// counted by each (cheap, and a fair share of the blame).
size_t vmspace_anon_count(struct vmspace *vm)
{
  struct vm_map *map = &vm->vm_map;
  struct vm_map_entry *entry;
  struct vm_object *obj;
  size_t n = 0;

  vm_map_lock_read(map);
  for (entry = vm_map_entry_first(map); entry != NULL;
       entry = vm_map_entry_next(entry)) {
    if ((obj = entry->object) == NULL || (obj->flags & OBJ_ANON) == 0)
      continue;
    mtx_lock(&obj->lock);
    n += obj->resident_count + obj->swap_count;
    mtx_unlock(&obj->lock);
  }
  vm_map_unlock_read(map);
  return n;
}

size_t vmspace_wired_count(struct vmspace *vm)
{
  return pmap_wired_count(vmspace_pmap(vm));
}

// ---------------------------------------------------------------------------
// Fork.

// Entry flags the child takes from the parent's entry; wiring, transitions
// and the merge barrier used while building the child are not among them.
#define VMSPACE_FORK_EFLAGS \
  (MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY | MAP_ENTRY_GROWS_DOWN | \
   MAP_ENTRY_GUARD | MAP_ENTRY_NOMERGE)

// Insert the child's copy of src into dst with obj (the caller's reference
// moves to the entry on success) and src's attributes; eflags are the
// child's. Inserted with NOMERGE so it cannot merge before its attributes
// are set; vmspace_fork simplifies the child when all entries are in.
// Returns the new entry in *out.
static int vmspace_fork_insert(struct vm_map *dst, struct vm_map_entry *src,
                               struct vm_object *obj, vm_ooffset_t offset,
                               uint32_t eflags, vm_inherit_t inherit,
                               struct vm_map_entry **out)
{
  struct vm_map_entry *entry;
  int cow = MAP_NOMERGE;
  int rv;

  if ((eflags & MAP_ENTRY_GUARD) != 0)
    cow |= MAP_CREATE_GUARD;
  rv = vm_map_insert(dst, obj, offset, src->start, src->end, src->protection,
                     src->max_protection, cow);
  if (rv != KERN_SUCCESS)
    return rv;
  if (!vm_map_lookup_entry(dst, src->start, &entry))
    panic("vmspace_fork_insert: entry at %#lx vanished", src->start);
  entry->eflags = (entry->eflags & ~VMSPACE_FORK_EFLAGS) | eflags |
                  MAP_ENTRY_NOMERGE;
  entry->inheritance = inherit;
  entry->behavior = src->behavior;
  *out = entry;
  return KERN_SUCCESS;
}

/* LAB cow BEGIN vmspace_fork_share: INHERIT_SHARE: both maps use one object */
// The other side of a fork will map obj too: its pages may now be seen
// through more than one entry.
static void vmspace_fork_not_one(struct vm_object *obj)
{
  mtx_lock(&obj->lock);
  obj->flags &= ~OBJ_ONEMAPPING;
  mtx_unlock(&obj->lock);
}

// SHARE: both entries map the same object (see the module comment).
static int vmspace_fork_share(struct vm_map *dst, struct vm_map_entry *src)
{
  struct vm_map_entry *entry;
  int rv;

  if (src->object == NULL) {
    src->object = vm_object_allocate(OBJT_DEFAULT,
                                     atop(src->end - src->start));
    if (src->object == NULL)
      return KERN_RESOURCE_SHORTAGE;
    src->offset = 0;
  } else if ((src->eflags & MAP_ENTRY_NEEDS_COPY) != 0) {
    // Once the other side of the copy has gone the object is src's alone;
    // a shadow would leave it one reference, its shadow's, that nothing
    // collapses -- one more object in the chain per such fork.
    if (!vm_map_entry_sole_owner(src)) {
      rv = vm_object_shadow(&src->object, &src->offset,
                            src->end - src->start);
      if (rv != KERN_SUCCESS)
        return rv;
    }
    src->eflags &= ~MAP_ENTRY_NEEDS_COPY;
  }
  vm_object_reference(src->object);
  rv = vmspace_fork_insert(dst, src, src->object, src->offset,
                           src->eflags & VMSPACE_FORK_EFLAGS,
                           src->inheritance, &entry);
  if (rv != KERN_SUCCESS) {
    vm_object_deallocate(src->object);
    return rv;
  }
  vmspace_fork_not_one(src->object);
  return KERN_SUCCESS;
}
/* LAB cow STUB
static int vmspace_fork_share(struct vm_map *dst, struct vm_map_entry *src)
{
  (void)dst;
  (void)src;
  return KERN_FAILURE;
}
   LAB cow END */

/* LAB cow BEGIN vmspace_fork_cow: INHERIT_COPY: copy-on-write, or copy now */
// Must the COPY of src be made now rather than on write?
static bool vmspace_fork_eager(struct vm_map_entry *src)
{
  struct vm_object *obj = src->object;
  bool shared;

  if (obj == NULL)
    return false;
  // Wired memory is copied now, private or not (a shared anonymous mapping
  // given INHERIT_COPY included): a lazy copy would leave wired anonymous
  // pages behind the child's shadow and turn the wired entry NEEDS_COPY.
  if (src->wired_count > 0)
    return true;
  if ((src->eflags & MAP_ENTRY_NEEDS_COPY) != 0)
    return false;
  // The pageout code's references (a page-out or read-ahead in flight,
  // vm_object.h) are not users: counted, a fork in that moment would copy
  // the whole object now, or fail for want of the memory.
  mtx_lock(&obj->lock);
  shared = (obj->flags & OBJ_ANON) != 0 &&
           obj->ref_count - obj->pageout_refs > 1;
  mtx_unlock(&obj->lock);
  return shared;
}

// COPY, lazily: both sides copy-on-write from the one object.
static int vmspace_fork_cow(struct vm_map *src_map, struct vm_map *dst,
                            struct vm_map_entry *src)
{
  struct vm_map_entry *entry;
  struct vm_object *obj = src->object;
  uint32_t eflags = (src->eflags & VMSPACE_FORK_EFLAGS) | MAP_ENTRY_COW;
  int rv;

  if (obj == NULL)
    return vmspace_fork_insert(dst, src, NULL, 0, eflags, src->inheritance,
                               &entry);
  vm_object_reference(obj);
  rv = vmspace_fork_insert(dst, src, obj, src->offset,
                           eflags | MAP_ENTRY_NEEDS_COPY, src->inheritance,
                           &entry);
  if (rv != KERN_SUCCESS) {
    vm_object_deallocate(obj);
    return rv;
  }
  // A shared file mapping (not anonymous) keeps writing its file in the
  // parent; only the child becomes a private copy of it.
  if ((obj->flags & OBJ_ANON) != 0 || (src->eflags & MAP_ENTRY_COW) != 0) {
    if ((src->eflags & MAP_ENTRY_NEEDS_COPY) == 0 &&
        (src->protection & VM_PROT_WRITE) != 0)
      pmap_protect(src_map->pmap, src->start, src->end,
                   src->protection & ~VM_PROT_WRITE);
    src->eflags |= MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY;
  }
  vmspace_fork_not_one(obj);
  return KERN_SUCCESS;
}
/* LAB cow STUB
static bool vmspace_fork_eager(struct vm_map_entry *src)
{
  (void)src;
  return false;
}

static int vmspace_fork_cow(struct vm_map *src_map, struct vm_map *dst,
                            struct vm_map_entry *src)
{
  (void)src_map;
  (void)dst;
  (void)src;
  return KERN_FAILURE;
}
   LAB cow END */

// COPY, eagerly: the child gets its own object with a copy of every page.
static int vmspace_fork_copy_now(struct vm_map *src_map, struct vm_map *dst,
                                 struct vm_map_entry *src)
{
  struct vm_map_entry *entry;
  uint32_t eflags;
  int rv;

  eflags = (src->eflags & VMSPACE_FORK_EFLAGS & ~MAP_ENTRY_NEEDS_COPY) |
           MAP_ENTRY_COW;
  rv = vmspace_fork_insert(dst, src, NULL, 0, eflags, src->inheritance,
                           &entry);
  if (rv != KERN_SUCCESS)
    return rv;
  rv = vm_fault_copy_entry(dst, src_map, entry, src);
  if (rv != KERN_SUCCESS)
    vm_map_delete(dst, entry->start, entry->end);
  return rv;
}

// The child's share of one parent entry, by inheritance.
static int vmspace_fork_entry(struct vm_map *src_map, struct vm_map *dst,
                              struct vm_map_entry *src)
{
  struct vm_map_entry *entry;
  uint32_t eflags;

  if ((src->eflags & MAP_ENTRY_GUARD) != 0) {
    // A stack's growth reservation: the child's stack must grow too.
    if (src->inheritance == VM_INHERIT_NONE)
      return KERN_SUCCESS;
    return vmspace_fork_insert(dst, src, NULL, 0,
                               src->eflags & VMSPACE_FORK_EFLAGS,
                               src->inheritance, &entry);
  }
  switch (src->inheritance) {
  case VM_INHERIT_SHARE:
    return vmspace_fork_share(dst, src);
  case VM_INHERIT_COPY:
    if (vmspace_fork_eager(src))
      return vmspace_fork_copy_now(src_map, dst, src);
    return vmspace_fork_cow(src_map, dst, src);
  case VM_INHERIT_ZERO:
    eflags = (src->eflags & (MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_NOMERGE)) |
             MAP_ENTRY_COW;
    return vmspace_fork_insert(dst, src, NULL, 0, eflags, VM_INHERIT_ZERO,
                               &entry);
  case VM_INHERIT_NONE:
    return KERN_SUCCESS;
  default:
    panic("vmspace_fork_entry: bad inheritance %d", src->inheritance);
  }
}

// Drop the merge barrier of the child's entries (keeping it where the
// parent had it) and merge what can be merged, in both maps: fork changed
// flags of parent entries too (NEEDS_COPY), which can make neighbours
// equal.
static void vmspace_fork_simplify(struct vm_map *dst, struct vm_map *src_map)
{
  struct vm_map_entry *entry, *src;

  for (entry = vm_map_entry_first(src_map); entry != NULL;
       entry = vm_map_entry_next(entry))
    vm_map_simplify_entry(src_map, entry);

  for (entry = vm_map_entry_first(dst); entry != NULL;
       entry = vm_map_entry_next(entry)) {
    if (vm_map_lookup_entry(src_map, entry->start, &src) &&
        (src->eflags & MAP_ENTRY_NOMERGE) != 0)
      continue;
    entry->eflags &= ~MAP_ENTRY_NOMERGE;
  }
  for (entry = vm_map_entry_first(dst); entry != NULL;
       entry = vm_map_entry_next(entry))
    vm_map_simplify_entry(dst, entry);
}

// Wait until no entry of map is being wired or unwired (its owner has the
// map unlocked and is faulting pages): fork must see settled wiring. Map
// locked exclusive on entry and return; it may be dropped meanwhile.
static void vmspace_fork_wait(struct vm_map *map)
{
  struct vm_map_entry *entry;

again:
  for (entry = vm_map_entry_first(map); entry != NULL;
       entry = vm_map_entry_next(entry)) {
    if ((entry->eflags & MAP_ENTRY_IN_TRANSITION) != 0) {
      entry->eflags |= MAP_ENTRY_NEEDS_WAKEUP;
      vm_map_unlock_and_wait(map);
      vm_map_lock(map);
      goto again;
    }
  }
}

struct vmspace *vmspace_fork(struct vmspace *parent)
{
  struct vm_map *old_map = &parent->vm_map, *new_map;
  struct vm_map_entry *entry;
  struct vmspace *vm2;
  int rv = KERN_SUCCESS;

  vm2 = vmspace_alloc(old_map->min_offset, old_map->max_offset);
  if (vm2 == NULL)
    return NULL;
  new_map = &vm2->vm_map;
  vm_map_lock(old_map);
  vmspace_fork_wait(old_map);
  vm_map_lock(new_map);
  vm2->vm_daddr = parent->vm_daddr;
  vm2->vm_break = parent->vm_break;
  vm2->vm_maxsaddr = parent->vm_maxsaddr;
  for (entry = vm_map_entry_first(old_map); entry != NULL;
       entry = vm_map_entry_next(entry)) {
    rv = vmspace_fork_entry(old_map, new_map, entry);
    if (rv != KERN_SUCCESS)
      break;
  }
  vmspace_fork_simplify(new_map, old_map);
  vm_map_unlock(new_map);
  vm_map_unlock(old_map);
  if (rv != KERN_SUCCESS) {
    vmspace_free(vm2);
    return NULL;
  }
  return vm2;
}
