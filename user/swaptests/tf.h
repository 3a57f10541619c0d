// SPDX-License-Identifier: MIT
// What the file groups of swaptests share (user/swaptests/t_fhelp.c):
// page patterns, files made and read a page at a time, and the hog that
// keeps memory short. The groups: t_freuse.c (freuse, fexec), t_file.c
// (ftrunc, fshare, fdisk).
#ifndef SWAPTESTS_TF_H
#define SWAPTESTS_TF_H

#include "user/testlib.h"

#define FW (PGSIZE / 8)             // words a page

unsigned long f_filepageout(void);  // vmstat's filepageout
// Word k of page i of a file tagged t: every word of every file differs.
uint64_t f_word(uint64_t t, uint64_t i, uint64_t k);
void f_fill(uint64_t *pg, uint64_t t, uint64_t i);      // page i of tag t
int f_is(const uint64_t *pg, uint64_t t, uint64_t i);   // it holds that
int f_zero(const void *p, unsigned long n);             // n zero bytes
extern uint64_t f_page[FW];         // f_pread's (and anyone's) page
// Create path with n pages tagged t through write(); its fd (O_RDWR), or -1.
int f_make(const char *path, unsigned long n, uint64_t t);
int f_pread(int fd, unsigned long i);   // page i into f_page; bytes read
uint64_t *f_map(int fd, unsigned long n, int prot);   // MAP_SHARED, or 0
// Wait for child pid; its status or TL_NOCHILD (other children that end
// meanwhile are kept for their own f_wait).
int f_wait(int pid);
int fh_hog_start(void);             // the hog's pid once memory is full, or -1
int fh_hog_stop(int pid);           // 0 if it died as killed

void swf_reuse(void);
void swf_trunc(void);
void swf_share(void);
void swf_disk(void);
void swf_exec(void);

#endif
