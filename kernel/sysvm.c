// SPDX-License-Identifier: MIT
// sys_vmmap: a process's map entries for the `vmmap` tool (vm/vmmap.h has the
// record and the call's contract).
//
// The map is read in chunks of VMMAP_CHUNK entries: each chunk is filled
// under the map's shared lock into a buffer on the kernel stack, the lock
// is dropped, and the chunk is copied out. Copying out with the lock held
// could fault on the caller's own map and take its lock a second time. The
// next chunk starts at the end of the last entry copied, so a map that
// changes between chunks gives a consistent list of entries, each one true
// at the moment it was read, never a duplicate.
//
// Another process's vmspace is pinned with a reference taken under its
// p->lock, so it outlives the walk even if that process exits meanwhile.
// The records themselves, and the object-chain walk that counts resident
// pages, come from vm_map_describe (kernel/vm/vm_map_describe.c).
#include "lib/errno.h"
#include "lib/kassert.h"
#include "file.h"
#include "proc.h"
#include "sys.h"
#include "uaccess.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vmmap.h"
#include "vm/vmspace.h"

// Copied out whole, so no padding may carry kernel-stack bytes out (see
// sysproc.c): every byte of a record is a field.
CTASSERT(sizeof(struct vmmap_entry) == 4 * sizeof(unsigned long) +
         4 * sizeof(unsigned int) + sizeof(unsigned short) + 6);

#define VMMAP_CHUNK     16     // entries per lock hold (~1 KiB of stack)

// The file a vnode object caches, for the record's ino field (the VM
// leaves it to us: its handle is an inode only to the vnode pager).
// Called by vm_map_describe with obj locked.
static unsigned vmmap_ident(struct vm_object *obj)
{
  if (obj->type == OBJT_VNODE && obj->handle != NULL)
    return ((struct inode *)obj->handle)->inum;
  return 0;
}

// The live process pid's vmspace, referenced, or NULL.
static struct vmspace *vmmap_grab(int pid)
{
  struct vmspace *vm = NULL;

  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    mtx_lock(&p->lock);
    if (p->pid == pid && p->state != UNUSED && p->state != ZOMBIE &&
        p->vm != NULL) {
      vm = p->vm;
      vmspace_ref(vm);
    }
    mtx_unlock(&p->lock);
    if (vm != NULL)
      break;
  }
  return vm;
}

// vmmap(pid, buf, max): see vmmap.h.
long sys_vmmap(void)
{
  int pid = (int)argint(0);
  uint64_t ubuf = argaddr(1);
  long max = argint(2), total = 0;
  struct vmmap_entry chunk[VMMAP_CHUNK];
  struct proc *me = myproc();
  vm_offset_t next = 0;
  struct vmspace *vm;
  int n, rc = 0;

  if (max < 0)
    return -EINVAL;
  if (pid == VMMAP_SELF)
    pid = me->pid;
  else if (pid == VMMAP_PARENT) {
    struct proc *pp = __atomic_load_n(&me->parent, __ATOMIC_RELAXED);
    if (pp == NULL)
      return -ESRCH;
    pid = __atomic_load_n(&pp->pid, __ATOMIC_RELAXED);
  }
  if ((vm = vmmap_grab(pid)) == NULL)
    return -ESRCH;
  // Copy the first max entries a chunk at a time, then only count.
  while (total < max) {
    int want = max - total < VMMAP_CHUNK ? (int)(max - total) : VMMAP_CHUNK;
    if ((n = vm_map_describe(&vm->vm_map, &next, chunk, want, vmmap_ident)) == 0)
      break;
    if ((rc = copyout(ubuf + total * sizeof(chunk[0]), chunk,
                      n * sizeof(chunk[0]))) < 0)
      goto out;
    total += n;
  }
  if (total == max)
    while ((n = vm_map_describe(&vm->vm_map, &next, NULL, 1 << 30, NULL)) > 0)
      total += n;
out:
  vmspace_free(vm);
  return rc < 0 ? rc : total;
}
