// SPDX-License-Identifier: MIT
// exec: replace the current process's address space with a program from
// the file system.
//
// Steps, each a helper: read and check the ELF header; build a NEW
// vmspace; for each PT_LOAD segment map an anonymous private entry and
// fill it through the VM (exec_load_segment: the one place that decides
// how text and data get their pages); reserve the stack with vm_map_stack
// and push argv; then commit: swap the vmspaces, activate the new pmap and
// free the old one. Until the commit the old image is untouched, so any
// failure just frees the new vmspace and returns a negative errno.
//
// Layout of the new space: segments where the ELF says (programs are
// linked at 0x10000, page 0 never mapped); the heap starts at the page
// after the last segment (vm_daddr = vm_break); the stack entry ends one
// guard page below MAXUVA and may grow to USTACKMAX.
#include "arch/riscv/pmap_md.h"
#include "elf.h"
#include "file.h"
#include "fs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "proc.h"
#include "sys.h"
#include "types.h"
#include "stat.h"
#include "uaccess.h"
#include "vm/pmap.h"
#include "vm/vm_page.h"
#include "vm/vmspace.h"

#define USTACK_TOP  (MAXUVA - PAGE_SIZE)

static int exec_errno(int kern)
{
  if (kern == KERN_RESOURCE_SHORTAGE)
    return -ENOMEM;
  return -ENOEXEC;                  // overlapping or misplaced segments
}

static int exec_read_header(struct inode *ip, struct elfhdr *eh)
{
  if (ip->type != T_FILE)
    return -EACCES;
  if (readi(ip, 0, (uint64_t)eh, 0, sizeof(*eh)) != sizeof(*eh))
    return -ENOEXEC;
  if (eh->magic != ELF_MAGIC || eh->elf[0] != ELFCLASS64 ||
      eh->machine != EM_RISCV || eh->phentsize != sizeof(struct proghdr))
    return -ENOEXEC;
  return 0;
}

// Copy filesz bytes of the file at off to va of vm, a chunk at a time.
static int exec_copy_file(struct vmspace *vm, struct inode *ip, uint64_t off,
                          vm_offset_t va, uint64_t filesz)
{
  char buf[512];
  while (filesz > 0) {
    uint32_t n = MIN(filesz, sizeof(buf));
    if (readi(ip, 0, (uint64_t)buf, off, n) != (int)n)
      return -ENOEXEC;
    int rc = vmspace_copyout(vm, va, buf, n);
    if (rc < 0)
      return rc;
    off += n;
    va += n;
    filesz -= n;
  }
  return 0;
}

// Map one PT_LOAD segment: an anonymous private entry, writable while it
// is filled from the file, then lowered to the segment's protection. The
// rest of the segment (bss) is left to zero-fill. *brk moves past it.
static int exec_load_segment(struct vmspace *vm, struct inode *ip,
                             struct proghdr *ph, vm_offset_t *brk)
{
  vm_offset_t start, end, last;
  vm_prot_t prot = 0;
  int rc;

  if (ph->memsz < ph->filesz || ph->vaddr < PAGE_SIZE ||
      !vm_range_ok(ph->vaddr, ph->memsz, MAXUVA, &last))
    return -ENOEXEC;
  start = trunc_page(ph->vaddr);
  end = round_page(last);
  if (ph->flags & ELF_PROG_FLAG_READ)
    prot |= VM_PROT_READ;
  if (ph->flags & ELF_PROG_FLAG_WRITE)
    prot |= VM_PROT_READ | VM_PROT_WRITE;
  if (ph->flags & ELF_PROG_FLAG_EXEC)
    prot |= VM_PROT_EXECUTE;
  rc = vm_map_find(&vm->vm_map, NULL, 0, &start, end - start, VMFS_NO_SPACE,
                   VM_PROT_ALL, VM_PROT_ALL, MAP_COPY_ON_WRITE);
  if (rc != KERN_SUCCESS)
    return exec_errno(rc);
  rc = exec_copy_file(vm, ip, ph->off, ph->vaddr, ph->filesz);
  if (rc < 0)
    return rc;
  if (vm_map_protect(&vm->vm_map, start, end, prot, false) != KERN_SUCCESS)
    return -ENOEXEC;
  *brk = MAX(*brk, end);
  return 0;
}

static int exec_load(struct vmspace *vm, struct inode *ip, struct elfhdr *eh,
                     vm_offset_t *brk)
{
  struct proghdr ph;
  for (int i = 0; i < eh->phnum; i++) {
    uint64_t off = eh->phoff + (uint64_t)i * sizeof(ph);
    if (readi(ip, 0, (uint64_t)&ph, off, sizeof(ph)) != sizeof(ph))
      return -ENOEXEC;
    if (ph.type != ELF_PROG_LOAD || ph.memsz == 0)
      continue;
    int rc = exec_load_segment(vm, ip, &ph, brk);
    if (rc < 0)
      return rc;
  }
  return *brk != 0 ? 0 : -ENOEXEC;
}

// Reserve the stack and push the argument strings and the argv array,
// xv6-style (sp 16-byte aligned). Returns argc, with *spp and *argvp set.
static int exec_stack(struct vmspace *vm, char **argv, uint64_t *spp,
                      uint64_t *argvp)
{
  uint64_t ustack[MAXARG + 1];
  uint64_t sp = USTACK_TOP;
  int argc, rc;

  rc = vm_map_stack(&vm->vm_map, USTACK_TOP - USTACKMAX, USTACKMAX,
                    USERSTACK * PAGE_SIZE, VM_PROT_RW, VM_PROT_ALL,
                    MAP_COPY_ON_WRITE);
  if (rc != KERN_SUCCESS)
    return rc == KERN_RESOURCE_SHORTAGE ? -ENOMEM : -EINVAL;
  vm->vm_maxsaddr = USTACK_TOP - USTACKMAX;
  for (argc = 0; argv[argc] != NULL; argc++) {
    KASSERT(argc < MAXARG, ("exec_stack: too many arguments"));
    size_t len = strlen(argv[argc]) + 1;
    sp = (sp - len) & ~15UL;
    if ((rc = vmspace_copyout(vm, sp, argv[argc], len)) < 0)
      return rc;
    ustack[argc] = sp;
  }
  ustack[argc] = 0;
  sp = (sp - (argc + 1) * sizeof(uint64_t)) & ~15UL;
  if ((rc = vmspace_copyout(vm, sp, ustack, (argc + 1) * sizeof(uint64_t))) < 0)
    return rc;
  *spp = sp;
  *argvp = sp;
  return argc;
}

// Make vm the current process's address space and free the old one.
static void exec_commit(struct proc *p, struct vmspace *vm, const char *path)
{
  struct vmspace *old = p->vm;
  const char *last = path, *s;

  push_off();
  p->vm = vm;
  pmap_activate(vmspace_pmap(vm));
  pop_off();
  vmspace_free(old);
  for (s = path; *s; s++)
    if (*s == '/')
      last = s + 1;
  safestrcpy(p->name, last, sizeof(p->name));
}

// Run the program at path with the NULL-terminated argv (kernel strings).
// Returns argc (the new image's a0) with the old address space freed, or
// a negative errno with the old image untouched: -ENOENT, -EACCES (not a
// regular file), -ENOEXEC (bad ELF), -ENOMEM. The steps are the module
// comment's, in order, sharing one cleanup label; hence the length.
int exec(char *path, char **argv)
{
  struct proc *p = myproc();
  struct vmspace *vm = NULL;
  struct inode *ip;
  struct elfhdr eh;
  vm_offset_t brk = 0;
  uint64_t sp, uargv;
  int rc;

  begin_op();
  if ((ip = namei(path)) == NULL) {
    end_op();
    return -ENOENT;
  }
  ilock(ip);
  if ((rc = exec_read_header(ip, &eh)) < 0)
    goto bad;
  if ((vm = vmspace_alloc(PAGE_SIZE, MAXUVA)) == NULL) {
    rc = -ENOMEM;
    goto bad;
  }
  if ((rc = exec_load(vm, ip, &eh, &brk)) < 0)
    goto bad;
  iunlockput(ip);
  end_op();
  ip = NULL;

  if ((rc = exec_stack(vm, argv, &sp, &uargv)) < 0)
    goto bad;
  vm->vm_daddr = vm->vm_break = brk;
  exec_commit(p, vm, path);
  p->tf->epc = eh.entry;
  p->tf->sp = sp;
  p->tf->a1 = uargv;
  return rc;                        // argc, in a0

bad:
  if (vm != NULL)
    vmspace_free(vm);
  if (ip != NULL) {
    iunlockput(ip);
    end_op();
  }
  return rc;
}

// Collect the user's argv strings into buf (one page), argv[] pointing at
// them. Returns 0 or a negative errno (-E2BIG when they do not fit).
static int exec_fetch_args(uint64_t uargv, char *buf, char **argv)
{
  size_t used = 0;
  for (int i = 0;; i++) {
    uint64_t uarg;
    if (i == MAXARG)
      return -E2BIG;
    if (fetchaddr(uargv + i * sizeof(uint64_t), &uarg) < 0)
      return -EFAULT;
    if (uarg == 0) {
      argv[i] = NULL;
      return 0;
    }
    int n = copyinstr(buf + used, uarg, PAGE_SIZE - used);
    if (n < 0)
      return n == -ENAMETOOLONG ? -E2BIG : n;
    argv[i] = buf + used;
    used += n + 1;
  }
}

long sys_exec(void)
{
  char path[MAXPATH];
  char *argv[MAXARG + 1];
  struct vm_page *m;
  int rc;

  if ((rc = argstr(0, path, sizeof(path))) < 0)
    return rc;
  m = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY);
  if (m == NULL)
    return -ENOMEM;
  rc = exec_fetch_args(argaddr(1), pmap_page_kva(m), argv);
  if (rc == 0)
    rc = exec(path, argv);
  vm_page_free(m);
  return rc;
}
