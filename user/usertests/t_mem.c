// SPDX-License-Identifier: MIT
// usertests groups "sbrk" (lazy growth, shrinking, limits) and "cow" (fork
// isolation: after fork neither side sees the other's writes; memory freed
// and chains kept short across fork rounds).
#include "user/usertests/ut.h"

#define MB          (1024 * 1024)
#define LAZY_BYTES  (16 * MB)
#define SLACK_PAGES 8     // bookkeeping a call may allocate (entries, tables)
#define TICK_WAIT   100   // ticks (1 s) for an exited process's pages to go
#define COW_PAGES   3
#define CHAIN_DEPTH 6

static char cow_data[COW_PAGES * PGSIZE] __attribute__((aligned(PGSIZE)));

// Make the break page-aligned; returns it.
static char *
mem_align_break(void)
{
  uintptr_t b = (uintptr_t)sbrk(0);

  sbrk((int)(((b + PGSIZE - 1) & ~(uintptr_t)(PGSIZE - 1)) - b));
  return sbrk(0);
}

static int
mem_all(const char *p, int c, int n)
{
  for (int i = 0; i < n; i++) {
    if (p[i] != (char)c)
      return 0;
  }
  return 1;
}

static int
t_basic(void)
{
  char *a = sbrk(0), *b;

  b = sbrk(3 * PGSIZE);
  TL_CHECK(b == a, "sbrk returned %p, break was %p", b, a);
  TL_CHECK(sbrk(0) == a + 3 * PGSIZE, "break did not move");
  TL_CHECK(mem_all(a, 0, 3 * PGSIZE), "new memory not zero");
  memset(a, 'x', 3 * PGSIZE);
  TL_CHECK(sbrk(-3 * PGSIZE) == a + 3 * PGSIZE, "shrink return");
  TL_CHECK(sbrk(0) == a, "break after shrink");
  b = sbrk(2 * PGSIZE);
  TL_CHECK(b == a && mem_all(a, 0, 2 * PGSIZE), "regrown memory not zero");
  sbrk(-2 * PGSIZE);
  return 0;
}

// Growth costs no pages until touched; shrinking gives them back.
static int
t_lazy(void)
{
  unsigned long f0, f1, f2, f3;
  char *a;

  mem_align_break();
  f0 = tl_free_pages();
  a = sbrk(LAZY_BYTES);
  TL_CHECK(a != (char *)-1, "sbrk 16 MiB: %s", strerror(errno));
  f1 = tl_free_pages();
  TL_CHECK(f0 <= f1 + SLACK_PAGES, "sbrk used %ld pages before any touch",
           (long)(f0 - f1));
  for (int i = 0; i < LAZY_BYTES; i += 16 * PGSIZE)
    a[i] = 1;
  f2 = tl_free_pages();
  TL_CHECK(f1 >= f2 + LAZY_BYTES / (16 * PGSIZE),
           "touching 256 pages used only %ld", (long)(f1 - f2));
  sbrk(-LAZY_BYTES);
  f3 = tl_free_pages();
  TL_CHECK(f3 + SLACK_PAGES >= f0, "shrink freed too little: %lu -> %lu",
           f0, f3);
  return 0;
}

static void
child_touch_shrunk(void *arg)
{
  char *a;

  (void)arg;
  a = mem_align_break();
  sbrk(2 * PGSIZE);
  a[0] = a[PGSIZE] = 1;
  sbrk(-2 * PGSIZE);
  a[PGSIZE] = 2;   // must fault
  exit(1);
}

static int
t_shrink_unmaps(void)
{
  int st = tl_fork_wait(child_touch_shrunk, NULL);

  TL_CHECK(st == -1, "touching freed heap: status %d, want -1", st);
  return 0;
}

static void
child_rlimit(void *arg)
{
  struct rlimit rl;
  uintptr_t used;

  (void)arg;
  TL_CHILD_CHECK(getrlimit(RLIMIT_DATA, &rl) == 0);
  TL_CHILD_CHECK(rl.rlim_cur == RLIM_INFINITY && rl.rlim_max == RLIM_INFINITY);
  TL_CHILD_CHECK(getrlimit(RLIMIT_MEMLOCK, &rl) == 0);
  TL_CHILD_CHECK(rl.rlim_cur == 16 * MB && rl.rlim_max == RLIM_INFINITY);
  used = (uintptr_t)sbrk(0) - 0x10000;
  rl.rlim_cur = used + MB;
  rl.rlim_max = RLIM_INFINITY;
  TL_CHILD_CHECK(setrlimit(RLIMIT_DATA, &rl) == 0);
  TL_CHILD_CHECK(sbrk(4 * MB) == (char *)-1 && errno == ENOMEM);
  TL_CHILD_CHECK(sbrk(256 * 1024) != (char *)-1);
  rl.rlim_max = rl.rlim_cur;
  TL_CHILD_CHECK(setrlimit(RLIMIT_DATA, &rl) == 0);
  rl.rlim_cur = rl.rlim_max + 1;
  TL_CHILD_CHECK(setrlimit(RLIMIT_DATA, &rl) == -1);   // soft above hard
  rl.rlim_max = rl.rlim_cur = RLIM_INFINITY;
  TL_CHILD_CHECK(setrlimit(RLIMIT_DATA, &rl) == -1);   // raising the hard one
  TL_CHILD_CHECK(getrlimit(999, &rl) == -1 && errno == EINVAL);
  // Inherited across fork.
  if (fork() == 0) {
    TL_CHILD_CHECK(getrlimit(RLIMIT_DATA, &rl) == 0);
    TL_CHILD_CHECK(rl.rlim_max == used + MB && rl.rlim_cur == used + MB);
    exit(0);
  }
  int st = -2;
  wait(&st);
  TL_CHILD_CHECK(st == 0);
}

static int
t_rlimit_data(void)
{
  int st = tl_fork_wait(child_rlimit, NULL);

  TL_CHECK(st == 0, "child failed at line %d", st);
  return 0;
}

// The heap may grow up to another mapping but not into it.
static void
child_into_mapping(void *arg)
{
  char *brk, *target, *m;

  (void)arg;
  brk = mem_align_break();
  target = brk + MB;
  m = mmap(target, PGSIZE, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0);
  TL_CHILD_CHECK(m == target);
  *m = 'm';
  TL_CHILD_CHECK(sbrk(2 * MB) == (char *)-1 && errno == ENOMEM);
  TL_CHILD_CHECK(sbrk(MB / 2) == brk);
  TL_CHILD_CHECK(sbrk(MB / 2 + PGSIZE) == (char *)-1 && errno == ENOMEM);
  TL_CHILD_CHECK(sbrk(MB / 2) == brk + MB / 2);
  target[-1] = 'h';
  TL_CHILD_CHECK(*m == 'm');
}

static int
t_into_mapping(void)
{
  int st = tl_fork_wait(child_into_mapping, NULL);

  TL_CHECK(st == 0, "child failed at line %d", st);
  return 0;
}

// Without mmap: grow the heap a GiB at a time (lazily, so nearly free)
// until it would run into the stack reserved below MAXUVA.
static void
child_into_stack(void *arg)
{
  volatile char probe[64];
  char *brk;
  int n;

  (void)arg;
  for (n = 0; n < 300 && sbrk(1 << 30) != (char *)-1; n++)
    ;
  TL_CHILD_CHECK(n < 300 && errno == ENOMEM);
  brk = sbrk(0);
  TL_CHILD_CHECK((uintptr_t)brk < MAXUVA && (uintptr_t)brk > MAXUVA / 2);
  brk[-1] = 'h';   // the last heap byte is usable
  probe[0] = 's';  // and so is the stack
  TL_CHILD_CHECK(probe[0] == 's' && brk[-1] == 'h');
}

static int
t_into_stack(void)
{
  int st = tl_fork_wait(child_into_stack, NULL);

  TL_CHECK(st == 0, "child failed at line %d", st);
  return 0;
}

// System calls read and write lazy heap pages that were never touched.
static int
t_lazy_syscall(void)
{
  char *a;
  int p[2];

  a = sbrk(3 * PGSIZE);
  TL_CHECK(a != (char *)-1, "sbrk: %s", strerror(errno));
  TL_CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
  TL_CHECK(write(p[1], a + PGSIZE + 100, 200) == 200,
           "write from an untouched page: %s", strerror(errno));
  TL_CHECK(write(p[1], "lazy", 4) == 4, "write");
  TL_CHECK(read(p[0], a + 2 * PGSIZE - 100, 204) == 204,
           "read into untouched pages: %s", strerror(errno));
  TL_CHECK(mem_all(a + 2 * PGSIZE - 100, 0, 200) &&
           memcmp(a + 2 * PGSIZE + 100, "lazy", 4) == 0, "wrong data");
  close(p[0]);
  close(p[1]);
  sbrk(-3 * PGSIZE);
  return 0;
}

void
ut_sbrk(void)
{
  tl_run_child("basic", t_basic);
  tl_run_child("lazy", t_lazy);
  tl_run_child("shrink_unmaps", t_shrink_unmaps);
  tl_run_child("rlimit_data", t_rlimit_data);
  tl_run_child("into_mapping", t_into_mapping);
  tl_run_child("into_stack", t_into_stack);
  tl_run_child("lazy_syscall", t_lazy_syscall);
}

// ---------------------------------------------------------------------------
// Fork isolation. Parent and child take turns through two pipes: each side
// writes, hands over, and checks that the other side's writes are invisible.

struct cow_pipes {
  int up[2];     // child -> parent
  int down[2];   // parent -> child
};

static void
cow_signal(int fd)
{
  write(fd, "s", 1);
}

static int
cow_await(int fd)
{
  char c;

  return read(fd, &c, 1) == 1 ? 0 : -1;
}

// data, heap and stack, each written by both sides in turn.
static int
cow_run(char *heap, int heapn, struct cow_pipes *cp)
{
  char stack[PGSIZE + 100];
  int pid, st;

  memset(cow_data, 'P', sizeof(cow_data));
  memset(heap, 'P', heapn);
  memset(stack, 'P', sizeof(stack));
  pid = fork();
  if (pid == 0) {
    memset(cow_data, 'C', sizeof(cow_data));
    memset(heap, 'C', heapn);
    memset(stack, 'C', sizeof(stack));
    cow_signal(cp->up[1]);
    TL_CHILD_CHECK(cow_await(cp->down[0]) == 0);
    TL_CHILD_CHECK(mem_all(cow_data, 'C', sizeof(cow_data)));
    TL_CHILD_CHECK(mem_all(heap, 'C', heapn));
    TL_CHILD_CHECK(mem_all(stack, 'C', sizeof(stack)));
    exit(0);
  }
  TL_CHECK(pid > 0, "fork: %s", strerror(errno));
  TL_CHECK(cow_await(cp->up[0]) == 0, "child died before writing");
  TL_CHECK(mem_all(cow_data, 'P', sizeof(cow_data)), "child's data write seen");
  TL_CHECK(mem_all(heap, 'P', heapn), "child's heap write seen");
  TL_CHECK(mem_all(stack, 'P', sizeof(stack)), "child's stack write seen");
  memset(cow_data, 'Q', sizeof(cow_data));
  memset(heap, 'Q', heapn);
  memset(stack, 'Q', sizeof(stack));
  cow_signal(cp->down[1]);
  TL_CHECK(wait(&st) == pid && st == 0, "child saw our writes (line %d)", st);
  TL_CHECK(mem_all(heap, 'Q', heapn) && mem_all(stack, 'Q', sizeof(stack)),
           "own writes lost");
  return 0;
}

static int
cow_with_heap(int pages)
{
  struct cow_pipes cp;
  char *heap;
  int r;

  TL_CHECK(pipe(cp.up) == 0 && pipe(cp.down) == 0, "pipe: %s",
           strerror(errno));
  heap = sbrk(pages * PGSIZE);
  TL_CHECK(heap != (char *)-1, "sbrk: %s", strerror(errno));
  r = cow_run(heap, pages * PGSIZE, &cp);
  sbrk(-pages * PGSIZE);
  close(cp.up[0]);
  close(cp.up[1]);
  close(cp.down[0]);
  close(cp.down[1]);
  return r;
}

static int
t_cow_basic(void)
{
  return cow_with_heap(1);
}

static int
t_cow_after_sbrk(void)
{
  return cow_with_heap(40);
}

// A chain of forks, each level writing its own mark before forking on.
static int
cow_chain(int level)
{
  int pid, st;

  memset(cow_data, 'a' + level, sizeof(cow_data));
  if (level == 0)
    return 0;
  pid = fork();
  if (pid < 0)
    return __LINE__;
  if (pid == 0)
    exit(cow_chain(level - 1));
  if (wait(&st) != pid || st != 0)
    return st != 0 ? st : __LINE__;
  return mem_all(cow_data, 'a' + level, sizeof(cow_data)) ? 0 : __LINE__;
}

static int
t_cow_chain(void)
{
  int r = cow_chain(CHAIN_DEPTH);

  TL_CHECK(r == 0, "chain failed at line %d", r);
  return 0;
}

// read() into a copy-on-write page gives the writer its own copy.
static int
t_cow_kernel_write(void)
{
  char msg[100];
  int p[2], pid, st;

  TL_CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
  memset(cow_data, 'P', sizeof(cow_data));
  pid = fork();
  if (pid == 0) {
    TL_CHILD_CHECK(read(p[0], cow_data + PGSIZE - 50, 100) == 100);
    TL_CHILD_CHECK(mem_all(cow_data + PGSIZE - 50, 'K', 100));
    exit(0);
  }
  TL_CHECK(pid > 0, "fork: %s", strerror(errno));
  memset(msg, 'K', sizeof(msg));
  write(p[1], msg, sizeof(msg));
  TL_CHECK(wait(&st) == pid && st == 0, "child failed at line %d", st);
  TL_CHECK(mem_all(cow_data, 'P', sizeof(cow_data)),
           "child's read() changed the parent's page");
  close(p[0]);
  close(p[1]);
  return 0;
}

// MIT cowtest's "simple", our way: give the heap two thirds of the free
// memory, fill it, fork a child that exits at once, and shrink the heap
// again -- twice. Each shrink must give every page back: after the child
// has gone nothing else reaches them. As in a fresh program, the heap
// grows the object of the page below it (written first, in this process
// only), so the shrink clips the entry that still maps the object the
// child shared. Without that the second round runs out of memory.
static int
t_cow_simple_twice(void)
{
  unsigned long f0, f1, n, slack;
  char *a, *base = mem_align_break();
  int pid, st;

  TL_CHECK(sbrk(PGSIZE) == base, "sbrk");
  base[0] = 'b';
  for (int round = 0; round < 2; round++) {
    f0 = tl_free_pages();
    n = f0 / 3 * 2;
    slack = SLACK_PAGES + n / 256;   // page-table pages the heap keeps
    a = sbrk(n * PGSIZE);
    TL_CHECK(a != (char *)-1, "round %d: sbrk %lu pages: %s", round, n,
             strerror(errno));
    for (unsigned long i = 0; i < n; i++)
      a[i * PGSIZE] = (char)i;
    pid = fork();
    if (pid == 0)
      exit(0);
    TL_CHECK(pid > 0, "round %d: fork: %s", round, strerror(errno));
    TL_CHECK(wait(&st) == pid && st == 0, "round %d: child %d", round, st);
    TL_CHECK(sbrk(-(long)(n * PGSIZE)) != (char *)-1, "shrink");
    f1 = tl_free_pages();
    TL_CHECK(f1 + slack >= f0, "round %d: %lu of %lu pages not freed",
             round, f0 - f1, n);
    TL_CHECK(base[0] == 'b', "round %d: the page below changed", round);
  }
  return 0;
}

// Issue 10, item 14: each round the parent writes its region after fork,
// the child writes it, forks a grandchild and writes it again, and the
// grandchild and then the child exit. The parent's shadow chain must stay
// short and hold one copy of the region, not one per round.
#define ROUND_PAGES 32
#define ROUNDS      40

static int
cow_region_depth(char *r)
{
  struct vmmap_entry e[32];
  int n = vmmap(VMMAP_SELF, e, 32);

  for (int i = 0; i < n && i < 32; i++)
    if (e[i].start <= (unsigned long)r && (unsigned long)r < e[i].end)
      return e[i].depth;
  return -1;
}

static void
cow_round_child(char *r)
{
  int pid, st;

  memset(r, 'c', ROUND_PAGES * PGSIZE);
  pid = fork();
  if (pid == 0)
    exit(0);
  TL_CHILD_CHECK(pid > 0);
  memset(r, 'd', ROUND_PAGES * PGSIZE);
  TL_CHILD_CHECK(wait(&st) == pid && st == 0);
  exit(0);
}

static int
t_cow_rounds_chain(void)
{
  unsigned long f0 = 0, f;
  char *r = mem_align_break();
  int pid, st, d;

  TL_CHECK(sbrk(ROUND_PAGES * PGSIZE) == r, "sbrk: %s", strerror(errno));
  for (int round = 0; round < ROUNDS; round++) {
    pid = fork();
    if (pid == 0)
      cow_round_child(r);
    TL_CHECK(pid > 0, "fork: %s", strerror(errno));
    memset(r, 'a' + round % 26, ROUND_PAGES * PGSIZE);
    TL_CHECK(wait(&st) == pid && st == 0, "round %d: child %d", round, st);
    TL_CHECK(mem_all(r, 'a' + round % 26, ROUND_PAGES * PGSIZE),
             "round %d: lost own writes", round);
    d = cow_region_depth(r);
    TL_CHECK(d >= 1 && d <= 2, "round %d: chain depth %d", round, d);
    f = tl_free_pages();
    if (round == 1)
      f0 = f;
    TL_CHECK(round < 1 || f + SLACK_PAGES >= f0,
             "round %d: %lu more pages in use than after round 1", round,
             f0 - f);
  }
  sbrk(-ROUND_PAGES * PGSIZE);
  return 0;
}

// Issue 11, the collapse lab's goal: a lineage of 100 generations. Each
// forks the next, waits until the child has written one page of a region
// (so the child's write needs a new shadow object), then writes the whole
// region itself and exits. Without collapse the survivor's shadow chain
// grows by one object per generation. A parent's address space is freed
// as it exits, not when anyone waits for it, so each generation gives its
// chain a second to settle to at most 3 objects, and checks it sees its
// own write and the data of the moment it was forked. The last one reports
// "ok" through the pipe, and then every page must come back.
#define GEN_PAGES   8
#define GENERATIONS 100

static int
gen_settled_depth(char *r)
{
  int d = cow_region_depth(r);

  for (int t = 0; t < TICK_WAIT && (d < 1 || d > 3); t++) {
    sleep(1);
    d = cow_region_depth(r);
  }
  return d;
}

// The end of generation g: once its child has written (or died), write
// every page and exit.
static void
gen_parent_exit(char *r, int pid, int sync[2], int fd, int g)
{
  char c;

  close(sync[1]);
  if (pid < 0)
    fprintf(fd, "generation %d: fork: %s", g, strerror(errno));
  else
    read(sync[0], &c, 1);
  memset(r, 0xee, GEN_PAGES * PGSIZE);     // never seen by the child
  exit(pid < 0);
}

static void
gen_lineage(char *r, int fd)
{
  unsigned char model[GEN_PAGES] = { 0 };
  int g, i, d, pid, sync[2];

  for (g = 0; g < GENERATIONS; g++) {
    if (pipe(sync) < 0) {
      fprintf(fd, "generation %d: pipe: %s", g, strerror(errno));
      exit(1);
    }
    pid = fork();
    if (pid != 0)
      gen_parent_exit(r, pid, sync, fd, g);
    close(sync[0]);
    memset(r + g % GEN_PAGES * PGSIZE, g + 1, PGSIZE);
    model[g % GEN_PAGES] = g + 1;
    write(sync[1], "w", 1);
    close(sync[1]);
    d = gen_settled_depth(r);
    if (d < 1 || d > 3) {
      fprintf(fd, "generation %d: chain depth %d a second after its "
              "parent exited", g + 1, d);
      exit(1);
    }
    for (i = 0; i < GEN_PAGES; i++) {
      if (!mem_all(r + i * PGSIZE, model[i], PGSIZE)) {
        fprintf(fd, "generation %d: page %d is not what it forked with",
                g + 1, i);
        exit(1);
      }
    }
  }
  write(fd, "ok", 2);
  exit(0);
}

static int
t_cow_generations(void)
{
  char *r = mem_align_break(), msg[128];
  unsigned long f0, f;
  int p[2], pid, st, n, t;

  TL_CHECK(sbrk(GEN_PAGES * PGSIZE) == r, "sbrk: %s", strerror(errno));
  memset(r, 0, GEN_PAGES * PGSIZE);
  TL_CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
  f0 = tl_free_pages();
  pid = fork();
  if (pid == 0) {
    close(p[0]);
    gen_lineage(r, p[1]);
  }
  TL_CHECK(pid > 0, "fork: %s", strerror(errno));
  close(p[1]);
  n = 0;
  while (n < (int)sizeof(msg) - 1 && (t = read(p[0], msg + n,
                                               sizeof(msg) - 1 - n)) > 0)
    n += t;
  msg[n] = 0;
  close(p[0]);
  TL_CHECK(wait(&st) == pid, "wait");
  TL_CHECK(strcmp(msg, "ok") == 0, "%s", n > 0 ? msg : "the lineage died");
  // The last generation closed the pipe before its pages went.
  for (t = 0, f = tl_free_pages(); t < TICK_WAIT && f + SLACK_PAGES < f0; t++) {
    sleep(1);
    f = tl_free_pages();
  }
  TL_CHECK(f + SLACK_PAGES >= f0, "%lu pages not back after the last "
           "generation exited", f0 - f);
  sbrk(-GEN_PAGES * PGSIZE);
  return 0;
}

void
ut_cow(void)
{
  tl_run_child("basic", t_cow_basic);
  tl_run_child("after_sbrk", t_cow_after_sbrk);
  tl_run_child("chain", t_cow_chain);
  tl_run_child("kernel_write", t_cow_kernel_write);
  tl_run_child("simple_twice", t_cow_simple_twice);
  tl_run_child("rounds_chain", t_cow_rounds_chain);
  tl_run_child("generations", t_cow_generations);
}
