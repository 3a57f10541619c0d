// SPDX-License-Identifier: MIT
// exec: replace the current process's address space with a program from
// the file system.
//
// Steps, each a helper: open the file and read the ELF and program
// headers, marking the inode as a running program's text and taking the
// file's page cache object (exec_open; the inode lock is dropped before
// anything is mapped, since faults on the object page in under that lock);
// build a NEW vmspace; map each PT_LOAD segment from the object
// (exec_load_segment: text shared read-only, data private copy-on-write,
// bss zero-fill; pages come in on demand); reserve the stack with
// vm_map_stack and push argv; then commit: swap the vmspaces, activate the
// new pmap, free the old one and let go of the old text. Until the commit
// the old image is untouched, so any failure just frees the new vmspace
// and returns a negative errno.
//
// Text: p->text holds the program's inode with a text count ("Program
// text" below): while any process runs the file, opening it for
// writing, write() and ftruncate() fail with ETXTBSY, so the pages the
// program runs from never change or vanish under it. unlink is allowed:
// the text reference keeps the inode and its blocks until the last
// process running it exits or execs something else. A fork child holds
// its own count (fork, proc.c).
//
// Layout of the new space: segments where the ELF says (programs are
// linked at 0x10000, page 0 never mapped); the heap starts at the page
// after the last segment (vm_daddr = vm_break); the stack entry ends
// USTACK_GAP below MAXUVA and may grow to USTACKMAX.
#include "elf.h"
#include "file.h"
#include "fs.h"
#include "lib/errno.h"
#include "lib/kassert.h"
#include "lib/string.h"
#include "machdep.h"
#include "proc.h"
#include "sys.h"
#include "types.h"
#include "stat.h"
#include "uaccess.h"
#include "vm/pmap.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vmspace.h"
#include "vnode_pager.h"

// The top four pages of user space are never mapped by exec: they are
// xv6's TRAMPOLINE and TRAPFRAME pages and the two below them, which xv6's
// usertests (copyin, nowrite, lazy_copy) pass to system calls and store to,
// expecting EFAULT or a kill. A stack there would turn those into success.
#define USTACK_GAP  (4 * PAGE_SIZE)
#define USTACK_TOP  (MAXUVA - USTACK_GAP)

// ---------------------------------------------------------------------------
// Program text. Every process running a program holds one text count on
// the program's inode (p->text, with a reference). While the count is above
// zero the file cannot be written or truncated (ETXTBSY: file.c, sysfile.c,
// sysmem.c), so the pages the program runs from stay what exec mapped. The
// count is atomic, and it goes up from zero only with the inode locked
// (itext_hold): a caller that holds the lock and sees no text knows that no
// program starts from the file until it unlocks. Fork (itext_dup) adds to
// a count that is already above zero; exit and the next exec drop it
// (itext_release).

void itext_hold(struct inode *ip)
{
  SX_ASSERT_XLOCKED(&ip->lock);
  __atomic_add_fetch(&ip->ntext, 1, __ATOMIC_ACQ_REL);
}

struct inode *itext_dup(struct inode *ip)
{
  int n = __atomic_fetch_add(&ip->ntext, 1, __ATOMIC_ACQ_REL);

  KASSERT(n > 0, ("itext_dup: inode %u is no text", ip->inum));
  return idup(ip);
}

void itext_release(struct inode *ip)
{
  int n = __atomic_fetch_sub(&ip->ntext, 1, __ATOMIC_ACQ_REL);

  KASSERT(n > 0, ("itext_release: inode %u is no text", ip->inum));
  iput(ip);
}

bool itext_busy(struct inode *ip)
{
  return __atomic_load_n(&ip->ntext, __ATOMIC_ACQUIRE) > 0;
}

// ---------------------------------------------------------------------------
// Loading a program.

#define EXEC_MAXPH  16              // program headers we accept

static int exec_errno(int kern)
{
  if (kern == KERN_RESOURCE_SHORTAGE)
    return -ENOMEM;
  return -ENOEXEC;                  // overlapping or misplaced segments
}

// The headers come from the file's page cache, not the disk: a write()
// to a mapped file, or a store through a shared mapping, may not have
// reached the disk yet, and the text exec maps is the cache's
// (swaptests freuse.exec_cached).
static int exec_read_header(struct vm_object *obj, struct elfhdr *eh)
{
  int r = vnode_pager_read_kernel(obj, eh, 0, sizeof(*eh));

  if (r < 0)
    return r == -ENOMEM ? r : -ENOEXEC;
  if (r != sizeof(*eh))
    return -ENOEXEC;
  if (eh->magic != ELF_MAGIC || eh->elf[0] != ELFCLASS64 ||
      eh->machine != EM_RISCV || eh->phentsize != sizeof(struct proghdr))
    return -ENOEXEC;
  return 0;
}

// Zero len bytes at va of vm, through the VM: the page faults in from
// the file as a private copy-on-write page, and only that copy changes.
static int exec_zero(struct vmspace *vm, vm_offset_t va, vm_size_t len)
{
  static const uint64_t zeros[64];
  while (len > 0) {
    size_t n = MIN(len, sizeof(zeros));
    int rc = vmspace_copyout(vm, va, zeros, n);
    if (rc < 0)
      return rc;
    va += n;
    len -= n;
  }
  return 0;
}

// The protection a segment asks for.
static vm_prot_t exec_prot(const struct proghdr *ph)
{
  vm_prot_t prot = 0;
  if (ph->flags & ELF_PROG_FLAG_READ)
    prot |= VM_PROT_READ;
  if (ph->flags & ELF_PROG_FLAG_WRITE)
    prot |= VM_PROT_READ | VM_PROT_WRITE;
  if (ph->flags & ELF_PROG_FLAG_EXEC)
    prot |= VM_PROT_EXECUTE;
  return prot;
}

// Map one PT_LOAD segment: the pages holding file bytes as a private
// copy-on-write mapping of the executable's object obj (text is never
// written, so every process running the program shares its pages), the
// rest (whole bss pages) as zero-fill memory. The bss part of the page
// where the file bytes end is zeroed through the VM, so it lands in a
// private copy, never in the page cache; for that one step a read-only
// segment is mapped writable and lowered afterwards. *brk moves past it.
// The file offset and vaddr must be congruent modulo the page size.
static int exec_load_segment(struct vmspace *vm, struct vm_object *obj,
                             struct proghdr *ph, vm_offset_t *brk)
{
  vm_offset_t start, fend, end, last, a;
  vm_prot_t prot = exec_prot(ph), mprot, max;
  bool tail;
  int rc;

  if (ph->memsz < ph->filesz || ph->vaddr < PAGE_SIZE ||
      ((ph->vaddr - ph->off) & PAGE_MASK) != 0 ||
      ph->off > MAXFILESIZE || ph->filesz > MAXFILESIZE ||
      !vm_range_ok(ph->vaddr, ph->memsz, MAXUVA, &last))
    return -ENOEXEC;
  start = trunc_page(ph->vaddr);
  fend = ph->filesz > 0 ? round_page(ph->vaddr + ph->filesz) : start;
  end = round_page(last);
  tail = ph->memsz > ph->filesz && fend > ph->vaddr + ph->filesz;
  mprot = tail ? (prot | VM_PROT_RW) : prot;
  max = (mprot & VM_PROT_WRITE) != 0 ? VM_PROT_ALL : prot;
  if (fend > start) {
    vm_object_reference(obj);     // the entry's
    rc = vm_map_find(&vm->vm_map, obj, trunc_page(ph->off), &start,
                     fend - start, VMFS_NO_SPACE, mprot, max, MAP_COPY_ON_WRITE);
    if (rc != KERN_SUCCESS) {
      vm_object_deallocate(obj);
      return exec_errno(rc);
    }
  }
  a = fend;
  if (end > fend && (rc = vm_map_find(&vm->vm_map, NULL, 0, &a, end - fend,
                                      VMFS_NO_SPACE, mprot, max,
                                      MAP_COPY_ON_WRITE)) != KERN_SUCCESS)
    return exec_errno(rc);
  if (tail && (rc = exec_zero(vm, ph->vaddr + ph->filesz,
                              MIN(fend, ph->vaddr + ph->memsz) -
                              (ph->vaddr + ph->filesz))) < 0)
    return rc;
  if (mprot != prot &&
      vm_map_protect(&vm->vm_map, start, end, prot, false) != KERN_SUCCESS)
    return -ENOEXEC;
  *brk = MAX(*brk, end);
  return 0;
}

static int exec_load(struct vmspace *vm, struct vm_object *obj,
                     struct proghdr *phs, int phnum, vm_offset_t *brk)
{
  for (int i = 0; i < phnum; i++) {
    if (phs[i].type != ELF_PROG_LOAD || phs[i].memsz == 0)
      continue;
    int rc = exec_load_segment(vm, obj, &phs[i], brk);
    if (rc < 0)
      return rc;
  }
  return *brk != 0 ? 0 : -ENOEXEC;
}

// Read the program headers (at most EXEC_MAXPH) into phs, from the cache.
static int exec_read_phdrs(struct vm_object *obj, struct elfhdr *eh,
                           struct proghdr *phs)
{
  uint32_t len = (uint32_t)eh->phnum * sizeof(*phs);
  int r;

  if (eh->phnum > EXEC_MAXPH || eh->phoff > MAXFILESIZE - len)
    return -ENOEXEC;
  r = vnode_pager_read_kernel(obj, phs, eh->phoff, (int)len);
  if (r < 0)
    return r == -ENOMEM ? r : -ENOEXEC;
  return r == (int)len ? 0 : -ENOEXEC;
}

// Open path and take what exec needs from it: the file's inode as the new
// text (*textp: a reference and a text count, so nobody can write the file
// from now on), its page cache object (a new reference in *objp) and,
// through that, the ELF and program headers. On failure *textp and *objp
// may still be set; the caller releases them. The text count comes first,
// so the headers and the text are one version of the file (a file that
// is no program is a text for that moment only), and it is taken under
// the file's wlock: a write() or truncation already past its ETXTBSY
// check finishes first, for the cache holds its work only once it is done
// (a truncation cuts the disk before the cache; a write() fills the cache
// a page at a time). Headers read from that cache half way ran a program
// cut or half written (swaptests fexec.rewrite_race). The inode lock is
// dropped before the object is taken: reading its pages takes it.
static int exec_open(char *path, struct elfhdr *eh, struct proghdr *phs,
                     struct inode **textp, struct vm_object **objp)
{
  struct inode *ip;
  int rc;

  begin_op();
  rc = fs_namei(path, &ip);
  end_op();
  if (rc < 0)
    return rc;
  sx_xlock(&ip->wlock);             // before the log and the inode lock
  ilock(ip);
  rc = ip->type == T_FILE ? 0 : -EACCES;
  if (rc == 0)
    itext_hold(ip);               // our reference becomes the text's
  iunlock(ip);
  sx_xunlock(&ip->wlock);
  if (rc < 0) {
    begin_op();
    iput(ip);
    end_op();
    return rc;
  }
  *textp = ip;
  // Unlocked and outside the transaction: this may wait for an old object
  // of the file to finish writing back, which takes both.
  if ((*objp = vnode_pager_object(ip)) == NULL)
    return -ENOMEM;
  rc = exec_read_header(*objp, eh);
  return rc == 0 ? exec_read_phdrs(*objp, eh, phs) : rc;
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

// Drop a text from exec_open, or the old image's.
static void exec_text_release(struct inode *text)
{
  begin_op();
  itext_release(text);
  end_op();
}

// Make vm the current process's address space and text the program it
// runs; free the old space and let go of the old text.
static void exec_commit(struct proc *p, struct vmspace *vm,
                        struct inode *text, const char *path)
{
  struct vmspace *old = p->vm;
  struct inode *oldtext = p->text;
  const char *last = path, *s;

  mtx_lock(&p->lock);               // against vmmap_grab (kernel/sysvm.c)
  p->vm = vm;
  pmap_activate(vmspace_pmap(vm));
  mtx_unlock(&p->lock);
  vmspace_free(old);
  p->text = text;
  if (oldtext != NULL)              // after the old mappings are gone
    exec_text_release(oldtext);
  for (s = path; *s; s++)
    if (*s == '/')
      last = s + 1;
  safestrcpy(p->name, last, sizeof(p->name));
}

// Run the program at path with the NULL-terminated argv (kernel strings).
// Returns argc (main's first argument in the new image) with the old address space freed, or
// a negative errno with the old image untouched: the lookup's (-ENOENT,
// -ENOTDIR, -ENFILE, ...), -EACCES (not a regular file), -ENOEXEC (bad
// ELF), -ENOMEM. A file open for writing may be exec'd (its descriptors
// then fail with ETXTBSY while the program runs).
int exec(char *path, char **argv)
{
  struct proc *p = myproc();
  struct vmspace *vm = NULL;
  struct inode *text = NULL;
  struct vm_object *obj = NULL;
  struct proghdr phs[EXEC_MAXPH];
  struct elfhdr eh;
  vm_offset_t brk = 0;
  uint64_t sp, uargv;
  int rc;

  if ((rc = exec_open(path, &eh, phs, &text, &obj)) < 0)
    goto bad;
  if ((vm = vmspace_alloc(PAGE_SIZE, MAXUVA)) == NULL) {
    rc = -ENOMEM;
    goto bad;
  }
  if ((rc = exec_load(vm, obj, phs, eh.phnum, &brk)) < 0)
    goto bad;
  if ((rc = exec_stack(vm, argv, &sp, &uargv)) < 0)
    goto bad;
  vm_object_deallocate(obj);      // the map entries hold their own
  vm->vm_daddr = vm->vm_break = brk;
  exec_commit(p, vm, text, path);
  md_exec_setregs(p->tf, eh.entry, sp, rc, uargv);
  return rc;                        // argc: syscall() sets it again

bad:
  if (vm != NULL)
    vmspace_free(vm);
  if (obj != NULL)
    vm_object_deallocate(obj);
  if (text != NULL)
    exec_text_release(text);
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
  int rc, tries = VM_RECLAIM_TRIES;

  if ((rc = argstr(0, path, sizeof(path))) < 0)
    return rc;
  while ((m = vm_page_alloc(NULL, 0, VM_ALLOC_NOBUSY)) == NULL &&
         vm_pageout_retry(&tries))
    ;
  if (m == NULL)
    return -ENOMEM;
  // exec changes nothing until it cannot fail: short of memory, it can
  // wait for the pageout daemon and start again.
  if ((rc = exec_fetch_args(argaddr(1), pmap_page_kva(m), argv)) == 0)
    while ((rc = exec(path, argv)) == -ENOMEM && vm_pageout_retry(&tries))
      ;
  vm_page_free(m);
  return rc;
}
