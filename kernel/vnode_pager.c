// SPDX-License-Identifier: MIT
// The vnode pager and the page cache of regular files.
//
// Each regular file in use has at most one OBJT_VNODE object, ip->vmobj:
// its pages ARE the file's cached contents. read() and write() copy
// through them (vnode_pager_rdwr), mmap maps them, exec maps program text
// straight from them. The object's handle is the inode, on which it holds
// a reference (idup), so the file outlives close() and unlink() while
// mapped; the reference goes when the object dies (dealloc).
//
// Life cycle. ip->vmobj is a weak pointer: it takes no reference. The
// object is in use while something references it: a map entry (or a
// shadow of one), exec's text, or a read()/write() in progress. When the
// last one goes, every dirty page is written back (putpages, sync) and
// the object stays, with its clean pages, on the cache of unused files
// (vnode_cache.c), where the next lookup finds it; when the cache evicts
// it, or when its file has no link left, it is terminated and dealloc
// clears ip->vmobj and drops the inode. Dirty MAP_SHARED pages reach
// the disk earlier too: msync writes them (vm_map_sync), and so do munmap
// and exit (vm_map_writeback) for the range they let go of, even while
// another process still maps the file; a write() reaches the disk when the
// call ends unless the file is mapped, in which case it stays cached and
// every reader sees it in the cache.
//
// Memory pressure: a clean page of the cache that nobody has wired or
// busied may be freed at any time by the pageout scan (vm_pageout.c); the
// next fault or read() simply reads it again. The pages of unused files
// wait on the inactive queue, so they go first. A dirty page is written
// back first, by the pageout daemon (putpages with VM_PAGER_PUT_NOWAIT,
// which tries the log and the inode lock instead of waiting for them), or
// else when msync, munmap, exit or the object's end write it. read() and
// write() that find no free page wait for the daemon and try again, as
// faults do (vnode_pager_hold).
//
// End of file: obj->pager_size is the file size in bytes and obj->size the
// pages that hold any of it. getpages zeroes the part of the last page past
// the end; a page wholly past the end is VM_PAGER_BAD (vm_fault already
// refuses pindex >= obj->size with a bus error). putpages never writes past
// the end, so the zero tail never reaches the disk. Truncation frees the
// pages past the new end, except wired ones, which stay mapped until
// unwired but are zeroed (setsize).
//
// A full disk: write() gives each range the disk blocks it is about to
// dirty before it copies (vnode_pager_reserve, fs.c ireserve), inside a
// transaction, and grows the inode only over blocks that exist; when the
// disk fills it stops with a short count, or -ENOSPC if nothing was
// written. So a page dirtied by write() never needs a block at write-back.
// A page dirtied through a MAP_SHARED mapping over a hole (a file grown by
// ftruncate) gets its block at write-back; if the disk is full then, the
// page stays dirty and msync reports ENOSPC (VM_PAGER_NOSPACE). When the
// object dies with such a page, the page is lost and putpages says so on
// the console; the hole reads as zeros.
//
// Concurrent writes: the write() calls of one file, through any open
// file of it, run one at a time (ip->wlock, held across the whole call),
// and so do truncations (ftruncate, open with O_TRUNC: file.c, sysfile.c).
// A write or truncation that grows the file zeroes what the last page
// gains (see vnode_pager_zero_tail), and a write does so after its own
// copy: a second writer copying beyond the old end at that moment would
// have its bytes wiped (usertests file.extend_race, file.grow_race).
// Serialized, the zeroing only ever meets stores through a mapping, which
// are not file data. Reads are not serialized.
//
// Locking, in order: ip->wlock (sleep; write(), truncation, and exec while
// it takes the text count (exec.c); held across write()'s user copy, which
// may fault and take another file's inode lock, never a wlock) -> the log (begin_op) -> the inode sleep lock
// (held only for block I/O, never across a user copy) -> vnode_pager_lock
// (spin; protects every ip->vmobj and the cache's list) -> obj->lock.
// getpages and putpages are called with obj->lock
// held and their pages busy; they drop it around the I/O and take the
// inode lock (and, for writes, a log transaction for up to VNODE_PUT_BATCH
// pages). rdwr holds its page wired, not busy, across the user copy: a
// fault during the copy on a mapping of the same page then finds it
// resident rather than sleeping on it forever. dealloc drops obj->lock too (the object is dead, nobody else
// can reach it) because iput may sleep.
#include "vnode_pager.h"
#include "vnode_cache.h"

#include "file.h"
#include "fs.h"
#include "lib/errno.h"
#include "lib/kassert.h"
#include "lib/lock.h"
#include "lib/string.h"
#include "param.h"
#include "printf.h"
#include "stat.h"
#include "uaccess.h"
#include "vm/pmap.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"
#include "vm/vm_pager.h"

struct mtx vnode_pager_lock;          // (v) ip->vmobj of every inode, and
                                      //     the cache (vnode_cache.c)

// Set the object's idea of the file size. Requires obj locked.
static void vnode_pager_size_locked(struct vm_object *obj, uint64_t size)
{
  MTX_ASSERT_OWNED(&obj->lock);
  obj->pager_size = size;
  obj->size = atop(round_page(size));
}

// ---------------------------------------------------------------------------
// The pager operations.

/* LAB mmap BEGIN vnode_pager_getpages: read a run of pages in one go, with the end-of-file rules */
// Fill m from the file, zeroing what lies past the end. Returns
// VM_PAGER_BAD if the page lies wholly past the end. ip locked. Leaves
// m->flags alone: the caller marks the page valid once it holds the
// object lock again.
static int vnode_pager_read_page(struct inode *ip, struct vm_page *m,
                                 uint64_t size)
{
  uint64_t off = ptoa(m->pindex);
  uint8_t *kva = pmap_page_kva(m);
  int r = 0;

  if (off >= size)
    return VM_PAGER_BAD;
  if (off < ip->size)
    r = readi(ip, kva, (uint32_t)off,
              (uint32_t)MIN(PAGE_SIZE, ip->size - off));
  if (r < 0)
    return VM_PAGER_ERROR;
  memset(kva + r, 0, PAGE_SIZE - r);
  return VM_PAGER_OK;
}

// Most pages one call reads: a fault's window is at most 24.
#define VNODE_GET_MAX 64

// Requires obj locked and ma[] busy; drops the lock around the reads.
// Read-ahead pages that fail are left invalid (the caller frees them).
// PG_VALID is set only after obj's lock is back: a page's flags belong to
// its object's lock, and a fault waiting for one of these busy pages sets
// PG_WANTED under that lock meanwhile -- a flag stored here without it
// could be lost (a fault on program text then failed as a segmentation
// fault, found by sysfuzz; usertests oom.text_reclaim_race).
static int vnode_pager_getpages(struct vm_object *obj, struct vm_page **ma,
                                int count, int reqpage)
{
  struct inode *ip = obj->handle;
  uint64_t size = obj->pager_size, filled = 0;
  int rv, result = VM_PAGER_OK;

  MTX_ASSERT_OWNED(&obj->lock);
  KASSERT(count <= VNODE_GET_MAX, ("vnode_pager_getpages: %d pages", count));
  mtx_unlock(&obj->lock);
  ASSERT_SLEEPABLE();                 // no other spin lock across the I/O
  ilock(ip);
  for (int i = 0; i < count; i++) {
    rv = vnode_pager_read_page(ip, ma[i], size);
    if (rv == VM_PAGER_OK)
      filled |= 1ULL << i;
    if (i == reqpage)
      result = rv;
  }
  iunlock(ip);
  mtx_lock(&obj->lock);
  for (int i = 0; i < count; i++)
    if (filled & (1ULL << i))
      ma[i]->flags |= PG_VALID;
  return result;
}
/* LAB mmap STUB
// Given, so that exec, read() and write() work before the lab is done:
// read ma[reqpage] alone and zero what lies past the end of the file.
// The read-ahead pages are left invalid, so the fault frees them again.
static int vnode_pager_getpages(struct vm_object *obj, struct vm_page **ma,
                                int count, int reqpage)
{
  struct inode *ip = obj->handle;
  struct vm_page *m = ma[reqpage];
  uint64_t off = ptoa(m->pindex);
  uint8_t *kva = pmap_page_kva(m);
  int r = 0;

  (void)count;
  mtx_unlock(&obj->lock);
  ilock(ip);
  if (off < ip->size)
    r = readi(ip, kva, (uint32_t)off,
              (uint32_t)MIN(PAGE_SIZE, ip->size - off));
  iunlock(ip);
  if (r >= 0)
    memset(kva + r, 0, PAGE_SIZE - r);
  mtx_lock(&obj->lock);
  if (r < 0)
    return VM_PAGER_ERROR;
  m->flags |= PG_VALID;
  return VM_PAGER_OK;
}
   LAB mmap END */

// Write one page, clipped to size, the end of the file. VM_PAGER_OK when
// it is wholly past the end (nothing of the file to write); VM_PAGER_NOSPACE
// when its block is a hole and the disk is full (only a page written
// through a mapping can be over a hole: write() reserves its blocks).
// ip locked, inside a transaction.
static int vnode_pager_write_page(struct inode *ip, struct vm_page *m,
                                  uint64_t size)
{
  uint64_t off = ptoa(m->pindex);
  uint32_t n;
  int r;

  if (off >= size)
    return VM_PAGER_OK;
  n = (uint32_t)MIN(PAGE_SIZE, size - off);
  r = writei(ip, pmap_page_kva(m), (uint32_t)off, n);
  if (r == -ENOSPC)
    return VM_PAGER_NOSPACE;
  if (r != (int)n)
    return VM_PAGER_ERROR;
  VM_CNT_INC(v_pageout);
  return VM_PAGER_OK;
}

// Pages written in one transaction: each logs its data block (and, over a
// hole, allocates it); add the inode, the bitmap block and up to 3
// indirect blocks and it fits MAXOPBLOCKS.
#define VNODE_PUT_BATCH (MAXOPBLOCKS - 6)

// For the pageout daemon (VM_PAGER_PUT_NOWAIT): a transaction and ip's
// lock, only if neither needs a sleep, and no truncation half done
// (vnode_pager_truncating: the disk is cut, the cache not yet, so the
// pages in hand may lie past the end). Returns whether both are held.
static bool vnode_pager_put_try(struct inode *ip)
{
  if (!begin_op_try())
    return false;
  if (ilock_try(ip)) {
    if (__atomic_load_n(&ip->truncating, __ATOMIC_ACQUIRE) == 0)
      return true;
    iunlock(ip);
  }
  end_op();
  return false;
}

// Write ma[0, n) in one transaction; rtvals[i] gets each result. Nothing
// is written past ip->size, read under the inode lock: the object's size
// (size) was read before, and a truncation may have cut the disk since
// (filetruncate cuts it first, then the cache); a write there would grow
// the file again with data the truncation removed. With nowait, a batch
// that would have to sleep for the log or the lock is not written
// (VM_PAGER_AGAIN).
static void vnode_pager_put_batch(struct inode *ip, struct vm_page **ma,
                                  int n, uint64_t size, bool nowait,
                                  int *rtvals)
{
  if (nowait && !vnode_pager_put_try(ip)) {
    for (int i = 0; i < n; i++)
      rtvals[i] = VM_PAGER_AGAIN;
    return;
  }
  if (!nowait) {
    begin_op();
    ilock(ip);
  }
  size = MIN(size, (uint64_t)ip->size);
  for (int i = 0; i < n; i++)
    rtvals[i] = vnode_pager_write_page(ip, ma[i], size);
  iunlock(ip);
  end_op();
}

// Every write is synchronous, so VM_PAGER_PUT_SYNC changes nothing;
// VM_PAGER_PUT_NOWAIT is the pageout daemon's (vm_pageout.c "Laundering
// file pages"). Requires obj locked; drops it around the writes.
//
// A page that fails stays dirty (vm_object_page_clean) and msync reports
// it. When the object is dying there is nobody left to report to and the
// page is about to be freed: its data is lost, so say so on the console.
// The file keeps what its block held before; the block of a page that
// failed for want of space is a hole, so the file reads zeros there,
// never another file's data.
static int vnode_pager_putpages(struct vm_object *obj, struct vm_page **ma,
                                int count, int flags, int *rtvals)
{
  struct inode *ip = obj->handle;
  uint64_t size = obj->pager_size;
  bool dying = (obj->flags & OBJ_DEAD) != 0;
  bool nowait = (flags & VM_PAGER_PUT_NOWAIT) != 0;
  int result = VM_PAGER_OK;

  MTX_ASSERT_OWNED(&obj->lock);
  mtx_unlock(&obj->lock);
  ASSERT_SLEEPABLE();                 // no other spin lock across the I/O
  for (int i = 0; i < count; i += VNODE_PUT_BATCH)
    vnode_pager_put_batch(ip, ma + i, MIN(count - i, VNODE_PUT_BATCH), size,
                          nowait, rtvals + i);
  for (int i = 0; i < count; i++) {
    if (rtvals[i] == VM_PAGER_OK)
      continue;
    if (result == VM_PAGER_OK)
      result = rtvals[i];
    if (dying)
      printf("vnode_pager: inode %u: write-back of page %lu failed (%s), "
             "data lost\n", ip->inum, (unsigned long)ma[i]->pindex,
             rtvals[i] == VM_PAGER_NOSPACE ? "disk full" : "I/O error");
  }
  mtx_lock(&obj->lock);
  return result;
}

// Every page holding part of the file is "on backing store" (a hole reads
// as zeros), so read-ahead may go to either end of the file.
static bool vnode_pager_haspage(struct vm_object *obj, vm_pindex_t pindex,
                                int *before, int *after)
{
  MTX_ASSERT_OWNED(&obj->lock);
  if (pindex >= obj->size)
    return false;
  if (before != NULL)
    *before = (int)MIN(pindex, 1024);
  if (after != NULL)
    *after = (int)MIN(obj->size - pindex - 1, 1024);
  return true;
}

// Called by vm_object_terminate with obj locked and dead, its dirty pages
// already written. Unhook it from the inode and drop the inode reference.
static void vnode_pager_dealloc(struct vm_object *obj)
{
  struct inode *ip = obj->handle;

  KASSERT(ip != NULL, ("vnode_pager_dealloc: object %u has no inode", obj->id));
  MTX_ASSERT_OWNED(&obj->lock);
  mtx_unlock(&obj->lock);
  ASSERT_SLEEPABLE();                 // iput may sleep
  mtx_lock(&vnode_pager_lock);
  if (ip->vmobj == obj)
    ip->vmobj = NULL;
  wakeup(ip);
  mtx_unlock(&vnode_pager_lock);
  // An evicted cached object's inode is never the last reference to an
  // unlinked file (vnode_cache.c), so it needs no transaction: the
  // pageout daemon and iget evict with iput_nowrite.
  if (!iput_nowrite(ip)) {
    begin_op();
    iput(ip);                     // frees the unlinked file
    end_op();
  }
  mtx_lock(&obj->lock);
  obj->handle = NULL;
}

// ---------------------------------------------------------------------------
// The object of an inode.

// ip->vmobj with a new reference, or NULL if there is none. Revives a
// cached object; waits while a dying object is still hooked to ip, or
// while the last user of one lets go (vnode_cache.c). Takes and drops
// vnode_pager_lock.
static struct vm_object *vnode_pager_lookup(struct inode *ip)
{
  struct vm_object *obj;

  mtx_lock(&vnode_pager_lock);
  // vnode_pager_lock keeps a dying object hooked to ip (and so its memory)
  // until dealloc unhooks it and wakes us.
  while ((obj = ip->vmobj) != NULL && !vm_object_reference_if_alive(obj))
    sleep(ip, &vnode_pager_lock);
  if (obj != NULL && vnode_cache_listed(obj))
    vnode_cache_unlist(obj);                // revived from the cache
  mtx_unlock(&vnode_pager_lock);
  return obj;
}

// Make ip's object. Requires ip locked (its size valid). Returns it with a
// reference, or NULL: out of memory, or somebody else made one first (the
// caller looks again).
static struct vm_object *vnode_pager_create(struct inode *ip)
{
  struct vm_object *obj = NULL;

  SX_ASSERT_XLOCKED(&ip->lock);
  mtx_lock(&vnode_pager_lock);
  if (ip->vmobj == NULL) {
    obj = vm_object_allocate(OBJT_VNODE, atop(round_page(ip->size)));
    if (obj != NULL) {
      obj->handle = idup(ip);
      obj->pager_size = ip->size;
      ip->vmobj = obj;
    }
  }
  mtx_unlock(&vnode_pager_lock);
  return obj;
}

void vnode_pager_mightbedirty(struct vm_object *obj)
{
  mtx_lock(&obj->lock);
  obj->flags |= OBJ_MIGHTBEDIRTY;
  mtx_unlock(&obj->lock);
}

struct vm_object *vnode_pager_object(struct inode *ip)
{
  struct vm_object *obj;
  bool locked = sx_xlocked(&ip->lock);

  for (int tries = 0; tries < 3; tries++) {
    if ((obj = vnode_pager_lookup(ip)) != NULL)
      return obj;
    if (!locked)
      ilock(ip);
    KASSERT(ip->type == T_FILE, ("vnode_pager_object: inode %u is not a file",
                                 ip->inum));
    obj = vnode_pager_create(ip);
    if (!locked)
      iunlock(ip);
    if (obj != NULL)
      return obj;
  }
  return NULL;                    // out of memory (or an endless race)
}

static const struct vm_pager_ops vnode_pager_ops = {
  .name = "vnode",
  .getpages = vnode_pager_getpages,
  .putpages = vnode_pager_putpages,
  .haspage = vnode_pager_haspage,
  .dealloc = vnode_pager_dealloc,
  .cache = vnode_cache_keep,
  .trim = vnode_cache_trim,
};

void vnode_pager_init(void)
{
  mtx_init(&vnode_pager_lock, "vnode_pager");
  vnode_cache_init();
  vm_pager_register(OBJT_VNODE, &vnode_pager_ops);
}

// ---------------------------------------------------------------------------
// read() and write() through the cache.

// Zero bytes [from, to) of page m of a cache object, if it has contents
// (a page still being read in gets its zeros from getpages, which sees
// the new size). Requires its object locked.
static void vnode_pager_zero_range(struct vm_page *m, uint64_t from,
                                   uint64_t to)
{
  if ((m->flags & PG_VALID) != 0 && from < to)
    memset((uint8_t *)pmap_page_kva(m) + from, 0, to - from);
}

// When the file grows to upto bytes or beyond: stores through a mapping
// into the part of the last page past the end are never file data
// (docs/semantics.md), so the bytes the file gains there, [end, upto),
// are zeroed before the end moves, and read as zeros until written.
// Requires obj locked (held until the end has moved).
static void vnode_pager_zero_tail(struct vm_object *obj, uint64_t upto)
{
  struct vm_page *m;
  uint64_t size = obj->pager_size;

  if ((size & PAGE_MASK) != 0 && upto > size &&
      (m = vm_object_page_lookup(obj, atop(size))) != NULL)
    vnode_pager_zero_range(m, size & PAGE_MASK,
                           MIN(upto - trunc_page(size), PAGE_SIZE));
}

// One try of vnode_pager_hold.
static int vnode_pager_hold_try(struct vm_object *obj, vm_pindex_t pindex,
                                struct vm_page **mp)
{
  struct vm_page *m;
  int rv = VM_PAGER_OK;

  mtx_lock(&obj->lock);
  while ((m = vm_object_page_lookup(obj, pindex)) != NULL &&
         (m->flags & PG_BUSY) != 0) {
    vm_page_busy_sleep(m);        // drops the lock
    mtx_lock(&obj->lock);
  }
  if (m == NULL) {
    bool inside = pindex < obj->size;
    m = vm_page_alloc(obj, pindex, inside ? 0 : VM_ALLOC_ZERO);
    if (m == NULL) {
      mtx_unlock(&obj->lock);
      return -ENOMEM;
    }
    if (inside)
      rv = vm_pager_get_pages(obj, &m, 1, 0);
    else
      m->flags |= PG_VALID;
    if (rv != VM_PAGER_OK || (m->flags & PG_VALID) == 0) {
      vm_page_free(m);
      mtx_unlock(&obj->lock);
      return -EIO;
    }
    if (inside)
      VM_CNT_INC(v_pagein);
    vm_page_xunbusy(m);
  }
  vm_page_wire(m);
  mtx_unlock(&obj->lock);
  *mp = m;
  return 0;
}

// The page of obj at pindex, resident, valid and wired (so it stays while
// the caller copies with no lock held). A page holding part of the file
// (pindex < obj->size) is read in first; a page past the end starts as
// zeros. With no page free, it waits for the pageout daemon (the try has
// released obj's lock) and tries again, as a fault does: -ENOMEM only when
// a fault would give up too. 0, -ENOMEM or -EIO.
static int vnode_pager_hold(struct vm_object *obj, vm_pindex_t pindex,
                            struct vm_page **mp)
{
  int rc, tries = VM_RECLAIM_TRIES;

  while ((rc = vnode_pager_hold_try(obj, pindex, mp)) == -ENOMEM &&
         vm_pageout_retry(&tries))
    ;
  return rc;
}

// Let go of a page from vnode_pager_hold; dirty it if it was written.
static void vnode_pager_release(struct vm_object *obj, struct vm_page *m,
                                bool dirty)
{
  mtx_lock(&obj->lock);
  if (dirty)
    vm_page_dirty(m);
  vm_page_unwire(m, false);
  mtx_unlock(&obj->lock);
}

// Move one piece (within one page) between the cache and user memory.
// Returns the bytes moved (0 at end of file) or a negative errno. A write
// that faults on the user address leaves none of its bytes past the end
// of the file.
//
// A write past the end takes obj's lock once, after the copy (which runs
// unlocked: it may fault, and the fault path takes this lock), to zero the
// bytes between the old end and the piece and to move the end, in one
// hold. Zeroing after the copy rather than before is safe: the bytes it
// zeroes lie below the piece, so it never touches what was just copied,
// and until the end moves nobody reads them as file data (read() stops
// at the end; a store through a mapping that lands there meanwhile is
// zeroed with the rest). Zeroing in the same hold that moves the end even
// leaves no moment between the two for such a store to become file data.
static int vnode_pager_rdwr_page(struct vm_object *obj, bool write, bool user,
                                 uint64_t uaddr, uint64_t off, uint64_t n)
{
  struct vm_page *m;
  uint8_t *kva;
  uint64_t keep;
  int rc;

  n = MIN(n, PAGE_SIZE - (off & PAGE_MASK));
  if (!write) {
    mtx_lock(&obj->lock);
    n = off >= obj->pager_size ? 0 : MIN(n, obj->pager_size - off);
    mtx_unlock(&obj->lock);
    if (n == 0)
      return 0;
  }
  if ((rc = vnode_pager_hold(obj, atop(off), &m)) < 0)
    return rc;
  kva = (uint8_t *)pmap_page_kva(m) + (off & PAGE_MASK);
  rc = write ? either_copyin(kva, user, uaddr, n)
             : either_copyout(user, uaddr, kva, n);
  if (write) {
    mtx_lock(&obj->lock);
    if (rc == 0 && off + n > obj->pager_size) {
      vnode_pager_zero_tail(obj, off);
      vnode_pager_size_locked(obj, off + n);
    }
    keep = obj->pager_size > off ? MIN(n, obj->pager_size - off) : 0;
    if (rc < 0 && keep < n)
      memset(kva + keep, 0, n - keep);
    mtx_unlock(&obj->lock);
  }
  vnode_pager_release(obj, m, write);
  return rc < 0 ? rc : (int)n;
}

// Copy n bytes page by page, to or from user memory (user) or the kernel.
// Returns the bytes moved, or a negative errno when nothing moved.
static int vnode_pager_copy(struct vm_object *obj, bool write, bool user,
                            uint64_t addr, uint64_t off, int n)
{
  int done = 0, r = 0;

  while (done < n) {
    r = vnode_pager_rdwr_page(obj, write, user, addr + done, off + done,
                              n - done);
    if (r <= 0)
      break;
    done += r;
  }
  return done > 0 ? done : r;
}

int vnode_pager_read_kernel(struct vm_object *obj, void *dst, uint64_t off,
                            int n)
{
  return vnode_pager_copy(obj, false, false, (uint64_t)dst, off, n);
}

// Most bytes write() backs with blocks in one transaction. An unaligned
// chunk touches one block more than its size; with the inode, the bitmap
// block and up to 3 indirect blocks (a chunk shorter than NINDIRECT
// blocks meets at most two of them below the doubly indirect one) it fits
// MAXOPBLOCKS.
#define VNODE_RESERVE_CHUNK ((MAXOPBLOCKS - 6) * BSIZE)
CTASSERT(BSIZE == PAGE_SIZE);   // a page is a block (FS_GEOMETRY's view)
CTASSERT(VNODE_RESERVE_CHUNK / BSIZE + 1 + 5 <= MAXOPBLOCKS);
CTASSERT(VNODE_RESERVE_CHUNK / BSIZE < NINDIRECT);

// Give [off, off + n) of the file disk blocks and grow the inode over
// them (fs.c ireserve), before write() dirties the cached pages: a full
// disk then shows here, as a short count, and never at write-back. An
// overwrite of blocks that exist needs no transaction. Returns the bytes
// backed (fewer when the disk filled) or -ENOSPC.
static int vnode_pager_reserve(struct inode *ip, uint64_t off, int n)
{
  bool backed;
  int r;

  ilock(ip);
  backed = off + n <= ip->size && ibacked(ip, (uint32_t)off, (uint32_t)n);
  iunlock(ip);
  if (backed)
    return n;
  begin_op();
  ilock(ip);
  r = ireserve(ip, (uint32_t)off, (uint32_t)n);
  iunlock(ip);
  end_op();
  return r;
}

// A copy stopped short (a bad user address, no free page) after
// vnode_pager_reserve grew the inode for it: shrink the inode back to what
// the cache holds. The blocks
// reserved past the end stay allocated (they hold zeros) until the file
// is truncated or removed.
static void vnode_pager_unreserve(struct inode *ip, struct vm_object *obj)
{
  uint64_t size;

  mtx_lock(&obj->lock);
  size = obj->pager_size;
  mtx_unlock(&obj->lock);
  begin_op();
  ilock(ip);
  if (ip->size > size) {
    ip->size = (uint32_t)size;
    ip->disksize = MIN(ip->disksize, ip->size);
    iupdate(ip);
  }
  iunlock(ip);
  end_op();
}

// write(): one chunk at a time, back the chunk with blocks, then copy it
// into the cache. Stops at a full disk (short count, or -ENOSPC when
// nothing was written), at a bad user address and when out of memory.
static int vnode_pager_write(struct inode *ip, struct vm_object *obj,
                             uint64_t uaddr, uint64_t off, int n)
{
  int done = 0, r = 0, want, got;

  while (done < n) {
    want = MIN(n - done, VNODE_RESERVE_CHUNK);
    if ((got = r = vnode_pager_reserve(ip, off + done, want)) < 0)
      break;
    r = vnode_pager_copy(obj, true, true, uaddr + done, off + done, got);
    done += MAX(r, 0);
    if (r != got) {
      vnode_pager_unreserve(ip, obj);
      break;
    }
    if (got < want)
      break;                      // the disk is full
  }
  return done > 0 ? done : r;
}

// write() has dirtied pages of [off, off + n) (any of them, even when it
// failed). If nobody else holds obj, write them back now, as the object's
// last reference did before the cache kept objects: a write() reaches the
// disk when the call ends unless the file is mapped. Otherwise, or if
// that fails, leave them to the last reference (OBJ_MIGHTBEDIRTY).
static void vnode_pager_written(struct vm_object *obj, uint64_t off, int n)
{
  mtx_lock(&obj->lock);
  if (__atomic_load_n(&obj->ref_count, __ATOMIC_ACQUIRE) > 1 ||
      (obj->flags & OBJ_MIGHTBEDIRTY) != 0 ||
      vm_object_page_clean(obj, atop(off), atop(round_page(off + n)),
                           true) != KERN_SUCCESS)
    obj->flags |= OBJ_MIGHTBEDIRTY;
  mtx_unlock(&obj->lock);
}

int vnode_pager_rdwr(struct inode *ip, bool write, uint64_t uaddr,
                     uint64_t off, int n)
{
  struct vm_object *obj;
  int r;

  if (n < 0)
    return -EINVAL;
  if (write && (off > MAXFILESIZE || (uint64_t)n > MAXFILESIZE - off))
    return -EFBIG;
  if (n == 0)
    return 0;
  if ((obj = vnode_pager_object(ip)) == NULL)
    return -ENOMEM;
  if (write) {
    sx_xlock(&ip->wlock);         // see "Concurrent writes" at the top
    // Under the wlock, which exec holds while it takes the text count: a
    // write either ends before a program starts from the file or is
    // refused, never lands in a running program's text.
    r = itext_busy(ip) ? -ETXTBSY : vnode_pager_write(ip, obj, uaddr, off, n);
    sx_xunlock(&ip->wlock);
    vnode_pager_written(obj, off, n);
  } else {
    r = vnode_pager_copy(obj, false, true, uaddr, off, n);
  }
  vm_object_deallocate(obj);      // the last reference caches obj
  return r;
}

// The daemon reads the count under the inode lock (vnode_pager_put_try),
// and it goes up only under that lock, before the disk is cut: a daemon
// that sees 0 writes before the cut (which then removes what it wrote) or
// after the cache was cut too.
void vnode_pager_truncating(struct inode *ip)
{
  SX_ASSERT_XLOCKED(&ip->lock);
  __atomic_add_fetch(&ip->truncating, 1, __ATOMIC_RELAXED);
}

void vnode_pager_truncated(struct inode *ip)
{
  KASSERT(__atomic_load_n(&ip->truncating, __ATOMIC_RELAXED) > 0,
          ("vnode_pager_truncated: inode %u is not being truncated", ip->inum));
  __atomic_sub_fetch(&ip->truncating, 1, __ATOMIC_RELEASE);
}

/* LAB mmap BEGIN vnode_pager_setsize: truncation drops the pages past the new end and zeroes the cut */
// Pages past the new end go. A wired page cannot (it stays mapped until
// its wiring ends), so it is zeroed instead: it reads as zeros from now
// on, through the mapping and through read() once the file grows back
// over it, exactly like the hole the truncation left on disk.
void vnode_pager_setsize(struct inode *ip, uint32_t size)
{
  struct vm_object *obj;
  struct vm_page *m;
  vm_pindex_t end = atop(round_page((uint64_t)size));

  if ((obj = vnode_pager_lookup(ip)) == NULL)
    return;
  mtx_lock(&obj->lock);
  vnode_pager_zero_tail(obj, size);
  vnode_pager_size_locked(obj, size);
  vm_object_page_remove(obj, end, 0, OBJPR_NOTWIRED);
  for (m = vm_object_page_ge(obj, end); m != NULL;
       m = vm_object_page_next(obj, m))
    vnode_pager_zero_range(m, 0, PAGE_SIZE);
  m = (size & PAGE_MASK) != 0 ? vm_object_page_lookup(obj, atop(size)) : NULL;
  if (m != NULL)
    vnode_pager_zero_range(m, size & PAGE_MASK, PAGE_SIZE);
  mtx_unlock(&obj->lock);
  vm_object_deallocate(obj);
}
/* LAB mmap STUB
// Given: the object's idea of the size follows the file, so that nothing
// past the new end is written back. The cached pages are left as they were.
void vnode_pager_setsize(struct inode *ip, uint32_t size)
{
  struct vm_object *obj;

  if ((obj = vnode_pager_lookup(ip)) == NULL)
    return;
  mtx_lock(&obj->lock);
  vnode_pager_size_locked(obj, size);
  mtx_unlock(&obj->lock);
  vm_object_deallocate(obj);
}
   LAB mmap END */
