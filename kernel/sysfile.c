// SPDX-License-Identifier: MIT
// The file-system calls: argument checking, descriptors, and the
// operations on names (open with O_CREATE, mkdir, mknod, link, unlink,
// chdir). Reading and writing go to file.c.
//
// Each handler returns a value >= 0 or a negative errno (syscall.c hands
// it to the caller). User strings and buffers arrive through argstr / copyin /
// copyout, which fail with -EFAULT or -ENAMETOOLONG; nothing here reads
// user memory directly.
//
// Every call that may change the disk, including plain lookups (their
// iput may free an unlinked inode), runs inside one begin_op / end_op.
// Descriptor slots p->ofile[] are private to the process's thread.
#include "fcntl.h"
#include "file.h"
#include "lib/errno.h"
#include "lib/kassert.h"
#include "lib/string.h"
#include "param.h"
#include "proc.h"
#include "stat.h"
#include "sys.h"
#include "uaccess.h"
#include "vnode_cache.h"
#include "vnode_pager.h"

#define O_ACCMODE 0x3

struct file *fdget(int fd)
{
  if (fd < 0 || fd >= NOFILE)
    return NULL;
  return myproc()->ofile[fd];
}

int fdalloc(struct file *f)
{
  struct proc *p = myproc();
  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd] == NULL) {
      p->ofile[fd] = f;
      return fd;
    }
  }
  return -EMFILE;
}

// The open file of descriptor argument n, or NULL (the caller returns
// -EBADF). *pfd gets the descriptor when pfd is not NULL.
static struct file *argfd(int n, int *pfd)
{
  long fd = argint(n);
  if (fd < 0 || fd >= NOFILE)
    return NULL;
  if (pfd != NULL)
    *pfd = (int)fd;
  return fdget((int)fd);
}

// A byte count argument: negative is -EINVAL, huge ones are clamped.
static int argcount(int n)
{
  long c = argint(n);
  if (c < 0)
    return -EINVAL;
  return c > 0x7fffffff ? 0x7fffffff : (int)c;
}

long sys_read(void)
{
  struct file *f = argfd(0, NULL);
  int n = argcount(2);
  if (f == NULL)
    return -EBADF;
  if (n < 0)
    return n;
  return fileread(f, argaddr(1), n);
}

long sys_write(void)
{
  struct file *f = argfd(0, NULL);
  int n = argcount(2);
  if (f == NULL)
    return -EBADF;
  if (n < 0)
    return n;
  return filewrite(f, argaddr(1), n);
}

long sys_close(void)
{
  int fd;
  struct file *f = argfd(0, &fd);
  if (f == NULL)
    return -EBADF;
  myproc()->ofile[fd] = NULL;
  fileclose(f);
  return 0;
}

long sys_dup(void)
{
  struct file *f = argfd(0, NULL);
  if (f == NULL)
    return -EBADF;
  int fd = fdalloc(f);
  if (fd >= 0)
    filedup(f);
  return fd;
}

long sys_fstat(void)
{
  struct file *f = argfd(0, NULL);
  if (f == NULL)
    return -EBADF;
  return filestat(f, argaddr(1));
}

long sys_lseek(void)
{
  struct file *f = argfd(0, NULL);
  if (f == NULL)
    return -EBADF;
  return fileseek(f, (off_t)argint(1), (int)argint(2));
}

long sys_ftruncate(void)
{
  struct file *f = argfd(0, NULL);
  if (f == NULL)
    return -EBADF;
  return filetruncate(f, (off_t)argint(1));
}

long sys_pipe(void)
{
  uint64_t fdarray = argaddr(0);
  struct file *rf, *wf;
  int err = pipealloc(&rf, &wf);
  if (err < 0)
    return err;
  int fd[2] = { fdalloc(rf), -1 };
  if (fd[0] >= 0)
    fd[1] = fdalloc(wf);
  err = fd[1] < 0 ? -EMFILE : copyout(fdarray, fd, sizeof(fd));
  if (err < 0) {
    struct proc *p = myproc();
    if (fd[0] >= 0)
      p->ofile[fd[0]] = NULL;
    if (fd[1] >= 0)
      p->ofile[fd[1]] = NULL;
    fileclose(rf);
    fileclose(wf);
  }
  return err;
}

// Enter the new, locked inode ip in the locked directory dp under name; a
// new directory also gets "." and "..", and its ".." counts as a link of
// dp. 0 or an errno from dirlink.
static int create_link(struct inode *dp, struct inode *ip, const char *name)
{
  int err = 0;
  if (ip->type == T_DIR) {
    err = dirlink(ip, ".", ip->inum);
    if (err == 0)
      err = dirlink(ip, "..", dp->inum);
  }
  if (err == 0)
    err = dirlink(dp, name, ip->inum);
  if (err == 0 && ip->type == T_DIR) {
    dp->nlink++;
    iupdate(dp);
  }
  return err;
}

// create() found ip, referenced, already at the path: for T_FILE an
// existing file or device is fine (0, *ipp locked); otherwise an errno.
static int create_existing(struct inode *ip, short type, struct inode **ipp)
{
  ilock(ip);
  if (type == T_FILE && (ip->type == T_FILE || ip->type == T_DEVICE)) {
    *ipp = ip;
    return 0;
  }
  int err = type == T_FILE && ip->type == T_DIR ? -EISDIR : -EEXIST;
  iunlockput(ip);
  return err;
}

// Make a new inode of type at path, or, for T_FILE, open an existing file
// or device there. Returns 0 with *ipp locked and referenced, or an errno:
// -EEXIST (-EISDIR for T_FILE over a directory), -ENOENT (a parent that
// was removed), -ENOSPC (no free disk inode), -ENFILE (no memory for an
// in-memory one), and the lookup errors. Inside a transaction.
static int create(const char *path, short type, short major, short minor,
                  struct inode **ipp)
{
  char name[DIRSIZ + 1];
  struct inode *dp, *ip;
  int err = fs_nameiparent(path, name, &dp);
  if (err < 0)
    return err;
  ilock(dp);
  err = fs_dirlookup(dp, name, NULL, &ip);
  if (err == 0) {
    iunlockput(dp);
    return create_existing(ip, type, ipp);
  }
  if (err == -ENOENT && dp->nlink == 0)
    err = -ENOENT;                // dp itself was unlinked
  else if (err == -ENOENT)
    err = ialloc(dp->dev, type, &ip);
  if (err < 0) {
    iunlockput(dp);
    return err;
  }
  ilock(ip);
  ip->major = major;
  ip->minor = minor;
  ip->nlink = 1;
  iupdate(ip);
  err = create_link(dp, ip, name);
  iunlockput(dp);
  if (err < 0) {
    ip->nlink = 0;                // iput frees the inode and its blocks
    iupdate(ip);
    iunlockput(ip);
    return err;
  }
  *ipp = ip;
  return 0;
}

// Find path for open without O_CREATE: 0 with *ipp locked, or an errno.
static int open_existing(const char *path, int omode, struct inode **ipp)
{
  struct inode *ip;
  int err = fs_namei(path, &ip);
  if (err < 0)
    return err;
  ilock(ip);
  if (ip->type == T_DIR && (omode & O_ACCMODE) != O_RDONLY) {
    iunlockput(ip);
    return -EISDIR;
  }
  *ipp = ip;
  return 0;
}

// Give the locked inode ip an open file and a descriptor. Returns the
// descriptor, or -ETXTBSY (opening a running program for writing, O_TRUNC
// included), -ENFILE / -EMFILE / -ENODEV with nothing allocated.
static int open_install(struct inode *ip, int omode)
{
  if (ip->type == T_DEVICE && (ip->major < 0 || ip->major >= NDEV))
    return -ENODEV;
  if ((omode & O_ACCMODE) != O_RDONLY && itext_busy(ip))
    return -ETXTBSY;
  struct file *f = filealloc();
  if (f == NULL)
    return -ENFILE;
  int fd = fdalloc(f);
  if (fd < 0) {
    fileclose(f);                 // still FD_NONE: only frees the slot
    return fd;
  }
  f->type = ip->type == T_DEVICE ? FD_DEVICE : FD_INODE;
  f->major = ip->major;
  f->ip = ip;
  f->off = 0;
  f->readable = (omode & O_ACCMODE) != O_WRONLY;
  f->writable = (omode & O_ACCMODE) != O_RDONLY;
  return fd;
}

// O_TRUNC truncates under the inode's wlock, as ftruncate does (file.c),
// so that a write() in progress through another open file never sees half
// a truncation. The wlock comes before the log and the inode lock
// (vnode_pager.c), so the transaction of the lookup is ended and begun
// again around taking it; the reference held keeps ip meanwhile.
static void open_wlock(struct inode *ip)
{
  iunlock(ip);
  end_op();
  sx_xlock(&ip->wlock);
  begin_op();
  ilock(ip);
}

long sys_open(void)
{
  char path[MAXPATH];
  int err = argstr(0, path, sizeof(path));
  int omode = (int)argint(1);
  if (err < 0)
    return err;
  if ((omode & O_ACCMODE) == O_ACCMODE)
    return -EINVAL;

  begin_op();
  struct inode *ip;
  err = omode & O_CREATE ? create(path, T_FILE, 0, 0, &ip) :
                           open_existing(path, omode, &ip);
  if (err < 0) {
    end_op();
    return err;
  }
  bool trunc = (omode & O_TRUNC) && ip->type == T_FILE &&
               (omode & O_ACCMODE) != O_RDONLY;
  if (trunc)
    open_wlock(ip);
  int fd = open_install(ip, omode);
  if (fd < 0 && trunc) {
    sx_xunlock(&ip->wlock);       // before iput may free ip
    trunc = false;
  }
  if (trunc) {
    vnode_pager_truncating(ip);   // the cache is cut after the disk
    itruncate(ip, 0);
  }
  if (fd >= 0)
    iunlock(ip);                  // the file keeps the reference
  else
    iunlockput(ip);
  end_op();
  if (trunc) {
    vnode_pager_setsize(ip, 0);   // drop cached pages (a mapping may hold them)
    vnode_pager_truncated(ip);
    sx_xunlock(&ip->wlock);
  }
  return fd;
}

// mkdir and mknod: create and let go.
static long create_only(short type, short major, short minor)
{
  char path[MAXPATH];
  int err = argstr(0, path, sizeof(path));
  if (err < 0)
    return err;
  begin_op();
  struct inode *ip;
  err = create(path, type, major, minor, &ip);
  if (err == 0)
    iunlockput(ip);
  end_op();
  return err;
}

long sys_mkdir(void)
{
  return create_only(T_DIR, 0, 0);
}

long sys_mknod(void)
{
  long major = argint(1);
  long minor = argint(2);
  if (major < 0 || major >= NDEV || minor < 0 || minor > 0x7fff)
    return -EINVAL;
  return create_only(T_DEVICE, (short)major, (short)minor);
}

long sys_chdir(void)
{
  char path[MAXPATH];
  int err = argstr(0, path, sizeof(path));
  if (err < 0)
    return err;
  struct proc *p = myproc();
  struct inode *ip;
  begin_op();
  err = fs_namei(path, &ip);
  if (err == 0) {
    ilock(ip);
    bool dir = ip->type == T_DIR;
    iunlock(ip);
    if (dir) {
      iput(p->cwd);
      p->cwd = ip;
    } else {
      iput(ip);
      err = -ENOTDIR;
    }
  }
  end_op();
  return err;
}

// link(old, new): a second name for a file. The link count goes up first
// and comes back down if the new name cannot be made.
static int link_paths(const char *old, const char *new)
{
  char name[DIRSIZ + 1];
  struct inode *ip, *dp;
  int err = fs_namei(old, &ip);
  if (err < 0)
    return err;
  ilock(ip);
  if (ip->type == T_DIR || ip->nlink >= 0x7fff) {
    err = ip->type == T_DIR ? -EPERM : -EMLINK;
    iunlockput(ip);
    return err;
  }
  ip->nlink++;
  iupdate(ip);
  iunlock(ip);

  err = fs_nameiparent(new, name, &dp);
  if (err == 0) {
    ilock(dp);
    err = dp->dev != ip->dev ? -EXDEV :
          dp->nlink == 0 ? -ENOENT : dirlink(dp, name, ip->inum);
    iunlockput(dp);
  }
  if (err < 0) {
    ilock(ip);
    ip->nlink--;
    iupdate(ip);
    iunlock(ip);
  }
  iput(ip);
  return err;
}

long sys_link(void)
{
  char old[MAXPATH], new[MAXPATH];
  int err = argstr(0, old, sizeof(old));
  if (err >= 0)
    err = argstr(1, new, sizeof(new));
  if (err < 0)
    return err;
  begin_op();
  err = link_paths(old, new);
  end_op();
  return err;
}

// Remove the entry name from the locked directory dp. 0 or an errno;
// dp stays locked. A regular file left with no link comes back in
// *gone, referenced, for sys_unlink to evict from the page cache.
static int unlink_entry(struct inode *dp, const char *name,
                        struct inode **gone)
{
  if (namecmp(name, ".") == 0 || namecmp(name, "..") == 0)
    return -EINVAL;
  uint32_t off;
  struct inode *ip;
  int err = fs_dirlookup(dp, name, &off, &ip);
  if (err < 0)
    return err;
  ilock(ip);
  KASSERT(ip->nlink > 0, ("unlink_entry: inode %u has no links", ip->inum));
  if (ip->type == T_DIR && !dir_isempty(ip)) {
    iunlockput(ip);
    return -ENOTEMPTY;
  }
  struct dirent de;
  memset(&de, 0, sizeof(de));
  if (writei(dp, &de, off, sizeof(de)) != sizeof(de))
    panic("unlink_entry: cannot clear entry of directory %u", dp->inum);
  if (ip->type == T_DIR) {
    dp->nlink--;                  // the child's ".." is gone
    iupdate(dp);
  }
  ip->nlink--;
  iupdate(ip);
  if (ip->nlink == 0 && ip->type == T_FILE)
    *gone = idup(ip);
  iunlockput(ip);
  return 0;
}

long sys_unlink(void)
{
  char path[MAXPATH], name[DIRSIZ + 1];
  int err = argstr(0, path, sizeof(path));
  if (err < 0)
    return err;
  begin_op();
  struct inode *dp, *gone = NULL;
  err = fs_nameiparent(path, name, &dp);
  if (err == 0) {
    ilock(dp);
    err = unlink_entry(dp, name, &gone);
    iunlockput(dp);
  }
  end_op();
  if (gone != NULL) {
    // Outside the transaction: eviction may wait for the object's last
    // user to finish writing it back. Ours is then the last reference,
    // unless the file is still open or mapped, and frees it.
    vnode_cache_unlinked(gone);
    begin_op();
    iput(gone);
    end_op();
  }
  return err;
}
