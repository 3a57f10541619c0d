// SPDX-License-Identifier: MIT
// The file system: its on-disk format and the kernel's interface to it.
//
// This header is shared three ways, so it uses only fixed-width types and
// forward declarations: the kernel (kernel/fs.c and its callers), the host
// tool mkfs/mkfs.c that builds images, and user programs such as ls that
// read directories (xv6's ls includes "kernel/fs.h"). The in-memory inode
// lives in kernel/file.h, which only the kernel includes.
//
// Disk layout, in BSIZE-byte blocks:
//
//   0      boot block (unused)
//   1      superblock
//   2..    log: one header block, then LOGBLOCKS blocks of logged data
//   ..     inodes, IPB to a block
//   ..     free-block bitmap, one bit per block of the whole disk
//   ..     data blocks
//
// A file's blocks are found from its inode: NDIRECT direct addresses, one
// singly indirect block (NINDIRECT addresses) and one doubly indirect block
// (NINDIRECT indirect blocks), so a file may reach MAXFILE blocks. Address
// 0 means "no block yet": a hole, which reads as zeros.
//
// User programs see xv6's BSIZE and MAXFILE, not these (the end of this
// file), unless they define FS_GEOMETRY first, as the kernel, mkfs, fsck
// and our own file tests do.
#ifndef KERNEL_FS_H
#define KERNEL_FS_H

#include <stdbool.h>
#include <stdint.h>

#define BSIZE     4096            // block size: one page, so a page is a block
#define ROOTINO   1               // inode number of "/"
#define FSMAGIC   0x52564653u     // "RVFS"

// Block 1 describes where everything is. mkfs writes it; the kernel only
// reads it.
struct superblock {
  uint32_t magic;                 // FSMAGIC
  uint32_t size;                  // blocks in the image
  uint32_t nblocks;               // data blocks
  uint32_t ninodes;               // inodes
  uint32_t nlog;                  // log blocks, header included
  uint32_t logstart;              // first log block (the header)
  uint32_t inodestart;            // first inode block
  uint32_t bmapstart;             // first bitmap block
};

#define NDIRECT     11
#define NINDIRECT   (BSIZE / sizeof(uint32_t))
#define NDINDIRECT  (NINDIRECT * NINDIRECT)
#define MAXFILE     (NDIRECT + NINDIRECT + NDINDIRECT)
// Sizes are 32-bit: the largest file is one byte short of 4 GiB.
#define MAXFILESIZE 0xffffffffu

// An inode on disk: 64 bytes, so IPB of them fill a block.
struct dinode {
  int16_t type;                   // T_DIR, T_FILE, T_DEVICE (stat.h); 0 = free
  int16_t major;                  // device files: devsw index
  int16_t minor;
  int16_t nlink;                  // directory entries naming this inode
  uint32_t size;                  // bytes
  uint32_t addrs[NDIRECT + 2];    // direct, then indirect, then doubly indirect
};

#define IPB           (BSIZE / sizeof(struct dinode))
#define IBLOCK(i, sb) ((i) / IPB + (sb).inodestart)   // block holding inode i
#define BPB           (BSIZE * 8)                      // bitmap bits per block
#define BBLOCK(b, sb) ((b) / BPB + (sb).bmapstart)     // bitmap block of block b

// A directory is a file of these. inum 0 marks a free slot. A name shorter
// than DIRSIZ is NUL-terminated; a name of exactly DIRSIZ bytes is not.
#define DIRSIZ 30

struct dirent {
  uint16_t inum;
  char name[DIRSIZ];
};

// ---------------------------------------------------------------------------
// The kernel's interface (kernel/fs.c, kernel/log.c). Inodes returned by
// namei and friends are referenced but unlocked; ilock before reading or
// changing their fields. Anything that may write the disk (creating,
// writing, and also iput, which may free a file) runs between begin_op()
// and end_op().

struct inode;
struct stat;

// Start-up, in this order, before the first process: the buffer cache
// (bio.c), the open-file table (file.c), the inode cache.
void binit(void);
void fileinit(void);
void iinit(void);
// Read the superblock of dev and recover the log. Called once, from the
// first process (it sleeps on disk I/O).
void fsinit(int dev);

// ialloc: 0 with *ipp referenced, -ENOSPC (no free disk inode) or -ENFILE
// (no memory for an in-memory inode).
int ialloc(uint32_t dev, short type, struct inode **ipp);
struct inode *idup(struct inode *ip);
void ilock(struct inode *ip);
bool ilock_try(struct inode *ip);   // never sleeps: false if busy
void iunlock(struct inode *ip);
void iput(struct inode *ip);
bool iput_nowrite(struct inode *ip);
void iunlockput(struct inode *ip);
void iupdate(struct inode *ip);
void stati(struct inode *ip, struct stat *st);

// Between the blocks of a locked inode and kernel memory (never user
// memory: see fs.c). readi returns the bytes read (short at end of file);
// writei the bytes written (short on a full disk), or -ENOSPC / -EFBIG
// when nothing was.
int readi(struct inode *ip, void *dst, uint32_t off, uint32_t n);
int writei(struct inode *ip, const void *src, uint32_t off, uint32_t n);
// Allocate the blocks under [off, off + n) of a locked regular file and
// grow its size over them: the bytes backed (short on a full disk) or
// -ENOSPC. Inside a transaction. ibacked: are they all there already?
int ireserve(struct inode *ip, uint32_t off, uint32_t n);
int ibacked(struct inode *ip, uint32_t off, uint32_t n);  // 1 or 0
// Set the size of a locked regular file, freeing the blocks past the new
// end; growing leaves a hole. 0 or a negative errno. Inside a transaction.
int itruncate(struct inode *ip, uint32_t size);

// Directories (the directory locked).
int namecmp(const char *s, const char *t);
// dirlookup gives the entry's inode referenced and unlocked (and its byte
// offset in *poff if poff is not NULL), or NULL; fs_dirlookup returns 0 or
// -ENOENT / -ENFILE (no memory for the inode). dirlink returns 0, -EEXIST,
// -ENFILE or -ENOSPC. Inside a transaction for dirlink.
struct inode *dirlookup(struct inode *dp, const char *name, uint32_t *poff);
int fs_dirlookup(struct inode *dp, const char *name, uint32_t *poff,
                 struct inode **ipp);
int dirlink(struct inode *dp, const char *name, uint32_t inum);
int dir_isempty(struct inode *dp);         // 1 if only . and ..

// Path lookup, inside a transaction (dropping the references it takes on
// the way may free an unlinked directory). namei and nameiparent return
// NULL on any failure; the fs_ forms return 0 or the reason (-ENOENT,
// -ENOTDIR, -ENAMETOOLONG, -ENFILE when no memory is left for an inode).
// nameiparent stores the last path element in name (DIRSIZ + 1 bytes).
struct inode *namei(const char *path);
struct inode *nameiparent(const char *path, char *name);
int fs_namei(const char *path, struct inode **ipp);
int fs_nameiparent(const char *path, char *name, struct inode **ipp);

// The log (kernel/log.c).
void begin_op(void);
bool begin_op_try(void);            // never sleeps: false if it would
void end_op(void);

// xv6's programs size their I/O by BSIZE and take a file of MAXFILE blocks
// as one that fits: written for xv6's 1 KiB blocks and 268-block files.
// Here a block is a page and a file may reach 4 GiB, which in those
// programs means writing 4 GiB (usertests' writebig, on a 64 MiB disk) or
// one page where they mean one and a half (the MIT mmap lab's test file:
// PGSIZE / BSIZE * 1.5 blocks). So a user program sees xv6's two values,
// unless it asks for this file system's own with FS_GEOMETRY. (The other
// names derived from BSIZE then take xv6's values too: NINDIRECT 256.)
#ifndef FS_GEOMETRY
#undef BSIZE
#define BSIZE   1024
#undef MAXFILE
#define MAXFILE 268
#endif

#endif
