// SPDX-License-Identifier: MIT
// What the vmmap() system call reports: one record per map entry of a
// process, the raw material of the `vmmap` tool (like FreeBSD's
// procstat -v). Shared by the kernel (vm_map_describe.c fills the records,
// sysvm.c copies them out) and user programs (user/user.h includes it).
//
//   int vmmap(int pid, struct vmmap_entry *buf, int max);
//
// fills buf with the first max entries of pid's map, lowest address first,
// and returns how many entries the map has (which may exceed max: call
// again with a bigger buffer). pid VMMAP_SELF is the caller, VMMAP_PARENT
// its parent. Errors: ESRCH (no such live process), EFAULT (buf), EINVAL
// (max < 0).
#ifndef VM_VMMAP_H
#define VM_VMMAP_H

#define VMMAP_SELF    0
#define VMMAP_PARENT  (-1)

// Object kinds (kind).
#define VMMAP_KIND_NONE   0   // no object yet: untouched anonymous memory
#define VMMAP_KIND_ANON   1   // anonymous (zero-fill) object
#define VMMAP_KIND_VNODE  2   // a file's page cache object
#define VMMAP_KIND_GUARD  3   // a guard: never accessible, no object
#define VMMAP_KIND_DEAD   4   // an object being torn down
#define VMMAP_KIND_SWAP   5   // anonymous with swap space

// Entry flags (flags).
#define VMMAP_F_COW         0x01  // private: writes copy
#define VMMAP_F_NEEDS_COPY  0x02  // still sharing its object copy-on-write
#define VMMAP_F_GROWS_DOWN  0x04  // a stack
#define VMMAP_F_USER_WIRED  0x08  // wired by mlock / mlockall
#define VMMAP_F_TRANSITION  0x10  // being wired or unwired right now
#define VMMAP_F_DEPTH_CAP   0x20  // chain deeper than reported; resident low

struct vmmap_entry {
  unsigned long start;        // first address
  unsigned long end;          // first address past the entry
  unsigned long offset;       // byte offset of start in the object
  unsigned long swapped;      // pages of the range on swap, not resident
                              // (a long: the record stays free of padding)
  unsigned int objid;         // the front object's id (0: none)
  unsigned int ino;           // vnode objects: the file's inode number
  unsigned int resident;      // pages of the range resident in the chain
  unsigned int wired;         // the entry's wire count
  unsigned short flags;       // VMMAP_F_*
  unsigned char prot;         // PROT_* now
  unsigned char maxprot;      // PROT_* at most
  unsigned char inherit;      // INHERIT_*
  unsigned char behavior;     // MADV_NORMAL / RANDOM / SEQUENTIAL
  unsigned char kind;         // VMMAP_KIND_*
  unsigned char depth;        // objects in the shadow chain (0: none)
};

#endif
