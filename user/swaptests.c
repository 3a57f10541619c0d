// SPDX-License-Identifier: MIT
// swaptests [-l | group...]: paging to swap, booted with little RAM and a
// swap disk (scripts/check.sh boots it at MEM=64M with SWAP=160M).
//
// Groups: anon (one process writes and verifies 3 x RAM of anonymous
// memory; fork, pipe, exec, sbrk, read and write work while a hog keeps memory
// full), cow (four processes share copy-on-write pages under pressure,
// each writing its own and checking everyone's), mlock (an 8 MiB mlocked
// range stays resident and intact while the rest of the process goes to
// swap), madvfree (MADV_FREE pages under pressure read back as their old
// data or zeros, nothing else), file (dirty pages of a MAP_SHARED file
// under pressure are written to the file by the pageout daemon, and read
// back right), mincore (a page on swap is reported not resident, even
// while the backing page it hides is resident), oom (processes writing
// more than RAM and swap are killed by the out-of-memory rule, even while
// a killed process cannot die; scripts/check.sh looks for the console
// line), walk (xv6's usertests mem: a heap filled by malloc until it
// fails ends soon after swap fills; slow, so only when named); the page
// cache of files attacked from outside (user/swaptests/t_file.c): freuse,
// ftrunc, fshare, fexec, and fdisk (a full disk; only when named, each
// fill of the disk takes half a minute); and sysbuf, shrink, inherit,
// kill, lockswap, exhaust (user/swaptests/sys.h: system calls and memory
// calls over swapped anonymous pages), busy, and readahead (reads of swap
// started ahead of the faults: t_ra.c). Every group fails at once without
// swap.
//
// The leak check runs in its "page everything out first" form
// (tl_group_oom): with swap, that snapshot also writes out every process's
// anonymous pages, so before and after describe the same state. The last
// test checks that the swap in use is back where it started.
#include "user/testlib.h"
#include "user/swaptests/sys.h"
#include "user/swaptests/tf.h"

static struct vmstats st0;   // at the start, after a full page-out

// Pattern word of page i, word k, for salt s: every word differs.
static uint64_t pat(uint64_t i, uint64_t k, uint64_t s)
{
  return (i << 20 | k) * 0x9e3779b97f4a7c15ull ^ s;
}


static unsigned long swap_total(void)
{
  struct vmstats vs;

  return vmstat(&vs) == 0 ? vs.swap_total : 0;
}

// npages of fresh private anonymous memory, or 0.
static uint64_t *anon(unsigned long npages)
{
  void *p = mmap(0, npages * PGSIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANON, -1, 0);
  return p == MAP_FAILED ? 0 : p;
}

#define WORDS (PGSIZE / 8)

static void fill(uint64_t *a, unsigned long first, unsigned long n,
                 uint64_t salt)
{
  for (unsigned long i = first; i < first + n; i++)
    for (int k = 0; k < WORDS; k++)
      a[i * WORDS + k] = pat(i, (uint64_t)k, salt);
}

// The first page of [first, first + n) that does not hold salt's
// pattern, or -1.
static long check(const uint64_t *a, unsigned long first, unsigned long n,
                  uint64_t salt)
{
  for (unsigned long i = first; i < first + n; i++)
    for (int k = 0; k < WORDS; k++)
      if (a[i * WORDS + k] != pat(i, (uint64_t)k, salt))
        return (long)i;
  return -1;
}

// vmmap's record of the entry holding the n pages at a, all written:
// each is resident or on swap (the entry may have merged with others,
// never holding less), and swap holds at least what RAM cannot. 0 if so.
static int vmmap_counts(const uint64_t *a, unsigned long n)
{
  static struct vmmap_entry e[64];
  int got = vmmap(VMMAP_SELF, e, 64);
  unsigned long va = (unsigned long)a, held;

  for (int i = 0; i < got && i < 64; i++)
    if (e[i].start <= va && va < e[i].end) {
      held = e[i].resident + e[i].swapped;
      if (held >= n && held <= (e[i].end - e[i].start) / PGSIZE &&
          e[i].swapped >= n - tl_ram_pages())
        return 0;
      printf("vmmap: %u resident + %lu swapped of %lu pages\n", e[i].resident,
             e[i].swapped, n);
      return -1;
    }
  printf("vmmap: no entry at %p\n", (void *)a);
  return -1;
}

static int anon_3x_ram(void)
{
  unsigned long n = 3 * tl_ram_pages();
  struct vmstats v0, v1;
  uint64_t *a;
  long bad;

  TL_CHECK(swap_total() > 0, "no swap device");
  TL_CHECK(vmstat(&v0) == 0, "vmstat");
  TL_CHECK((a = anon(n)) != 0, "mmap of %lu pages failed", n);
  fill(a, 0, n, 1);
  TL_CHECK((bad = check(a, 0, n, 1)) < 0, "page %ld of %lu lost its data",
           bad, n);
  TL_CHECK(vmstat(&v1) == 0, "vmstat");
  TL_CHECK(v1.swapout - v0.swapout >= n - v0.total,
           "only %lu pages written to swap for %lu pages",
           v1.swapout - v0.swapout, n);
  TL_CHECK(v1.swapin > v0.swapin, "nothing read back from swap");
  TL_CHECK(vmmap_counts(a, n) == 0, "vmmap's RES and SWP do not add up");
  munmap(a, n * PGSIZE);
  return 0;
}

// A hog writing over more than RAM, round and round, keeps free pages at
// the daemon's low mark or below. Meanwhile fork, pipe, exec and sbrk,
// whose kernel allocations (stacks, page tables, pipe buffers, map
// entries) find no free page as often as not, and read() and write() of a
// file, whose cache
// pages are as short, must wait for paging as a fault does, not fail.
#define PRESSURE_ROUNDS 48

static void pressure_hog(int ready)
{
  unsigned long n = tl_ram_pages() + 2048;
  uint64_t *a = anon(n);

  TL_CHILD_CHECK(a != 0);
  for (unsigned long pass = 0;; pass++) {
    for (unsigned long i = 0; i < n; i++)
      a[i * WORDS] = i + pass;
    if (pass == 0)
      TL_CHILD_CHECK(write(ready, "h", 1) == 1);
  }
}

// write() eight fresh pages of the scratch file fd, then read() back the eight
// of an earlier round, long since pushed out of the cache: both need free
// pages for the file's cache. 0 or why not.
static int pressure_file(int fd, int round)
{
  static char buf[8 * PGSIZE];
  int old = round / 2, r;

  memset(buf, 'a' + round % 26, sizeof(buf));
  TL_CHECK(lseek(fd, (off_t)round * sizeof(buf), SEEK_SET) >= 0, "lseek");
  TL_CHECK((r = write(fd, buf, sizeof(buf))) == sizeof(buf),
           "round %d: write returned %d", round, r);
  TL_CHECK(lseek(fd, (off_t)old * sizeof(buf), SEEK_SET) >= 0, "lseek");
  TL_CHECK((r = read(fd, buf, sizeof(buf))) == sizeof(buf),
           "round %d: read returned %d", round, r);
  for (unsigned long i = 0; i < sizeof(buf); i++)
    TL_CHECK(buf[i] == 'a' + old % 26, "round %d: byte %lu of round %d's "
             "pages reads %d", round, i, old, buf[i]);
  return 0;
}

// One round: a pipe, a fork, in the child a heap grown by sbrk (after
// fork its map entry is new kernel memory) and (every fourth round) an
// exec. 0 or why not.
static int pressure_round(int round)
{
  char *argv[] = { "echo", "x", 0 }, *heap;
  int p[2], pid, st;

  TL_CHECK(pipe(p) == 0, "round %d: pipe failed", round);
  close(p[0]);
  close(p[1]);
  TL_CHECK((pid = fork()) >= 0, "round %d: fork failed: %d", round, pid);
  if (pid == 0) {
    if ((heap = sbrk(16 * PGSIZE)) == (char *)-1)
      exit(98);
    heap[0] = 1;
    if (round % 4 == 0) {
      close(1);                       // echo's output goes nowhere
      exec("echo", argv);
      exit(99);
    }
    exit(7);
  }
  TL_CHECK(wait(&st) == pid, "round %d: wait", round);
  TL_CHECK(st == (round % 4 == 0 ? 0 : 7), "round %d: status %d%s", round,
           st, st == 99 ? " (exec failed)" : st == 98 ? " (sbrk failed)" : "");
  return 0;
}

static int anon_syscalls_under_pressure(void)
{
  int rd[2], hog, fd, rc = 0, st;
  char c;

  TL_CHECK(swap_total() > 0, "no swap device");
  TL_CHECK(pipe(rd) == 0, "pipe");
  if ((hog = fork()) == 0)
    pressure_hog(rd[1]);
  close(rd[1]);                       // a hog killed early reads as EOF
  TL_CHECK(hog > 0 && read(rd[0], &c, 1) == 1, "the hog did not start");
  unlink("pressure.f");
  TL_CHECK((fd = open("pressure.f", O_CREATE | O_RDWR)) >= 0, "open");
  for (int round = 0; round < PRESSURE_ROUNDS && rc == 0; round++)
    if ((rc = pressure_round(round)) == 0)
      rc = pressure_file(fd, round);
  kill(hog);
  TL_CHECK(wait(&st) == hog && st == -1, "the hog's status %d", st);
  close(fd);
  unlink("pressure.f");
  close(rd[0]);
  return rc;
}

static void group_anon(void)
{
  tl_run_child("3x_ram", anon_3x_ram);
  tl_run_child("syscalls_under_pressure", anon_syscalls_under_pressure);
}

// Four processes over one copy-on-write region of RAM / 2: each rewrites
// its quarter, then checks its quarter holds its data and the rest the
// parent's.
struct cow_arg {
  uint64_t *a;
  unsigned long n;
  int id;
};

static void cow_worker(void *p)
{
  struct cow_arg *c = p;
  unsigned long q = c->n / 4, mine = (unsigned long)c->id * q;

  fill(c->a, mine, q, 100 + (uint64_t)c->id);
  for (int round = 0; round < 2; round++) {
    TL_CHILD_CHECK(check(c->a, mine, q, 100 + (uint64_t)c->id) < 0);
    for (int other = 0; other < 4; other++)
      if (other != c->id)
        TL_CHILD_CHECK(check(c->a, (unsigned long)other * q, q, 7) < 0);
  }
}

static int cow_four(void)
{
  unsigned long n = tl_ram_pages() / 2;
  struct cow_arg args[4];
  int pids[4], st;

  TL_CHECK(swap_total() > 0, "no swap device");
  uint64_t *a = anon(n);
  TL_CHECK(a != 0, "mmap");
  fill(a, 0, n, 7);
  for (int i = 0; i < 4; i++) {
    args[i] = (struct cow_arg){ a, n, i };
    pids[i] = fork();
    TL_CHECK(pids[i] >= 0, "fork");
    if (pids[i] == 0) {
      cow_worker(&args[i]);
      exit(0);
    }
  }
  for (int i = 0; i < 4; i++) {
    TL_CHECK(wait(&st) > 0, "wait");
    TL_CHECK(st == 0, "a process failed at line %d", st);
  }
  TL_CHECK(check(a, 0, n, 7) < 0, "the parent's pages changed");
  return 0;
}

static void group_cow(void)
{
  tl_run_child("four_procs", cow_four);
}

// 8 MiB mlocked, then 2 x RAM of other memory written: the locked pages
// stay resident (mincore) and intact, the rest goes to swap.
static int mlock_stays(void)
{
  unsigned long nl = (8 << 20) / PGSIZE, n = 2 * tl_ram_pages();
  static char vec[(8 << 20) / PGSIZE];
  struct vmstats v0, v1;
  uint64_t *locked, *other;

  TL_CHECK(swap_total() > 0, "no swap device");
  TL_CHECK((locked = anon(nl)) != 0 && (other = anon(n)) != 0, "mmap");
  fill(locked, 0, nl, 3);
  TL_CHECK(mlock(locked, nl * PGSIZE) == 0, "mlock: %s", strerror(errno));
  TL_CHECK(vmstat(&v0) == 0, "vmstat");
  fill(other, 0, n, 4);
  TL_CHECK(check(other, 0, n, 4) < 0, "the unlocked memory lost data");
  TL_CHECK(vmstat(&v1) == 0, "vmstat");
  TL_CHECK(v1.swapout - v0.swapout >= n - v0.total, "too little paged out");
  TL_CHECK(mincore(locked, nl * PGSIZE, vec) == 0, "mincore");
  for (unsigned long i = 0; i < nl; i++)
    TL_CHECK(vec[i] & 1, "locked page %lu not resident", i);
  TL_CHECK(check(locked, 0, nl, 3) < 0, "the locked memory changed");
  return 0;
}

static void group_mlock(void)
{
  tl_run_child("stays_resident", mlock_stays);
}

// MADV_FREE'd pages under pressure: each reads back whole as its old
// data or as zeros.
static int madvfree_old_or_zero(void)
{
  unsigned long n = tl_ram_pages() / 2, pressure = 2 * tl_ram_pages(), zero = 0;
  uint64_t *a, *b;

  TL_CHECK(swap_total() > 0, "no swap device");
  TL_CHECK((a = anon(n)) != 0 && (b = anon(pressure)) != 0, "mmap");
  fill(a, 0, n, 5);
  TL_CHECK(madvise(a, n * PGSIZE, MADV_FREE) == 0, "madvise");
  fill(b, 0, pressure, 6);
  for (unsigned long i = 0; i < n; i++) {
    int z = 1;
    for (int k = 0; k < WORDS; k++)
      z &= a[i * WORDS + k] == 0;
    zero += z;
    TL_CHECK(z || check(a, i, 1, 5) < 0, "page %lu: neither old data nor "
             "zeros", i);
  }
  printf("madvfree: %lu of %lu pages came back as zeros\n", zero, n);
  return 0;
}

static void group_madvfree(void)
{
  tl_run_child("old_or_zero", madvfree_old_or_zero);
}

// A file of RAM / 2 mapped MAP_SHARED and written whole, then RAM of
// anonymous memory written: the file's pages cannot all stay resident,
// and with no msync the pageout daemon writes them to the file
// (filepageout) and frees them. They read back right through the mapping
// (paged in from the file again), and after munmap through read().
#define FILE_PATH "swaptests.file"

// The first page of the file's n pages at fd's offset that does not hold
// salt's pattern, or -1.
static long file_check(int fd, unsigned long n, uint64_t salt)
{
  static uint64_t buf[WORDS];

  for (unsigned long i = 0; i < n; i++) {
    if (read(fd, buf, PGSIZE) != PGSIZE)
      return (long)i;
    for (int k = 0; k < WORDS; k++)
      if (buf[k] != pat(i, (uint64_t)k, salt))
        return (long)i;
  }
  return -1;
}

static int file_daemon_writes(void)
{
  unsigned long n = tl_ram_pages() / 2, pressure = tl_ram_pages();
  struct vmstats v0, v1;
  uint64_t *f, *b;
  long bad;
  int fd;

  TL_CHECK(swap_total() > 0, "no swap device");
  unlink(FILE_PATH);
  TL_CHECK((fd = open(FILE_PATH, O_CREATE | O_RDWR)) >= 0, "open");
  TL_CHECK(ftruncate(fd, (off_t)(n * PGSIZE)) == 0, "ftruncate: %s",
           strerror(errno));
  f = mmap(0, n * PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  TL_CHECK(f != MAP_FAILED, "mmap: %s", strerror(errno));
  close(fd);
  TL_CHECK(vmstat(&v0) == 0, "vmstat");
  fill(f, 0, n, 8);
  TL_CHECK((b = anon(pressure)) != 0, "mmap");
  fill(b, 0, pressure, 9);
  TL_CHECK(vmstat(&v1) == 0, "vmstat");
  printf("file: the daemon wrote %lu of %lu dirty file pages\n",
         v1.filepageout - v0.filepageout, n);
  TL_CHECK(v1.filepageout - v0.filepageout >= n / 8,
           "the daemon wrote %lu of %lu dirty file pages",
           v1.filepageout - v0.filepageout, n);
  TL_CHECK((bad = check(f, 0, n, 8)) < 0, "page %ld of the mapping lost "
           "its data", bad);
  TL_CHECK(munmap(f, n * PGSIZE) == 0 && munmap(b, pressure * PGSIZE) == 0,
           "munmap");
  TL_CHECK((fd = open(FILE_PATH, O_RDONLY)) >= 0, "open");
  bad = file_check(fd, n, 8);
  close(fd);
  unlink(FILE_PATH);
  TL_CHECK(bad < 0, "page %ld of the file read back wrong", bad);
  return 0;
}

static void group_file(void)
{
  tl_run_child("daemon_writes", file_daemon_writes);
}

// mincore and swap (SEMANTICS.md: a swapped page is not resident). n
// pages shared copy-on-write with a child; the parent rewrites the even
// ones (its own copies, in its front object; rewriting them all would let
// the front object bypass the shared one), and 2 x RAM of other memory
// pushes everything out. The child then reads its pages back in: the
// shared object's pages are resident again, but the parent's copies, which
// hide them, are on swap, and mincore must say so. Touched again, they
// are resident.
static char mincore_vec[4096];

// How many of the n pages at a (every step-th from the first) mincore
// reports resident, or ~0 on failure.
static unsigned long mincore_count(const uint64_t *a, unsigned long n,
                                   unsigned long step)
{
  unsigned long in = 0;

  if (n > sizeof(mincore_vec) || mincore(a, n * PGSIZE, mincore_vec) != 0)
    return ~0ul;
  for (unsigned long i = 0; i < n; i += step)
    in += mincore_vec[i] & 1;
  return in;
}

// The child: on each byte from rfd, read its n pages (salt 1) and answer
// on wfd; exit at end of file.
static void mincore_child(const uint64_t *a, unsigned long n, int rfd, int wfd)
{
  char c;

  while (read(rfd, &c, 1) == 1) {
    c = check(a, 0, n, 1) < 0 ? 'y' : 'n';
    write(wfd, &c, 1);
  }
  exit(0);
}

// Each even page of the n at a holds salt's pattern, each odd one odd's.
static int mincore_even_odd(const uint64_t *a, unsigned long n, uint64_t salt,
                            uint64_t odd)
{
  for (unsigned long i = 0; i < n; i++)
    if (check(a, i, 1, i % 2 == 0 ? salt : odd) >= 0)
      return -1;
  return 0;
}

static int mincore_swapped(void)
{
  unsigned long n = tl_ram_pages() / 4, pressure = 2 * tl_ram_pages(), in;
  int to[2], from[2], pid, st;
  uint64_t *a, *b;
  char c = 'x';

  TL_CHECK(swap_total() > 0, "no swap device");
  TL_CHECK(n <= sizeof(mincore_vec) && (a = anon(n)) != 0, "mmap");
  fill(a, 0, n, 1);
  TL_CHECK((in = mincore_count(a, n, 1)) == n, "%lu of %lu written pages "
           "resident", in, n);
  TL_CHECK(pipe(to) == 0 && pipe(from) == 0, "pipe");
  TL_CHECK((pid = fork()) >= 0, "fork");
  if (pid == 0) {
    close(to[1]);
    close(from[0]);
    mincore_child(a, n, to[0], from[1]);
  }
  close(to[0]);
  close(from[1]);
  for (unsigned long i = 0; i < n; i += 2)
    fill(a, i, 1, 2);                 // the parent's own copies
  TL_CHECK((b = anon(pressure)) != 0, "mmap");
  fill(b, 0, pressure, 3);
  munmap(b, pressure * PGSIZE);
  in = mincore_count(a, n, 1);
  TL_CHECK(in < n / 2, "%lu of %lu pages resident after 2 x RAM of other "
           "memory", in, n);
  TL_CHECK(write(to[1], &c, 1) == 1 && read(from[0], &c, 1) == 1 && c == 'y',
           "the child's pages changed");
  in = mincore_count(a, n, 2);
  TL_CHECK(in < n / 4, "%lu of %lu swapped copies resident once the pages "
           "they hide were read in", in, n / 2);
  TL_CHECK(mincore_even_odd(a, n, 2, 1) == 0, "the parent's pages changed");
  TL_CHECK((in = mincore_count(a, n, 1)) == n, "%lu of %lu pages resident "
           "once touched", in, n);
  close(to[1]);
  close(from[0]);
  TL_CHECK(wait(&st) == pid && st == 0, "the child failed");
  return 0;
}

static void group_mincore(void)
{
  tl_run_child("swapped_not_resident", mincore_swapped);
}

// The out-of-memory kill, with a victim that cannot finish dying in the
// way (kernel/oom.c, OOM_PATIENCE). H fills RAM and swap but a little and
// waits; Z writes 24 MiB to a file from its own memory, now out on swap,
// so its copy is slow -- and holds the file's write lock throughout. V
// asks for that lock with a write of its own and is killed while it
// sleeps for it: it cannot die before Z is done. Then H goes on filling
// until nothing is left, and Z's copy waits for a page. Were the rule to
// wait for V to die, it would wait forever, and the faults waiting for
// memory would give up one by one instead, each killing its process,
// whoever that is (before the rule's patience: H, by a fault of its
// text). The rule gives up on V after a while and kills again: Z (the
// largest process with no child), then H. Either way every process ends:
// no hang; the suite goes on, and the swap comes back (swap_back below).
#define STUCK_SLACK 4096              // pages of RAM + swap H leaves at first
#define STUCK_PAGES 6144              // Z's write, in pages

// Pages of RAM and swap still free.
static unsigned long room(void)
{
  struct vmstats vs;

  return vmstat(&vs) == 0 ? vs.free + vs.swap_total - vs.swap_used : 0;
}

// H: a parent (its child waits for H's end), so the rule spares it while
// a process with no child can go. Fills memory up to STUCK_SLACK, says
// so, then on the word fills it all and more.
static void stuck_hog(int ready, int more)
{
  int p[2];
  char c;
  uint64_t *a;
  unsigned long n = tl_ram_pages() + swap_total() + 1024, i = 0;

  TL_CHILD_CHECK(pipe(p) == 0);
  if (fork() == 0) {
    close(p[1]);
    read(p[0], &c, 1);                // 0 bytes when H dies
    exit(0);
  }
  close(p[0]);
  TL_CHILD_CHECK((a = anon(n)) != 0);
  for (; i < n && room() > STUCK_SLACK; i += 64)
    for (unsigned long k = i; k < i + 64; k++)
      a[k * WORDS] = k;
  TL_CHILD_CHECK(write(ready, "h", 1) == 1 && read(more, &c, 1) == 1);
  for (; i < n; i++)
    a[i * WORDS] = i;
  exit(1);                            // more than there is, yet alive
}

// Z: its buffer written first (H then pushes it out to swap), the write
// on the word.
static void stuck_writer(int ready, int go)
{
  char c, *b = (char *)anon(STUCK_PAGES);
  int fd = open("stuck.f", O_CREATE | O_RDWR);

  TL_CHILD_CHECK(b != 0 && fd >= 0);
  for (int i = 0; i < STUCK_PAGES; i++)
    b[i * PGSIZE] = 'z';
  TL_CHILD_CHECK(write(ready, "z", 1) == 1 && read(go, &c, 1) == 1);
  write(fd, b, STUCK_PAGES * PGSIZE);
  exit(0);
}

// V: sleeps for Z's write lock.
static void stuck_victim(int ready)
{
  int fd = open("stuck.f", O_RDWR);

  TL_CHILD_CHECK(fd >= 0 && write(ready, "v", 1) == 1);
  write(fd, "v", 1);
  exit(0);
}

static void nothing(void *arg)
{
  (void)arg;
}

// The three processes of stuck_victim and the pipes between them.
// The three processes of stuck_victim, in the order they start, and the
// pipes between them.
enum { STUCK_Z, STUCK_H, STUCK_V, STUCK_N };
struct stuck {
  int rd[2], go[2], more[2];
  int pid[STUCK_N];                   // 0: not started
};

// Start Z, H and V, one after the other, as the comment above says.
static int stuck_start(struct stuck *s)
{
  int *pid = s->pid;
  char c;

  TL_CHECK(pipe(s->rd) == 0 && pipe(s->go) == 0 && pipe(s->more) == 0,
           "pipe");
  if ((pid[STUCK_Z] = fork()) == 0)
    stuck_writer(s->rd[1], s->go[0]);
  TL_CHECK(pid[STUCK_Z] > 0 && read(s->rd[0], &c, 1) == 1, "Z did not start");
  if ((pid[STUCK_H] = fork()) == 0)
    stuck_hog(s->rd[1], s->more[0]);
  TL_CHECK(pid[STUCK_H] > 0 && read(s->rd[0], &c, 1) == 1,
           "H did not fill memory");
  TL_CHECK(write(s->go[1], "g", 1) == 1, "pipe");
  if ((pid[STUCK_V] = fork()) == 0)
    stuck_victim(s->rd[1]);
  TL_CHECK(pid[STUCK_V] > 0, "fork of V under memory pressure: %d",
           pid[STUCK_V]);
  TL_CHECK(read(s->rd[0], &c, 1) == 1, "V did not start");
  return 0;
}

static int oom_stuck_victim(void)
{
  struct stuck s = { { -1, -1 }, { -1, -1 }, { -1, -1 }, { 0, 0, 0 } };
  int vk = -1, pid, st, status[STUCK_N] = { 0 }, started;

  TL_CHECK(swap_total() > 0, "no swap device");
  if ((started = stuck_start(&s)) == 0) {
    sleep(2);                         // V asleep for the lock
    vk = kill(s.pid[STUCK_V]);        // fails if Z was quick and V is gone
    started = write(s.more[1], "m", 1) == 1 ? 0 : -1;
  }
  for (int i = 0; i < STUCK_N; i++)   // on a failure H waits forever
    if (started != 0 && s.pid[i] > 0)
      kill(s.pid[i]);
  for (int i = 0; i < STUCK_N; i++) {
    if (s.pid[i] <= 0)
      continue;
    TL_CHECK((pid = wait(&st)) > 0, "wait");
    for (int k = 0; k < STUCK_N; k++)
      if (pid == s.pid[k])
        status[k] = st;
  }
  for (int k = 0; k < 2; k++)
    close(s.rd[k]), close(s.go[k]), close(s.more[k]);
  unlink("stuck.f");
  if (started != 0)
    return started;
  TL_CHECK(status[STUCK_H] == -1, "H's status %d, want -1 (killed)",
           status[STUCK_H]);
  TL_CHECK(status[STUCK_V] == -1 || (vk < 0 && status[STUCK_V] == 0),
           "V's status %d", status[STUCK_V]);
  TL_CHECK(status[STUCK_Z] == -1 || status[STUCK_Z] == 0, "Z's status %d",
           status[STUCK_Z]);
  TL_CHECK(tl_fork_wait(nothing, 0) == 0, "fork after the kills failed");
  return 0;
}

// A heap filled as xv6's usertests mem fills it: blocks of 10001 bytes
// from malloc, each holding a pointer to the one before, until malloc
// fails. Our malloc (like xv6's) grows the heap 64 KiB at a time and
// carves blocks from the top of a free block, so every 64 KiB keeps a
// remainder too small for a block at its start, on the free list, which
// malloc walks (every call here; in xv6 each time the heap grows): a read
// of one page in every 16, all over the heap. Without swap_pager.c's
// "Swap almost full", once RAM and swap were full the daemon kept freeing
// clean pages whose copy was on swap, the walk read them back, and no pass
// was ever futile: W crawled on (half an hour at 128 MiB with 512 MiB of
// swap). Now the pages read back keep no copy, and W is killed for memory
// (or refused by sbrk) soon after swap fills: about 2 minutes at 64 MiB
// with 160 MiB of swap, most of it the walks themselves, which cost the
// square of the heap. Too slow for every run: group walk runs only when
// named (`swaptests walk`), at that size.
#define WALK_BLOCK 10001
#define WALK_LIMIT (240 * 100)        // ticks the watchdog waits

static void walk_hog(void *arg)
{
  char *m1 = 0, *m2;

  (void)arg;
  while ((m2 = malloc(WALK_BLOCK)) != 0) {
    *(char **)m2 = m1;
    m1 = m2;
  }
  while (m1 != 0) {
    m2 = *(char **)m1;
    free(m1);
    m1 = m2;
  }
  exit(0);
}

static void walk_watchdog(void *arg)
{
  sleep(WALK_LIMIT);
  kill((int)(uintptr_t)arg);
  exit(7);
}

static int walk_malloc_until_oom(void)
{
  int w, d, first;

  TL_CHECK(swap_total() > 0, "no swap device");
  TL_CHECK((w = fork()) >= 0, "fork: %s", strerror(errno));
  if (w == 0)
    walk_hog(0);
  TL_CHECK((d = fork()) >= 0, "fork: %s", strerror(errno));
  if (d == 0)
    walk_watchdog((void *)(uintptr_t)w);
  first = wait(0);
  kill(first == w ? d : w);
  wait(0);
  TL_CHECK(first == w, "W still running after %d s", WALK_LIMIT / 100);
  return 0;
}

static void group_walk(void)
{
  tl_run("malloc_until_oom", walk_malloc_until_oom);
}

static void group_oom(void)
{
  tl_run("stuck_victim", oom_stuck_victim);
}

// After every group: the swap in use is what it was at the start (both
// measured after a full page-out).
static int swap_back(void)
{
  struct vmstats vs;

  TL_CHECK(vmreclaim(1L << 40) >= 0 && vmstat(&vs) == 0, "vmstat");
  TL_CHECK(vs.swap_used == st0.swap_used, "swap used %lu at the start, %lu "
           "now", st0.swap_used, vs.swap_used);
  return 0;
}

// The file groups are in user/swaptests/t_freuse.c and t_file.c (tf.h),
// the system-call groups in t_sys.c, t_fork.c and t_lock.c (sys.h).

static const struct {
  const char *name;
  void (*body)(void);
} sw_groups[] = {
  { "anon", group_anon },
  { "cow", group_cow },
  { "mlock", group_mlock },
  { "madvfree", group_madvfree },
  { "file", group_file },
  { "freuse", swf_reuse },
  { "ftrunc", swf_trunc },
  { "fshare", swf_share },
  { "fdisk", swf_disk },               // only when named: slow
  { "fexec", swf_exec },
  { "mincore", group_mincore },
  { "oom", group_oom },
  { "sysbuf", ss_group_sysbuf },
  { "shrink", ss_group_shrink },
  { "inherit", ss_group_inherit },
  { "kill", ss_group_kill },
  { "lockswap", ss_group_lockswap },
  { "exhaust", ss_group_exhaust },
  { "walk", group_walk },              // only when named: see above
  { "baddisk", ss_group_baddisk },     // only when named: t_bad.c
  { "busy", ss_group_busy },           // t_busy.c
  { "readahead", ss_group_readahead }, // t_ra.c
};

#define SW_NGROUPS ((int)(sizeof(sw_groups) / sizeof(sw_groups[0])))

static const char *sw_group_name(int i)
{
  return sw_groups[i].name;
}

int main(int argc, char **argv)
{
  int i, k;

  if ((k = tl_args("swaptests", argc, argv, sw_group_name, SW_NGROUPS)) >= 0)
    exit(k);
  tl_start("swaptests");
  vmreclaim(1L << 40);
  vmstat(&st0);
  for (k = 0; k < SW_NGROUPS; k++) {
    for (i = 1; i < argc && strcmp(argv[i], sw_groups[k].name) != 0; i++)
      ;
    if ((argc < 2 && sw_groups[k].body != group_walk &&
         sw_groups[k].body != swf_disk &&
         sw_groups[k].body != ss_group_baddisk) || i < argc)
      tl_group_oom(sw_groups[k].name, sw_groups[k].body);
  }
  tl_run("swap_back", swap_back);
  exit(tl_finish());
}
