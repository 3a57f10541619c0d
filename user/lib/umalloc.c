// SPDX-License-Identifier: MIT
// malloc and free over sbrk.
//
// The heap is carved into blocks, each starting with a struct mblock
// header; sizes count 16-byte units, header included, so every pointer
// handed out is 16-byte aligned. Free blocks sit on one list sorted by
// address. malloc takes the first block that fits (first fit), splitting off
// its tail so the list link stays put; free inserts in address order and
// merges with the neighbours it touches, so the list never holds two
// adjacent blocks. Both are O(free blocks). When nothing fits the heap grows
// by at least MALLOC_GROW bytes with sbrk; memory is never given back.
#include "user/user.h"

struct mblock {
  struct mblock *next;   // next free block by address (free blocks only)
  size_t units;          // size in 16-byte units, this header included
};

#define MALLOC_UNIT  sizeof(struct mblock)
#define MALLOC_GROW  (64 * 1024)

_Static_assert(sizeof(struct mblock) == 16, "mblock is one unit");

static struct mblock *malloc_free;   // free list, lowest address first

// Put blk on the free list and merge it with adjacent free blocks.
void
free(void *p)
{
  struct mblock *blk, *prev = NULL, *cur = malloc_free;

  if (p == NULL)
    return;
  blk = (struct mblock *)p - 1;
  while (cur != NULL && cur < blk) {
    prev = cur;
    cur = cur->next;
  }
  blk->next = cur;
  if (cur != NULL && blk + blk->units == cur) {
    blk->units += cur->units;
    blk->next = cur->next;
  }
  if (prev == NULL) {
    malloc_free = blk;
  } else if (prev + prev->units == blk) {
    prev->units += blk->units;
    prev->next = blk->next;
  } else {
    prev->next = blk;
  }
}

// Grow the heap by at least units and put the new space on the free list.
// Returns 0, or -1 when sbrk refuses.
static int
malloc_grow(size_t units)
{
  size_t bytes = (units + 1) * MALLOC_UNIT;   // + 1: room to align
  uintptr_t p, start;

  if (bytes < MALLOC_GROW)
    bytes = MALLOC_GROW;
  if (bytes > 0x7fffffff)
    return -1;
  p = (uintptr_t)sbrk((int)bytes);
  if (p == (uintptr_t)-1)
    return -1;
  start = (p + MALLOC_UNIT - 1) & ~(uintptr_t)(MALLOC_UNIT - 1);
  ((struct mblock *)start)->units = (p + bytes - start) / MALLOC_UNIT;
  free((struct mblock *)start + 1);
  return 0;
}

// Return n bytes, 16-byte aligned, or NULL (errno ENOMEM) when the heap
// cannot grow.
void *
malloc(size_t n)
{
  struct mblock *blk, **link;
  size_t units;

  if (n > 0x7fffffff) {
    errno = ENOMEM;
    return NULL;
  }
  units = (n + MALLOC_UNIT - 1) / MALLOC_UNIT + 1;
  for (;;) {
    for (link = &malloc_free; (blk = *link) != NULL; link = &blk->next) {
      if (blk->units == units) {
        *link = blk->next;
        return blk + 1;
      }
      if (blk->units > units) {
        blk->units -= units;
        blk += blk->units;
        blk->units = units;
        return blk + 1;
      }
    }
    if (malloc_grow(units) < 0)
      return NULL;
  }
}
