// SPDX-License-Identifier: MIT
// Benchmark of the address map (make bench-host): nanoseconds per insert,
// lookup, free-space search and delete at 10, 1,000 and 100,000 entries,
// for the real vm_map (AVL tree with max_free) and for a baseline written
// here: the 2003 Mach design, a sorted doubly linked list of entries with a
// lookup hint (every search starts from the last entry found).
//
// Both run the same workloads, generated from one seed:
//   layout   N one-page entries, each followed by a one-page hole, except
//            that every 32nd hole is four pages wide;
//   insert   one-page entries into random one-page holes (then removed,
//            untimed), so the map keeps its size;
//   lookup   random addresses over the whole layout;
//   find     the lowest three-page hole at or above a random hint: only
//            the wide holes fit, so a linear scan walks up to 32 entries;
//   delete   random existing entries (then put back, untimed).
// Each figure is the median of BENCH_RUNS runs after a warm-up run, each
// run on a fresh map; the whole program takes well under a minute. Prints
// a markdown table, and one BENCH line per figure (bench_stat.h): metrics
// map-avl-OP-N (the vm_map) and map-list-OP-N (the list), in ns/op.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_stat.h"
#include "vm/pmap.h"
#include "vm/vm_map.h"
#include "vmtest.h"

#define OPS      2000          // timed operations per workload and run
#define BASE     0x100000UL
#define P(n)     (BASE + (vm_offset_t)(n) * PAGE_SIZE)
#define WIDE     32            // every WIDE-th hole is wide
#define FIND_LEN (3 * PAGE_SIZE)

enum { OP_INSERT, OP_LOOKUP, OP_FIND, OP_DELETE, NOPS };
static const char *const op_names[NOPS] = { "insert", "lookup", "find-space",
                                            "delete" };

// --- the layout ---------------------------------------------------------------

static vm_offset_t *slot_start;   // start of entry i
static vm_offset_t *hole_start;   // start of the hole after entry i
static size_t nslots;
static vm_offset_t layout_end;

static void layout(size_t n)
{
  vm_offset_t va = BASE;

  free(slot_start);
  free(hole_start);
  slot_start = malloc(n * sizeof(*slot_start));
  hole_start = malloc(n * sizeof(*hole_start));
  for (size_t i = 0; i < n; i++) {
    slot_start[i] = va;
    hole_start[i] = va + PAGE_SIZE;
    va += (i % WIDE == WIDE - 1 ? 5 : 2) * PAGE_SIZE;
  }
  nslots = n;
  layout_end = va;
}

// --- the baseline: a sorted list with a hint ------------------------------

struct lentry {
  struct lentry *prev, *next;
  vm_offset_t start, end;
};

struct lmap {
  struct lentry head;          // sentinel: head.next is the lowest entry
  struct lentry *hint;         // where the last search ended
  vm_offset_t min, max;
};

static void lmap_init(struct lmap *l, vm_offset_t min, vm_offset_t max)
{
  l->head.prev = l->head.next = &l->head;
  l->head.start = l->head.end = min;
  l->hint = &l->head;
  l->min = min;
  l->max = max;
}

// The entry containing addr (true) or the one before it (false; the head
// if none), walking from the hint in the right direction.
static bool lmap_lookup(struct lmap *l, vm_offset_t addr, struct lentry **out)
{
  struct lentry *e = l->hint;

  if (e != &l->head && addr < e->start) {
    while (e != &l->head && addr < e->start)
      e = e->prev;
  } else {
    while (e->next != &l->head && e->next->start <= addr)
      e = e->next;
  }
  l->hint = e;
  *out = e;
  return e != &l->head && addr < e->end;
}

static int lmap_insert(struct lmap *l, vm_offset_t start, vm_offset_t end)
{
  struct lentry *prev, *e;

  if (lmap_lookup(l, start, &prev) ||
      (prev->next != &l->head && prev->next->start < end))
    return KERN_NO_SPACE;
  e = malloc(sizeof(*e));
  e->start = start;
  e->end = end;
  e->prev = prev;
  e->next = prev->next;
  prev->next->prev = e;
  prev->next = e;
  l->hint = e;
  return KERN_SUCCESS;
}

static void lmap_delete(struct lmap *l, vm_offset_t start)
{
  struct lentry *e;

  if (!lmap_lookup(l, start, &e))
    return;
  e->prev->next = e->next;
  e->next->prev = e->prev;
  l->hint = e->prev;
  free(e);
}

static int lmap_findspace(struct lmap *l, vm_offset_t start, vm_size_t len,
                          vm_offset_t *addr)
{
  struct lentry *e;

  if (lmap_lookup(l, start, &e))
    start = e->end;
  for (;;) {
    vm_offset_t gap_end = e->next != &l->head ? e->next->start : l->max;
    if (gap_end >= start && gap_end - start >= len) {
      *addr = start;
      return KERN_SUCCESS;
    }
    if (e->next == &l->head)
      return KERN_NO_SPACE;
    e = e->next;
    start = e->end;
  }
}

static void lmap_destroy(struct lmap *l)
{
  while (l->head.next != &l->head) {
    struct lentry *e = l->head.next;
    l->head.next = e->next;
    free(e);
  }
}

// --- the two maps behind one interface ------------------------------------------

struct bmap {
  bool real;
  struct vm_map map;
  struct lmap list;
};

static void b_insert(struct bmap *b, vm_offset_t start)
{
  int rv;

  if (b->real) {
    vm_map_lock(&b->map);
    rv = vm_map_insert(&b->map, NULL, 0, start, start + PAGE_SIZE,
                       VM_PROT_RW, VM_PROT_ALL, MAP_NOMERGE);
    vm_map_unlock(&b->map);
  } else {
    rv = lmap_insert(&b->list, start, start + PAGE_SIZE);
  }
  if (rv != KERN_SUCCESS)
    panic("bench_map: insert at %#lx: %d", (unsigned long)start, rv);
}

static void b_delete(struct bmap *b, vm_offset_t start)
{
  if (b->real)
    vm_map_remove(&b->map, start, start + PAGE_SIZE);
  else
    lmap_delete(&b->list, start);
}

static bool b_lookup(struct bmap *b, vm_offset_t va)
{
  struct vm_map_entry *entry;
  struct lentry *e;
  bool found;

  if (!b->real)
    return lmap_lookup(&b->list, va, &e);
  vm_map_lock_read(&b->map);
  found = vm_map_lookup_entry(&b->map, va, &entry);
  vm_map_unlock_read(&b->map);
  return found;
}

static vm_offset_t b_find(struct bmap *b, vm_offset_t hint)
{
  vm_offset_t addr = 0;

  if (!b->real)
    lmap_findspace(&b->list, hint, FIND_LEN, &addr);
  else {
    vm_map_lock_read(&b->map);
    vm_map_findspace(&b->map, hint, FIND_LEN, &addr);
    vm_map_unlock_read(&b->map);
  }
  return addr;
}

// --- one run --------------------------------------------------------------------

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(uint64_t n)
{
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return (rng * 0x2545f4914f6cdd1dULL) % n;
}

// Time OPS operations of kind op on a map of nslots entries; ns per op.
static double run_op(struct bmap *b, int op)
{
  static vm_offset_t va[OPS];
  volatile uintptr_t sink = 0;
  double t0, t;
  int n = 0;

  for (int i = 0; i < OPS; i++)
    va[i] = op == OP_INSERT ? hole_start[rnd(nslots)] :
            op == OP_DELETE ? slot_start[rnd(nslots)] :
            BASE + trunc_page(rnd(layout_end - BASE));
  t = 0;
  // Inserts and deletes go in batches of distinct addresses, each undone
  // (untimed) before the next batch.
  for (int i = 0; i < OPS; i += n) {
    n = 1;
    if (op == OP_INSERT || op == OP_DELETE)
      while (i + n < OPS && n < (int)nslots / 2 + 1) {
        bool dup = false;
        for (int j = i; j < i + n && !dup; j++)
          dup = va[j] == va[i + n];
        if (dup)
          break;
        n++;
      }
    else
      n = OPS;
    t0 = bench_now_ns();
    for (int j = i; j < i + n; j++) {
      switch (op) {
      case OP_INSERT: b_insert(b, va[j]); break;
      case OP_DELETE: b_delete(b, va[j]); break;
      case OP_LOOKUP: sink += b_lookup(b, va[j]); break;
      case OP_FIND: sink += b_find(b, va[j]); break;
      }
    }
    t += bench_now_ns() - t0;
    for (int j = i; j < i + n; j++) {
      if (op == OP_INSERT)
        b_delete(b, va[j]);
      else if (op == OP_DELETE)
        b_insert(b, va[j]);
    }
  }
  (void)sink;
  return t / OPS;
}

static void build(struct bmap *b, bool real, struct pmap *pmap)
{
  b->real = real;
  if (real)
    vm_map_init(&b->map, pmap, BASE, layout_end + 64 * PAGE_SIZE);
  else
    lmap_init(&b->list, BASE, layout_end + 64 * PAGE_SIZE);
  for (size_t i = 0; i < nslots; i++)
    b_insert(b, slot_start[i]);
}

static void destroy(struct bmap *b)
{
  if (b->real) {
    vm_map_check(&b->map);
    vm_map_remove(&b->map, b->map.min_offset, b->map.max_offset);
  } else {
    lmap_destroy(&b->list);
  }
}

static const size_t sizes[] = { 10, 1000, 100000 };
#define NSIZES nitems(sizes)

// The figures of one map kind at the current layout: a warm-up run, then
// BENCH_RUNS timed runs. Every workload leaves the map as it found it, so
// one build serves all four in a run.
static void measure(bool real, struct pmap *pmap, struct bench_stat *out)
{
  static struct bmap b;
  double samples[NOPS][BENCH_RUNS];

  for (int r = -1; r < BENCH_RUNS; r++) {
    build(&b, real, pmap);
    for (int op = 0; op < NOPS; op++) {
      double ns = run_op(&b, op);
      if (r >= 0)
        samples[op][r] = ns;
    }
    destroy(&b);
  }
  for (int op = 0; op < NOPS; op++)
    out[op] = bench_stat_of(samples[op], BENCH_RUNS);
}

static void print_results(struct bench_stat result[][2][NOPS])
{
  char metric[64];

  printf("| operation | entries | vm_map (AVL) ns/op | sorted list + hint "
         "ns/op | list / vm_map |\n|---|---:|---:|---:|---:|\n");
  for (int op = 0; op < NOPS; op++)
    for (size_t s = 0; s < NSIZES; s++)
      printf("| %s | %zu | %.0f | %.0f | %.2f |\n", op_names[op], sizes[s],
             result[s][1][op].median, result[s][0][op].median,
             result[s][0][op].median / result[s][1][op].median);
  printf("\nlookup speed-up at 100,000 entries: %.1fx (medians of %d runs, "
         "%d ops each)\n\n", result[2][0][OP_LOOKUP].median /
         result[2][1][OP_LOOKUP].median, BENCH_RUNS, OPS);
  for (int real = 1; real >= 0; real--)
    for (int op = 0; op < NOPS; op++)
      for (size_t s = 0; s < NSIZES; s++) {
        snprintf(metric, sizeof(metric), "map-%s-%s-%zu",
                 real ? "avl" : "list", op_names[op], sizes[s]);
        bench_stat_print(metric, "ns/op", result[s][real][op]);
      }
}

int main(void)
{
  static struct bench_stat result[NSIZES][2][NOPS];
  struct pmap *pmap;

  vm_check_level = 0;                 // time the kernel's code path
  vmtest_boot(64);
  pmap = pmap_create();
  for (size_t s = 0; s < NSIZES; s++) {
    layout(sizes[s]);
    for (int real = 0; real < 2; real++)
      measure(real, pmap, result[s][real]);
  }
  print_results(result);
  pmap_destroy(pmap);
  vmtest_teardown();
  return 0;
}
