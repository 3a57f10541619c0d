// SPDX-License-Identifier: MIT
// The groups of usertests, one file each in user/usertests/, and the few
// helpers they share (user/usertests.c).
#ifndef USERTESTS_UT_H
#define USERTESTS_UT_H

#include "user/testlib.h"

void ut_proc(void);     // t_proc.c: fork, exit, wait, kill, exec
void ut_file(void);     // t_file.c: files, links, directories
void ut_text(void);     // t_text.c: ETXTBSY for the file of a running program
void ut_inode(void);    // t_inode.c: in-memory inodes limited by memory only
void ut_pipe(void);     // t_pipe.c: pipes
void ut_sbrk(void);     // t_mem.c: sbrk laziness, shrinking, limits
void ut_cow(void);      // t_mem.c: fork isolation, memory freed across forks
void ut_ptr(void);      // t_ptr.c: bad user pointers
void ut_fault(void);    // t_fault.c: NULL, stack guard
void ut_oom(void);      // t_fault.c: out of memory
void ut_nproc(void);    // t_fault.c: out of processes
void ut_ucopy(void);    // t_ucopy.c: kernel copies into pages that fault
void ut_console(void);  // t_ucopy.c: the same from the console (input!)
void ut_disk(void);     // t_disk.c: a full disk
void ut_args(void);     // t_args.c: the suites' -l and unknown group names
void ut_xv6(void);      // t_xv6.c: xv6's names build and mean what they do there

// `usertests UT_TEXT_HELPER` runs ut_text_helper (t_text.c) and exits.
#define UT_TEXT_HELPER "-text-helper"
__attribute__((noreturn)) void ut_text_helper(void);

// Fork until fork fails; the children wait for EOF on a pipe. Returns how
// many were started and leaves errno from the failed fork; every child has
// exited (and been reaped) on return.
int ut_fork_all(void);

// Create path holding n bytes of the pattern ut_byte(i); 0 or -1.
int ut_make_file(const char *path, int n);
static inline char ut_byte(int i) { return (char)('a' + i % 23); }

#endif
