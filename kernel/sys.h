// SPDX-License-Identifier: MIT
// System call plumbing: argument fetching and the handlers that syscall.c
// dispatches to by number (syscall.h). Each handler returns a value >= 0 or
// a negative errno, which syscall.c returns to the caller.
#ifndef KERNEL_SYS_H
#define KERNEL_SYS_H

#include "lib/types.h"

// The n-th argument (0..5) of the current system call.
long argint(int n);
uint64_t argaddr(int n);
// Copy the n-th argument, a user string, into buf (max bytes). Returns its
// length or a negative errno (-EFAULT, -ENAMETOOLONG).
int argstr(int n, char *buf, int max);

// Read a user pointer stored at user address addr. 0 or -EFAULT.
int fetchaddr(uint64_t addr, uint64_t *ip);

void syscall(void);

// sysproc.c
long sys_fork(void);
long sys_exit(void);
long sys_wait(void);
long sys_kill(void);
long sys_getpid(void);
long sys_sbrk(void);
long sys_sleep(void);
long sys_uptime(void);
long sys_halt(void);
long sys_vmstat(void);
long sys_vmreclaim(void);
long sys_swapraw(void);
long sys_getrlimit(void);
long sys_setrlimit(void);
long sys_exec(void);

// sysfile.c
long sys_read(void);
long sys_write(void);
long sys_open(void);
long sys_close(void);
long sys_dup(void);
long sys_pipe(void);
long sys_fstat(void);
long sys_link(void);
long sys_unlink(void);
long sys_mkdir(void);
long sys_mknod(void);
long sys_chdir(void);
long sys_lseek(void);
long sys_ftruncate(void);

// sysmem.c (memory system calls of docs/semantics.md; a later issue)
long sys_mmap(void);
long sys_munmap(void);
long sys_mprotect(void);
long sys_madvise(void);
long sys_minherit(void);
long sys_mlock(void);
long sys_munlock(void);
long sys_mlockall(void);
long sys_munlockall(void);
long sys_mincore(void);
long sys_msync(void);
long sys_vmmap(void);

#endif
