// SPDX-License-Identifier: MIT
// System call numbers, shared by the kernel's dispatcher and the user stubs.
// 1..21 are xv6's, unchanged.
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#define SYS_fork        1
#define SYS_exit        2
#define SYS_wait        3
#define SYS_pipe        4
#define SYS_read        5
#define SYS_kill        6
#define SYS_exec        7
#define SYS_fstat       8
#define SYS_chdir       9
#define SYS_dup        10
#define SYS_getpid     11
#define SYS_sbrk       12
#define SYS_sleep      13
#define SYS_uptime     14
#define SYS_open       15
#define SYS_write      16
#define SYS_mknod      17
#define SYS_unlink     18
#define SYS_link       19
#define SYS_mkdir      20
#define SYS_close      21
// The memory system calls of docs/semantics.md.
#define SYS_mmap       22
#define SYS_munmap     23
#define SYS_mprotect   24
#define SYS_madvise    25
#define SYS_minherit   26
#define SYS_mlock      27
#define SYS_munlock    28
#define SYS_mlockall   29
#define SYS_munlockall 30
#define SYS_mincore    31
#define SYS_msync      32
#define SYS_getrlimit  33
#define SYS_setrlimit  34
// Machine and observability.
#define SYS_halt       35   // halt(int status): power off through SBI SRST
#define SYS_vmstat     36   // vmstat(struct vmstats *)
#define SYS_vmmap      37   // vmmap(int pid, struct vmmap_entry *buf, int max)
#define SYS_lseek      38   // lseek(int fd, off_t off, int whence)
#define SYS_ftruncate  39   // ftruncate(int fd, off_t len)
#define SYS_vmreclaim  40   // vmreclaim(long npages): drop clean cached pages
#define SYS_swapraw    41   // swapraw(long npages, unsigned long ns[2]): time the swap disk

#define NSYSCALL       42

#endif
