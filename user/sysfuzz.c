// SPDX-License-Identifier: MIT
// sysfuzz SEED SECONDS [WORKERS [STALL]]: a system-call fuzzer.
//
// WORKERS (4) supervisors each run one victim process at a time; a victim
// makes random system calls with adversarial arguments (user/sysfuzz/
// calls.c, args.c) and is replaced when it exits or dies. The run passes
// when, after SECONDS of kernel time:
//   - no victim saw the kernel break a promise the fuzzer can check
//     without a model (kill(1) is EPERM, a kernel address is never read or
//     written, ranges past MAXUVA are EINVAL, mmap returns a user page);
//   - every worker kept making calls: the conductor watches each worker's
//     progress counter and fails the run if one stands still for STALL
//     seconds (60): a process stuck in the kernel;
//   - once every process is gone and the files are removed, the pages
//     free or in slabs and the kernel object count are what they were
//     (clean page cache dropped with vmreclaim before each count, as
//     tl_group_oom does; counts_match says why slabs count).
// The kernel must not panic meanwhile (scripts/qemu-suite.sh checks that).
//
// On a failure it prints the seed and the last calls of every worker from
// the rings in the shared mapping (struct sf_shared); a call with no result
// is marked as still in the kernel when its process lives, else as gone
// with it (a fault, exit, exec or kill). Replaying the seed repeats each
// victim's choices; WORKERS 1 makes the run close to deterministic.
//
// Prints "sysfuzz: 1 passed, 0 failed" for a clean run.
#include "user/sysfuzz/sf.h"

#define DEF_WORKERS 4
#define DEF_STALL   60

extern char __data_start[], end[];   // user/user.ld

struct sf_shared *sf_sh;
static int stall_ticks;

// --- Supervisors and the conductor -----------------------------------------

// Drop the pids of processes that are gone (vmmap finds live ones only).
static void prune_pids(struct sf_worker *w)
{
  for (int i = 0; i < SF_MAXPIDS; i++) {
    int pid = __atomic_load_n(&w->pids[i], __ATOMIC_RELAXED);
    if (pid != 0 && vmmap(pid, NULL, 0) < 0)
      __atomic_compare_exchange_n(&w->pids[i], &pid, 0, 0, __ATOMIC_RELAXED,
                                  __ATOMIC_RELAXED);
  }
}

static void supervise(int w)
{
  struct sf_worker *wk = &sf_sh->w[w];
  struct rlimit rl = {SF_BIGMAP, SF_BIGMAP};

  setrlimit(RLIMIT_MEMLOCK, &rl);           // victims cannot raise the hard one

  for (int gen = 0; uptime() < sf_sh->deadline; gen++) {
    int pid = fork();
    if (pid == 0)
      sf_victim(w, gen);
    if (pid < 0) {
      sleep(10);                            // out of processes for now
      continue;
    }
    __atomic_store_n(&wk->victim, pid, __ATOMIC_RELAXED);
    while (wait(NULL) != pid)
      ;
    __atomic_store_n(&wk->victim, 0, __ATOMIC_RELAXED);
    __atomic_fetch_add(&wk->progress, 1, __ATOMIC_RELAXED);
    prune_pids(wk);
  }
  __atomic_store_n(&wk->done, 1, __ATOMIC_RELEASE);
  exit(0);
}

static void report(const char *why)
{
  printf("sysfuzz: FAIL: %s\n", why);
  printf("sysfuzz: replay with: sysfuzz %ld SECONDS %d\n", sf_sh->seed,
         sf_sh->nworkers);
  for (int w = 0; w < sf_sh->nworkers; w++) {
    struct sf_worker *wk = &sf_sh->w[w];
    unsigned head = __atomic_load_n(&wk->head, __ATOMIC_RELAXED);
    printf("sysfuzz: worker %d, %ld calls, the last ones:\n", w, wk->progress);
    for (unsigned i = head > SF_REPORT ? head - SF_REPORT : 0; i < head; i++)
      sf_print_call(&wk->ring[i % SF_RING]);
    // Older calls without a result matter most of all.
    for (unsigned i = head > SF_RING ? head - SF_RING : 0;
         i + SF_REPORT < head; i++)
      if (wk->ring[i % SF_RING].state == SF_INFLIGHT)
        sf_print_call(&wk->ring[i % SF_RING]);
  }
}

// Watch the workers until they are all done. Returns 0, or -1 after
// reporting a worker that stood still for stall_ticks.
static int watch(void)
{
  long last[SF_MAXWORKERS];
  int since[SF_MAXWORKERS], now, busy;
  char why[96];

  for (int w = 0; w < sf_sh->nworkers; w++)
    last[w] = -1, since[w] = uptime();
  do {
    sleep(100);
    now = uptime();
    busy = 0;
    for (int w = 0; w < sf_sh->nworkers; w++) {
      struct sf_worker *wk = &sf_sh->w[w];
      long p = __atomic_load_n(&wk->progress, __ATOMIC_RELAXED);
      if (__atomic_load_n(&wk->done, __ATOMIC_ACQUIRE))
        continue;
      busy = 1;
      if (p != last[w])
        last[w] = p, since[w] = now;
      else if (now - since[w] > stall_ticks) {
        snprintf(why, sizeof(why), "worker %d made no call for %d s", w,
                 (now - since[w]) / 100);
        report(why);
        return -1;
      }
    }
  } while (busy);
  return 0;
}

// Kill what the victims left behind (children of victims that died) and
// wait until it is gone; init reaps it. Returns -1 if something stays.
static int sweep(void)
{
  for (int round = 0; round < 100; round++) {
    int left = 0;
    for (int w = 0; w < sf_sh->nworkers; w++) {
      prune_pids(&sf_sh->w[w]);
      for (int i = 0; i < SF_MAXPIDS; i++)
        if (sf_sh->w[w].pids[i] != 0)
          kill(sf_sh->w[w].pids[i]), left++;
    }
    if (left == 0)
      return 0;
    sleep(10);
  }
  report("processes left behind would not die");
  return -1;
}

// After a stall: stop the run and kill every victim, the stuck one too,
// then say whether it died. A stuck call that ends when killed was a wait
// nobody expected (a lost wakeup, or lost data the victim was told was
// there: the pipe ring once lost a faulting read's bytes); one that never
// ends is a process stuck in the kernel for good, which kill cannot help.
static void end_stalled_run(void)
{
  int left = 0;

  __atomic_fetch_add(&sf_sh->failed, 1, __ATOMIC_RELAXED);   // reported
  sf_sh->deadline = uptime();               // supervisors start no more
  for (int round = 0; round < 100; round++) {
    left = 0;
    for (int w = 0; w < sf_sh->nworkers; w++) {
      int pid = __atomic_load_n(&sf_sh->w[w].victim, __ATOMIC_RELAXED);
      if (__atomic_load_n(&sf_sh->w[w].done, __ATOMIC_ACQUIRE))
        continue;
      left++;
      if (pid != 0)
        kill(pid);
    }
    if (left == 0)
      break;
    sleep(10);
  }
  if (left > 0) {
    printf("sysfuzz: FAIL: the stuck victim would not die when killed\n");
    return;                                 // leave it to init
  }
  printf("sysfuzz: the stuck call ended when its victim was killed\n");
  while (wait(NULL) >= 0)
    ;
  sweep();
}

// Remove what the pool can have created, children before parents.
static void cleanup_files(void)
{
  static const char *const files[] = {"/sfd/a", "/sfd/b", "/sf.a/x", "/sf.a",
                                      "/sf.b", "/sf.c", "/sfd"};

  for (int i = 0; i < (int)(sizeof(files) / sizeof(files[0])); i++)
    unlink(files[i]);
}

// The scratch page (the kernel may write it) and a page of '.', between
// two PROT_NONE pages, mapped once here and inherited by every victim.
static int conductor_pages(void)
{
  char *p = mmap(NULL, 4 * PGSIZE, PROT_READ | PROT_WRITE,
                 MAP_ANON | MAP_PRIVATE, -1, 0);

  if (p == MAP_FAILED || mprotect(p, PGSIZE, PROT_NONE) < 0 ||
      mprotect(p + 3 * PGSIZE, PGSIZE, PROT_NONE) < 0)
    return -1;
  sf_scratch = p + PGSIZE;
  sf_dots = p + 2 * PGSIZE;
  memset(sf_dots, '.', PGSIZE);
  sf_protect((uint64)p, 4 * PGSIZE);
  sf_protect((uint64)sf_sh - PGSIZE, sizeof(*sf_sh) + 2 * PGSIZE);
  sf_protect(0x10000, (uint64)end - 0x10000);
  return 0;
}

static long calls(void)
{
  long n = 0;

  for (int w = 0; w < sf_sh->nworkers; w++)
    n += sf_sh->w[w].progress;
  return n;
}

// Exit 0 for a clean run, 1 for a failure (already reported).
static void conduct(int seconds)
{
  int bad = 0;

  if (conductor_pages() < 0) {
    printf("sysfuzz: cannot map: %s\n", strerror(errno));
    exit(1);
  }
  sf_sh->deadline = uptime() + seconds * 100;
  for (int w = 0; w < sf_sh->nworkers; w++) {
    int pid = fork();
    if (pid == 0)
      supervise(w);
    if (pid < 0) {
      printf("sysfuzz: fork: %s\n", strerror(errno));
      exit(1);
    }
  }
  if (watch() < 0) {
    end_stalled_run();
    cleanup_files();
    exit(1);
  }
  while (wait(NULL) >= 0)
    ;
  bad = sweep() < 0;
  cleanup_files();
  printf("sysfuzz: %ld calls\n", calls());
  if (sf_sh->failed != 0) {
    report(sf_sh->reason);
    bad = 1;
  }
  exit(bad);
}

// --- main: the leak check around the run -------------------------------------

static void __attribute__((noinline)) prefault_stack(void)
{
  volatile char stack[64 * 1024];

  for (size_t i = 0; i < sizeof(stack); i += PGSIZE / 2)
    stack[i] = 0;
}

// Free pages and kernel objects right after dropping the clean page cache.
static int __attribute__((noinline)) snapshot(struct vmstats *vs)
{
  if (vmreclaim(1L << 40) < 0)
    return -1;
  return vmstat(vs);
}

// The shared mapping, between two PROT_NONE pages (args.c: no kernel
// write that starts outside it can reach it), or NULL.
static struct sf_shared *map_shared(void)
{
  uint64 len = (sizeof(struct sf_shared) + PGSIZE - 1) & ~(uint64)(PGSIZE - 1);
  char *p = mmap(NULL, len + 2 * PGSIZE, PROT_READ | PROT_WRITE,
                 MAP_ANON | MAP_SHARED, -1, 0);

  if (p == MAP_FAILED || mprotect(p, PGSIZE, PROT_NONE) < 0 ||
      mprotect(p + PGSIZE + len, PGSIZE, PROT_NONE) < 0)
    return NULL;
  return (struct sf_shared *)(p + PGSIZE);
}

static int all_digits(const char *s)
{
  if (*s == '\0')
    return 0;
  for (; *s != '\0'; s++)
    if (*s < '0' || *s > '9')
      return 0;
  return 1;
}

// Is everything back? The kernel objects exactly, and the pages free or
// in slabs: with swap, the pages of init, the shell and this process go
// out and come back during the run, and the swap blocks' records with
// them, so the same number of kernel objects may sit in one slab page
// more or less than before. A leaked page still shows, and a leaked
// object too.
static int counts_match(const struct vmstats *a, const struct vmstats *b)
{
  return a->free + a->kmem == b->free + b->kmem &&
         a->kmem_objects == b->kmem_objects;
}

// Run the conductor in a child and wait for it without storing to memory
// (testlib.c's tl_group_run says why), then compare the counts.
static int run(int seconds)
{
  struct vmstats before, after;
  int pid, r, tries;

  if (snapshot(&before) < 0)
    return printf("sysfuzz: vmstat: %s\n", strerror(errno)), 1;
  if ((pid = fork()) < 0)
    return printf("sysfuzz: fork: %s\n", strerror(errno)), 1;
  if (pid == 0)
    conduct(seconds);
  while ((r = wait(NULL)) != pid && r >= 0)
    ;
  if (sf_sh->failed != 0 || sf_sh->deadline == 0)
    return 1;
  for (tries = 0; tries < 20; tries++) {
    if (snapshot(&after) == 0 && counts_match(&before, &after))
      return 0;
    sleep(20);
  }
  printf("sysfuzz: FAIL: leak: free pages %lu before, %lu after; slab "
         "pages %lu, %lu; kernel objects %lu, %lu; wired %lu, %lu; active "
         "%lu, %lu; inactive %lu, %lu; laundry %lu, %lu (seed %ld)\n",
         before.free, after.free, before.kmem, after.kmem,
         before.kmem_objects, after.kmem_objects, before.wired, after.wired,
         before.active, after.active, before.inactive, after.inactive,
         before.laundry, after.laundry, sf_sh->seed);
  return 1;
}

int
main(int argc, char *argv[])
{
  int seconds, failed;

  if (argc < 3) {
    fprintf(STDERR_FILENO, "usage: sysfuzz SEED SECONDS [WORKERS [STALL]]\n");
    exit(1);
  }
  if (!all_digits(argv[1]) || !all_digits(argv[2]))
    exit(0);                                // a victim's exec: nothing to do
  seconds = atoi(argv[2]);
  sf_sh = map_shared();
  if (sf_sh == NULL) {
    printf("sysfuzz: mmap: %s\nsysfuzz: 0 passed, 1 failed\n", strerror(errno));
    exit(1);
  }
  memset(sf_sh, 0, sizeof(*sf_sh));
  sf_sh->seed = atoi(argv[1]);
  sf_sh->nworkers = argc > 3 ? atoi(argv[3]) : DEF_WORKERS;
  if (sf_sh->nworkers < 1 || sf_sh->nworkers > SF_MAXWORKERS)
    sf_sh->nworkers = DEF_WORKERS;
  stall_ticks = (argc > 4 ? atoi(argv[4]) : DEF_STALL) * 100;
  for (volatile char *p = __data_start; p < end; p += PGSIZE)
    *p = *p;
  prefault_stack();
  // Run from a script (sh < /autorun), stdin shares the shell's offset in
  // it: victims reading it would eat the commands after this one.
  close(0);
  if (open("/console", O_RDONLY) != 0) {
    printf("sysfuzz: no /console for stdin\nsysfuzz: 0 passed, 1 failed\n");
    exit(1);
  }
  printf("sysfuzz: seed %ld, %d s, %d workers\n", sf_sh->seed, seconds,
         sf_sh->nworkers);
  failed = run(seconds);
  printf("sysfuzz: %d passed, %d failed\n", !failed, failed);
  return failed;
}
