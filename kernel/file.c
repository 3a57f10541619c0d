// SPDX-License-Identifier: MIT
// Open files: the system-wide table of struct file and the operations that
// dispatch on a file's type (pipe, inode, device).
//
// Interface: filealloc gives a file with one reference; filedup and
// fileclose count descriptors (dup, fork) pointing at it; the last close
// releases the pipe end or the inode. fileread, filewrite, filestat,
// fileseek and filetruncate act for the current process and move data to
// and from its user addresses.
//
// An inode file's offset is shared by every descriptor of the file (dup,
// fork) and protected by the file's own sleep lock, offlock, which read,
// write and lseek hold from reading the offset to storing the new one --
// across the whole page-cache copy. So reads and writes through one open
// file are atomic with respect to the offset, as POSIX asks of regular
// files: two writes never land at the same offset. Lock order: offlock ->
// inode lock (and the log). The user copy under offlock may fault and page
// in from any file, which takes that file's inode lock, never an offlock,
// so the copy cannot deadlock on it. Different open files of one inode
// have their own offsets; their write()s and truncations still run one at
// a time (the inode's wlock, vnode_pager.c), their reads side by side.
//
// Writing the file of a running program (write, ftruncate) is -ETXTBSY,
// checked under the inode lock (exec.c, "Program text").
//
// Big writes are split into transactions of VNODE_RESERVE_CHUNK bytes
// (vnode_pager.c; see the bound in fs.c), so one write() may commit in
// several steps: a crash in the middle leaves a prefix of it on disk.
//
// No inode lock and no log reservation is held across a user copy
// (directories are read through a kernel buffer: fileread_dir): the copy
// may fault and wait for a page that is being written back, whose writer
// waits for the log.
//
// Locking: ftable.lock (spin) protects ref and type of every entry;
// offlock (sleep) protects off.
#include "file.h"

#include "fcntl.h"
#include "lib/errno.h"
#include "lib/kassert.h"
#include "param.h"
#include "proc.h"
#include "stat.h"
#include "uaccess.h"
#include "vnode_pager.h"

struct devsw devsw[NDEV];

static struct {
  struct mtx lock;
  struct file file[NFILE];
} ftable;

void fileinit(void)
{
  mtx_init(&ftable.lock, "ftable");
}

struct file *filealloc(void)
{
  mtx_lock(&ftable.lock);
  for (struct file *f = ftable.file; f < &ftable.file[NFILE]; f++) {
    if (f->ref == 0) {
      f->ref = 1;
      // Nobody holds a free slot's offset lock; make it afresh, since
      // callers may fill the slot with a whole struct (pipe.c).
      sx_init(&f->offlock, "file offset");
      mtx_unlock(&ftable.lock);
      return f;
    }
  }
  mtx_unlock(&ftable.lock);
  return NULL;
}

struct file *filedup(struct file *f)
{
  mtx_lock(&ftable.lock);
  KASSERT(f->ref > 0, ("filedup: file %p not open", f));
  f->ref++;
  mtx_unlock(&ftable.lock);
  return f;
}

// Drop a reference; the last one closes the pipe end or drops the inode.
void fileclose(struct file *f)
{
  mtx_lock(&ftable.lock);
  KASSERT(f->ref > 0, ("fileclose: file %p not open", f));
  if (--f->ref > 0) {
    mtx_unlock(&ftable.lock);
    return;
  }
  struct file ff = *f;            // release the slot, then the resources
  f->type = FD_NONE;
  f->pipe = NULL;
  f->ip = NULL;
  f->off = 0;
  mtx_unlock(&ftable.lock);

  if (ff.type == FD_PIPE) {
    pipeclose(ff.pipe, ff.writable);
  } else if (ff.type == FD_INODE || ff.type == FD_DEVICE) {
    begin_op();
    iput(ff.ip);
    end_op();
  }
}

// Copy the file's struct stat to user address addr.
int filestat(struct file *f, uint64_t addr)
{
  if (f->type != FD_INODE && f->type != FD_DEVICE)
    return -EINVAL;
  struct stat st;
  ilock(f->ip);
  stati(f->ip, &st);
  iunlock(f->ip);
  return copyout(addr, &st, sizeof(st));
}

static bool file_major_ok(short major)
{
  return major >= 0 && major < NDEV;
}

// Bytes of a directory read under its inode lock at a time.
#define DIR_READ_CHUNK 256

// Read n bytes of directory ip at off into user memory at addr. Each
// chunk is read into a kernel buffer under the inode lock and copied out
// with the lock dropped: no inode lock is ever held across a user copy.
// The copy may fault and wait for a busy page -- one that msync, munmap
// or exit is writing back, whose writer waits for a log reservation --
// while every transaction that looks a name up through this directory
// waits for its lock: holding it across the copy closed that circle (the
// log full of such transactions, pctests mmap.dir_read_race). A read that
// spans chunks may see the directory change in between, as readdir may.
static int fileread_dir(struct inode *ip, uint64_t addr, uint64_t off, int n)
{
  char buf[DIR_READ_CHUNK];
  int done = 0, r = 0, m;

  while (done < n) {
    m = MIN(n - done, DIR_READ_CHUNK);
    ilock(ip);
    r = off + done > MAXFILESIZE ? 0 :
        readi(ip, buf, (uint32_t)(off + done), (uint32_t)m);
    iunlock(ip);
    if (r > 0 && copyout(addr + done, buf, r) < 0)
      r = -EFAULT;
    if (r <= 0)
      break;
    done += r;
    if (r < m)
      break;                      // the end of the directory
  }
  return done > 0 ? done : r;
}

// Regular files are read through the page cache with the inode unlocked
// during the user copy (vnode_pager.c); directories from their blocks
// (fileread_dir). The offset lock is held throughout (see the top).
static int fileread_inode(struct file *f, uint64_t addr, int n)
{
  int r;

  sx_xlock(&f->offlock);
  ilock(f->ip);
  bool file = f->ip->type == T_FILE;  // a regular file stays one while open
  iunlock(f->ip);
  r = file ? vnode_pager_rdwr(f->ip, false, addr, f->off, n) :
             fileread_dir(f->ip, addr, f->off, n);
  if (r > 0)
    f->off += r;
  sx_xunlock(&f->offlock);
  return r;
}

int fileread(struct file *f, uint64_t addr, int n)
{
  if (!f->readable)
    return -EBADF;
  if (n < 0)
    return -EINVAL;
  switch (f->type) {
  case FD_PIPE:
    return piperead(f->pipe, addr, n);
  case FD_DEVICE:
    if (!file_major_ok(f->major) || devsw[f->major].read == NULL)
      return -ENODEV;
    return devsw[f->major].read(1, addr, n);
  case FD_INODE:
    return fileread_inode(f, addr, n);
  default:
    panic("fileread: file %p of type %d", f, f->type);
  }
}

// Write n bytes at the file's offset, through the page cache as for
// read. -ETXTBSY while some process runs the file (looked at here, and
// again by vnode_pager_rdwr under the lock exec takes the text count
// with, for a program started in between). Only a regular file
// can be open for writing here: open refuses a directory (-EISDIR), and a
// device file is FD_DEVICE.
static int filewrite_inode(struct file *f, uint64_t addr, int n)
{
  int r = 0;

  sx_xlock(&f->offlock);
  ilock(f->ip);
  if (f->ip->type != T_FILE)
    r = -EISDIR;
  else if (itext_busy(f->ip))
    r = -ETXTBSY;
  iunlock(f->ip);
  if (r == 0)
    r = vnode_pager_rdwr(f->ip, true, addr, f->off, n);
  if (r > 0)
    f->off += r;
  sx_xunlock(&f->offlock);
  return r;
}

int filewrite(struct file *f, uint64_t addr, int n)
{
  if (!f->writable)
    return -EBADF;
  if (n < 0)
    return -EINVAL;
  switch (f->type) {
  case FD_PIPE:
    return pipewrite(f->pipe, addr, n);
  case FD_DEVICE:
    if (!file_major_ok(f->major) || devsw[f->major].write == NULL)
      return -ENODEV;
    return devsw[f->major].write(1, addr, n);
  case FD_INODE:
    return filewrite_inode(f, addr, n);
  default:
    panic("filewrite: file %p of type %d", f, f->type);
  }
}

// lseek: the new offset, or -ESPIPE (pipes and devices), -EINVAL (bad
// whence, or a result below 0 or past the largest file).
off_t fileseek(struct file *f, off_t off, int whence)
{
  if (f->type != FD_INODE)
    return -ESPIPE;
  sx_xlock(&f->offlock);
  ilock(f->ip);
  off_t base = whence == SEEK_SET ? 0 :
               whence == SEEK_CUR ? (off_t)f->off :
               whence == SEEK_END ? (off_t)f->ip->size : -1;
  off_t pos;
  if (base < 0 || __builtin_add_overflow(base, off, &pos) || pos < 0 ||
      pos > (off_t)MAXFILESIZE) {
    iunlock(f->ip);
    sx_xunlock(&f->offlock);
    return -EINVAL;
  }
  f->off = pos;
  iunlock(f->ip);
  sx_xunlock(&f->offlock);
  return pos;
}

// ftruncate: 0, -EINVAL (not a regular file open for writing, or a
// negative length), -EFBIG, or -ETXTBSY while some process runs the file.
int filetruncate(struct file *f, off_t length)
{
  if (f->type != FD_INODE || !f->writable || length < 0)
    return -EINVAL;
  if (length > (off_t)MAXFILESIZE)
    return -EFBIG;
  // As a write() does, so that neither sees the other half done: a
  // truncation that grows the file zeroes what the last page gains, which
  // would wipe bytes a writer had copied past the old end but not yet
  // counted (usertests file.grow_race).
  sx_xlock(&f->ip->wlock);
  begin_op();
  ilock(f->ip);
  bool busy = itext_busy(f->ip);
  if (!busy)
    vnode_pager_truncating(f->ip);   // the cache is cut after the disk
  int r = busy ? -ETXTBSY : itruncate(f->ip, (uint32_t)length);
  iunlock(f->ip);
  end_op();
  if (r == 0)
    vnode_pager_setsize(f->ip, (uint32_t)length);
  if (!busy)
    vnode_pager_truncated(f->ip);
  sx_xunlock(&f->ip->wlock);
  return r;
}
