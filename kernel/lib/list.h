// SPDX-License-Identifier: MIT
// Intrusive doubly-linked circular lists. A list is a struct list_node head
// that points to itself when empty; elements embed a struct list_node and are
// found again with container_of(). All operations are O(1).
#ifndef LIB_LIST_H
#define LIB_LIST_H

#include "lib/types.h"

struct list_node {
  struct list_node *next;
  struct list_node *prev;
};

static inline void list_init(struct list_node *head)
{
  head->next = head;
  head->prev = head;
}

static inline bool list_empty(const struct list_node *head)
{
  return head->next == head;
}

// Insert n between prev and next.
static inline void list_link(struct list_node *n, struct list_node *prev,
                             struct list_node *next)
{
  n->prev = prev;
  n->next = next;
  prev->next = n;
  next->prev = n;
}

static inline void list_insert_head(struct list_node *head, struct list_node *n)
{
  list_link(n, head, head->next);
}

static inline void list_insert_tail(struct list_node *head, struct list_node *n)
{
  list_link(n, head->prev, head);
}

static inline void list_remove(struct list_node *n)
{
  n->prev->next = n->next;
  n->next->prev = n->prev;
  n->next = n->prev = NULL;
}

// First and last element, or NULL when the list is empty.
static inline struct list_node *list_first(const struct list_node *head)
{
  return list_empty(head) ? NULL : head->next;
}

static inline struct list_node *list_last(const struct list_node *head)
{
  return list_empty(head) ? NULL : head->prev;
}

#define list_for_each(pos, head) \
  for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

// Safe against removal of pos inside the loop body.
#define list_for_each_safe(pos, tmp, head) \
  for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); \
       (pos) = (tmp), (tmp) = (pos)->next)

#endif
