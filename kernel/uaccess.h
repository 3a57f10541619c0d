// SPDX-License-Identifier: MIT
// Copies between the kernel and the CURRENT process's user memory.
//
// Each copy runs with kernel access to user pages switched on (the
// machine's uaccess.S does it) and a fault-recovery hook: a page
// fault inside it goes through vm_fault on the process's map (so lazy and
// copy-on-write pages just work) and, when that fails, the copy stops and
// returns -EFAULT, having written nothing past the faulting byte. A user
// range that wraps or reaches MAXUVA is rejected before anything is
// touched.
#ifndef KERNEL_UACCESS_H
#define KERNEL_UACCESS_H

#include "lib/types.h"

struct vmspace;

// 0 or -EFAULT.
int copyin(void *dst, uint64_t usrc, size_t n);
int copyout(uint64_t udst, const void *src, size_t n);
// Copy a NUL-terminated string of at most max bytes (NUL included).
// Returns its length (without the NUL), -EFAULT, or -ENAMETOOLONG when no
// NUL was found within max bytes.
int copyinstr(char *dst, uint64_t usrc, size_t max);

// Copy to/from user memory when the flag is set, kernel memory otherwise.
// 0 or -EFAULT.
int either_copyout(int user_dst, uint64_t dst, const void *src, size_t n);
int either_copyin(void *dst, int user_src, uint64_t src, size_t n);

// Write len bytes at va of vm, which need not be the current address
// space (exec fills a new one). Faults pages in through vm_fault (growing
// a stack entry if va lies in its growth area) and writes through the
// direct map, so it works on read-only mappings only if they were made
// writable first. 0, or -EFAULT / -ENOMEM with a prefix written.
int vmspace_copyout(struct vmspace *vm, vm_offset_t va, const void *src,
                    size_t len);

// The page-fault side of the hook, for the trap handler: if the current
// thread is inside a copy, the pc at which the copy reports -EFAULT; else 0.
uintptr_t uaccess_onfault(void);

#endif
