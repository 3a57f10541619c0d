// SPDX-License-Identifier: MIT
// A small test framework for the in-kernel suites (user/lib/testlib.c).
//
// A suite program calls tl_start("name"), then runs groups with tl_group()
// and tests with tl_run(), and ends with `return tl_finish();`. Each test
// prints "PASS name" or "FAIL name: reason"; tl_finish prints the one
// summary line "name: N passed, M failed" that scripts/qemu-suite.sh reads,
// and returns the exit status (1 if anything failed).
//
// A test is an int function returning 0 for success; TL_CHECK records the
// first failed condition with its line and returns. The failure names the
// file that ran the test (tl_run's caller, as tl_run and friends are macros
// passing __FILE__): "FAIL group.test: user/x/t_y.c:LINE: reason", which
// scripts/check.sh repeats in its summary. Code that runs in a
// forked child reports through its exit status instead: TL_CHILD_CHECK
// exits with the line number, and the parent checks the status it waits
// for (a child killed by a fault exits with -1).
//
// tl_group() also checks for leaks. It runs the group's body in a child
// process (so the measuring process's own memory and kernel objects stay
// exactly as they were), reaps every child, and compares the system's free
// page count and its count of kernel zone objects (vmstats.kmem_objects)
// before and after, each right after dropping the cache of unused files
// (vmreclaim(0)); any difference is a failed test "GROUP.leak". Results
// of the body's tests come back to the suite's counts; state the body
// changes (globals, sbrk, rlimits, the current directory) does not.
#ifndef USER_TESTLIB_H
#define USER_TESTLIB_H

#include "user/user.h"

// The command line every suite takes: "SUITE [-l | group...]". -l prints
// the group names, one a line; any other argument must name a group.
// name(i) is the name of group i of n. Returns -1 when the suite should go
// on and run, else its exit status: 0 after -l, 1 (with a message) when an
// argument names no group.
int tl_args(const char *suite, int argc, char **argv, const char *(*name)(int),
            int n);

// Begin suite name. Also writes every page of the program's data, bss and
// top 64 KiB of stack once, so tests that first touch them later do not
// look like leaks.
void tl_start(const char *suite);
int tl_finish(void);

// Run fn as test name and print its result.
#define tl_run(name, fn) tl_run_at(__FILE__, name, fn)
void tl_run_at(const char *file, const char *name, int (*fn)(void));
// Like tl_run, but fn runs in a forked child, so whatever it does to the
// address space (sbrk, mmap, page tables) vanishes with the child and
// cannot look like a leak. The reason of a failure comes back through a
// pipe; a child killed by a fault fails with "killed".
#define tl_run_child(name, fn) tl_run_child_at(__FILE__, name, fn)
void tl_run_child_at(const char *file, const char *name, int (*fn)(void));
// Run body (which calls tl_run) as group name, in a child process, with
// the leak check.
#define tl_group(name, body) tl_group_at(__FILE__, name, body, 0)
void tl_group_at(const char *file, const char *name, void (*body)(void),
                 int oom);
// The same for a group that runs memory out. When no page is free the
// kernel reclaims clean cached file pages, also those of programs that keep
// running (this suite, sh, init) and unmaps them; they stay out until
// those programs touch them again, so the free page count and the kernel
// object count (their pv entries) would not come back. Here each of the
// leak check's counts is taken right after dropping every clean cached
// page (vmreclaim), so both describe the same state of the cache.
#define tl_group_oom(name, body) tl_group_at(__FILE__, name, body, 1)

// Record why the current test fails, at line of the test's file (0: no
// line); returns -1 for `return tl_fail_at(...)`.
int tl_fail_at(int line, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define TL_CHECK(cond, ...)                          \
  do {                                               \
    if (!(cond))                                     \
      return tl_fail_at(__LINE__, __VA_ARGS__);      \
  } while (0)

// In a child: exit with the line number when cond is false.
#define TL_CHILD_CHECK(cond)                         \
  do {                                               \
    if (!(cond))                                     \
      exit(__LINE__);                                \
  } while (0)

// Returned by tl_fork_wait when the child could not be started or reaped.
#define TL_NOCHILD (-100000)

// Fork; the child runs fn(arg) and exits 0 if fn returns. Waits for that
// child and returns its exit status, or TL_NOCHILD.
int tl_fork_wait(void (*fn)(void *), void *arg);

// Wait for every child of this process.
void tl_reap(void);

// The system's free page count (vmstat().free) and its pages of RAM
// (vmstat().total), or 0 if vmstat fails.
unsigned long tl_free_pages(void);
unsigned long tl_ram_pages(void);

#endif
