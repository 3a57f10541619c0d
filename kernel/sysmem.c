// SPDX-License-Identifier: MIT
// The memory system calls of docs/semantics.md: the glue between syscall.c and
// kernel/vm/vm_mmap.c. Each handler fetches its arguments, and for mmap
// turns the descriptor into the file's page-cache object; vm_mmap.c does
// every argument check and returns 0 or a negative errno, which goes back
// to the user stub unchanged.
//
// File mappings: a closed or bad descriptor is EBADF; anything but a
// regular file (pipe, device, directory) is ENODEV. The object comes from
// the vnode pager with a new reference, which vm_mmap consumes on success;
// on failure it is dropped here.
//
// Locking: none held on entry or exit; the VM takes the map lock itself.
#include "file.h"
#include "lib/errno.h"
#include "proc.h"
#include "stat.h"
#include "sys.h"
#include "uaccess.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vmspace.h"
#include "vnode_pager.h"

static rlim_t sysmem_memlock_limit(void)
{
  return myproc()->rlim[RLIMIT_MEMLOCK].rlim_cur;
}

// The object behind fd for a file mapping: 0 with *objp referenced and the
// descriptor's rights, or -EBADF / -ENODEV / -ENOMEM. The file of a running
// program may be mapped, but never so that the mapping could write it: a
// shared writable mapping is -ETXTBSY, and for a shared read-only one the
// descriptor counts as read-only, so mprotect cannot add write later.
static int sysmem_file_object(int fd, int prot, int flags,
                              struct vm_object **objp, bool *readable,
                              bool *writable)
{
  struct file *f = fdget(fd);

  if (f == NULL)
    return -EBADF;
  if (f->type != FD_INODE || f->ip == NULL || f->ip->type != T_FILE)
    return -ENODEV;
  *readable = f->readable;
  *writable = f->writable && !itext_busy(f->ip);
  if (f->writable && !*writable && (flags & MAP_SHARED) &&
      (prot & PROT_WRITE))
    return -ETXTBSY;
  if ((*objp = vnode_pager_object(f->ip)) == NULL)
    return -ENOMEM;
  if ((flags & MAP_SHARED) && *writable)
    vnode_pager_mightbedirty(*objp);  // mprotect may make it writable
  return 0;
}

// mmap(addr, len, prot, flags, fd, off): the mapped address, or -errno.
long sys_mmap(void)
{
  vm_offset_t addr = argaddr(0), out = 0;
  vm_size_t len = argaddr(1);
  int prot = (int)argint(2), flags = (int)argint(3), fd = (int)argint(4);
  vm_ooffset_t off = argaddr(5);
  struct vm_object *obj = NULL;
  bool readable = true, writable = true;
  int rc;

  if ((rc = vm_mmap_check(addr, len, prot, flags, fd, off)))
    return rc;
  if (!(flags & (MAP_ANON | MAP_STACK)) &&
      (rc = sysmem_file_object(fd, prot, flags, &obj, &readable,
                               &writable)))
    return rc;
  rc = vm_mmap(myproc()->vm, addr, len, prot, flags, obj, off, readable,
               writable, sysmem_memlock_limit(), &out);
  if (rc != 0) {
    if (obj != NULL)
      vm_object_deallocate(obj);
    return rc;
  }
  return (long)out;
}

long sys_munmap(void)
{
  return vm_munmap(myproc()->vm, argaddr(0), argaddr(1));
}

long sys_mprotect(void)
{
  return vm_mprotect(myproc()->vm, argaddr(0), argaddr(1), (int)argint(2),
                     sysmem_memlock_limit());
}

long sys_madvise(void)
{
  return vm_madvise(myproc()->vm, argaddr(0), argaddr(1), (int)argint(2));
}

long sys_minherit(void)
{
  return vm_minherit(myproc()->vm, argaddr(0), argaddr(1), (int)argint(2));
}

long sys_mlock(void)
{
  return vm_mlock(myproc()->vm, argaddr(0), argaddr(1),
                  sysmem_memlock_limit());
}

long sys_munlock(void)
{
  return vm_munlock(myproc()->vm, argaddr(0), argaddr(1));
}

long sys_mlockall(void)
{
  return vm_mlockall(myproc()->vm, (int)argint(0), sysmem_memlock_limit());
}

long sys_munlockall(void)
{
  return vm_munlockall(myproc()->vm);
}

// mincore(addr, len, vec): the VM fills a kernel buffer a chunk of pages
// at a time (the kernel stack is small) and each chunk is copied out; a
// vec the process cannot write is EFAULT. The whole range is checked
// first, so an unmapped page anywhere is ENOMEM with vec untouched.
#define SYSMEM_MINCORE_CHUNK 256

long sys_mincore(void)
{
  struct vmspace *vm = myproc()->vm;
  vm_offset_t addr = argaddr(0), done;
  vm_size_t len = argaddr(1), n;
  uint64_t uvec = argaddr(2);
  char buf[SYSMEM_MINCORE_CHUNK];
  int rc;

  if ((rc = vm_mincore(vm, addr, len, NULL)) || len == 0)
    return rc;
  for (done = 0; done < len; done += n) {
    n = MIN(len - done, (vm_size_t)SYSMEM_MINCORE_CHUNK * PAGE_SIZE);
    if ((rc = vm_mincore(vm, addr + done, n, buf)))
      return rc;
    if ((rc = copyout(uvec + atop(done), buf, atop(round_page(n)))))
      return rc;
  }
  return 0;
}

long sys_msync(void)
{
  return vm_msync(myproc()->vm, argaddr(0), argaddr(1), (int)argint(2));
}
