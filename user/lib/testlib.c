// SPDX-License-Identifier: MIT
// The test framework of user/testlib.h.
//
// State is a handful of globals: the suite name, the pass/fail counts, the
// current group (prefixed to test names) and the reason of the running
// test. A suite is one process, so there is no locking; children never
// touch the counts (they report through exit statuses).
#include "user/testlib.h"

static const char *tl_suite = "tests";
static const char *tl_groupname;
static const char *tl_file = __FILE__;   // of the running test (tl_run_at)
static int tl_passed, tl_failed;
static char tl_reason[192];

#define TL_STACK_PREFAULT (64 * 1024)

extern char __text_start[], __data_start[], end[];   // user/user.ld

// Touch the stack below the caller.
static void __attribute__((noinline))
tl_prefault_stack(void)
{
  volatile char stack[TL_STACK_PREFAULT];

  for (size_t i = 0; i < sizeof(stack); i += PGSIZE / 2)
    stack[i] = 0;
}

// Make the suite's own memory resident -- text by reading each page once,
// data, bss and the top 64 KiB of stack by writing each page once.
// Otherwise the first test to touch a static buffer would allocate a page
// the leak check counts against it, and the first to run a function on a
// page of text not yet read would put that page in the cache, which
// counts the same.
static void
tl_prefault(void)
{
  for (volatile const char *p = __text_start; p < __data_start; p += PGSIZE)
    (void)*p;
  for (volatile char *p = __data_start; p < end; p += PGSIZE)
    *p = *p;
  tl_prefault_stack();
}

void
tl_start(const char *suite)
{
  tl_suite = suite;
  tl_passed = tl_failed = 0;
  tl_prefault();
}

int
tl_args(const char *suite, int argc, char **argv, const char *(*name)(int),
        int n)
{
  int i, k;

  if (argc == 2 && strcmp(argv[1], "-l") == 0) {
    for (k = 0; k < n; k++)
      printf("%s\n", name(k));
    return 0;
  }
  for (i = 1; i < argc; i++) {
    for (k = 0; k < n && strcmp(argv[i], name(k)) != 0; k++)
      ;
    if (k == n) {
      fprintf(STDERR_FILENO, "%s: no group '%s' (%s -l lists them)\n", suite,
              argv[i], suite);
      return 1;
    }
  }
  return -1;
}

int
tl_finish(void)
{
  printf("%s: %d passed, %d failed\n", tl_suite, tl_passed, tl_failed);
  return tl_failed != 0;
}

int
tl_fail_at(int line, const char *fmt, ...)
{
  va_list ap;
  int n;

  // Line 0: the framework's own failure, with no line to point at.
  if (line > 0)
    n = snprintf(tl_reason, sizeof(tl_reason), "%s:%d: ", tl_file, line);
  else
    n = snprintf(tl_reason, sizeof(tl_reason), "%s: ", tl_file);
  va_start(ap, fmt);
  vsnprintf(tl_reason + n, sizeof(tl_reason) - n, fmt, ap);
  va_end(ap);
  return -1;
}

// Print one result line and count it. A reason that does not start with
// the test's file (not from tl_fail_at: "killed", an exit status) gets it.
static void
tl_report(const char *name, int ok)
{
  const char *g = tl_groupname != NULL ? tl_groupname : "";
  const char *dot = tl_groupname != NULL ? "." : "";
  int named = strncmp(tl_reason, tl_file, strlen(tl_file)) == 0;

  if (ok) {
    tl_passed++;
    printf("PASS %s%s%s\n", g, dot, name);
  } else {
    tl_failed++;
    printf("FAIL %s%s%s: %s%s%s\n", g, dot, name, named ? "" : tl_file,
           named ? "" : ": ", tl_reason);
  }
}

void
tl_run_at(const char *file, const char *name, int (*fn)(void))
{
  tl_file = file;
  strcpy(tl_reason, "failed");
  tl_report(name, fn() == 0);
}

void
tl_run_child_at(const char *file, const char *name, int (*fn)(void))
{
  int p[2], pid, st = -2, n, r;

  tl_file = file;
  strcpy(tl_reason, "failed");
  if (pipe(p) < 0 || (pid = fork()) < 0) {
    tl_fail_at(0, "cannot start: %s", strerror(errno));
    tl_report(name, 0);
    return;
  }
  if (pid == 0) {
    close(p[0]);
    if (fn() == 0)
      exit(0);
    write(p[1], tl_reason, strlen(tl_reason));
    exit(1);
  }
  close(p[1]);
  n = read(p[0], tl_reason, sizeof(tl_reason) - 1);
  tl_reason[n > 0 ? n : 0] = '\0';
  close(p[0]);
  while ((r = wait(&st)) != pid && r >= 0)
    ;
  if (st == -1)
    strcpy(tl_reason, "killed");
  else if (st != 0 && n <= 0)
    snprintf(tl_reason, sizeof(tl_reason), "exit status %d", st);
  tl_report(name, st == 0);
}

unsigned long
tl_free_pages(void)
{
  struct vmstats vs;

  if (vmstat(&vs) < 0)
    return 0;
  return vs.free;
}

unsigned long
tl_ram_pages(void)
{
  struct vmstats vs;

  return vmstat(&vs) == 0 ? vs.total : 0;
}

void
tl_reap(void)
{
  while (wait(NULL) >= 0 || errno != ECHILD)
    ;
}

// Did the group give back everything? The free page count and the number
// of kernel objects (vmstats.kmem_objects) must both match exactly. The
// object count catches a leaked object hiding in a slab page that stays in
// use anyway; the free count catches every leaked page, slab pages
// included, because the measuring process keeps its own kernel objects
// (see tl_group) and kmem gives a slab back as soon as it is empty.
static int
tl_counts_match(const struct vmstats *a, const struct vmstats *b)
{
  return a->free == b->free && a->kmem_objects == b->kmem_objects;
}

// Counts of a group child, packed into its exit status.
#define TL_GROUP_SHIFT 12
#define TL_GROUP_MAX   ((1 << TL_GROUP_SHIFT) - 1)

// Run body in a child and add its pass/fail counts to ours.
//
// Why a child: the process that measures must not change its own memory
// while the group runs. Every fork write-protects the forking process's
// pages, so a test process that writes its bss or stack while a child is
// alive gets new copies of those pages, a new shadow object and new pv
// entries -- its own memory, not a leak, but the new kernel objects land
// in whatever slab has room, and a slab page that keeps one of them is
// not given back: the free page count drifts by slab packing. Here the
// parent only forks and waits (no stores to user memory while the child
// lives), so after the child is reaped its address space, page tables and
// kernel objects are exactly as they were.
static void
tl_group_run(const char *name, void (*body)(void))
{
  int pid, r, st = -1;

  pid = fork();
  if (pid < 0) {
    tl_fail_at(0, "cannot start the group: %s", strerror(errno));
    tl_report("start", 0);
    return;
  }
  if (pid == 0) {
    tl_groupname = name;
    tl_passed = tl_failed = 0;
    body();
    tl_reap();
    if (tl_passed > TL_GROUP_MAX)
      tl_passed = TL_GROUP_MAX;
    if (tl_failed > TL_GROUP_MAX)
      tl_failed = TL_GROUP_MAX;
    exit(tl_passed << TL_GROUP_SHIFT | tl_failed);
  }
  while ((r = wait(&st)) != pid && !(r < 0 && errno == ECHILD))
    ;
  tl_groupname = name;
  if (r != pid || st < 0) {
    tl_fail_at(0, "group process died (status %d)", st);
    tl_report("exit", 0);
    return;
  }
  tl_passed += st >> TL_GROUP_SHIFT;
  tl_failed += st & TL_GROUP_MAX;
}

// The counts of the leak check, after dropping the cache of unused files
// (whose objects, inodes and pages outlive their last user), and all the
// clean page cache when drop is set. Nothing but this function's own
// return runs between the two calls, so the pages the caller faults back
// in before vmstat counts are the same every time.
static int
tl_snapshot(struct vmstats *vs, int drop)
{
  if (vmreclaim(drop ? 1L << 40 : 0) < 0)
    return -1;
  return vmstat(vs);
}

// The leak check around body. Page frees the kernel defers (a zombie's
// last pages, a reaper thread) get a second to land before it is judged.
static void
tl_group_checked(const char *name, void (*body)(void), int drop)
{
  struct vmstats before, after;
  int ok, tries;

  tl_reap();
  ok = tl_snapshot(&before, drop) == 0;
  tl_group_run(name, body);
  tl_reap();
  ok = ok && tl_snapshot(&after, drop) == 0;
  for (tries = 0; ok && !tl_counts_match(&before, &after) && tries < 5;
       tries++) {
    sleep(20);
    tl_snapshot(&after, drop);
  }
  if (!ok)
    tl_fail_at(0, "vmstat: %s", strerror(errno));
  else
    tl_fail_at(0,
               "free pages %lu before, %lu after (%ld); kernel objects %lu, "
               "%lu (%ld); kmem pages %lu, %lu",
               before.free, after.free, (long)(after.free - before.free),
               before.kmem_objects, after.kmem_objects,
               (long)(after.kmem_objects - before.kmem_objects),
               before.kmem, after.kmem);
  tl_groupname = name;
  tl_report("leak", ok && tl_counts_match(&before, &after));
  tl_groupname = NULL;
}

// A group's own failures (it did not start, it leaked) name the file that
// runs the group: the suite's table of groups.
void
tl_group_at(const char *file, const char *name, void (*body)(void), int oom)
{
  tl_file = file;
  tl_group_checked(name, body, oom);
}

int
tl_fork_wait(void (*fn)(void *), void *arg)
{
  int pid, r, status;

  pid = fork();
  if (pid < 0)
    return TL_NOCHILD;
  if (pid == 0) {
    fn(arg);
    exit(0);
  }
  while ((r = wait(&status)) != pid) {
    if (r < 0)
      return TL_NOCHILD;
  }
  return status;
}
