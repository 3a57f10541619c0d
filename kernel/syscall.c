// SPDX-License-Identifier: MIT
// System call dispatch. The machine's calling convention (md_syscall_num,
// md_syscall_arg in kernel/machdep.h) gives the number and up to six
// arguments; the handler's result (>= 0, or a negative errno that the user
// stub turns into errno) goes back through md_set_retval.
//
// Every handler is referenced strongly: one that is missing is a link
// error. Numbers with no entry (holes, or past the table) answer -ENOSYS.
#include "lib/errno.h"
#include "machdep.h"
#include "proc.h"
#include "sys.h"
#include "syscall.h"
#include "uaccess.h"

static long (*const syscalls[NSYSCALL])(void) = {
  [SYS_fork] = sys_fork,         [SYS_exit] = sys_exit,
  [SYS_wait] = sys_wait,         [SYS_pipe] = sys_pipe,
  [SYS_read] = sys_read,         [SYS_kill] = sys_kill,
  [SYS_exec] = sys_exec,         [SYS_fstat] = sys_fstat,
  [SYS_chdir] = sys_chdir,       [SYS_dup] = sys_dup,
  [SYS_getpid] = sys_getpid,     [SYS_sbrk] = sys_sbrk,
  [SYS_sleep] = sys_sleep,       [SYS_uptime] = sys_uptime,
  [SYS_open] = sys_open,         [SYS_write] = sys_write,
  [SYS_mknod] = sys_mknod,       [SYS_unlink] = sys_unlink,
  [SYS_link] = sys_link,         [SYS_mkdir] = sys_mkdir,
  [SYS_close] = sys_close,       [SYS_mmap] = sys_mmap,
  [SYS_munmap] = sys_munmap,     [SYS_mprotect] = sys_mprotect,
  [SYS_madvise] = sys_madvise,   [SYS_minherit] = sys_minherit,
  [SYS_mlock] = sys_mlock,       [SYS_munlock] = sys_munlock,
  [SYS_mlockall] = sys_mlockall, [SYS_munlockall] = sys_munlockall,
  [SYS_mincore] = sys_mincore,   [SYS_msync] = sys_msync,
  [SYS_getrlimit] = sys_getrlimit, [SYS_setrlimit] = sys_setrlimit,
  [SYS_halt] = sys_halt,         [SYS_vmstat] = sys_vmstat,
  [SYS_vmmap] = sys_vmmap,       [SYS_lseek] = sys_lseek,
  [SYS_ftruncate] = sys_ftruncate, [SYS_vmreclaim] = sys_vmreclaim,
  [SYS_swapraw] = sys_swapraw,
};

static uint64_t argraw(int n)
{
  return md_syscall_arg(myproc()->tf, n);
}

long argint(int n)
{
  return (long)argraw(n);
}

uint64_t argaddr(int n)
{
  return argraw(n);
}

int argstr(int n, char *buf, int max)
{
  return copyinstr(buf, argraw(n), max);
}

int fetchaddr(uint64_t addr, uint64_t *ip)
{
  return copyin(ip, addr, sizeof(*ip));
}

void syscall(void)
{
  struct proc *p = myproc();
  uint64_t num = md_syscall_num(p->tf);

  if (num < NSYSCALL && syscalls[num] != NULL)
    md_set_retval(p->tf, syscalls[num]());
  else
    md_set_retval(p->tf, -ENOSYS);
}
