// SPDX-License-Identifier: MIT
// Copies between the kernel and user memory (uaccess.h).
//
// copyin/copyout/copyinstr check the user range against MAXUVA, then run
// the machine's assembly loops (uaccess.S) with the current process's
// p->onfault as the recovery hook; kerneltrap resolves faults inside them
// through vm_fault. Callers must not hold spin mutexes: a fault may sleep
// (for the disk, for a page), and sleeping with a spin mutex held deadlocks
// or trips sched's check only when the page happens not to be resident.
// uaccess_assert_sleepable makes every user copy check it, so the mistake
// shows on the first run, resident page or not.
//
// vmspace_copyout is the other direction's tool for exec and the first
// process: it fills pages of an address space that is not (yet) the
// current one, faulting them in through vm_fault and writing through the
// direct map under the page's object lock, so no page table is ever
// switched to or copied.
#include "cpu.h"
#include "lib/errno.h"
#include "lib/kassert.h"
#include "lib/string.h"
#include "machdep.h"
#include "proc.h"
#include "uaccess.h"
#include "vm/pmap.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vmspace.h"

long uaccess_copy(void *dst, const void *src, size_t n, uintptr_t *onfault);
long uaccess_copystr(char *dst, const char *src, size_t max, uintptr_t *onfault);

static bool user_range_ok(uint64_t uva, size_t n)
{
  vm_offset_t end;
  return vm_range_ok(uva, n, MAXUVA, &end);
}

// No spin mutex is held by this thread. Holding one keeps interrupts off
// (mtx_lock's push_off), so with them on nothing is held -- and mycpu()
// would not be stable enough to read; with them off, noff counts the
// mutexes (and bare push_offs) this hart holds.
static void uaccess_assert_sleepable(const char *fn)
{
  KASSERT(intr_get() || mycpu()->noff == 0,
          ("%s: user copy with %d spin locks held", fn, mycpu()->noff));
}

uintptr_t uaccess_onfault(void)
{
  struct proc *p = myproc();
  return p != NULL ? p->onfault : 0;
}

int copyin(void *dst, uint64_t usrc, size_t n)
{
  uaccess_assert_sleepable("copyin");
  if (!user_range_ok(usrc, n))
    return -EFAULT;
  if (n == 0)
    return 0;
  return uaccess_copy(dst, (const void *)usrc, n, &myproc()->onfault);
}

int copyout(uint64_t udst, const void *src, size_t n)
{
  uaccess_assert_sleepable("copyout");
  if (!user_range_ok(udst, n))
    return -EFAULT;
  if (n == 0)
    return 0;
  return uaccess_copy((void *)udst, src, n, &myproc()->onfault);
}

int copyinstr(char *dst, uint64_t usrc, size_t max)
{
  long r;
  size_t room;

  uaccess_assert_sleepable("copyinstr");
  if (usrc >= MAXUVA)
    return -EFAULT;
  room = MIN(max, MAXUVA - usrc);   // never read past the user half
  r = uaccess_copystr(dst, (const char *)usrc, room, &myproc()->onfault);
  if (r == -ENAMETOOLONG && room < max)
    return -EFAULT;
  return r;
}

int either_copyout(int user_dst, uint64_t dst, const void *src, size_t n)
{
  if (user_dst)
    return copyout(dst, src, n);
  memmove((void *)dst, src, n);
  return 0;
}

int either_copyin(void *dst, int user_src, uint64_t src, size_t n)
{
  if (user_src)
    return copyin(dst, src, n);
  memmove(dst, (const void *)src, n);
  return 0;
}

// Copy n bytes from src to offset off of the page at page-aligned va in
// vm, if that page is resident and mapped writable; false if not (the
// caller faults it in and tries again). The copy goes through the direct
// map with the page's object locked: the pageout daemon unmaps a page
// and starts writing it out under that lock, so it cannot take the page
// half way through -- an unlocked copy could land in a page already on
// its way to swap (or freed), and the bytes were lost: exec's arguments
// came out short under a process paging everything out (swaptests
// sysbuf.exec_reclaim). The direct map sets no modified bit, so the page
// is marked dirty here.
static bool vmspace_copy_page(struct vmspace *vm, vm_offset_t va, size_t off,
                              const void *src, size_t n)
{
  struct vm_map *map = &vm->vm_map;
  struct vm_map_entry *entry;
  struct vm_object *obj;
  struct vm_page *m;
  vm_prot_t prot;
  bool done = false;

  vm_map_lock_read(map);
  if (vm_map_lookup_entry(map, va, &entry) && (obj = entry->object) != NULL) {
    mtx_lock(&obj->lock);
    m = vm_object_page_lookup(obj, vm_map_entry_pindex(entry, va));
    if (m != NULL && (m->flags & PG_BUSY) == 0 &&
        pmap_extract_page(vmspace_pmap(vm), va, &prot) == m &&
        (prot & VM_PROT_WRITE) != 0) {
      memcpy((char *)pmap_page_kva(m) + off, src, n);
      vm_page_dirty(m);
      done = true;
    }
    mtx_unlock(&obj->lock);
  }
  vm_map_unlock_read(map);
  return done;
}

// Fault the page at page-aligned va of vm in for writing (growing a stack
// entry as needed). 0 or a negative errno. vm is a new address space
// (exec, the first process): never under mlockall(MCL_FUTURE), so its
// stack growth wires nothing and the lock limit passed (none: 0) never
// matters.
static int vmspace_fault_write(struct vmspace *vm, vm_offset_t va)
{
  int rc = vm_fault_user(vm, va, VM_PROT_WRITE, 0);

  if (rc == KERN_RESOURCE_SHORTAGE)
    return -ENOMEM;
  return rc == KERN_SUCCESS ? 0 : -EFAULT;
}

int vmspace_copyout(struct vmspace *vm, vm_offset_t va, const void *src,
                    size_t len)
{
  const char *s = src;
  vm_offset_t end;

  uaccess_assert_sleepable("vmspace_copyout");
  if (!vm_range_ok(va, len, MAXUVA, &end))
    return -EFAULT;
  while (len > 0) {
    vm_offset_t pva = trunc_page(va);
    size_t off = va - pva, n = MIN(len, PAGE_SIZE - off);
    for (int tries = 0; !vmspace_copy_page(vm, pva, off, s, n); tries++) {
      int rc = tries < 8 ? vmspace_fault_write(vm, pva) : -EFAULT;
      if (rc < 0)
        return rc;                  // (or the page keeps vanishing)
    }
    va += n;
    s += n;
    len -= n;
  }
  return 0;
}
