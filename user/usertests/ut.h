// SPDX-License-Identifier: MIT
// The groups of usertests, one file each in user/usertests/, and the few
// helpers they share (user/usertests.c).
#ifndef USERTESTS_UT_H
#define USERTESTS_UT_H

#include "user/testlib.h"

void ut_proc(void);     // t_proc.c: fork, exit, wait, kill, exec
void ut_file(void);     // t_file.c: files, links, directories
void ut_pipe(void);     // t_pipe.c: pipes
void ut_sbrk(void);     // t_mem.c: sbrk laziness, shrinking, limits
void ut_cow(void);      // t_mem.c: fork isolation (copy-on-write)
void ut_ptr(void);      // t_ptr.c: bad user pointers
void ut_fault(void);    // t_fault.c: NULL, stack guard
void ut_oom(void);      // t_fault.c: out of memory
void ut_nproc(void);    // t_fault.c: out of processes
void ut_disk(void);     // t_disk.c: a full disk

// Fork until fork fails; the children wait for EOF on a pipe. Returns how
// many were started and leaves errno from the failed fork; every child has
// exited (and been reaped) on return.
int ut_fork_all(void);

// Create path holding n bytes of the pattern ut_byte(i); 0 or -1.
int ut_make_file(const char *path, int n);
static inline char ut_byte(int i) { return (char)('a' + i % 23); }

#endif
