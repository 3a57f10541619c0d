// SPDX-License-Identifier: MIT
// The memory system calls, machine-independent half (vm_mmap.h): every
// argument check of the docs/semantics.md table, the calls into the map, the
// KERN_* -> errno table, and sbrk. kernel/sysmem.c fetches the arguments,
// turns a descriptor into an object and copies mincore's vector out.
//
// Wiring limits: a process's wired bytes (its pmap's wired count) may not
// pass RLIMIT_MEMLOCK (ENOMEM; EAGAIN for mmap under MCL_FUTURE), and the
// system's wired pages may not pass three quarters of RAM (EAGAIN). Both
// are checked before anything is wired, so a refused call changes nothing,
// and both count only the pages a call would wire anew (vm_map_wire_size):
// locking locked memory again costs nothing. Every way memory gets wired
// passes them: mlock, mlockall, and under mlockall(MCL_FUTURE) mmap,
// mprotect out of PROT_NONE, sbrk and stack growth (vm_growstack, and
// vm_fault_user, the one place a user-address fault grows the stack).
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
// Locking: every call takes the map lock itself (the map's operations do);
// vm_sbrk takes it exclusive; vm_break and vm_daddr are (m) fields of the
// vmspace. mincore holds the map shared and walks each page's shadow chain
// with the object locks taken hand over hand.
#include "lib/errno.h"
#include "vm/pmap.h"
#include "vm/swap_pager.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"
#include "vm/vmspace.h"

// The translation, chosen per docs/semantics.md:
//
//   KERN_SUCCESS             0
//   KERN_INVALID_ADDRESS     ENOMEM   unmapped pages in the range
//   KERN_NO_SPACE            ENOMEM   no room in the map (msync, where it
//                                     means a full store: ENOSPC, translates
//                                     it itself)
//   KERN_PROTECTION_FAILURE  EACCES   beyond the max protection
//   KERN_INVALID_ARGUMENT    EINVAL
//   KERN_FAILURE             EINVAL   FreeBSD's default; calls with a more
//                                     precise meaning (msync on wired pages:
//                                     EBUSY) translate it themselves
//   KERN_RESOURCE_SHORTAGE   ENOMEM   out of pages or kernel memory
//   KERN_OUT_OF_BOUNDS       EFAULT   past the end of a file
//   KERN_MEMORY_ERROR        EIO      a pager failed to write a page
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
  case KERN_MEMORY_ERROR:
    return EIO;
  case KERN_INVALID_ARGUMENT:
  case KERN_FAILURE:
  default:
    return EINVAL;
  }
}

// --- wiring limits and growth ----------------------------------------------------

/* LAB wire BEGIN vm_mmap_wire_ok: RLIMIT_MEMLOCK and the system-wide limit */
// Pages the system may still wire under its limit, three quarters of RAM.
static size_t vm_wire_sys_room(void)
{
  size_t limit = vm_page_total_count() / 4 * 3;
  size_t wired = __atomic_load_n(&vm_cnt.v_wire_count, __ATOMIC_RELAXED);

  return wired < limit ? limit - wired : 0;
}

bool vm_wire_limit_ok(size_t npages)
{
  return npages <= vm_wire_sys_room();
}

// May this address space wire npages more? -ENOMEM over its lock limit
// (or, when over_limit_is_eagain, -EAGAIN: mmap under MCL_FUTURE), -EAGAIN
// over the system-wide limit, else 0. Wiring nothing new is always fine,
// even when a lowered limit is already passed.
static int vm_mmap_wire_ok(struct vm_map *map, size_t npages,
                           rlim_t memlock_limit, bool over_limit_is_eagain)
{
  rlim_t wired = ptoa((rlim_t)pmap_wired_count(map->pmap));

  if (npages == 0)
    return 0;
  if (ptoa((rlim_t)npages) > memlock_limit ||
      wired + ptoa((rlim_t)npages) > memlock_limit)
    return over_limit_is_eagain ? -EAGAIN : -ENOMEM;
  if (!vm_wire_limit_ok(npages))
    return -EAGAIN;
  return 0;
}

// Bytes this address space may still wire: what is left of its lock
// limit and of the system's.
static vm_size_t vm_wire_room(struct vm_map *map, rlim_t memlock_limit)
{
  rlim_t mine = ptoa((rlim_t)pmap_wired_count(map->pmap));
  vm_size_t room = memlock_limit > mine ? memlock_limit - mine : 0;

  return MIN(room, ptoa((vm_size_t)vm_wire_sys_room()));
}
/* LAB wire STUB
bool vm_wire_limit_ok(size_t npages)
{
  (void)npages;
  return false;
}

static int vm_mmap_wire_ok(struct vm_map *map, size_t npages,
                           rlim_t memlock_limit, bool over_limit_is_eagain)
{
  (void)map;
  (void)npages;
  (void)memlock_limit;
  (void)over_limit_is_eagain;
  return -ENOSYS;
}

static vm_size_t vm_wire_room(struct vm_map *map, rlim_t memlock_limit)
{
  (void)map;
  (void)memlock_limit;
  return 0;
}
   LAB wire END */

int vm_growstack(struct vmspace *vm, vm_offset_t va, rlim_t memlock_limit)
{
  struct vm_map *map = &vm->vm_map;

  return vm_map_growstack(map, va, vm_wire_room(map, memlock_limit));
}

// A miss (KERN_INVALID_ADDRESS) may be the first touch of a stack's growth
// area: grow and fault once more. When the stack cannot grow, the miss
// stands: a stack overflow. vm_fault holds no lock on return, so the retry
// starts from nothing.
int vm_fault_user(struct vmspace *vm, vm_offset_t va, vm_prot_t type,
                  rlim_t memlock_limit)
{
  int rc = vm_fault(&vm->vm_map, va, type, VM_FAULT_NORMAL);

  if (rc == KERN_INVALID_ADDRESS &&
      vm_growstack(vm, va, memlock_limit) == KERN_SUCCESS)
    rc = vm_fault(&vm->vm_map, va, type, VM_FAULT_NORMAL);
  return rc;
}

// --- sbrk ------------------------------------------------------------------------

// Grow the heap from the break old to new (> old). Map locked exclusive;
// returns with it unlocked. Under mlockall(MCL_FUTURE) the new pages must
// fit the wiring limits (checked first: ENOMEM / EAGAIN, nothing changed)
// and are wired before returning, and removed again if that fails.
static int vm_sbrk_grow(struct vmspace *vm, vm_offset_t old, vm_offset_t new,
                        rlim_t memlock_limit, bool *shortage)
{
  struct vm_map *map = &vm->vm_map;
  vm_offset_t start = round_page(old), end = round_page(new);
  bool wire = end > start && (map->flags & MAP_WIREFUTURE) != 0;
  int rv;

  if (wire && (rv = vm_mmap_wire_ok(map, atop(end - start), memlock_limit,
                                    false))) {
    vm_map_unlock(map);
    return rv;
  }
  if (end > start) {
    rv = vm_map_insert(map, NULL, 0, start, end, VM_PROT_RW, VM_PROT_ALL,
                       MAP_COPY_ON_WRITE);
    if (rv != KERN_SUCCESS) {
      vm_map_unlock(map);
      *shortage = rv == KERN_RESOURCE_SHORTAGE;
      return -ENOMEM;   // another mapping is in the way, or no memory
    }
  }
  vm->vm_break = new;
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

static int vm_sbrk_once(struct vmspace *vm, long n, uint64_t datalim,
                        rlim_t memlock_limit, vm_offset_t *oldbrk,
                        bool *shortage)
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
    return vm_sbrk_grow(vm, old, new, memlock_limit, shortage);
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

// The heap's map entry may need kernel memory (a new entry after fork);
// short of it, wait for the pageout daemon as a fault does rather than
// fail while paging can still free a page.
int vm_sbrk(struct vmspace *vm, long n, uint64_t datalim, rlim_t memlock_limit,
            vm_offset_t *oldbrk)
{
  int rc, tries = VM_RECLAIM_TRIES;
  bool shortage = false;

  while ((rc = vm_sbrk_once(vm, n, datalim, memlock_limit, oldbrk,
                            &shortage)) != 0 &&
         shortage && vm_pageout_retry(&tries))
    shortage = false;
  return rc;
}

// --- argument checks -----------------------------------------------------------
//
// The rows of the docs/semantics.md table that do not need the map are checked
// here, in the order FreeBSD's sys_mmap checks them, so a call with several
// faults gets the same errno there and here.

#define VM_MMAP_PROT_ALL  (PROT_READ | PROT_WRITE | PROT_EXEC)
// off_t is a signed 64-bit byte offset: a negative one, or one whose end
// (off plus the page-rounded length, the last byte the mapping can reach)
// does not fit, is EINVAL.
#define VM_MMAP_OFF_MAX   ((vm_ooffset_t)INT64_MAX)
#define VM_MMAP_FLAGS_ALL (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_STACK | \
                           MAP_ANON | MAP_EXCL)

int vm_mmap_check(vm_offset_t addr, vm_size_t len, int prot, int flags,
                  long fd, vm_ooffset_t off)
{
  bool anon = (flags & (MAP_ANON | MAP_STACK)) != 0;

  if (len == 0 || len > ~(vm_size_t)0 - PAGE_MASK)
    return -EINVAL;
  if ((prot & ~VM_MMAP_PROT_ALL) != 0 || (flags & ~VM_MMAP_FLAGS_ALL) != 0)
    return -EINVAL;
  if ((flags & MAP_SHARED) && (flags & MAP_PRIVATE))
    return -EINVAL;
  if (!anon && !(flags & (MAP_SHARED | MAP_PRIVATE)))
    return -EINVAL;
  if (anon && (fd != -1 || off != 0))
    return -EINVAL;
  if (!page_aligned(off) || off > VM_MMAP_OFF_MAX ||
      round_page(len) > VM_MMAP_OFF_MAX - off)
    return -EINVAL;
  if ((flags & MAP_EXCL) && !(flags & MAP_FIXED))
    return -EINVAL;
  if ((flags & MAP_FIXED) && !page_aligned(addr))
    return -EINVAL;
  return 0;
}

// The page range of a call on [addr, addr + len): addr must be aligned,
// the end is rounded up, and the range may neither wrap nor pass the end
// of the map. 0 with *start/*end, or -EINVAL.
static int vm_mmap_range(struct vm_map *map, vm_offset_t addr, vm_size_t len,
                         vm_offset_t *start, vm_offset_t *end)
{
  vm_offset_t e;

  if (!page_aligned(addr) || !vm_range_ok(addr, len, map->max_offset, &e) ||
      e > ~(vm_offset_t)0 - PAGE_MASK)
    return -EINVAL;
  *start = addr;
  *end = round_page(e);
  if (*end > map->max_offset)
    return -EINVAL;
  return 0;
}

// The prologue of the calls that act on a range with one argument:
// 1 with the range to act on, 0 when it is empty (nothing to do), or
// -EINVAL for a bad range or an argument that is not arg_ok.
static int vm_mmap_range_arg(struct vm_map *map, vm_offset_t addr,
                             vm_size_t len, bool arg_ok, vm_offset_t *start,
                             vm_offset_t *end)
{
  int rc;

  if ((rc = vm_mmap_range(map, addr, len, start, end)))
    return rc;
  if (!arg_ok)
    return -EINVAL;
  return *start < *end;
}

// --- mmap ------------------------------------------------------------------------

// Everything vm_mmap decided before touching the map; on the caller's
// stack, so every field is (t).
struct vm_mmap_args {
  vm_size_t size;        // (t) page-rounded length
  vm_prot_t prot;        // (t) what to map with (READ added to WRITE)
  vm_prot_t max;         // (t) max protection
  int cow;               // (t) vm_map_insert flags
  bool wire;             // (t) wire it now: MAP_WIREFUTURE, not PROT_NONE
};

// The access rules of file mappings: the descriptor must be readable, and
// a shared writable mapping needs a writable one. A shared mapping of a
// read-only descriptor may never become writable (max protection).
static int vm_mmap_file_prot(struct vm_mmap_args *a, int flags,
                             bool readable, bool writable)
{
  if (!readable)
    return -EACCES;
  if ((flags & MAP_SHARED) && !writable) {
    if (a->prot & VM_PROT_WRITE)
      return -EACCES;
    a->max = VM_PROT_READ | VM_PROT_EXECUTE;
  }
  return 0;
}

// Insert the mapping somewhere: at the hint if it is usable and free, else
// the lowest fit above it, above VM_MMAP_BASE, or anywhere. KERN_* code.
static int vm_mmap_place(struct vm_map *map, struct vm_object *obj,
                         vm_ooffset_t off, vm_offset_t hint,
                         struct vm_mmap_args *a, vm_offset_t *out)
{
  vm_offset_t tries[3], end;
  int i, rv = KERN_NO_SPACE;

  hint = round_page(hint);
  if (hint < map->min_offset || !vm_range_ok(hint, a->size, map->max_offset, &end))
    hint = VM_MMAP_BASE;
  tries[0] = hint;
  tries[1] = VM_MMAP_BASE;
  tries[2] = map->min_offset;
  for (i = 0; i < 3 && rv == KERN_NO_SPACE; i++) {
    *out = tries[i];
    if (*out < map->min_offset || *out >= map->max_offset)
      continue;
    rv = vm_map_find(map, obj, off, out, a->size, VMFS_ANY_SPACE, a->prot,
                     a->max, a->cow);
    if (rv == KERN_INVALID_ADDRESS)
      rv = KERN_NO_SPACE;   // no fit between this start and the map's end
  }
  return rv;
}

// Map it (fixed or placed). On success the entry owns obj's reference.
static int vm_mmap_insert(struct vm_map *map, struct vm_object *obj,
                          vm_offset_t addr, vm_ooffset_t off, int flags,
                          struct vm_mmap_args *a, vm_offset_t *out)
{
  int rv;

  if (!(flags & MAP_FIXED))
    return -vm_kern_to_errno(vm_mmap_place(map, obj, off, addr, a, out));
  rv = vm_map_fixed(map, obj, off, addr, a->size, a->prot, a->max,
                    a->cow | ((flags & MAP_EXCL) ? MAP_CHECK_EXCL : 0));
  if (rv == KERN_NO_SPACE && (flags & MAP_EXCL))
    return -EEXIST;
  if (rv == KERN_INVALID_ADDRESS)
    return -EINVAL;
  *out = addr;
  return -vm_kern_to_errno(rv);
}

// Under MCL_FUTURE the new range is wired at once; if that fails it is
// removed again. obj (the entry's object, may be NULL) must survive the
// removal because the caller still owns the reference it passed in.
static int vm_mmap_wire_new(struct vm_map *map, struct vm_object *obj,
                            vm_offset_t start, vm_size_t size)
{
  if (vm_map_wire(map, start, start + size,
                  VM_MAP_WIRE_USER | VM_MAP_WIRE_NOHOLES) == KERN_SUCCESS)
    return 0;
  if (obj != NULL)
    vm_object_reference(obj);
  vm_map_remove(map, start, start + size);
  return -EAGAIN;
}

// Fill in a from the call's arguments; 0 or -errno.
static int vm_mmap_prepare(struct vm_map *map, vm_offset_t addr, vm_size_t len,
                           int prot, int flags, struct vm_mmap_args *a)
{
  vm_offset_t end;

  a->size = round_page(len);
  a->prot = vm_prot_mappable((vm_prot_t)prot);
  a->max = VM_PROT_ALL;
  a->cow = (flags & MAP_SHARED) ? MAP_INHERIT_SHARE : MAP_COPY_ON_WRITE;
  // A PROT_NONE reservation is not memory one can wire: mprotect wires
  // it when it becomes accessible (vm_map_protect).
  a->wire = (map->flags & MAP_WIREFUTURE) != 0 && a->prot != VM_PROT_NONE;
  if ((flags & MAP_FIXED) &&
      (addr < map->min_offset || !vm_range_ok(addr, a->size, map->max_offset, &end)))
    return -EINVAL;
  return 0;
}

int vm_mmap(struct vmspace *vm, vm_offset_t addr, vm_size_t len, int prot,
            int flags, struct vm_object *obj, vm_ooffset_t off,
            bool obj_readable, bool obj_writable, rlim_t memlock_limit,
            vm_offset_t *out)
{
  struct vm_map *map = &vm->vm_map;
  struct vm_object *anon = NULL;
  struct vm_mmap_args a;
  int rc;

  if ((rc = vm_mmap_check(addr, len, prot, flags, obj != NULL ? 0 : -1, off)))
    return rc;
  KASSERT(obj != NULL || (flags & (MAP_ANON | MAP_STACK)),
          ("vm_mmap: file mapping without an object"));
  if ((rc = vm_mmap_prepare(map, addr, len, prot, flags, &a)))
    return rc;
  if (obj != NULL && (rc = vm_mmap_file_prot(&a, flags, obj_readable,
                                             obj_writable)))
    return rc;
  if (a.wire && (rc = vm_mmap_wire_ok(map, atop(a.size), memlock_limit, true)))
    return rc;
  if (obj == NULL && (flags & MAP_SHARED)) {
    // Shared anonymous memory needs its object now, so fork shares it.
    if ((anon = vm_object_allocate(OBJT_DEFAULT, atop(a.size))) == NULL)
      return -ENOMEM;
    obj = anon;
  }
  rc = vm_mmap_insert(map, obj, addr, off, flags, &a, out);
  if (rc == 0 && a.wire)
    rc = vm_mmap_wire_new(map, obj, *out, a.size);
  if (rc != 0 && anon != NULL)
    vm_object_deallocate(anon);
  return rc;
}

// --- munmap, mprotect, madvise, minherit, msync ---------------------------------

int vm_munmap(struct vmspace *vm, vm_offset_t addr, vm_size_t len)
{
  struct vm_map *map = &vm->vm_map;
  vm_offset_t start, end;
  int rc;

  if (len == 0 || addr < map->min_offset)
    return -EINVAL;
  if ((rc = vm_mmap_range(map, addr, len, &start, &end)))
    return rc;
  // An I/O error leaves the pages dirty in the object, to be written
  // when it goes; munmap itself has no way to report it.
  (void)vm_map_writeback(map, start, end);
  // Holes are fine; clipping an entry at either end may find no memory.
  return -vm_kern_to_errno(vm_map_remove(map, start, end));
}

// Under MCL_FUTURE, making PROT_NONE memory accessible wires it, so that
// part must fit the wiring limits first (ENOMEM / EAGAIN, nothing changed).
int vm_mprotect(struct vmspace *vm, vm_offset_t addr, vm_size_t len, int prot,
                rlim_t memlock_limit)
{
  struct vm_map *map = &vm->vm_map;
  vm_offset_t start, end;
  vm_prot_t p = vm_prot_mappable((vm_prot_t)prot);
  int rc;

  rc = vm_mmap_range_arg(map, addr, len, (prot & ~VM_MMAP_PROT_ALL) == 0,
                         &start, &end);
  if (rc <= 0)
    return rc;
  if ((map->flags & MAP_WIREFUTURE) && p != VM_PROT_NONE &&
      (rc = vm_mmap_wire_ok(map, atop(vm_map_wire_size(map, start, end, true)),
                            memlock_limit, false)))
    return rc;
  return -vm_kern_to_errno(vm_map_protect(map, start, end, p, false));
}

int vm_madvise(struct vmspace *vm, vm_offset_t addr, vm_size_t len, int advice)
{
  struct vm_map *map = &vm->vm_map;
  vm_offset_t start, end;
  int rc;

  rc = vm_mmap_range_arg(map, addr, len,
                         advice >= MADV_NORMAL && advice <= MADV_FREE,
                         &start, &end);
  if (rc <= 0)
    return rc;
  return -vm_kern_to_errno(vm_map_madvise(map, start, end, advice));
}

int vm_minherit(struct vmspace *vm, vm_offset_t addr, vm_size_t len,
                int inherit)
{
  struct vm_map *map = &vm->vm_map;
  vm_offset_t start, end;
  int rc;

  rc = vm_mmap_range_arg(map, addr, len,
                         inherit >= INHERIT_SHARE && inherit <= INHERIT_ZERO,
                         &start, &end);
  if (rc <= 0)
    return rc;
  return -vm_kern_to_errno(vm_map_inherit(map, start, end,
                                          (vm_inherit_t)inherit));
}

int vm_msync(struct vmspace *vm, vm_offset_t addr, vm_size_t len, int flags)
{
  struct vm_map *map = &vm->vm_map;
  vm_offset_t start, end;
  int rc;

  rc = vm_mmap_range_arg(map, addr, len,
                         (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) == 0 &&
                             !((flags & MS_ASYNC) && (flags & MS_SYNC)),
                         &start, &end);
  if (rc <= 0)
    return rc;
  rc = vm_map_sync(map, start, end, (flags & MS_SYNC) != 0,
                   (flags & MS_INVALIDATE) != 0);
  // Told apart by code, not by flag: MS_INVALIDATE with a write error is
  // still EIO (KERN_MEMORY_ERROR, below).
  if (rc == KERN_NO_SPACE)
    return -ENOSPC;               // a page needed a block the disk lacks
  if (rc == KERN_INVALID_ARGUMENT)
    return -EBUSY;                // MS_INVALIDATE of wired pages
  return -vm_kern_to_errno(rc);
}

// --- wiring ----------------------------------------------------------------------

/* LAB wire BEGIN vm_mlock: mlock, munlock, mlockall and munlockall */
// The whole pages around [addr, addr + len), for mlock and munlock: 0, or
// -EINVAL when the rounded end overflows, -ENOMEM past the map (unmapped).
static int vm_mlock_range(struct vm_map *map, vm_offset_t addr, vm_size_t len,
                          vm_offset_t *start, vm_offset_t *end)
{
  vm_offset_t e;

  if (__builtin_add_overflow(addr, len, &e) || e > ~(vm_offset_t)0 - PAGE_MASK)
    return -EINVAL;
  *start = trunc_page(addr);
  *end = round_page(e);
  if (*start < map->min_offset || *end > map->max_offset)
    return -ENOMEM;
  return 0;
}

// What a failed user wiring means to the caller: a hole or a PROT_NONE
// page is ENOMEM, as is a shortage of pages.
static int vm_mlock_errno(int rv)
{
  return rv == KERN_SUCCESS ? 0 : -ENOMEM;
}

int vm_mlock(struct vmspace *vm, vm_offset_t addr, vm_size_t len,
             rlim_t memlock_limit)
{
  struct vm_map *map = &vm->vm_map;
  vm_offset_t start, end;
  int rc;

  if ((rc = vm_mlock_range(map, addr, len, &start, &end)))
    return rc;
  if (start == end)
    return 0;
  if ((rc = vm_mmap_wire_ok(map, atop(vm_map_wire_size(map, start, end, false)),
                            memlock_limit, false)))
    return rc;
  return vm_mlock_errno(vm_map_wire(map, start, end,
                                    VM_MAP_WIRE_USER | VM_MAP_WIRE_NOHOLES));
}

int vm_munlock(struct vmspace *vm, vm_offset_t addr, vm_size_t len)
{
  struct vm_map *map = &vm->vm_map;
  vm_offset_t start, end;
  int rc;

  if ((rc = vm_mlock_range(map, addr, len, &start, &end)))
    return rc;
  if (start == end)
    return 0;
  return vm_mlock_errno(vm_map_unwire(map, start, end,
                                      VM_MAP_WIRE_USER | VM_MAP_WIRE_NOHOLES));
}

// MCL_CURRENT wires every accessible entry (guards and PROT_NONE
// reservations are not memory one can wire); only those not wired yet
// count against the limits.
int vm_mlockall(struct vmspace *vm, int flags, rlim_t memlock_limit)
{
  struct vm_map *map = &vm->vm_map;
  vm_size_t size;
  int rv;

  if (flags == 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE)) != 0)
    return -EINVAL;
  if (flags & MCL_CURRENT) {
    size = vm_map_wire_size(map, map->min_offset, map->max_offset, false);
    if ((rv = vm_mmap_wire_ok(map, atop(size), memlock_limit, false)))
      return rv;
  }
  if (flags & MCL_FUTURE) {
    vm_map_lock(map);
    map->flags |= MAP_WIREFUTURE;
    vm_map_unlock(map);
  }
  if (!(flags & MCL_CURRENT))
    return 0;
  rv = vm_map_wire(map, map->min_offset, map->max_offset,
                   VM_MAP_WIRE_USER | VM_MAP_WIRE_HOLESOK);
  return rv == KERN_SUCCESS ? 0 : -EAGAIN;
}

int vm_munlockall(struct vmspace *vm)
{
  struct vm_map *map = &vm->vm_map;

  vm_map_lock(map);
  map->flags &= ~MAP_WIREFUTURE;
  vm_map_unlock(map);
  vm_map_unwire(map, map->min_offset, map->max_offset,
                VM_MAP_WIRE_USER | VM_MAP_WIRE_HOLESOK);
  return 0;
}
/* LAB wire STUB
int vm_mlock(struct vmspace *vm, vm_offset_t addr, vm_size_t len,
             rlim_t memlock_limit)
{
  (void)vm;
  (void)addr;
  (void)len;
  (void)memlock_limit;
  return -ENOSYS;
}

int vm_munlock(struct vmspace *vm, vm_offset_t addr, vm_size_t len)
{
  (void)vm;
  (void)addr;
  (void)len;
  return -ENOSYS;
}

int vm_mlockall(struct vmspace *vm, int flags, rlim_t memlock_limit)
{
  (void)vm;
  (void)flags;
  (void)memlock_limit;
  return -ENOSYS;
}

int vm_munlockall(struct vmspace *vm)
{
  (void)vm;
  return -ENOSYS;
}
   LAB wire END */

// --- mincore ---------------------------------------------------------------------

// Is the page a read of pindex of obj would see resident? It is the first
// copy down the shadow chain, resident or on swap (a page still being read
// in, by a read-ahead, is not resident yet): a copy on swap in a front
// object hides its backing object's page, resident or not (the backing
// page may be resident for a process that shares it). Takes each
// object's lock hand over hand. Returns the MINCORE_* bits it can tell
// without a mapping: INCORE, and MODIFIED for a dirty page.
static int vm_mincore_object(struct vm_object *obj, vm_pindex_t pindex)
{
  struct vm_page *m;
  int bits = 0;

  if (obj == NULL)
    return 0;
  mtx_lock(&obj->lock);
  do {
    if ((m = vm_object_page_lookup(obj, pindex)) != NULL) {
      if ((m->flags & PG_VALID) != 0)   // else still being read in
        bits = MINCORE_INCORE | ((m->flags & PG_DIRTY) ? MINCORE_MODIFIED : 0);
      break;
    }
    if (swap_pager_lookup(obj, pindex) != SWAPBLK_NONE)
      break;                          // on swap: not resident
  } while (vm_object_chain_next(&obj, &pindex));
  mtx_unlock(&obj->lock);
  return bits;
}

// The bits of one page at va inside entry. Map read-locked.
static char vm_mincore_page(struct vm_map *map, struct vm_map_entry *entry,
                            vm_offset_t va)
{
  vm_prot_t prot;
  int bits;

  if (pmap_extract_page(map->pmap, va, &prot) != NULL)
    return (char)(MINCORE_INCORE | pmap_mincore(map->pmap, va));
  if (entry->eflags & MAP_ENTRY_GUARD)
    return 0;
  bits = vm_mincore_object(entry->object,
                           atop(entry->offset + (va - entry->start)));
  return (char)bits;
}

int vm_mincore(struct vmspace *vm, vm_offset_t addr, vm_size_t len, char *vec)
{
  struct vm_map *map = &vm->vm_map;
  struct vm_map_entry *entry = NULL;
  vm_offset_t start, end, va;
  int rc;

  if ((rc = vm_mmap_range_arg(map, addr, len, true, &start, &end)) <= 0)
    return rc;
  vm_map_lock_read(map);
  if (start < map->min_offset || !vm_map_range_mapped(map, start, end)) {
    vm_map_unlock_read(map);
    return -ENOMEM;
  }
  for (va = start; vec != NULL && va < end; va += PAGE_SIZE) {
    if (entry == NULL || va >= entry->end) {
      bool found = vm_map_lookup_entry(map, va, &entry);
      KASSERT(found, ("vm_mincore: hole at %#lx", (unsigned long)va));
    }
    vec[atop(va - start)] = vm_mincore_page(map, entry, va);
  }
  vm_map_unlock_read(map);
  return 0;
}
