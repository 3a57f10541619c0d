// SPDX-License-Identifier: MIT
// AVL trees (Adelson-Velsky and Landis, 1962): binary search trees in which
// the heights of every node's two subtrees differ by at most one, so the
// height stays below 1.44 log2(n + 2) and every update is O(log n).
//
// The tree is intrusive and keyless (see avl.h): the caller finds the empty
// link where a node belongs and avl_insert links it there. After any change
// the tree is repaired bottom-up from the lowest changed node to the root:
// each node on the way gets its height recomputed and, if its subtrees
// differ by two, one single or double rotation. Every node whose subtree
// changed -- the path to the root and the nodes a rotation moved -- is
// refreshed children first, which is exactly when the augment callback
// must see it. The walk always reaches the root (no early exit when a
// height stops changing) because an augmented summary may still change.
//
// Invariants (avl_check): parent links agree with child links, the root's
// parent is NULL, every stored height is 1 + the larger child height, and
// every balance factor is -1, 0 or 1.
//
// Locking: none; the owner of the tree serialises changes. Lookups and the
// navigation functions never write, so readers may share.
#include "lib/avl.h"
#include "lib/kassert.h"

static int avl_height(const struct avl_node *n)
{
  return n != NULL ? n->height : 0;
}

// Recompute n's height and summary from its children.
static void avl_refresh(struct avl_tree *t, struct avl_node *n)
{
  n->height = 1 + MAX(avl_height(n->left), avl_height(n->right));
  if (t->augment != NULL)
    t->augment(n);
}

// Make new take old's place under old's parent (or at the root).
static void avl_replace_child(struct avl_tree *t, struct avl_node *old,
                              struct avl_node *new)
{
  struct avl_node *p = old->parent;

  if (p == NULL)
    t->root = new;
  else if (p->left == old)
    p->left = new;
  else
    p->right = new;
  if (new != NULL)
    new->parent = p;
}

// x's right child rises to x's place; x becomes its left child. Returns
// the new subtree root. Both nodes are refreshed, the lower (x) first.
static struct avl_node *avl_rotate_left(struct avl_tree *t, struct avl_node *x)
{
  struct avl_node *y = x->right;

  avl_replace_child(t, x, y);
  x->right = y->left;
  if (y->left != NULL)
    y->left->parent = x;
  y->left = x;
  x->parent = y;
  avl_refresh(t, x);
  avl_refresh(t, y);
  return y;
}

// Mirror image of avl_rotate_left.
static struct avl_node *avl_rotate_right(struct avl_tree *t, struct avl_node *x)
{
  struct avl_node *y = x->left;

  avl_replace_child(t, x, y);
  x->left = y->right;
  if (y->right != NULL)
    y->right->parent = x;
  y->right = x;
  x->parent = y;
  avl_refresh(t, x);
  avl_refresh(t, y);
  return y;
}

// Restore balance at x, whose subtrees are already balanced and differ in
// height by at most two. Returns the root of the repaired subtree, which
// is refreshed.
static struct avl_node *avl_rebalance(struct avl_tree *t, struct avl_node *x)
{
  int bf = avl_height(x->left) - avl_height(x->right);

  if (bf > 1) {
    if (avl_height(x->left->left) < avl_height(x->left->right))
      avl_rotate_left(t, x->left);
    return avl_rotate_right(t, x);
  }
  if (bf < -1) {
    if (avl_height(x->right->right) < avl_height(x->right->left))
      avl_rotate_right(t, x->right);
    return avl_rotate_left(t, x);
  }
  avl_refresh(t, x);
  return x;
}

// Repair heights, balance and summaries from x up to the root.
static void avl_fixup(struct avl_tree *t, struct avl_node *x)
{
  while (x != NULL) {
    x = avl_rebalance(t, x);
    x = x->parent;
  }
}

// Is n linked into t? O(height): follow parents to the root.
static bool avl_contains(const struct avl_tree *t, const struct avl_node *n)
{
  while (n->parent != NULL)
    n = n->parent;
  return n == t->root;
}

void avl_init(struct avl_tree *t, avl_augment_fn augment)
{
  t->root = NULL;
  t->augment = augment;
}

void avl_insert(struct avl_tree *t, struct avl_node *n, struct avl_node *parent,
                struct avl_node **link)
{
  KASSERT(n != NULL && link != NULL, ("avl_insert: NULL node or link"));
  KASSERT(*link == NULL, ("avl_insert: link %p already holds %p", link, *link));
  KASSERT(parent == NULL ? link == &t->root :
          link == &parent->left || link == &parent->right,
          ("avl_insert: link %p is not a child link of %p", link, parent));
  KASSERT(parent == NULL || avl_contains(t, parent),
          ("avl_insert: parent %p is not in the tree", parent));
  n->parent = parent;
  n->left = NULL;
  n->right = NULL;
  n->height = 1;
  *link = n;
  avl_fixup(t, n);
}

void avl_remove(struct avl_tree *t, struct avl_node *n)
{
  struct avl_node *s, *from;

  KASSERT(n != NULL && avl_contains(t, n),
          ("avl_remove: node %p is not in the tree", n));
  if (n->left != NULL && n->right != NULL) {
    // Two children: the successor s (leftmost of the right subtree, so it
    // has no left child) takes n's place.
    for (s = n->right; s->left != NULL; s = s->left)
      ;
    if (s->parent != n) {
      from = s->parent;
      from->left = s->right;
      if (s->right != NULL)
        s->right->parent = from;
      s->right = n->right;
      n->right->parent = s;
    } else {
      from = s;
    }
    s->left = n->left;
    n->left->parent = s;
    avl_replace_child(t, n, s);
  } else {
    from = n->parent;
    avl_replace_child(t, n, n->left != NULL ? n->left : n->right);
  }
  n->parent = n->left = n->right = NULL;
  n->height = 0;
  avl_fixup(t, from);
}

void avl_update(struct avl_tree *t, struct avl_node *n)
{
  KASSERT(n != NULL && avl_contains(t, n),
          ("avl_update: node %p is not in the tree", n));
  for (; n != NULL; n = n->parent)
    avl_refresh(t, n);
}

struct avl_node *avl_first(const struct avl_tree *t)
{
  struct avl_node *n = t->root;

  if (n == NULL)
    return NULL;
  while (n->left != NULL)
    n = n->left;
  return n;
}

struct avl_node *avl_last(const struct avl_tree *t)
{
  struct avl_node *n = t->root;

  if (n == NULL)
    return NULL;
  while (n->right != NULL)
    n = n->right;
  return n;
}

struct avl_node *avl_next(const struct avl_node *n)
{
  if (n->right != NULL) {
    n = n->right;
    while (n->left != NULL)
      n = n->left;
    return (struct avl_node *)n;
  }
  // Climb while we come from a right child; the first left turn upward
  // is the successor.
  while (n->parent != NULL && n->parent->right == n)
    n = n->parent;
  return n->parent;
}

struct avl_node *avl_prev(const struct avl_node *n)
{
  if (n->left != NULL) {
    n = n->left;
    while (n->right != NULL)
      n = n->right;
    return (struct avl_node *)n;
  }
  while (n->parent != NULL && n->parent->left == n)
    n = n->parent;
  return n->parent;
}

// Check the subtree at n (whose parent must be parent); returns its size.
static size_t avl_check_subtree(const struct avl_node *n,
                                const struct avl_node *parent)
{
  int hl, hr;
  size_t count;

  if (n == NULL)
    return 0;
  KASSERT(n->parent == parent, ("avl_check: node %p has parent %p, not %p",
                                n, n->parent, parent));
  count = 1 + avl_check_subtree(n->left, n) + avl_check_subtree(n->right, n);
  hl = avl_height(n->left);
  hr = avl_height(n->right);
  KASSERT(n->height == 1 + MAX(hl, hr),
          ("avl_check: node %p height %d, children %d and %d", n, n->height,
           hl, hr));
  KASSERT(hl - hr >= -1 && hl - hr <= 1,
          ("avl_check: node %p unbalanced (%d vs %d)", n, hl, hr));
  return count;
}

size_t avl_check(const struct avl_tree *t)
{
  return avl_check_subtree(t->root, NULL);
}
