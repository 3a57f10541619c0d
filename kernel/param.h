// SPDX-License-Identifier: MIT
// Compile-time limits of the kernel.
#ifndef KERNEL_PARAM_H
#define KERNEL_PARAM_H

#define NPROC        64    // maximum number of processes
#define NCPU          8    // maximum number of harts
#define NOFILE       16    // open files per process
#define NFILE       100    // open files per system
#define NINODE       50    // not a limit (inodes come from kmem, fs.c); kept
                           // for xv6 programs: usertests' iref uses it
#define NDEV         10    // maximum major device number
#define ROOTDEV       1    // device number of file system root disk
#define MAXARG       32    // max exec arguments
#define MAXOPBLOCKS  32    // max # of blocks any FS op writes
#define LOGBLOCKS    (MAXOPBLOCKS*3)  // max data blocks in on-disk log
#define NBUF         (LOGBLOCKS+34)   // size of disk block cache (> the log's pins)
#define FSSIZE    16384    // size of file system in blocks (BSIZE 4096: 64 MiB)
#define MAXPATH     128    // maximum file path name
#define USERSTACK     1    // pages of user stack mapped at exec (grows on demand)
#define USTACKMAX  (8u << 20)  // bytes the stack entry may grow to

#endif
