// SPDX-License-Identifier: MIT
// The page cache: one OBJT_VNODE vm_object per regular file, and the pager
// that moves its pages to and from the file's blocks. read(), write(),
// exec and every mapping of a file see the same pages.
#ifndef KERNEL_VNODE_PAGER_H
#define KERNEL_VNODE_PAGER_H

#include "lib/types.h"

struct inode;
struct vm_object;

// Register the pager for OBJT_VNODE. Once, at boot, before the first
// process.
void vnode_pager_init(void);

// The page cache object of the regular file ip, created on first need,
// with a new reference for the caller (drop it with vm_object_deallocate).
// The object holds a reference on the inode until it dies, so a mapping
// keeps the file alive after close() and unlink(). obj->pager_size is the
// file size. NULL when kernel memory is exhausted. ip must be referenced;
// it may be locked by the caller (ilock) but should preferably not be:
// when an old object of the file is still being torn down, the call waits
// for it, and that teardown may need the inode lock.
struct vm_object *vnode_pager_object(struct inode *ip);

// obj is about to be mapped shared and writable: its pages may be dirtied
// behind the pager's back, so it must look for dirty pages before the
// object is cached (vnode_cache.c).
void vnode_pager_mightbedirty(struct vm_object *obj);

// read() / write() of n bytes at file offset off, to or from the current
// process's user address uaddr, through the page cache. ip is a regular
// file, referenced and NOT locked (the user copy may fault, and the fault
// may need the inode lock to page in). Writes extend the file, and fail
// with -ETXTBSY while a process runs it. Returns the bytes moved or a
// negative errno when nothing moved.
int vnode_pager_rdwr(struct inode *ip, bool write, uint64_t uaddr,
                     uint64_t off, int n);

// Read up to n bytes at file offset off of obj (a file's object, from
// vnode_pager_object) into the kernel buffer dst, through the page cache:
// exactly what read() would return, dirty cached bytes included. Returns
// the bytes read (fewer at the end of the file) or a negative errno
// (-ENOMEM, -EIO) when nothing was read. No lock held.
int vnode_pager_read_kernel(struct vm_object *obj, void *dst, uint64_t off,
                            int n);

// The file was truncated (or grown by ftruncate) to size bytes: update the
// cached object, if any: free the pages past the new end and zero the tail
// of the new last page. ip referenced and NOT locked.
void vnode_pager_setsize(struct inode *ip, uint32_t size);

// A truncation cuts the disk first (itruncate, ip locked) and the cache
// after (vnode_pager_setsize, ip unlocked). In between, the cache holds
// pages past the new end that must not be written back (the pageout
// daemon would grow the file again with the data cut away). Bracket the
// two: vnode_pager_truncating(ip) with ip locked before the cut,
// vnode_pager_truncated(ip) after setsize (or after a failed cut).
void vnode_pager_truncating(struct inode *ip);
void vnode_pager_truncated(struct inode *ip);

#endif
