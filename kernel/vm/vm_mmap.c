// SPDX-License-Identifier: MIT
// The memory system calls, machine-independent half (vm_mmap.h). For now:
// the KERN_* -> errno table every call uses, and sbrk.
//
// Each function returns 0 or a negative errno (lib/errno.h); the syscall
// layer hands that to the user stub, which sets errno. Only this edge
// translates: everything below speaks KERN_*.
//
// The heap is the range [vm_daddr, round_page(vm_break)) of a vmspace: one
// private zero-fill entry (or several, if the program mapped and unmapped
// things next to it), grown by inserting right after its end so the map's
// simplify merges the pieces into one entry.
//
// Locking: vm_sbrk takes the map lock exclusive; vm_break and vm_daddr are
// (m) fields of the vmspace.
#include "lib/errno.h"
#include "vm/vm_map.h"
#include "vm/vm_mmap.h"
#include "vm/vmspace.h"

// The translation, chosen per SEMANTICS.md:
//
//   KERN_SUCCESS             0
//   KERN_INVALID_ADDRESS     ENOMEM   unmapped pages in the range
//   KERN_NO_SPACE            ENOMEM   no room in the map
//   KERN_PROTECTION_FAILURE  EACCES   beyond the max protection
//   KERN_INVALID_ARGUMENT    EINVAL
//   KERN_FAILURE             EINVAL   FreeBSD's default; calls with a more
//                                     precise meaning (msync on wired pages:
//                                     EBUSY) translate it themselves
//   KERN_RESOURCE_SHORTAGE   ENOMEM   out of pages or kernel memory
//   KERN_OUT_OF_BOUNDS       EFAULT   past the end of a file
//   anything else            EINVAL
int vm_kern_to_errno(int kern)
{
  switch (kern) {
  case KERN_SUCCESS:
    return 0;
  case KERN_INVALID_ADDRESS:
  case KERN_NO_SPACE:
  case KERN_RESOURCE_SHORTAGE:
    return ENOMEM;
  case KERN_PROTECTION_FAILURE:
    return EACCES;
  case KERN_OUT_OF_BOUNDS:
    return EFAULT;
  case KERN_INVALID_ARGUMENT:
  case KERN_FAILURE:
  default:
    return EINVAL;
  }
}

// Grow the heap from the break old to new (> old). Map locked exclusive;
// returns with it unlocked. Under mlockall(MCL_FUTURE) the new pages are
// wired before returning, and removed again if that fails.
static int vm_sbrk_grow(struct vmspace *vm, vm_offset_t old, vm_offset_t new)
{
  struct vm_map *map = &vm->vm_map;
  vm_offset_t start = round_page(old), end = round_page(new);
  bool wire;
  int rv;

  if (end > start) {
    rv = vm_map_insert(map, NULL, 0, start, end, VM_PROT_RW, VM_PROT_ALL,
                       MAP_COPY_ON_WRITE);
    if (rv != KERN_SUCCESS) {
      vm_map_unlock(map);
      return -ENOMEM;   // another mapping is in the way, or no memory
    }
  }
  vm->vm_break = new;
  wire = end > start && (map->flags & MAP_WIREFUTURE) != 0;
  vm_map_unlock(map);
  if (!wire)
    return 0;
  rv = vm_map_wire(map, start, end, VM_MAP_WIRE_USER | VM_MAP_WIRE_NOHOLES);
  if (rv == KERN_SUCCESS)
    return 0;
  vm_map_lock(map);
  if (vm->vm_break == new) {
    vm_map_delete(map, start, end);
    vm->vm_break = old;
  }
  vm_map_unlock(map);
  return -ENOMEM;
}

int vm_sbrk(struct vmspace *vm, long n, uint64_t datalim, vm_offset_t *oldbrk)
{
  struct vm_map *map = &vm->vm_map;
  vm_offset_t old, new;

  vm_map_lock(map);
  old = vm->vm_break;
  *oldbrk = old;
  KASSERT(old >= vm->vm_daddr, ("vm_sbrk: break %#lx below heap %#lx", old,
                                vm->vm_daddr));
  if (n >= 0) {
    if (!vm_range_ok(old, (vm_size_t)n, map->max_offset, &new) ||
        new - vm->vm_daddr > datalim) {
      vm_map_unlock(map);
      return -ENOMEM;
    }
    return vm_sbrk_grow(vm, old, new);
  }
  // Shrink: never below the start of the heap.
  if ((vm_size_t)-(n + 1) >= old - vm->vm_daddr) {
    vm_map_unlock(map);
    return -EINVAL;
  }
  new = old - (vm_size_t)-(n + 1) - 1;
  if (round_page(new) < round_page(old))
    vm_map_delete(map, round_page(new), round_page(old));
  vm->vm_break = new;
  vm_map_unlock(map);
  return 0;
}
