// SPDX-License-Identifier: MIT
// vmstress [seed [seconds]]: random memory system calls against a model.
//
// Main forks NWORKERS workers. Each worker keeps up to NREGION regions of
// memory (anonymous private or shared, a shared or private mapping of its
// own file, and a piece of heap from sbrk) and, until the time is up, picks
// random operations: map, unmap part, mprotect, write pages, check pages,
// madvise, minherit, mlock / munlock / mlockall, write() or read() of its
// file, and fork. Every page's expected contents live in the model as a
// 32-bit tag: word j of a page with tag t holds pattern(t, j), tag 0 is a
// zero page. Every read of mapped memory is compared with the model, and
// every call's result with what docs/semantics.md promises.
//
// Fork: the child first checks every region against the inheritance rule
// (SHARE and COPY: the parent's contents; ZERO: zeros; NONE: unmapped),
// then writes one page of each shared anonymous region and tells the
// parent the new tags through a pipe, which the parent applies to its model
// (proving SHARE). The child then unmaps everything that depends on state
// the parent keeps changing (shared regions, the parent's file), makes its
// own file, and works on its copy-on-write copies for a while: both sides
// now write the same COW regions, and each checks it never sees the
// other's writes.
//
// Two rules of the kernel shape the model: wiring private file memory
// copies its pages into the entry's own object (so they stop following the
// file), and MADV_FREE may zero anonymous pages nobody else can see.
//
// seconds count the kernel's clock (uptime ticks); under QEMU with more
// harts than host cores a run takes longer on the wall clock.
//
// Every process, as it exits, writes (checks, failures) to a results pipe;
// main sums them and prints "vmstress: N checks, M failed", then the run's
// result as one test: "PASS vmstress" and "vmstress: 1 passed, 0 failed",
// or FAIL and "0 passed, 1 failed". A process killed by a fault counts as
// a failed check in its parent. If the memory calls
// are missing (ENOSYS) the worker goes on with the heap region only.
#include "user/user.h"

#define NWORKERS    3
#define NREGION     8
#define MAXPAGES    16          // pages per region
#define FILEPAGES   16          // pages of each process's file
#define CHILD_OPS   200         // operations a forked child does at most
#define MAXREPORT   8           // failures described per process

#define TAG_FOLLOW  0xffffffffu // private file page not yet written
#define TAG_MAYBE   0x80000000u // MADV_FREE: this tag or zeros

enum kind { K_NONE, K_HEAP, K_ANON, K_ANON_SHARED, K_FILE_SHARED,
            K_FILE_PRIVATE };
static const char *kind_name[] = {"none", "heap", "anon", "anon-shared",
                                  "file-shared", "file-private"};

struct region {
  enum kind kind;
  char *addr;
  int npages;
  int prot;
  int inherit;
  int locked;
  int fileoff;                  // file kinds: file page of the first page
  uint32 tags[MAXPAGES];        // anon kinds and private file pages
  char hist[24];                // the last operations on it, for reports
};

// Everything one process knows: its regions, its file, its counters.
struct state {
  uint64 rng;
  struct region reg[NREGION];
  int fd;                       // the file, or -1
  char fname[16];
  uint32 ftags[FILEPAGES];      // the file's contents by page
  int have_mm;                  // the memory calls exist
  int child;                    // pid of the running child, or 0
  int depth;                    // fork generation (0 = a worker)
  long checks, fails;
};

static struct state st;
static int results_fd;

// Remember operation c (and its argument digit d) in r's history.
static void note(struct region *r, char c, int d)
{
  int n = strlen(r->hist);

  if (n + 2 >= (int)sizeof(r->hist)) {
    memmove(r->hist, r->hist + 2, n - 1);
    n -= 2;
  }
  r->hist[n] = c;
  r->hist[n + 1] = (char)('0' + d % 10);
  r->hist[n + 2] = '\0';
}

// --- Helpers: random numbers, patterns, failures -------------------------

static uint64 rnd(void)
{
  st.rng ^= st.rng << 13;
  st.rng ^= st.rng >> 7;
  st.rng ^= st.rng << 17;
  return st.rng;
}

static int pick(int n)
{
  return (int)(rnd() % (uint64)n);
}

static uint32 new_tag(void)
{
  return ((uint32)rnd() & 0x7ffffff0u) | 1;
}

static uint64 pattern(uint32 tag, int j)
{
  return tag == 0 ? 0 : ((uint64)tag << 32 | (uint32)j) * 0x9e3779b97f4a7c15ul;
}

static void fill(char *page, uint32 tag)
{
  uint64 *w = (uint64 *)page;
  for (int j = 0; j < PGSIZE / 8; j++)
    w[j] = pattern(tag, j);
}

// Record one check; on failure print what (at most MAXREPORT times).
static void expect(int ok, const char *what, long a, long b)
{
  st.checks++;
  if (ok)
    return;
  if (st.fails++ < MAXREPORT)
    printf("vmstress: pid %d: FAIL %s (%ld, %ld) errno %d\n", getpid(), what,
           a, b, errno);
}

// The tag page i of r must hold.
static uint32 expected(struct region *r, int i)
{
  if (r->kind == K_FILE_SHARED)
    return st.ftags[r->fileoff + i];
  if (r->kind == K_FILE_PRIVATE && r->tags[i] == TAG_FOLLOW)
    return st.ftags[r->fileoff + i];
  return r->tags[i];
}

// Does page hold tag (or zeros, if tag carries TAG_MAYBE)?
static int page_matches(const char *page, uint32 tag)
{
  const uint64 *w = (const uint64 *)page;
  uint32 t = tag & ~TAG_MAYBE;

  if ((tag & TAG_MAYBE) && w[0] == 0)
    t = 0;
  for (int j = 0; j < PGSIZE / 8; j++)
    if (w[j] != pattern(t, j))
      return 0;
  return 1;
}

// The tag a page's first word was written with (0x9e37... times its
// inverse is 1 mod 2^64).
static uint32 tag_of(const char *page)
{
  return (uint32)((*(const uint64 *)page * 0xf1de83e19937733dul) >> 32);
}

static void check_page(struct region *r, int i)
{
  const char *page = r->addr + (long)i * PGSIZE;
  uint32 tag = expected(r, i);

  st.checks++;
  if (page_matches(page, tag))
    return;
  if (st.fails++ < MAXREPORT)
    printf("vmstress: pid %d: FAIL %s page %d of %d at %p (file page %d): "
           "want tag %x, found %x; history %s\n", getpid(), kind_name[r->kind],
           i, r->npages, page, r->fileoff + i, tag, tag_of(page), r->hist);
}

static void check_region(struct region *r)
{
  if (r->kind == K_NONE || !(r->prot & PROT_READ))
    return;
  for (int i = 0; i < r->npages; i++)
    check_page(r, i);
}

// Write a new tag into page i of r (which must be writable).
static void write_page(struct region *r, int i)
{
  uint32 tag = new_tag();

  fill(r->addr + (long)i * PGSIZE, tag);
  if (r->kind == K_FILE_SHARED)
    st.ftags[r->fileoff + i] = tag;
  else
    r->tags[i] = tag;
}

static struct region *random_region(void)
{
  struct region *r = &st.reg[pick(NREGION)];
  return r->kind == K_NONE ? NULL : r;
}

// Wiring private file memory copies every page into the entry's own
// object at once (vm_fault: wired pages always live in the front object,
// so no later fault, not even copy-on-write, is ever needed), so from then
// on those pages no longer follow the file, whatever the protection.
static void snapshot(struct region *r)
{
  if (r->kind != K_FILE_PRIVATE || r->prot == PROT_NONE)
    return;
  for (int i = 0; i < r->npages; i++)
    if (r->tags[i] == TAG_FOLLOW)
      r->tags[i] = st.ftags[r->fileoff + i];
}

static struct region *free_slot(void)
{
  for (int i = 0; i < NREGION; i++)
    if (st.reg[i].kind == K_NONE)
      return &st.reg[i];
  return NULL;
}

// mincore says every page of [addr, addr + npages) is resident (want 1)
// or the range is not mapped (want 0: ENOMEM).
static void check_mincore(char *addr, int npages, int want)
{
  char vec[MAXPAGES];
  int rc = mincore(addr, (size_t)npages * PGSIZE, vec);

  if (!want) {
    expect(rc < 0 && errno == ENOMEM, "mincore unmapped", (long)addr, rc);
    return;
  }
  expect(rc == 0, "mincore", (long)addr, rc);
  for (int i = 0; rc == 0 && i < npages; i++)
    expect(vec[i] & MINCORE_INCORE, "mincore resident", (long)addr, i);
}

// --- The file -------------------------------------------------------------

// Make this process's own file of FILEPAGES pages with fresh tags.
static void file_create(void)
{
  static char page[PGSIZE];

  snprintf(st.fname, sizeof(st.fname), "vms.%d", getpid());
  st.fd = open(st.fname, O_CREATE | O_RDWR);
  expect(st.fd >= 0, "open file", 0, st.fd);
  if (st.fd < 0)
    return;
  for (int i = 0; i < FILEPAGES; i++) {
    st.ftags[i] = new_tag();
    fill(page, st.ftags[i]);
    expect(write(st.fd, page, PGSIZE) == PGSIZE, "file write", i, 0);
  }
}

static void file_remove(void)
{
  if (st.fd < 0)
    return;
  close(st.fd);
  unlink(st.fname);
  st.fd = -1;
}

// write() a fresh page into the file: every shared mapping and every
// unwritten private page must see it at once.
static void op_filewrite(void)
{
  static char page[PGSIZE];
  int i = pick(FILEPAGES);
  uint32 tag = new_tag();

  if (st.fd < 0)
    return;
  fill(page, tag);
  lseek(st.fd, (off_t)i * PGSIZE, SEEK_SET);
  expect(write(st.fd, page, PGSIZE) == PGSIZE, "file write", i, 0);
  st.ftags[i] = tag;
}

// read() a file page, into a static buffer or straight into a writable
// region page (a kernel write into maybe copy-on-write memory).
static void op_fileread(void)
{
  static char page[PGSIZE];
  struct region *r = random_region();
  int i = pick(FILEPAGES), j;
  char *dst = page;

  if (st.fd < 0)
    return;
  if (r != NULL && (r->prot & PROT_WRITE) && r->kind != K_FILE_SHARED &&
      (r->kind != K_FILE_PRIVATE || r->fileoff + r->npages <= FILEPAGES)) {
    j = pick(r->npages);
    dst = r->addr + (long)j * PGSIZE;
  } else
    r = NULL;
  lseek(st.fd, (off_t)i * PGSIZE, SEEK_SET);
  expect(read(st.fd, dst, PGSIZE) == PGSIZE, "file read", i, 0);
  expect(page_matches(dst, st.ftags[i]), "file read data", i, st.ftags[i]);
  if (r != NULL) {
    r->tags[j] = st.ftags[i];
    note(r, 'r', j);
  }
}

// --- Mapping operations ----------------------------------------------------

static void op_map(void)
{
  struct region *r = free_slot();
  int n = 1 + pick(MAXPAGES), flags, fd = -1;
  off_t off = 0;

  if (r == NULL || !st.have_mm)
    return;
  memset(r, 0, sizeof(*r));
  r->kind = K_ANON + pick(st.fd >= 0 ? 4 : 2);
  r->prot = PROT_READ | PROT_WRITE;
  r->npages = n;
  flags = r->kind == K_ANON_SHARED || r->kind == K_FILE_SHARED ? MAP_SHARED
                                                               : MAP_PRIVATE;
  r->inherit = flags == MAP_SHARED ? INHERIT_SHARE : INHERIT_COPY;
  if (r->kind == K_ANON || r->kind == K_ANON_SHARED)
    flags |= MAP_ANON;
  else {
    fd = st.fd;
    r->fileoff = pick(FILEPAGES - n + 1);
    off = (off_t)r->fileoff * PGSIZE;
  }
  r->addr = mmap(NULL, (size_t)n * PGSIZE, r->prot, flags, fd, off);
  expect(r->addr != MAP_FAILED, "mmap", r->kind, n);
  if (r->addr == MAP_FAILED) {
    r->kind = K_NONE;
    return;
  }
  for (int i = 0; i < n; i++)
    r->tags[i] = r->kind == K_FILE_PRIVATE ? TAG_FOLLOW : 0;
  note(r, 'm', r->kind);
  check_region(r);
}

// Unmap the whole region or a few pages at either end.
static void op_unmap(void)
{
  struct region *r = random_region();
  int k;

  if (r == NULL || r->kind == K_HEAP || !st.have_mm)
    return;
  k = 1 + pick(r->npages);
  if (pick(2)) {               // the top k pages
    expect(munmap(r->addr + (long)(r->npages - k) * PGSIZE,
                  (size_t)k * PGSIZE) == 0, "munmap top", (long)r->addr, k);
    check_mincore(r->addr + (long)(r->npages - k) * PGSIZE, k, 0);
  } else {                     // the bottom k pages
    expect(munmap(r->addr, (size_t)k * PGSIZE) == 0, "munmap bottom",
           (long)r->addr, k);
    check_mincore(r->addr, k, 0);
    r->addr += (long)k * PGSIZE;
    r->fileoff += k;
    memmove(r->tags, r->tags + k, sizeof(r->tags[0]) * (r->npages - k));
  }
  r->npages -= k;
  note(r, 'u', k);
  if (r->npages == 0)
    r->kind = K_NONE;
  check_region(r);
}

static void op_protect(void)
{
  static const int prots[] = {PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
                              PROT_READ | PROT_WRITE};
  struct region *r = random_region();
  int prot = prots[pick(4)];

  if (r == NULL || r->kind == K_HEAP || !st.have_mm)
    return;
  if (r->locked && prot == PROT_NONE)
    prot = PROT_READ;           // keep mlock's promise simple to check
  expect(mprotect(r->addr, (size_t)r->npages * PGSIZE, prot) == 0,
         "mprotect", (long)r->addr, prot);
  r->prot = prot;
  note(r, 'p', prot);
  if (r->locked)
    snapshot(r);
  check_region(r);
}

static void op_write(void)
{
  struct region *r = random_region();
  int n;

  if (r == NULL || !(r->prot & PROT_WRITE))
    return;
  n = 1 + pick(r->npages);
  note(r, 'w', n);
  for (int i = 0; i < n; i++)
    write_page(r, pick(r->npages));
}

static void op_advise(void)
{
  static const int advice[] = {MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL,
                               MADV_WILLNEED, MADV_DONTNEED, MADV_FREE};
  struct region *r = random_region();
  int a = advice[pick(6)];

  if (r == NULL || r->kind == K_HEAP || !st.have_mm)
    return;
  expect(madvise(r->addr, (size_t)r->npages * PGSIZE, a) == 0, "madvise",
         (long)r->addr, a);
  note(r, 'a', a);
  // FREE may discard anonymous pages that are not wired and that no other
  // object or mapping can see (shared memory no longer shared, too).
  if (a == MADV_FREE && (r->kind == K_ANON || r->kind == K_ANON_SHARED) &&
      !r->locked)
    for (int i = 0; i < r->npages; i++)
      if (r->tags[i] != 0)
        r->tags[i] |= TAG_MAYBE;
  check_region(r);
}

static void op_inherit(void)
{
  struct region *r = random_region();
  int inh = pick(4);

  if (r == NULL || r->kind == K_HEAP || !st.have_mm)
    return;
  expect(minherit(r->addr, (size_t)r->npages * PGSIZE, inh) == 0, "minherit",
         (long)r->addr, inh);
  r->inherit = inh;
  note(r, 'i', inh);
}

// mlockall(MCL_CURRENT), then munlockall at once.
static void lock_all(void)
{
  int rc = mlockall(MCL_CURRENT);

  expect(rc == 0 || errno == ENOMEM || errno == EAGAIN, "mlockall", rc, 0);
  for (int i = 0; i < NREGION; i++) {
    struct region *q = &st.reg[i];
    if (q->kind != K_NONE)
      note(q, 'A', rc == 0);
    if (rc == 0)
      snapshot(q);
    else if (q->kind == K_FILE_PRIVATE) {
      // Failed part way: which pages were copied is unknown. Drop it.
      expect(munmap(q->addr, (size_t)q->npages * PGSIZE) == 0, "munmap",
             (long)q->addr, 0);
      q->kind = K_NONE;
    }
  }
  expect(munlockall() == 0, "munlockall", 0, 0);
  for (int i = 0; i < NREGION; i++)
    st.reg[i].locked = 0;
}

// mlock r (ENOMEM if it is PROT_NONE); its pages must then be resident.
static void lock_one(struct region *r)
{
  int rc = mlock(r->addr, (size_t)r->npages * PGSIZE);

  if (r->prot == PROT_NONE) {
    expect(rc < 0 && errno == ENOMEM, "mlock PROT_NONE", (long)r->addr, rc);
    return;
  }
  expect(rc == 0, "mlock", (long)r->addr, rc);
  note(r, 'l', rc == 0);
  r->locked = rc == 0;
  if (r->locked) {
    snapshot(r);
    check_mincore(r->addr, r->npages, 1);
  }
}

// mlock / munlock one region, or now and then mlockall + munlockall.
static void op_lock(void)
{
  struct region *r = random_region();

  if (r == NULL || !st.have_mm)
    return;
  if (pick(8) == 0)
    lock_all();
  else if (r->locked) {
    expect(munlock(r->addr, (size_t)r->npages * PGSIZE) == 0, "munlock",
           (long)r->addr, 0);
    note(r, 'L', 0);
    r->locked = 0;
  } else
    lock_one(r);
  check_region(r);
}

// --- Fork ---------------------------------------------------------------

// What a child tells its parent: "page of region reg now holds tag";
// reg -1 ends the list.
struct share_note {
  int reg, page;
  uint32 tag;
};

static void process_exit(void) __attribute__((noreturn));
static void run(int maxops, int deadline);

// In the parent: set the model of page i of r to tag, written by a child
// through memory the two share.
static void apply_note(struct region *r, int i, uint32 tag)
{
  if (r->kind == K_FILE_SHARED)
    st.ftags[r->fileoff + i] = tag;
  else
    r->tags[i] = tag;
}

// In a new child: check region r against its inheritance, then keep it only
// if nothing the parent does later can change it.
static void child_adopt(struct region *r, int idx, int wfd)
{
  struct share_note sn;

  r->locked = 0;                              // locks are not inherited
  if (r->inherit == INHERIT_NONE) {
    check_mincore(r->addr, r->npages, 0);
    r->kind = K_NONE;
    return;
  }
  if (r->inherit == INHERIT_ZERO) {
    memset(r->tags, 0, sizeof(r->tags));
    r->kind = K_ANON;
    check_region(r);
    return;
  }
  check_region(r);
  if (r->inherit == INHERIT_SHARE && (r->prot & PROT_WRITE)) {
    sn.reg = idx;
    sn.page = pick(r->npages);
    write_page(r, sn.page);
    sn.tag = expected(r, sn.page);
    expect(write(wfd, &sn, sizeof(sn)) == sizeof(sn), "note", idx, 0);
  }
  if (r->inherit == INHERIT_SHARE || r->kind == K_FILE_SHARED ||
      r->kind == K_FILE_PRIVATE) {
    expect(munmap(r->addr, (size_t)r->npages * PGSIZE) == 0, "child munmap",
           (long)r->addr, r->npages);
    r->kind = K_NONE;
  }
}

static void child_main(int wfd, int deadline)
{
  struct share_note end = {-1, 0, 0};

  st.depth++;
  st.child = 0;
  st.checks = st.fails = 0;
  st.rng ^= (uint64)getpid() * 0x2545f4914f6cdd1dul;
  for (int i = 0; i < NREGION; i++)
    if (st.reg[i].kind != K_NONE)
      child_adopt(&st.reg[i], i, wfd);
  if (st.fd >= 0)
    close(st.fd);                             // the parent's: shared offset
  st.fd = -1;
  file_create();
  write(wfd, &end, sizeof(end));
  close(wfd);
  run(1 + pick(CHILD_OPS), deadline);
  process_exit();
}

static void reap_child(void)
{
  int status = 0;

  if (st.child == 0)
    return;
  expect(wait(&status) == st.child, "wait", st.child, 0);
  expect(status == 0, "child exit status", st.child, status);
  st.child = 0;
}

static void op_fork(int deadline)
{
  struct share_note sn;
  int p[2], pid;

  reap_child();
  if (st.depth >= 2 || pipe(p) < 0)
    return;
  if ((pid = fork()) == 0) {
    close(p[0]);
    child_main(p[1], deadline);
  }
  close(p[1]);
  expect(pid > 0, "fork", pid, 0);
  for (int i = 0; i < NREGION; i++)
    if (st.reg[i].kind != K_NONE)
      note(&st.reg[i], 'f', st.reg[i].inherit);
  st.child = pid > 0 ? pid : 0;
  for (;;) {
    if (read(p[0], &sn, sizeof(sn)) != sizeof(sn)) {
      expect(pid < 0, "child handshake", pid, 0);
      break;
    }
    if (sn.reg < 0)
      break;
    apply_note(&st.reg[sn.reg], sn.page, sn.tag);
  }
  close(p[0]);
}

// --- Workers and main ------------------------------------------------------

static void run(int maxops, int deadline)
{
  for (int n = 0; n < maxops && uptime() < deadline; n++) {
    struct region *r;
    switch (pick(17)) {
    case 0: case 1: op_map(); break;
    case 2: op_unmap(); break;
    case 3: op_protect(); break;
    case 4: case 5: case 6: op_write(); break;
    case 7: case 8:
      if ((r = random_region()) != NULL)
        check_region(r);
      break;
    case 9: op_advise(); break;
    case 10: op_inherit(); break;
    case 11: op_lock(); break;
    case 12: case 13: op_filewrite(); break;
    case 14: op_fileread(); break;
    case 15: if (pick(3) == 0) op_fork(deadline); break;
    default:
      for (int i = 0; i < NREGION; i++)
        check_region(&st.reg[i]);
    }
  }
}

// Report this process's counts to main and exit.
static void process_exit(void)
{
  long rec[2];

  reap_child();
  for (int i = 0; i < NREGION; i++)
    check_region(&st.reg[i]);
  file_remove();
  rec[0] = st.checks;
  rec[1] = st.fails;
  write(results_fd, rec, sizeof(rec));
  exit(0);
}

// A heap region from sbrk, page aligned; and whether mmap exists at all.
static void worker_init(void)
{
  struct region *r = &st.reg[0];
  char *p = sbrk((MAXPAGES + 1) * PGSIZE);
  void *probe;

  expect(p != (char *)-1, "sbrk", 0, 0);
  if (p != (char *)-1) {
    r->kind = K_HEAP;
    r->addr = (char *)(((unsigned long)p + PGSIZE - 1) & ~(PGSIZE - 1ul));
    r->npages = MAXPAGES;
    r->prot = PROT_READ | PROT_WRITE;
    r->inherit = INHERIT_COPY;
    check_region(r);
  }
  probe = mmap(NULL, PGSIZE, PROT_READ, MAP_ANON | MAP_PRIVATE, -1, 0);
  st.have_mm = probe != MAP_FAILED;
  if (st.have_mm)
    munmap(probe, PGSIZE);
  else
    expect(errno == ENOSYS, "mmap probe", 0, errno);
  file_create();
}

// Start the workers, collect their results, and wait for every process.
// Runs in a child of main, so that what it does to its own memory cannot
// look like a leak. Prints the run's line and exits with the number of
// checks in *checks and failures in the status (capped).
static void conduct(int seed, int seconds, long *checks, long *fails)
{
  long rec[2], procs = 0;
  int res[2], deadline, status;

  if (pipe(res) < 0) {
    printf("vmstress: pipe: %s\n", strerror(errno));
    (*fails)++;
    return;
  }
  deadline = uptime() + seconds * 100;
  for (int w = 0; w < NWORKERS; w++) {
    int pid = fork();
    if (pid == 0) {
      close(res[0]);
      results_fd = res[1];
      st.rng = (uint64)(seed * NWORKERS + w) * 0x9e3779b97f4a7c15ul + 1;
      worker_init();
      run(1 << 30, deadline);
      process_exit();
    }
    if (pid < 0)
      (*fails)++;
  }
  close(res[1]);
  while (read(res[0], rec, sizeof(rec)) == sizeof(rec))
    *checks += rec[0], *fails += rec[1], procs++;
  close(res[0]);
  while (wait(&status) > 0)
    if (status != 0)
      (*fails)++;
  printf("vmstress: seed %d, %d s, %ld processes\n", seed, seconds, procs);
}

// The counts come back from the conductor through a pipe; then one more
// check: with every process gone, free + kmem pages are what they were.
int
main(int argc, char *argv[])
{
  int seed = argc > 1 ? atoi(argv[1]) : 1;
  int seconds = argc > 2 ? atoi(argv[2]) : 30;
  long counts[2] = {0, 0};
  unsigned long free0, free1;
  struct vmstats vs;
  int fds[2], pid;

  // Files the run reads or runs stay cached after it (kernel/vnode_cache.c):
  // count both times with that cache dropped.
  vmreclaim(0);
  free0 = vmstat(&vs) == 0 ? vs.free + vs.kmem : 0;
  if (pipe(fds) < 0 || (pid = fork()) < 0) {
    printf("vmstress: cannot start: %s\nvmstress: 0 passed, 1 failed\n",
           strerror(errno));
    return 1;
  }
  if (pid == 0) {
    close(fds[0]);
    conduct(seed, seconds, &counts[0], &counts[1]);
    write(fds[1], counts, sizeof(counts));
    exit(0);
  }
  close(fds[1]);
  if (read(fds[0], counts, sizeof(counts)) != sizeof(counts))
    counts[1]++;
  close(fds[0]);
  wait(0);
  vmreclaim(0);
  free1 = vmstat(&vs) == 0 ? vs.free + vs.kmem : 0;
  counts[0]++;
  if (free1 != free0) {
    printf("vmstress: free+kmem pages %lu -> %lu: leak\n", free0, free1);
    counts[1]++;
  }
  // One run is one test: make check counts tests, and the number of
  // checks depends on the machine's speed.
  printf("vmstress: %ld checks, %ld failed\n", counts[0], counts[1]);
  if (counts[1] == 0)
    printf("PASS vmstress\n");
  else
    printf("FAIL vmstress: user/vmstress.c: %ld of %ld checks failed (seed %d)\n",
           counts[1], counts[0], seed);
  printf("vmstress: %d passed, %d failed\n", counts[1] == 0, counts[1] != 0);
  return counts[1] != 0;
}
