// SPDX-License-Identifier: MIT
// sys_vmmap: a process's map entries for the `vmmap` tool (vmmap.h has the
// record and the call's contract).
//
// The map is read in chunks of VMMAP_CHUNK entries: each chunk is filled
// under the map's shared lock into a buffer on the kernel stack, the lock
// is dropped, and the chunk is copied out. Copying out with the lock held
// could fault on the caller's own map and take its lock a second time. The
// next chunk starts at the end of the last entry copied, so a map that
// changes between chunks gives a consistent list of entries, each one true
// at the moment it was read, never a duplicate.
//
// Another process's vmspace is pinned with a reference taken under its
// p->lock, so it outlives the walk even if that process exits meanwhile.
// Object chains are locked front to back (the documented object order) to
// count resident pages; the map lock is held around them.
#include "lib/errno.h"
#include "lib/kassert.h"
#include "file.h"
#include "proc.h"
#include "sys.h"
#include "uaccess.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vmspace.h"
#include "vmmap.h"

// Copied out whole, so no padding may carry kernel-stack bytes out (see
// sysproc.c): every byte of a record is a field.
CTASSERT(sizeof(struct vmmap_entry) == 3 * sizeof(unsigned long) +
         4 * sizeof(unsigned int) + sizeof(unsigned short) + 6);

#define VMMAP_CHUNK     16     // entries per lock hold (~1 KiB of stack)
#define VMMAP_MAXDEPTH  32     // chain levels locked to count residency

// The locked shadow chain of one entry: objs[0] is the entry's object,
// base[k] the page index in objs[k] of the entry's first page.
struct vmmap_chain {
  struct vm_object *objs[VMMAP_MAXDEPTH];
  vm_pindex_t base[VMMAP_MAXDEPTH];
  int depth;                   // levels locked
  bool capped;                 // the chain goes on below objs[depth - 1]
};

// Lock obj and its backing objects, front first, up to VMMAP_MAXDEPTH.
static void vmmap_chain_lock(struct vmmap_chain *ch, struct vm_object *obj,
                             vm_ooffset_t offset)
{
  ch->depth = 0;
  ch->capped = false;
  while (obj != NULL) {
    if (ch->depth == VMMAP_MAXDEPTH) {
      ch->capped = true;
      return;
    }
    mtx_lock(&obj->lock);
    ch->objs[ch->depth] = obj;
    ch->base[ch->depth] = offset >> PAGE_SHIFT;
    ch->depth++;
    offset += obj->backing_offset;
    obj = obj->backing_object;
  }
}

static void vmmap_chain_unlock(struct vmmap_chain *ch)
{
  while (ch->depth > 0) {
    ch->depth--;
    mtx_unlock(&ch->objs[ch->depth]->lock);
  }
}

// Is page i of the entry resident in a level above level?
static bool vmmap_shadowed(struct vmmap_chain *ch, int level, vm_pindex_t i)
{
  for (int k = 0; k < level; k++)
    if (vm_object_page_lookup(ch->objs[k], ch->base[k] + i) != NULL)
      return true;
  return false;
}

// Pages of the entry's npages resident somewhere in the locked chain, each
// counted once (at the highest level holding it: the page a read sees).
// Cost: O(resident pages x depth).
static unsigned vmmap_chain_resident(struct vmmap_chain *ch, vm_pindex_t npages)
{
  unsigned count = 0;

  for (int k = 0; k < ch->depth; k++) {
    struct vm_object *obj = ch->objs[k];
    vm_pindex_t lo = ch->base[k], hi = lo + npages;
    for (struct vm_page *m = vm_object_page_ge(obj, lo);
         m != NULL && m->pindex < hi; m = vm_object_page_next(obj, m))
      if (!vmmap_shadowed(ch, k, m->pindex - lo))
        count++;
  }
  return count;
}

static unsigned char vmmap_kind(struct vm_map_entry *entry)
{
  if (entry->eflags & MAP_ENTRY_GUARD)
    return VMMAP_KIND_GUARD;
  if (entry->object == NULL)
    return VMMAP_KIND_NONE;
  switch (entry->object->type) {
  case OBJT_DEFAULT: return VMMAP_KIND_ANON;
  case OBJT_SWAP:    return VMMAP_KIND_SWAP;
  case OBJT_VNODE:   return VMMAP_KIND_VNODE;
  default:           return VMMAP_KIND_DEAD;
  }
}

static unsigned short vmmap_flags(uint32_t eflags)
{
  unsigned short f = 0;

  if (eflags & MAP_ENTRY_COW)           f |= VMMAP_F_COW;
  if (eflags & MAP_ENTRY_NEEDS_COPY)    f |= VMMAP_F_NEEDS_COPY;
  if (eflags & MAP_ENTRY_GROWS_DOWN)    f |= VMMAP_F_GROWS_DOWN;
  if (eflags & MAP_ENTRY_USER_WIRED)    f |= VMMAP_F_USER_WIRED;
  if (eflags & MAP_ENTRY_IN_TRANSITION) f |= VMMAP_F_TRANSITION;
  return f;
}

// Describe one entry. Requires the map locked (shared is enough).
static void vmmap_describe(struct vm_map_entry *entry, struct vmmap_entry *out)
{
  struct vm_object *obj = entry->object;
  struct vmmap_chain ch;

  *out = (struct vmmap_entry){
    .start = entry->start, .end = entry->end, .offset = entry->offset,
    .wired = entry->wired_count, .flags = vmmap_flags(entry->eflags),
    .prot = entry->protection, .maxprot = entry->max_protection,
    .inherit = entry->inheritance, .behavior = entry->behavior,
    .kind = vmmap_kind(entry),
  };
  if (obj == NULL)
    return;
  out->objid = obj->id;
  if (obj->type == OBJT_VNODE && obj->handle != NULL)
    out->ino = ((struct inode *)obj->handle)->inum;
  vmmap_chain_lock(&ch, obj, entry->offset);
  out->depth = (unsigned char)ch.depth;
  if (ch.capped)
    out->flags |= VMMAP_F_DEPTH_CAP;
  out->resident = vmmap_chain_resident(&ch,
      (entry->end - entry->start) >> PAGE_SHIFT);
  vmmap_chain_unlock(&ch);
}

// Describe up to max entries starting with the first one that ends after
// *next, into buf (or only count them when buf is NULL). Advances *next
// past the last one. Returns the number described. Takes the map lock.
static int vmmap_fill(struct vm_map *map, vm_offset_t *next,
                      struct vmmap_entry *buf, int max)
{
  struct vm_map_entry *entry;
  int n = 0;

  vm_map_lock_read(map);
  if (!vm_map_lookup_entry(map, *next, &entry))
    entry = entry ? vm_map_entry_next(entry) : vm_map_entry_first(map);
  for (; entry != NULL && n < max; entry = vm_map_entry_next(entry), n++) {
    if (buf != NULL)
      vmmap_describe(entry, &buf[n]);
    *next = entry->end;
  }
  vm_map_unlock_read(map);
  return n;
}

// The live process pid's vmspace, referenced, or NULL.
static struct vmspace *vmmap_grab(int pid)
{
  struct vmspace *vm = NULL;

  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    mtx_lock(&p->lock);
    if (p->pid == pid && p->state != UNUSED && p->state != ZOMBIE &&
        p->vm != NULL) {
      vm = p->vm;
      vmspace_ref(vm);
    }
    mtx_unlock(&p->lock);
    if (vm != NULL)
      break;
  }
  return vm;
}

// vmmap(pid, buf, max): see vmmap.h.
long sys_vmmap(void)
{
  int pid = (int)argint(0);
  uint64_t ubuf = argaddr(1);
  long max = argint(2), total = 0;
  struct vmmap_entry chunk[VMMAP_CHUNK];
  struct proc *me = myproc();
  vm_offset_t next = 0;
  struct vmspace *vm;
  int n, rc = 0;

  if (max < 0)
    return -EINVAL;
  if (pid == VMMAP_SELF)
    pid = me->pid;
  else if (pid == VMMAP_PARENT) {
    struct proc *pp = __atomic_load_n(&me->parent, __ATOMIC_RELAXED);
    if (pp == NULL)
      return -ESRCH;
    pid = __atomic_load_n(&pp->pid, __ATOMIC_RELAXED);
  }
  if ((vm = vmmap_grab(pid)) == NULL)
    return -ESRCH;
  // Copy the first max entries a chunk at a time, then only count.
  while (total < max) {
    int want = max - total < VMMAP_CHUNK ? (int)(max - total) : VMMAP_CHUNK;
    if ((n = vmmap_fill(&vm->vm_map, &next, chunk, want)) == 0)
      break;
    if ((rc = copyout(ubuf + total * sizeof(chunk[0]), chunk,
                      n * sizeof(chunk[0]))) < 0)
      goto out;
    total += n;
  }
  if (total == max)
    while ((n = vmmap_fill(&vm->vm_map, &next, NULL, 1 << 30)) > 0)
      total += n;
out:
  vmspace_free(vm);
  return rc < 0 ? rc : total;
}
