// SPDX-License-Identifier: MIT
// sysfuzz: the victims (see user/sysfuzz/sf.h).
//
// A victim maps one of each kind of memory (sf_victim_arenas), then makes
// random system calls with arguments from args.c until the run's deadline
// or its own call budget, and exits; the supervisor then starts the next.
// It may fork children of its own (which make a few calls and exit), exec
// (a copy of sysfuzz that exits at once), kill itself, or die from a fault
// it provokes on purpose: all expected.
//
// Every call goes through sf_call, which first writes it into the worker's
// ring in the shared mapping (SF_INFLIGHT), then traps with the raw
// arguments (all six registers, so an int argument may carry garbage in
// its upper half), then stores the result and counts progress. A call
// that never comes back stays SF_INFLIGHT for the watchdog to print.
//
// Blocking is the one thing a victim must never do on purpose, or the
// watchdog could not tell a hung kernel from a patient victim. So the
// victim knows its descriptors (fds[]): it never reads a device (the
// console waits for input forever), reads a pipe only as many bytes as it
// knows are in it, and writes a pipe only as many as fit. sleep() gets
// short or negative counts; kill() only hits init (EPERM), itself, its
// children, or no process at all.
#include "user/sysfuzz/sf.h"
#include "kernel/param.h"
#include "kernel/syscall.h"

#define PIPESIZE   2048       // kernel/pipe.c
#define NPIPE      8
#define MAXCALLS   1500       // calls a victim makes before it exits
#define CHILDCALLS 40         // ... and a victim's child at most

enum { FD_CLOSED, FD_FILE, FD_DIR, FD_DEV, FD_PIPE_R, FD_PIPE_W, FD_FOREIGN };

struct fdinfo {
  char kind;
  char pipe;                  // FD_PIPE_*: index in pipes[]
};

// What may be in a pipe: lo bytes surely (reads of up to lo never block),
// hi at most (writes of up to PIPESIZE - hi never block).
struct pipeinfo {
  int lo, hi;
};

static struct fdinfo fds[NOFILE];
static struct pipeinfo pipes[NPIPE];
static int npipe;
static struct sf_worker *me;
static int depth;             // 0: the victim; 1: its child
static int children[8];       // pids forked by this process, for kill

// Every path the fuzzer may create or remove, plus some that must fail.
// Absolute, so chdir() cannot move what the conductor cleans up.
static const char *const pool[] = {
  "/sf.a", "/sf.b", "/sf.c", "/sfd", "/sfd/a", "/sfd/b", "/sf.a/x",
  "/sfd/../sf.b", "/sysfuzz", "/console", "/", ".", "..", "",
  "/nonexistent/x", "/sfd/b/",
};

const char *sf_pool_name(int i) { return pool[i]; }
int sf_pool_size(void) { return sizeof(pool) / sizeof(pool[0]); }

long sf_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
  register long r0 __asm__("a0") = a0;
  register long r1 __asm__("a1") = a1;
  register long r2 __asm__("a2") = a2;
  register long r3 __asm__("a3") = a3;
  register long r4 __asm__("a4") = a4;
  register long r5 __asm__("a5") = a5;
  register long r7 __asm__("a7") = nr;

  __asm__ volatile("ecall"
                   : "+r"(r0)
                   : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7)
                   : "memory");
  return r0;
}

// --- The ring ---------------------------------------------------------------

static struct sf_call *ring_begin(int nr, const long *a)
{
  unsigned i = __atomic_fetch_add(&me->head, 1, __ATOMIC_RELAXED);
  struct sf_call *c = &me->ring[i % SF_RING];

  c->state = SF_EMPTY;
  c->pid = getpid();
  c->nr = (short)nr;
  for (int k = 0; k < 6; k++)
    c->a[k] = a[k];
  c->ret = 0;
  __atomic_store_n(&c->state, SF_INFLIGHT, __ATOMIC_RELEASE);
  return c;
}

static void ring_end(struct sf_call *c, long ret)
{
  c->ret = ret;
  __atomic_store_n(&c->state, SF_DONE, __ATOMIC_RELEASE);
  __atomic_fetch_add(&me->progress, 1, __ATOMIC_RELAXED);
}

static const char *const names[] = {
  [SYS_fork] = "fork", [SYS_exit] = "exit", [SYS_wait] = "wait",
  [SYS_pipe] = "pipe", [SYS_read] = "read", [SYS_kill] = "kill",
  [SYS_exec] = "exec", [SYS_fstat] = "fstat", [SYS_chdir] = "chdir",
  [SYS_dup] = "dup", [SYS_getpid] = "getpid", [SYS_sbrk] = "sbrk",
  [SYS_sleep] = "sleep", [SYS_uptime] = "uptime", [SYS_open] = "open",
  [SYS_write] = "write", [SYS_mknod] = "mknod", [SYS_unlink] = "unlink",
  [SYS_link] = "link", [SYS_mkdir] = "mkdir", [SYS_close] = "close",
  [SYS_mmap] = "mmap", [SYS_munmap] = "munmap", [SYS_mprotect] = "mprotect",
  [SYS_madvise] = "madvise", [SYS_minherit] = "minherit",
  [SYS_mlock] = "mlock", [SYS_munlock] = "munlock",
  [SYS_mlockall] = "mlockall", [SYS_munlockall] = "munlockall",
  [SYS_mincore] = "mincore", [SYS_msync] = "msync",
  [SYS_getrlimit] = "getrlimit", [SYS_setrlimit] = "setrlimit",
  [SYS_halt] = "halt", [SYS_vmstat] = "vmstat", [SYS_vmmap] = "vmmap",
  [SYS_lseek] = "lseek", [SYS_ftruncate] = "ftruncate",
  [SYS_vmreclaim] = "vmreclaim", [SYS_swapraw] = "swapraw",
};

void sf_print_call(const struct sf_call *c)
{
  const char *name = "syscall?";

  if (c->nr == SF_TOUCH_READ)
    name = "touch-read";
  else if (c->nr == SF_TOUCH_WRITE)
    name = "touch-write";
  else if (c->nr >= 0 && c->nr < NSYSCALL && names[c->nr] != NULL)
    name = names[c->nr];
  printf("  pid %d %s#%d(%lx, %lx, %lx, %lx, %lx, %lx)", c->pid, name, c->nr,
         c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5]);
  // No result: the process is still in the call, or died in it (a touch
  // that faulted, exit, exec, a kill).
  if (c->state == SF_INFLIGHT)
    printf(vmmap(c->pid, NULL, 0) >= 0 ? " ... still in the kernel\n"
                                       : " ... no result, process gone\n");
  else
    printf(" = %ld\n", c->ret);
}

// Record an oracle failure: the first one's reason is kept for the report.
static void oracle_fail(const char *what, int nr, long ret)
{
  if (__atomic_fetch_add(&sf_sh->failed, 1, __ATOMIC_RELAXED) == 0)
    snprintf(sf_sh->reason, sizeof(sf_sh->reason),
             "pid %d: %s (call %d returned %ld)", getpid(), what, nr, ret);
}

static long sf_call(int nr, long a0, long a1, long a2, long a3, long a4,
                    long a5)
{
  long a[6] = {a0, a1, a2, a3, a4, a5};
  struct sf_call *c = ring_begin(nr, a);
  long ret = sf_syscall(nr, a0, a1, a2, a3, a4, a5);

  ring_end(c, ret);
  if (ret < 0 && ret >= -4095 && -ret > ELAST && nr != SYS_sbrk &&
      nr != SYS_mmap)
    oracle_fail("unknown errno", nr, ret);
  return ret;
}

#define CALL0(nr) sf_call(nr, 0, 0, 0, 0, 0, 0)
#define CALL1(nr, a) sf_call(nr, (long)(a), 0, 0, 0, 0, 0)
#define CALL2(nr, a, b) sf_call(nr, (long)(a), (long)(b), 0, 0, 0, 0)
#define CALL3(nr, a, b, c) sf_call(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)

// --- Descriptors ------------------------------------------------------------

// What descriptor fd is, from fstat (a pipe has no stat: -EINVAL).
static void fd_classify(int fd)
{
  struct stat *st = (struct stat *)sf_scratch;
  long rc = sf_syscall(SYS_fstat, fd, (long)st, 0, 0, 0, 0);

  if (rc == -EBADF)
    fds[fd].kind = FD_CLOSED;
  else if (rc < 0)
    fds[fd].kind = FD_FOREIGN;
  else if (st->type == T_FILE)
    fds[fd].kind = FD_FILE;
  else if (st->type == T_DIR)
    fds[fd].kind = FD_DIR;
  else
    fds[fd].kind = FD_DEV;
}

// A descriptor to use: mostly an open one, else closed or out of range
// (some with garbage above bit 31 that a truncating kernel would misread).
static long some_fd(void)
{
  static const long bad[] = {-1, NOFILE, NOFILE + 1, 1000, 0x7fffffff,
                             (long)0x80000000u << 32, -0x80000000l};
  int fd = sf_pick(NOFILE);

  switch (sf_pick(6)) {
  case 0:
    return bad[sf_pick(sizeof(bad) / sizeof(bad[0]))];
  case 1:
    return fds[fd].kind == FD_CLOSED ? fd | 1l << 32 : fd;
  default:
    for (int i = 0; i < NOFILE; i++, fd = (fd + 1) % NOFILE)
      if (fds[fd].kind != FD_CLOSED)
        break;
    return fd;
  }
}

static struct fdinfo *fd_info(long fd)
{
  return fd >= 0 && fd < NOFILE ? &fds[fd] : NULL;
}

// Forget the pipe in slot i (reused): descriptors still naming it keep
// the pipe but are no longer read or written.
static int pipe_slot(void)
{
  int i = npipe++ % NPIPE;

  for (int fd = 0; fd < NOFILE; fd++)
    if ((fds[fd].kind == FD_PIPE_R || fds[fd].kind == FD_PIPE_W) &&
        fds[fd].pipe == i)
      fds[fd].kind = FD_FOREIGN;
  pipes[i].lo = pipes[i].hi = 0;
  return i;
}

// --- Calls on descriptors ------------------------------------------------

// How many bytes the kernel may write for a count of len (it clamps
// counts to 31 bits).
static uint64 write_bound(uint64 len)
{
  return len < 0x7fffffff ? len : 0x7fffffff;
}

static void op_read(void)
{
  long fd = some_fd();
  struct fdinfo *f = fd_info(fd);
  uint64 len = sf_len(), buf;
  long ret;

  if (f != NULL && (f->kind == FD_DEV || f->kind == FD_FOREIGN))
    return;                                 // would wait for input forever
  if (f != NULL && f->kind == FD_PIPE_R) {
    struct pipeinfo *p = &pipes[(int)f->pipe];
    if (p->lo == 0 && (long)len >= 0)
      return;
    if ((long)len > 0)
      len = 1 + sf_pick(p->lo);
  }
  buf = sf_ptr(write_bound(len));
  ret = CALL3(SYS_read, fd, buf, len);
  if (buf >= MAXUVA && (long)len > 0 && ret > 0)
    oracle_fail("read into a kernel address succeeded", SYS_read, ret);
  if (f != NULL && f->kind == FD_PIPE_R) {
    struct pipeinfo *p = &pipes[(int)f->pipe];
    if (ret >= 0)
      p->lo -= ret, p->hi -= ret;
    else
      p->lo = 0;                            // some may have gone: stop reading
    if (p->lo < 0 || p->hi < 0)
      oracle_fail("pipe read more than was written", SYS_read, ret);
  }
}

// Console output is kept small: '.'s from sf_dots (its last bytes run into
// a PROT_NONE page), or pointers that must fail, within a run-wide budget.
static uint64 console_buf(uint64 *len)
{
  int n = 1 + sf_pick(48);

  if (sf_pick(2) == 0 ||
      __atomic_fetch_add(&sf_sh->console, n, __ATOMIC_RELAXED) > SF_CONSOLE) {
    static const uint64 bad[] = {0, 0xffffffc000000000ul, MAXUVA, 8};
    return bad[sf_pick(4)];
  }
  if (sf_pick(2) == 0) {
    *len = sf_len();                        // stops at the PROT_NONE page
    return (uint64)sf_dots + PGSIZE - n;
  }
  *len = n;
  return (uint64)sf_dots + sf_pick(PGSIZE - n);
}

static void op_write(void)
{
  long fd = some_fd();
  struct fdinfo *f = fd_info(fd);
  uint64 len = sf_len(), buf = sf_ptr(0);
  long ret;

  if (f != NULL && f->kind == FD_FOREIGN)
    return;
  if (f != NULL && f->kind == FD_DEV)
    buf = console_buf(&len);
  if (f != NULL && f->kind == FD_PIPE_W) {
    struct pipeinfo *p = &pipes[(int)f->pipe];
    if (p->hi >= PIPESIZE && (long)len >= 0)
      return;
    if ((long)len >= 0)
      len = sf_pick(PIPESIZE - p->hi + 1);
  }
  ret = CALL3(SYS_write, fd, buf, len);
  if (buf >= MAXUVA && (long)len > 0 && ret > 0)
    oracle_fail("write from a kernel address succeeded", SYS_write, ret);
  if (f != NULL && f->kind == FD_PIPE_W && (long)len > 0) {
    struct pipeinfo *p = &pipes[(int)f->pipe];
    p->lo += ret > 0 ? ret : 0;
    p->hi += ret >= 0 ? ret : (long)len;
  }
}

static void op_open(void)
{
  static const int modes[] = {O_RDONLY, O_WRONLY, O_RDWR, O_CREATE | O_RDWR,
                              O_CREATE | O_TRUNC | O_RDWR, O_TRUNC | O_WRONLY,
                              O_CREATE | O_WRONLY};
  long mode = sf_pick(8) ? modes[sf_pick(7)] : sf_int();
  long ret = CALL2(SYS_open, sf_path(), mode);

  if (ret >= 0 && ret < NOFILE)
    fd_classify((int)ret);
}

static void op_pipe(void)
{
  uint64 buf = sf_pick(4) ? (uint64)sf_scratch : sf_ptr(8);
  long ret = CALL1(SYS_pipe, buf);
  int *fd = (int *)buf, i;

  if (buf >= MAXUVA && ret == 0)
    oracle_fail("pipe into a kernel address succeeded", SYS_pipe, ret);
  if (ret != 0 || buf >= MAXUVA)
    return;
  i = pipe_slot();
  for (int k = 0; k < 2; k++) {
    // The buffer may be shared with a child: check what it says.
    if (fd[k] < 0 || fd[k] >= NOFILE)
      continue;
    fd_classify(fd[k]);
    if (fds[fd[k]].kind == FD_FOREIGN) {
      fds[fd[k]].kind = k == 0 ? FD_PIPE_R : FD_PIPE_W;
      fds[fd[k]].pipe = (char)i;
    }
  }
}

static void op_fdmisc(void)
{
  long fd = some_fd(), ret;
  struct fdinfo *f = fd_info(fd);
  uint64 buf;

  switch (sf_pick(5)) {
  case 0:
    if (CALL1(SYS_close, fd) == 0 && f != NULL)
      f->kind = FD_CLOSED;
    break;
  case 1:
    ret = CALL1(SYS_dup, fd);
    if (ret >= 0 && ret < NOFILE && f != NULL)
      fds[ret] = *f;
    break;
  case 2:
    buf = sf_ptr(sizeof(struct stat));
    ret = CALL2(SYS_fstat, fd, buf);
    if (ret == 0 && buf >= MAXUVA)
      oracle_fail("fstat into a kernel address succeeded", SYS_fstat, ret);
    break;
  case 3:
    CALL3(SYS_lseek, fd, sf_off(), sf_pick(4) ? sf_pick(3) : sf_int());
    break;
  default:
    CALL2(SYS_ftruncate, fd, sf_off());     // files mapped by every victim
  }
}

static void op_path(void)
{
  switch (sf_pick(5)) {
  case 0:
    CALL3(SYS_mknod, sf_path(), sf_int(), sf_int());
    break;
  case 1:
    CALL1(SYS_mkdir, sf_path());
    break;
  case 2:
    CALL1(SYS_unlink, sf_path());
    break;
  case 3:
    CALL2(SYS_link, sf_path(), sf_path());
    break;
  default:
    CALL1(SYS_chdir, sf_path());
  }
}

// --- Memory calls -----------------------------------------------------------

// Range calls that must refuse a range reaching past MAXUVA or wrapping
// (docs/semantics.md: EINVAL), when the length is not 0.
static void range_oracle(int nr, uint64 addr, uint64 len, long ret)
{
  uint64 end = (addr & (PGSIZE - 1)) + len;
  int wraps = end < len || (end + PGSIZE - 1) < end || addr + len < addr;

  if (len != 0 && (wraps || addr >= MAXUVA) && ret != -EINVAL)
    oracle_fail("range past MAXUVA not EINVAL", nr, ret);
}

static void op_mmap(void)
{
  uint64 len, addr, ret;
  int flags = sf_mapflags(), prot = sf_prot();
  long fd = sf_pick(3) ? -1 : some_fd(), off = sf_pick(2) ? 0 : sf_off();

  if (flags & MAP_FIXED)
    addr = sf_range(&len);
  else {
    addr = sf_pick(2) ? 0 : sf_ptr(0);
    len = sf_len_for(addr);
  }
  // Mostly a length that can succeed. A range that wrapped was allowed
  // near the program; the new length must be checked again.
  if (len > (1ul << 38) && sf_pick(4)) {
    len = 1 + sf_rnd() % (64 * PGSIZE);
    if ((flags & MAP_FIXED) && sf_protected(addr, len))
      return;
  }
  ret = (uint64)sf_call(SYS_mmap, addr, len, prot, flags, fd, off);
  if ((long)ret < 0 && (long)ret >= -4095)
    return;
  if ((ret & (PGSIZE - 1)) || ret < PGSIZE || ret >= MAXUVA ||
      ((flags & MAP_FIXED) && ret != addr))
    oracle_fail("mmap returned a bad address", SYS_mmap, (long)ret);
  else if (len > SF_BIGMAP)
    CALL2(SYS_munmap, ret, len);            // see sf_victim: memory
  else
    sf_arena_add(ret, len);
}

static void op_range(void)
{
  uint64 len, addr = sf_range(&len);
  long ret;
  int nr;

  switch (sf_pick(7)) {
  case 0:
    nr = SYS_munmap;
    ret = CALL2(nr, addr, len);
    break;
  case 1:
    nr = SYS_mprotect;
    ret = CALL3(nr, addr, len, sf_prot());
    break;
  case 2:
    nr = SYS_madvise;
    ret = CALL3(nr, addr, len, sf_pick(4) ? sf_pick(6) : sf_int());
    break;
  case 3:
    nr = SYS_minherit;
    ret = CALL3(nr, addr, len, sf_pick(4) ? sf_pick(4) : sf_int());
    break;
  case 4:
    nr = SYS_msync;
    ret = CALL3(nr, addr, len, sf_pick(4) ? sf_pick(8) : sf_int());
    break;
  case 5:
    CALL2(sf_pick(2) ? SYS_mlock : SYS_munlock, addr, len);
    return;
  default:
    if (sf_pick(2))
      CALL1(SYS_mlockall, sf_pick(4) ? sf_pick(4) : sf_int());
    else
      CALL0(SYS_munlockall);
    return;
  }
  range_oracle(nr, addr, len, ret);
}

static void op_mincore(void)
{
  uint64 addr = sf_ptr(0), len = sf_len_for(addr), vec;
  long ret;

  if (sf_pick(2))
    addr &= ~(uint64)(PGSIZE - 1);
  vec = sf_ptr(write_bound(len / PGSIZE + 1));
  ret = CALL3(SYS_mincore, addr, len, vec);
  if ((addr & (PGSIZE - 1)) == 0)
    range_oracle(SYS_mincore, addr, len, ret);
}

// rlimits, sbrk, vmstat, vmmap, vmreclaim, swapraw.
static void op_misc(void)
{
  static const uint64 lims[] = {0, PGSIZE, 16ul << 20, RLIM_INFINITY, ~0ul,
                                1ul << 62};
  uint64 *rl = (uint64 *)sf_scratch, buf;
  long ret, n;

  switch (sf_pick(7)) {
  case 0:
    buf = sf_ptr(sizeof(struct rlimit));
    ret = CALL2(SYS_getrlimit, sf_pick(2) ? RLIMIT_MEMLOCK : sf_int(), buf);
    if (ret == 0 && buf >= MAXUVA)
      oracle_fail("getrlimit into a kernel address", SYS_getrlimit, ret);
    break;
  case 1:
    rl[0] = lims[sf_pick(6)];
    rl[1] = lims[sf_pick(6)];
    CALL2(SYS_setrlimit, sf_pick(2) ? RLIMIT_MEMLOCK : sf_int(),
          sf_pick(4) ? (uint64)rl : sf_ptr(0));
    break;
  case 2:
    n = sf_pick(2) ? sf_int() : (long)sf_len() * (sf_pick(2) ? 1 : -1);
    ret = CALL1(SYS_sbrk, n);
    if (ret > 0 && n > (long)SF_BIGMAP && ret < (long)MAXUVA)
      CALL1(SYS_sbrk, -n);                  // see sf_victim: memory
    else if (ret > 0 && n > 0 && ret < (long)MAXUVA)
      sf_arena_add(ret, n);
    break;
  case 3:
    buf = sf_ptr(sizeof(struct vmstats));
    ret = CALL1(SYS_vmstat, buf);
    if (ret == 0 && buf >= MAXUVA)
      oracle_fail("vmstat into a kernel address", SYS_vmstat, ret);
    break;
  case 4:
    n = sf_pick(4) ? sf_pick(40) : sf_int();
    CALL3(SYS_vmmap, sf_pick(3) ? sf_pick(3) - 1 : children[sf_pick(8)],
          sf_ptr(write_bound((uint64)n * sizeof(struct vmmap_entry))), n);
    break;
  case 5:
    CALL1(SYS_vmreclaim, sf_pick(2) ? sf_pick(64) : sf_off());
    break;
  default:
    buf = sf_ptr(2 * sizeof(uint64));
    ret = CALL2(SYS_swapraw, sf_pick(2) ? sf_pick(64) : sf_int(), buf);
    if (ret == 0 && buf >= MAXUVA)
      oracle_fail("swapraw into a kernel address", SYS_swapraw, ret);
  }
}

// --- Processes --------------------------------------------------------------

// Remember pid in the worker's table, so the conductor can find it if it
// outlives us. Returns 0 if the table is full. Parent and child both
// register the child: the parent in case the child has not run yet, the
// child in case another victim killed the parent between fork and its
// registration (such an orphan, asleep in a read, outlived the run once
// and failed the leak check). A second call finds the pid;
// a duplicate from the two racing is harmless (killed twice, pruned twice).
static int pid_register(int pid)
{
  for (int i = 0; i < SF_MAXPIDS; i++)
    if (__atomic_load_n(&me->pids[i], __ATOMIC_RELAXED) == pid)
      return 1;
  for (int i = 0; i < SF_MAXPIDS; i++) {
    int zero = 0;
    if (__atomic_compare_exchange_n(&me->pids[i], &zero, pid, 0,
                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
      return 1;
  }
  return 0;
}

static int pid_room(void)
{
  for (int i = 0; i < SF_MAXPIDS; i++)
    if (__atomic_load_n(&me->pids[i], __ATOMIC_RELAXED) == 0)
      return 1;
  return 0;
}

static int calls_left;

static void child_start(void)
{
  if (!pid_register(getpid()))
    exit(0);                                // nobody could find it later
  depth = 1;
  calls_left = 1 + sf_pick(CHILDCALLS);
  sf_seed(sf_rnd() ^ (uint64)getpid() << 32);
  memset(children, 0, sizeof(children));
  for (int fd = 0; fd < NOFILE; fd++)        // the parent counts its pipes
    if (fds[fd].kind == FD_PIPE_R || fds[fd].kind == FD_PIPE_W)
      fds[fd].kind = FD_FOREIGN;
}

static void op_fork(void)
{
  long pid;

  if (depth > 0 || !pid_room())
    return;
  pid = CALL0(SYS_fork);
  if (pid == 0)
    child_start();
  else if (pid > 0) {
    if (!pid_register((int)pid))
      CALL1(SYS_kill, pid);                 // nobody could find it later
    children[sf_pick(8)] = (int)pid;
  }
}

// exec a copy of sysfuzz (it exits at once: its argv is not a seed), a
// file of the pool, or nothing, with an argv of any shape.
static void op_exec(void)
{
  static const char *const args[] = {"sysfuzz", "exec", "/sf.a", ""};
  uint64 *argv = (uint64 *)(sf_scratch + PGSIZE / 2);
  int n = sf_pick(4) ? 2 + sf_pick(3) : MAXARG + sf_pick(3);
  uint64 path = sf_pick(2) ? (uint64) "/sysfuzz" : sf_path();

  for (int i = 0; i < n; i++)
    argv[i] = sf_pick(8) ? (uint64)args[sf_pick(4)] : sf_ptr(0);
  argv[0] = (uint64)args[0];
  argv[1] = (uint64)args[1];
  argv[n] = 0;
  if (sf_pick(8) == 0)
    argv[n] = sf_ptr(0);                    // no terminating NULL
  CALL2(SYS_exec, path, sf_pick(8) ? (uint64)argv : sf_ptr(0));
}

static void op_proc(void)
{
  static const long nobody[] = {0, -1, 0x7fffffff, -0x80000000l, 100000};
  long ret, n;

  switch (sf_pick(8)) {
  case 0:
    ret = CALL1(SYS_kill, 1);
    if (ret != -EPERM)
      oracle_fail("kill(1) is not EPERM", SYS_kill, ret);
    break;
  case 1:
    CALL1(SYS_kill, sf_pick(40) ? children[sf_pick(8)] : getpid());
    break;
  case 2:
    CALL1(SYS_kill, nobody[sf_pick(5)]);
    break;
  case 3:
    CALL1(SYS_wait, sf_ptr(sizeof(int)));
    break;
  case 4:
    n = sf_pick(3) ? sf_pick(4) : nobody[sf_pick(5)];
    CALL1(SYS_sleep, n > 5 ? -1 : n);       // never long: see the header
    break;
  case 5:
    CALL0(sf_pick(2) ? SYS_getpid : SYS_uptime);
    break;
  case 6:
    ret = sf_pick(4) ? 0 : sf_pick(2) ? NSYSCALL + sf_pick(1000) : -1;
    CALL3(ret == SYS_halt ? 0 : ret, sf_rnd(), sf_rnd(), sf_rnd());
    break;
  default:
    if (sf_pick(4) == 0)
      CALL1(SYS_exit, sf_pick(2) ? 0 : sf_int());
  }
}

// Load or store at a pointer of any kind from user mode: a fault kills
// the process with -1, which is fine; a store never hits what the fuzzer
// runs on.
static void op_touch(void)
{
  int store = sf_pick(2);
  uint64 p = sf_ptr(store ? 1 : 0);
  long a[6] = {(long)p, 0, 0, 0, 0, 0};
  struct sf_call *c = ring_begin(store ? SF_TOUCH_WRITE : SF_TOUCH_READ, a);
  volatile char *q = (volatile char *)p;
  long v = 0;

  if (store)
    *q = (char)sf_rnd();
  else
    v = *q;
  ring_end(c, v);
}

// --- The victim -------------------------------------------------------------

static uint64 map(uint64 len, int prot, int flags, long fd, long off)
{
  long ret = sf_call(SYS_mmap, 0, len, prot, flags, fd, off);

  if (ret < 0 && ret >= -4095)
    return 0;
  sf_arena_add(ret, len);
  return ret;
}

// One mapping of each kind the pointers should reach.
static void victim_arenas(void)
{
  uint64 p;
  long fd;

  memset(sf_arenas, 0, sizeof(sf_arenas));
  if ((p = map(4 * PGSIZE, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE, -1,
               0)) != 0)
    memset((void *)p, 0x5a, 4 * PGSIZE);    // resident
  map(64 * PGSIZE, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE, -1, 0);
  if ((p = map(2 * PGSIZE, PROT_READ | PROT_WRITE, MAP_ANON | MAP_SHARED, -1,
               0)) != 0)
    memset((void *)p, 0xa5, 2 * PGSIZE);
  map(2 * PGSIZE, PROT_NONE, MAP_ANON | MAP_PRIVATE, -1, 0);
  map(2 * PGSIZE, PROT_READ, MAP_ANON | MAP_PRIVATE, -1, 0);
  // A file 1.5 pages long under 4 shared pages: the second page ends in
  // zeros, the last two are past end-of-file. Others truncate it at will.
  if ((fd = CALL2(SYS_open, "/sf.a", O_CREATE | O_RDWR)) >= 0 && fd < NOFILE) {
    fd_classify((int)fd);
    CALL2(SYS_ftruncate, fd, 6000);
    map(4 * PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  }
  // A private mapping of a longer file, most of it never touched.
  if ((fd = CALL2(SYS_open, "/sf.b", O_CREATE | O_RDWR)) >= 0 && fd < NOFILE) {
    fd_classify((int)fd);
    CALL2(SYS_ftruncate, fd, 8 * PGSIZE);
    map(8 * PGSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  }
  // Two pages with a hole between them.
  if ((p = map(3 * PGSIZE, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE, -1,
               0)) != 0)
    CALL2(SYS_munmap, p + PGSIZE, PGSIZE);
}

static void step(void)
{
  switch (sf_pick(24)) {
  case 0: case 1: case 2: op_read(); break;
  case 3: case 4: case 5: op_write(); break;
  case 6: case 7: op_open(); break;
  case 8: op_pipe(); break;
  case 9: case 10: op_fdmisc(); break;
  case 11: op_path(); break;
  case 12: case 13: op_mmap(); break;
  case 14: case 15: case 16: op_range(); break;
  case 17: op_mincore(); break;
  case 18: case 19: op_misc(); break;
  case 20: if (sf_pick(3) == 0) op_fork(); break;
  case 21: if (sf_pick(6) == 0) op_exec(); break;
  case 22: op_proc(); break;
  default: if (sf_pick(3) == 0) op_touch(); break;
  }
}

// Run as victim gen of worker w until the deadline or the call budget,
// then reap the children and exit (a child just exits).
//
// Memory: with no swap, a victim that fills a big lazy mapping (a 2 GiB
// read() from a sparse file does) starves every other process, and the
// fuzzer's own processes die of faults that find no page. So mappings and
// heaps over SF_BIGMAP are removed as soon as they are made (their
// creation and removal are still exercised) and the supervisor caps
// RLIMIT_MEMLOCK; a victim's memory stays within a few MiB per mapping.
void sf_victim(int w, int gen)
{
  uint64 sp;

  me = &sf_sh->w[w];
  sf_seed((uint64)sf_sh->seed * 1000003 + (uint64)w * 7919 + (uint64)gen);
  __asm__ volatile("mv %0, sp" : "=r"(sp));
  sf_protect_stack(sp - 32 * PGSIZE);
  for (int fd = 0; fd < NOFILE; fd++)
    fd_classify(fd);
  victim_arenas();
  calls_left = MAXCALLS / 2 + sf_pick(MAXCALLS);
  while (calls_left-- > 0 && uptime() < sf_sh->deadline)
    step();
  if (depth == 0)
    while (sf_syscall(SYS_wait, 0, 0, 0, 0, 0, 0) >= 0)
      ;
  exit(0);
}
