// SPDX-License-Identifier: MIT
// Memory objects, part three: the resident page index of an object, an
// AVL tree of its pages keyed by pindex (lookup, ordered walks, insert,
// unlink, and moving a page to another object). The tree code never
// compares keys, so the searches walk down from the root here. Life cycle
// and shadow chains are in vm_object.c, range operations in
// vm_object_range.c.
//
// Locking: every function requires the page's object locked (both objects
// for a rename); the page queue lock is taken inside, where a page's
// identity changes under the pageout scan's eyes (vm_pageout_next).
#include "lib/kassert.h"
#include "lib/lock.h"
#include "vm/swap_pager.h"
#include "vm/vm_object.h"
#include "vm/vm_object_internal.h"
#include "vm/vm_page.h"

struct vm_page *vm_object_page_lookup(struct vm_object *obj, vm_pindex_t pindex)
{
  struct avl_node *n;
  struct vm_page *m;

  MTX_ASSERT_OWNED(&obj->lock);
  for (n = obj->memq.root; n != NULL;) {
    m = vm_object_node_page(n);
    if (m->pindex == pindex)
      return m;
    n = pindex < m->pindex ? n->left : n->right;
  }
  return NULL;
}

bool vm_object_chain_next(struct vm_object **obj, vm_pindex_t *pindex)
{
  struct vm_object *cur = *obj, *next = cur->backing_object;

  MTX_ASSERT_OWNED(&cur->lock);
  if (next == NULL)
    return false;
  *pindex += atop(cur->backing_offset);
  mtx_lock(&next->lock);
  mtx_unlock(&cur->lock);
  *obj = next;
  return true;
}

struct vm_page *vm_object_page_ge(struct vm_object *obj, vm_pindex_t pindex)
{
  struct avl_node *n;
  struct vm_page *m, *best;

  MTX_ASSERT_OWNED(&obj->lock);
  best = NULL;
  for (n = obj->memq.root; n != NULL;) {
    m = vm_object_node_page(n);
    if (m->pindex == pindex)
      return m;
    if (m->pindex > pindex) {
      best = m;
      n = n->left;
    } else {
      n = n->right;
    }
  }
  return best;
}

struct vm_page *vm_object_page_next(struct vm_object *obj, struct vm_page *m)
{
  MTX_ASSERT_OWNED(&obj->lock);
  KASSERT(m->object == obj, ("vm_object_page_next: foreign page"));
  return vm_object_node_page(avl_next(&m->onode));
}

// Insert m, which belongs to no object, at pindex. A page already there is
// a bug. Requires obj locked.
void vm_object_page_insert(struct vm_object *obj, struct vm_page *m,
                           vm_pindex_t pindex)
{
  struct avl_node **link, *parent;
  struct vm_page *p;

  MTX_ASSERT_OWNED(&obj->lock);
  KASSERT(m->object == NULL && (obj->flags & OBJ_DEAD) == 0,
          ("vm_object_page_insert: owned page or dead object %u", obj->id));
  parent = NULL;
  link = &obj->memq.root;
  while (*link != NULL) {
    parent = *link;
    p = vm_object_node_page(parent);
    KASSERT(p->pindex != pindex, ("vm_object_page_insert: object %u "
                                  "already has page %llu", obj->id,
                                  (unsigned long long)pindex));
    link = pindex < p->pindex ? &parent->left : &parent->right;
  }
  m->object = obj;
  m->pindex = pindex;
  avl_insert(&obj->memq, &m->onode, parent, link);
  obj->resident_count++;
}

// Remove m from its object (vm_page_free calls this). Requires the owner
// locked, and m off the queues or the queue lock held (vm_page.h).
void vm_object_page_unlink(struct vm_page *m)
{
  struct vm_object *obj = m->object;

  KASSERT(obj != NULL, ("vm_object_page_unlink: page has no owner"));
  MTX_ASSERT_OWNED(&obj->lock);
  KASSERT(m->queue == PQ_NONE || vm_page_queue_owned(),
          ("vm_object_page_unlink: page %p of object %u is queued", (void *)m,
           obj->id));
  avl_remove(&obj->memq, &m->onode);
  obj->resident_count--;
  m->object = NULL;
}

// Move m to (new_obj, new_pindex). The page now differs from anything the
// new owner's pager holds, so it is marked dirty (as FreeBSD does), and
// any swap copy of it at either end is stale and freed. The
// page keeps its place on its queue, so the switch happens under the queue
// lock too: the pageout scan must never see the old owner after it can
// have been freed.
void vm_object_page_rename(struct vm_page *m, struct vm_object *new_obj,
                           vm_pindex_t new_pindex)
{
  KASSERT(m->object != NULL, ("vm_object_page_rename: page has no owner"));
  MTX_ASSERT_OWNED(&m->object->lock);
  MTX_ASSERT_OWNED(&new_obj->lock);
  if (m->object->swap_count > 0)
    swap_pager_free_range(m->object, m->pindex, m->pindex + 1);
  if (new_obj->swap_count > 0)
    swap_pager_free_range(new_obj, new_pindex, new_pindex + 1);
  vm_page_queue_lock();
  vm_object_page_unlink(m);
  vm_object_page_insert(new_obj, m, new_pindex);
  vm_page_queue_unlock();
  vm_page_dirty(m);
}
