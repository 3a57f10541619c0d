// SPDX-License-Identifier: MIT
// Everything a user program needs, from this one include: the kernel's
// shared types and constants, every system call, errno, and the small C
// library in user/lib (strings, memory, printf, malloc).
//
// System calls return -1 on failure and leave the reason in errno (mmap
// returns MAP_FAILED, sbrk returns (char *)-1); the stubs in the generated
// build/user/usys.S translate the kernel's negative errno results. The xv6
// calls keep xv6's prototypes, so xv6 programs build unchanged.
#ifndef USER_USER_H
#define USER_USER_H

#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/lib/errno.h"
#include "kernel/vm/mman.h"
#include "kernel/arch/riscv/vmparam.h"
#include "kernel/vmstat.h"
#include "kernel/vm/vmmap.h"
#include <stdarg.h>

#ifndef PGSIZE
#define PGSIZE 4096
#endif

// What mmap returns on failure. An object, not a macro, so that a program
// that defines its own MAP_FAILED (the MIT mmap lab's test does, as
// ((char *)-1)) still builds with -Werror instead of failing on a macro
// redefinition; comparisons work the same either way.
static void *const MAP_FAILED = (void *)-1;

// Standard descriptors, as init leaves them.
#define STDIN_FILENO  0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

struct vmmap_entry;   // filled by vmmap(); defined by the kernel's vmmap

// System calls of xv6.
int fork(void);
int exit(int) __attribute__((noreturn));
int wait(int *);
int pipe(int *);
int write(int, const void *, int);
int read(int, void *, int);
int close(int);
int kill(int);
int exec(const char *, char **);
int open(const char *, int);
int mknod(const char *, short, short);
int unlink(const char *);
int fstat(int fd, struct stat *);
int link(const char *, const char *);
int mkdir(const char *);
int chdir(const char *);
int dup(int);
int getpid(void);
char *sbrk(int);
int sleep(int);
int uptime(void);

// xv6's newer names (user/lib/xv6.c): pause is sleep; sbrklazy is sbrk,
// whose growth is always lazy here; SBRK_ERROR is what sbrk returns on
// failure.
int pause(int ticks);
char *sbrklazy(int n);
#define SBRK_ERROR ((char *)-1)

// Memory system calls (docs/semantics.md, FreeBSD meanings).
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);
int madvise(void *addr, size_t len, int advice);
int minherit(void *addr, size_t len, int inherit);
int mlock(const void *addr, size_t len);
int munlock(const void *addr, size_t len);
int mlockall(int flags);
int munlockall(void);
int mincore(const void *addr, size_t len, char *vec);
int msync(void *addr, size_t len, int flags);
int getrlimit(int res, struct rlimit *rlp);
int setrlimit(int res, const struct rlimit *rlp);

// Machine, observability and file offsets.
int halt(int status);
int vmstat(struct vmstats *vs);
int vmmap(int pid, struct vmmap_entry *buf, int max);
off_t lseek(int fd, off_t off, int whence);
int ftruncate(int fd, off_t len);
// Drop the cache of unused files, then free up to npages clean cached
// pages; returns how many of those went (kernel/sysproc.c).
long vmreclaim(long npages);
// Time the swap disk with no VM in the way: write npages free swap blocks
// in the pager's 16-page requests, read them back, free them; ns[0] and
// ns[1] get ns per page written and read (make bench's paging boot).
int swapraw(long npages, unsigned long ns[2]);

// The time CSR: a counter that ticks at the platform's timebase frequency
// (10 MHz on QEMU virt, given by the device tree), the same on every hart.
// The kernel lets user mode read it, so timing needs no system call.
static inline uint64
rdtime(void)
{
  uint64 t;

  __asm__ volatile("rdtime %0" : "=r"(t));
  return t;
}

// Errors (user/lib/errno.c).
extern int errno;
char *strerror(int err);

// Strings and memory (user/lib/ulib.c).
size_t strlen(const char *s);
char *strcpy(char *dst, const char *src);
char *strncpy(char *dst, const char *src, size_t n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int atoi(const char *s);
char *gets(char *buf, int max);
int stat(const char *path, struct stat *st);

// Formatted output (user/lib/printf.c): %d %u %ld %lu %lld %llu %x %lx %p
// %s %c %%, with an optional '-' or '0' flag and a field width. Each call
// reaches the file in as few write()s as its length allows, so lines from
// different processes do not interleave mid-line.
int printf(const char *fmt, ...);
int fprintf(int fd, const char *fmt, ...);
int vfprintf(int fd, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

// Heap (user/lib/umalloc.c).
void *malloc(size_t n);
void free(void *p);

#endif
