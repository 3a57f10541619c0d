// SPDX-License-Identifier: MIT
// Intrusive AVL trees with an optional augmentation hook.
//
// Elements embed a struct avl_node. The tree never compares keys itself:
// the caller walks down from t->root to find where a new node belongs and
// passes the parent and the child link to fill (as Linux's rbtree does), so
// one implementation serves every key type.
//
// Augmentation: when a tree is created with an augment function, that
// function is called on every node whose subtree changed (after a link, an
// unlink or a rotation), children before parents, so it can recompute a
// summary of the subtree from the node and its children. vm_map uses it to
// keep the largest free gap of each subtree.
//
// Costs: insert, remove and avl_update are O(log n) (height <= 1.44 log2 n);
// first/last/next/prev are O(log n) worst case, O(1) amortised in a walk.
// Lookups never modify the tree, so readers under a shared lock are safe.
#ifndef LIB_AVL_H
#define LIB_AVL_H

#include "lib/types.h"

struct avl_node {
  struct avl_node *parent;
  struct avl_node *left;
  struct avl_node *right;
  int height;                       // of the subtree rooted here; leaf = 1
};

typedef void (*avl_augment_fn)(struct avl_node *n);

struct avl_tree {
  struct avl_node *root;
  avl_augment_fn augment;           // NULL when not augmented
};

void avl_init(struct avl_tree *t, avl_augment_fn augment);

// Link n as the child *link of parent (link == &t->root when parent is NULL),
// then rebalance and re-augment up to the root.
void avl_insert(struct avl_tree *t, struct avl_node *n, struct avl_node *parent,
                struct avl_node **link);

// Unlink n, rebalance and re-augment.
void avl_remove(struct avl_tree *t, struct avl_node *n);

// The data that n's augmentation depends on changed (not its key order):
// recompute the summaries of n and of its ancestors.
void avl_update(struct avl_tree *t, struct avl_node *n);

// In-order navigation; NULL past either end.
struct avl_node *avl_first(const struct avl_tree *t);
struct avl_node *avl_last(const struct avl_tree *t);
struct avl_node *avl_next(const struct avl_node *n);
struct avl_node *avl_prev(const struct avl_node *n);

// Check parent links, stored heights and balance everywhere (panics on a
// violation) and return the number of nodes.
size_t avl_check(const struct avl_tree *t);

#endif
