// SPDX-License-Identifier: MIT
// Open files, in-memory inodes, pipes and device switches.
//
// A struct file is one open(): a type, read/write permission and, for
// inode files, an offset. Descriptors in p->ofile[] point to files;
// dup and fork share a file (and its offset) by taking references.
//
// A struct inode is the kernel's copy of an on-disk inode (fs.h), kept in
// memory (allocated from a kmem zone) while anyone references it;
// kernel/fs.c describes its life cycle.
//
// Locks: (f) the file table's lock; (i) the inode cache's lock; (s) the
// inode's own sleep lock (ilock); (o) the file's offset lock, offlock;
// (a) atomic; (c) constant while referenced.
#ifndef KERNEL_FILE_H
#define KERNEL_FILE_H

#include "fs.h"
#include "lib/list.h"
#include "lib/lock.h"
#include "types.h"

struct pipe;
struct vm_object;

struct inode {
  uint32_t dev;                   // (c) device
  uint32_t inum;                  // (c) inode number
  int ref;                        // (i) references (open files, cwd, ...)
  int ntext;                      // (a) processes running it (p->text);
                                  // up from 0 only under (s) too
  struct list_node hlink;         // (i) on the itable hash chain
  struct sx lock;                 // the sleep lock, ilock/iunlock
  struct sx wlock;                // serializes write()s of a regular file
                                  // (vnode_pager_rdwr); before lock
  bool valid;                     // (s) the fields below were read from disk
  short type;                     // (s) copy of the disk inode
  short major;                    // (s)
  short minor;                    // (s)
  short nlink;                    // (s)
  uint32_t size;                  // (s) the file's size
  uint32_t disksize;              // (s) the size the disk inode records:
                                  // size but for bytes write() has given
                                  // blocks and not yet written back (fs.c)
  uint32_t addrs[NDIRECT + 2];    // (s)
  struct vm_object *vmobj;        // page cache object or NULL (vnode_pager_lock)
  int truncating;                 // (a) truncations between their disk and
                                  // cache halves (vnode_pager_truncating);
                                  // up only under (s)
};

// Program text (exec.c): a running program's file cannot be written.
// itext_hold marks the locked inode as text, taking over the caller's
// reference; itext_dup adds a text (fork); itext_release drops one and its
// reference (inside a transaction); itext_busy says whether any process
// runs the file (stable only under ilock).
void itext_hold(struct inode *ip);
struct inode *itext_dup(struct inode *ip);
void itext_release(struct inode *ip);
bool itext_busy(struct inode *ip);

enum file_type { FD_NONE, FD_PIPE, FD_INODE, FD_DEVICE };

struct file {
  enum file_type type;            // (f)
  int ref;                        // (f) descriptors pointing here
  bool readable;                  // (c)
  bool writable;                  // (c)
  struct pipe *pipe;              // (c) FD_PIPE
  struct inode *ip;               // (c) FD_INODE and FD_DEVICE
  struct sx offlock;              // serializes read, write, lseek (file.c)
  uint64_t off;                   // (o) FD_INODE: next byte to move
  short major;                    // (c) FD_DEVICE: index in devsw[]
};

// Device switch: the read and write functions of each major number.
// n is a byte count; they return bytes moved or a negative errno.
struct devsw {
  int (*read)(int user_dst, uint64_t dst, int n);
  int (*write)(int user_src, uint64_t src, int n);
};

extern struct devsw devsw[];     // NDEV entries
#define CONSOLE 1

// The open-file table (file.c). The f* calls act for the current process
// on user addresses and return a byte count, 0 or a negative errno.
void fileinit(void);
struct file *filealloc(void);    // one reference, or NULL: table full
struct file *filedup(struct file *f);
void fileclose(struct file *f);
int filestat(struct file *f, uint64_t addr);
int fileread(struct file *f, uint64_t addr, int n);
int filewrite(struct file *f, uint64_t addr, int n);
off_t fileseek(struct file *f, off_t off, int whence);
int filetruncate(struct file *f, off_t length);

// Descriptors of the current process (sysfile.c). fdget gives the open
// file behind fd, without a new reference, or NULL if fd is not open;
// fdalloc installs f (taking over the caller's reference) in the lowest
// free slot and returns it, or -EMFILE.
struct file *fdget(int fd);
int fdalloc(struct file *f);

// Pipes (pipe.c).
int pipealloc(struct file **rf, struct file **wf);
void pipeclose(struct pipe *pi, bool writable);
int piperead(struct pipe *pi, uint64_t addr, int n);
int pipewrite(struct pipe *pi, uint64_t addr, int n);

#endif
