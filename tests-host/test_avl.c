// SPDX-License-Identifier: MIT
// Tests of kernel/lib/avl.c: ordered walks, balance, every removal case,
// the augmentation hook (subtree sums and maxima kept after every link,
// unlink and rotation), a randomised model test against a sorted array,
// and the misuse checks.
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>

#include "host_panic.h"
#include "lib/avl.h"
#include "vmtest.h"

// A test element: key orders the tree, val is the augmented payload.
struct item {
  struct avl_node node;
  int key;
  int val;
  long sum;     // val summed over the subtree
  int max;      // largest val in the subtree
};

#define NITEMS 4096

static struct avl_tree tree;
static struct item *items;    // items[k] has key k

static struct item *item_of(struct avl_node *n)
{
  return n != NULL ? container_of(n, struct item, node) : NULL;
}

static void item_augment(struct avl_node *n)
{
  struct item *it = item_of(n), *l = item_of(n->left), *r = item_of(n->right);

  it->sum = it->val + (l ? l->sum : 0) + (r ? r->sum : 0);
  it->max = it->val;
  if (l && l->max > it->max)
    it->max = l->max;
  if (r && r->max > it->max)
    it->max = r->max;
}

static void setup(void)
{
  vmtest_boot(16);
  items = calloc(NITEMS, sizeof(*items));
  for (int k = 0; k < NITEMS; k++) {
    items[k].key = k;
    items[k].val = (k * 7919) % 1000;
  }
  avl_init(&tree, item_augment);
}

// Check one subtree's summaries against a recomputation; returns its sum.
static long check_aug(struct avl_node *n, int *max)
{
  int lmax = -1, rmax = -1;
  long s;

  if (n == NULL) {
    *max = -1;
    return 0;
  }
  s = check_aug(n->left, &lmax) + check_aug(n->right, &rmax) + item_of(n)->val;
  *max = MAX(item_of(n)->val, MAX(lmax, rmax));
  cr_assert_eq(item_of(n)->sum, s, "stale sum at key %d", item_of(n)->key);
  cr_assert_eq(item_of(n)->max, *max, "stale max at key %d", item_of(n)->key);
  return s;
}

static void check_tree(void)
{
  int max;

  avl_check(&tree);
  check_aug(tree.root, &max);
}

static void teardown(void)
{
  check_tree();
  free(items);
  vmtest_teardown_strict();
}

TestSuite(avl, .init = setup, .fini = teardown);

static void insert_key(int k)
{
  struct avl_node **link = &tree.root, *parent = NULL;

  while (*link != NULL) {
    parent = *link;
    link = k < item_of(parent)->key ? &parent->left : &parent->right;
  }
  avl_insert(&tree, &items[k].node, parent, link);
}

static struct item *find_key(int k)
{
  struct avl_node *n = tree.root;

  while (n != NULL && item_of(n)->key != k)
    n = k < item_of(n)->key ? n->left : n->right;
  return item_of(n);
}

static int height_bound(size_t n)
{
  // 1.4405 log2(n + 2) - 0.3277, rounded up generously.
  int lg = 0;

  while (((size_t)1 << lg) < n + 2)
    lg++;
  return (int)(1.4405 * lg) + 1;
}

Test(avl, empty_tree)
{
  cr_assert_null(avl_first(&tree));
  cr_assert_null(avl_last(&tree));
  cr_assert_eq(avl_check(&tree), 0);
}

Test(avl, single_node)
{
  insert_key(5);
  cr_assert_eq(avl_first(&tree), &items[5].node);
  cr_assert_eq(avl_last(&tree), &items[5].node);
  cr_assert_null(avl_next(&items[5].node));
  cr_assert_null(avl_prev(&items[5].node));
  cr_assert_eq(items[5].node.height, 1);
  cr_assert_eq(items[5].sum, items[5].val);
  avl_remove(&tree, &items[5].node);
  cr_assert_null(tree.root);
}

Test(avl, ascending_inserts_stay_balanced)
{
  for (int k = 0; k < NITEMS; k++)
    insert_key(k);
  cr_assert_eq(avl_check(&tree), NITEMS);
  cr_assert_leq(tree.root->height, height_bound(NITEMS));
  int k = 0;
  for (struct avl_node *n = avl_first(&tree); n != NULL; n = avl_next(n))
    cr_assert_eq(item_of(n)->key, k++);
  cr_assert_eq(k, NITEMS);
}

Test(avl, descending_inserts_walk_backwards)
{
  for (int k = NITEMS - 1; k >= 0; k--)
    insert_key(k);
  cr_assert_leq(tree.root->height, height_bound(NITEMS));
  int k = NITEMS - 1;
  for (struct avl_node *n = avl_last(&tree); n != NULL; n = avl_prev(n))
    cr_assert_eq(item_of(n)->key, k--);
  cr_assert_eq(k, -1);
}

Test(avl, remove_leaf_one_child_two_children_and_root)
{
  for (int k = 0; k < 15; k++)
    insert_key(k);              // a perfect tree of height 4, root 7
  cr_assert_eq(item_of(tree.root)->key, 7);
  avl_remove(&tree, &items[0].node);      // a leaf
  check_tree();
  avl_remove(&tree, &items[1].node);      // now has one child (2)
  check_tree();
  avl_remove(&tree, &items[11].node);     // two children, successor deeper
  check_tree();
  avl_remove(&tree, &items[7].node);      // the root
  check_tree();
  cr_assert_eq(avl_check(&tree), 11);
  cr_assert_null(items[7].node.parent);
  cr_assert_eq(items[7].node.height, 0);
  int expect[] = { 2, 3, 4, 5, 6, 8, 9, 10, 12, 13, 14 };
  struct avl_node *n = avl_first(&tree);
  for (size_t i = 0; i < nitems(expect); i++, n = avl_next(n))
    cr_assert_eq(item_of(n)->key, expect[i]);
  cr_assert_null(n);
}

Test(avl, augment_follows_rotations)
{
  long total = 0;

  for (int k = 0; k < 200; k++) {
    insert_key(k);              // ascending: a rotation almost every step
    total += items[k].val;
    check_tree();
    cr_assert_eq(item_of(tree.root)->sum, total);
  }
  for (int k = 0; k < 200; k += 2) {
    avl_remove(&tree, &items[k].node);
    total -= items[k].val;
    check_tree();
    cr_assert_eq(item_of(tree.root)->sum, total);
  }
}

Test(avl, update_recomputes_ancestors)
{
  for (int k = 0; k < 100; k++)
    insert_key(k);
  items[42].val = 5000;
  avl_update(&tree, &items[42].node);
  check_tree();
  cr_assert_eq(item_of(tree.root)->max, 5000);
  items[42].val = 0;
  avl_update(&tree, &items[42].node);
  check_tree();
  cr_assert_lt(item_of(tree.root)->max, 1000);
}

Test(avl, unaugmented_tree)
{
  struct avl_tree plain;

  avl_init(&plain, NULL);
  struct avl_node *parent = NULL, **link = &plain.root;
  for (int k = 0; k < 64; k++) {
    avl_insert(&plain, &items[k].node, parent, link);
    parent = &items[k].node;    // always the rightmost: append
    link = &parent->right;
    while (*link != NULL) {
      parent = *link;
      link = &parent->right;
    }
  }
  cr_assert_eq(avl_check(&plain), 64);
  for (int k = 0; k < 64; k++)
    avl_remove(&plain, &items[k].node);
  cr_assert_null(plain.root);
}

// Randomised model test: a sorted array of present keys is the model. Each
// step inserts, removes, changes a value or navigates, then the tree's
// structure, augmentation and in-order contents are compared to it.
Test(avl, random_against_sorted_array)
{
  enum { STEPS = 12000, KEYS = 512 };
  static bool present[KEYS];
  int nkeys = 0;

  for (int step = 0; step < STEPS; step++) {
    int k = (int)vmtest_rand_below(KEYS);
    int op = (int)vmtest_rand_below(10);
    if (op < 5 && !present[k]) {
      insert_key(k);
      present[k] = true;
      nkeys++;
    } else if (op < 9 && present[k]) {
      avl_remove(&tree, &items[k].node);
      present[k] = false;
      nkeys--;
    } else if (present[k]) {
      items[k].val = (int)vmtest_rand_below(100000);
      avl_update(&tree, &items[k].node);
    }
    cr_assert_eq(avl_check(&tree), (size_t)nkeys, "seed %llu step %d",
                 (unsigned long long)vmtest_seed(), step);
    check_tree();
    cr_assert_eq(find_key(k) != NULL, present[k], "seed %llu step %d",
                 (unsigned long long)vmtest_seed(), step);
    if (step % 64 == 0) {
      struct avl_node *n = avl_first(&tree);
      for (int j = 0; j < KEYS; j++) {
        if (!present[j])
          continue;
        cr_assert_eq(item_of(n)->key, j, "seed %llu step %d",
                     (unsigned long long)vmtest_seed(), step);
        n = avl_next(n);
      }
      cr_assert_null(n);
    }
  }
}

Test(avl, insert_into_occupied_link_panics, .signal = SIGABRT)
{
  expect_panic("avl_insert: link * already holds");
  insert_key(1);
  avl_insert(&tree, &items[2].node, NULL, &tree.root);
}

Test(avl, insert_with_foreign_link_panics, .signal = SIGABRT)
{
  expect_panic("avl_insert: link * is not a child link of");
  insert_key(1);
  avl_insert(&tree, &items[2].node, &items[1].node, &items[3].node.left);
}

Test(avl, remove_of_absent_node_panics, .signal = SIGABRT)
{
  expect_panic("avl_remove: node * is not in the tree");
  insert_key(1);
  avl_remove(&tree, &items[2].node);
}

Test(avl, check_catches_corrupt_height, .signal = SIGABRT)
{
  expect_panic("avl_check: node * height * children");
  for (int k = 0; k < 8; k++)
    insert_key(k);
  tree.root->height += 1;
  avl_check(&tree);
}

Test(avl, check_catches_broken_parent_link, .signal = SIGABRT)
{
  expect_panic("avl_check: node * has parent");
  for (int k = 0; k < 8; k++)
    insert_key(k);
  tree.root->left->parent = NULL;
  avl_check(&tree);
}
