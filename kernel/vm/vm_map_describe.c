// SPDX-License-Identifier: MIT
// vm_map_describe: the records of the vmmap() system call (vm/vmmap.h),
// one per map entry, with what the entry's shadow chain holds. sysvm.c
// calls it a chunk at a time and copies the chunk out with the map
// unlocked; the host tests call it directly.
//
// Locking: the map lock shared, around the whole call. To count resident
// and swapped pages an entry's object chain is locked front to back (the documented
// object order: shadow before backing), at most VMMAP_MAXDEPTH levels; a
// deeper chain is reported capped (VMMAP_F_DEPTH_CAP) with the pages of
// the levels below left uncounted.
#include "lib/lock.h"
#include "vm/swap_pager.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vmmap.h"

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

// Does level k hold its own copy of page i of the entry, in memory or on
// swap?
static bool vmmap_holds(struct vmmap_chain *ch, int k, vm_pindex_t i)
{
  struct vm_object *obj = ch->objs[k];

  return vm_object_page_lookup(obj, ch->base[k] + i) != NULL ||
         (obj->swap_count > 0 &&
          swap_pager_lookup(obj, ch->base[k] + i) != SWAPBLK_NONE);
}

// Does a level above level hold page i of the entry (a read sees that
// copy, not this level's)?
static bool vmmap_shadowed(struct vmmap_chain *ch, int level, vm_pindex_t i)
{
  for (int k = 0; k < level; k++)
    if (vmmap_holds(ch, k, i))
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

// Pages of the entry's npages whose copy a read sees is on swap: on swap
// at some level, not resident there, shadowed by no level above. Cost:
// O(npages x depth) for each level holding swap (vmmap is a diagnostic).
static unsigned vmmap_chain_swapped(struct vmmap_chain *ch, vm_pindex_t npages)
{
  unsigned count = 0;

  for (int k = 0; k < ch->depth; k++) {
    struct vm_object *obj = ch->objs[k];
    if (obj->swap_count == 0)
      continue;
    for (vm_pindex_t i = 0; i < npages; i++)
      if (swap_pager_lookup(obj, ch->base[k] + i) != SWAPBLK_NONE &&
          vm_object_page_lookup(obj, ch->base[k] + i) == NULL &&
          !vmmap_shadowed(ch, k, i))
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
static void vmmap_describe(struct vm_map_entry *entry, struct vmmap_entry *out,
                           unsigned (*ident)(struct vm_object *obj))
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
  vmmap_chain_lock(&ch, obj, entry->offset);
  if (ident != NULL)
    out->ino = ident(obj);
  out->depth = (unsigned char)ch.depth;
  if (ch.capped)
    out->flags |= VMMAP_F_DEPTH_CAP;
  out->resident = vmmap_chain_resident(&ch,
      (entry->end - entry->start) >> PAGE_SHIFT);
  out->swapped = vmmap_chain_swapped(&ch,
      (entry->end - entry->start) >> PAGE_SHIFT);
  vmmap_chain_unlock(&ch);
}

int vm_map_describe(struct vm_map *map, vm_offset_t *next,
                    struct vmmap_entry *buf, int max,
                    unsigned (*ident)(struct vm_object *obj))
{
  struct vm_map_entry *entry;
  int n = 0;

  vm_map_lock_read(map);
  if (!vm_map_lookup_entry(map, *next, &entry))
    entry = entry ? vm_map_entry_next(entry) : vm_map_entry_first(map);
  for (; entry != NULL && n < max; entry = vm_map_entry_next(entry), n++) {
    if (buf != NULL)
      vmmap_describe(entry, &buf[n], ident);
    *next = entry->end;
  }
  vm_map_unlock_read(map);
  return n;
}
