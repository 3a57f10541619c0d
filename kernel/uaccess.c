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
// direct map, so no page table is ever switched to or copied.
#include "cpu.h"
#include "lib/errno.h"
#include "lib/kassert.h"
#include "lib/string.h"
#include "machdep.h"
#include "proc.h"
#include "uaccess.h"
#include "vm/pmap.h"
#include "vm/vm_fault.h"
#include "vm/vm_mmap.h"
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

// The page mapped writable at page-aligned va in vm, faulting it in (and
// growing a stack entry) as needed. 0 with *mp set, or a negative errno.
// vm is a new address space (exec, the first process): never under
// mlockall(MCL_FUTURE), so its stack growth wires nothing and the lock
// limit passed (none: 0) never matters.
static int vmspace_page_for_write(struct vmspace *vm, vm_offset_t va,
                                  struct vm_page **mp)
{
  vm_prot_t prot;

  for (int tries = 0; tries < 8; tries++) {
    struct vm_page *m = pmap_extract_page(vmspace_pmap(vm), va, &prot);
    if (m != NULL && (prot & VM_PROT_WRITE)) {
      *mp = m;
      return 0;
    }
    int rc = vm_fault_user(vm, va, VM_PROT_WRITE, 0);
    if (rc == KERN_RESOURCE_SHORTAGE)
      return -ENOMEM;
    if (rc != KERN_SUCCESS)
      return -EFAULT;
  }
  return -EFAULT;                   // the page keeps vanishing: give up
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
    struct vm_page *m;
    int rc = vmspace_page_for_write(vm, pva, &m);
    if (rc < 0)
      return rc;
    memcpy((char *)pmap_page_kva(m) + off, s, n);
    va += n;
    s += n;
    len -= n;
  }
  return 0;
}
