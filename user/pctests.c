// SPDX-License-Identifier: MIT
// pctests [-l | group...]: the page cache suite. read() and write() go through the
// file's vm_object, exec maps programs from it, mmap shares it (the mmap
// groups live in user/pctests/mmap.c and run once mmap works).
//
// Groups: io (read/write coherence, holes, growth, truncation), exec (cat
// of a file written here; two concurrent runs share their text pages),
// mmap, advice (user/pctests/advice.c: madvise seen in the counters),
// reclaim (user/pctests/reclaim.c: cached file pages give way when memory
// runs out), trunc (user/pctests/trunc.c: truncation of wired pages) and
// cache (user/pctests/cache.c: the page cache outlives a file's last user).
// -l lists the groups; arguments choose some of them.
#include "user/testlib.h"
#include "user/pctests/pctests.h"

// Fill buf with a pattern that depends on seed and position.
void pc_pattern(char *buf, int n, int seed)
{
  for (int i = 0; i < n; i++)
    buf[i] = (char)('A' + (i * 7 + seed) % 26);
}

// Create (truncating) path holding n bytes of pattern seed. 0 or -1.
int pc_make_file(const char *path, int n, int seed)
{
  static char buf[3 * PGSIZE];
  int fd = open(path, O_CREATE | O_RDWR | O_TRUNC), pos = 0;
  if (fd < 0)
    return -1;
  while (n > 0) {
    int m = n < (int)sizeof(buf) ? n : (int)sizeof(buf);
    pc_pattern(buf, m, seed + pos % 26 * 7);   // continue the pattern
    if (write(fd, buf, m) != m) {
      close(fd);
      return -1;
    }
    n -= m;
    pos += m;
  }
  close(fd);
  return 0;
}

// Read up to n bytes of path at off into buf. Returns the count or -1.
int pc_read_at(const char *path, int off, char *buf, int n)
{
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  if (lseek(fd, off, SEEK_SET) != off) {
    close(fd);
    return -1;
  }
  int r = read(fd, buf, n);
  close(fd);
  return r;
}

static long pc_size(const char *path)
{
  struct stat st;
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  int r = fstat(fd, &st);
  close(fd);
  return r < 0 ? -1 : (long)st.size;
}

// ---------------------------------------------------------------------------
// io

static char big[5 * PGSIZE], chk[5 * PGSIZE];

static int io_roundtrip(void)
{
  TL_CHECK(pc_make_file("pc.a", sizeof(big), 3) == 0, "create");
  pc_pattern(big, sizeof(big), 3);
  TL_CHECK(pc_read_at("pc.a", 0, chk, sizeof(chk)) == sizeof(chk), "read");
  TL_CHECK(memcmp(big, chk, sizeof(big)) == 0, "contents differ");
  TL_CHECK(pc_size("pc.a") == sizeof(big), "size %ld", pc_size("pc.a"));
  unlink("pc.a");
  return 0;
}

// An unaligned write across a page boundary, seen by a second descriptor
// that was open all along.
static int io_coherent(void)
{
  TL_CHECK(pc_make_file("pc.b", 3 * PGSIZE, 1) == 0, "create");
  int rfd = open("pc.b", O_RDONLY);
  int wfd = open("pc.b", O_RDWR);
  TL_CHECK(rfd >= 0 && wfd >= 0, "open");
  TL_CHECK(lseek(wfd, PGSIZE - 5, SEEK_SET) == PGSIZE - 5, "lseek");
  TL_CHECK(write(wfd, "0123456789", 10) == 10, "write");
  TL_CHECK(lseek(rfd, PGSIZE - 6, SEEK_SET) == PGSIZE - 6, "lseek r");
  char b[12];
  TL_CHECK(read(rfd, b, 12) == 12, "read");
  pc_pattern(chk, 3 * PGSIZE, 1);
  TL_CHECK(b[0] == chk[PGSIZE - 6] && memcmp(b + 1, "0123456789", 10) == 0 &&
           b[11] == chk[PGSIZE + 5], "not coherent");
  close(rfd);
  close(wfd);
  unlink("pc.b");
  return 0;
}

// Writing past the end leaves a hole of zeros and grows the size.
static int io_hole(void)
{
  TL_CHECK(pc_make_file("pc.c", 100, 2) == 0, "create");
  int fd = open("pc.c", O_RDWR);
  TL_CHECK(fd >= 0, "open");
  TL_CHECK(lseek(fd, 2 * PGSIZE + 10, SEEK_SET) == 2 * PGSIZE + 10, "lseek");
  TL_CHECK(write(fd, "xy", 2) == 2, "write");
  close(fd);
  TL_CHECK(pc_size("pc.c") == 2 * PGSIZE + 12, "size %ld", pc_size("pc.c"));
  TL_CHECK(pc_read_at("pc.c", 100, chk, 2 * PGSIZE) == 2 * PGSIZE - 88,
           "short read");
  for (int i = 0; i < 2 * PGSIZE - 90; i++)
    TL_CHECK(chk[i] == 0, "hole byte %d is %d", i, chk[i]);
  TL_CHECK(chk[2 * PGSIZE - 90] == 'x', "data after the hole");
  unlink("pc.c");
  return 0;
}

// ftruncate down then up: the old bytes past the cut read as zeros.
static int io_truncate(void)
{
  TL_CHECK(pc_make_file("pc.d", 3 * PGSIZE, 4) == 0, "create");
  int fd = open("pc.d", O_RDWR);
  TL_CHECK(fd >= 0, "open");
  TL_CHECK(ftruncate(fd, 5000) == 0, "truncate down");
  TL_CHECK(pc_size("pc.d") == 5000, "size %ld", pc_size("pc.d"));
  TL_CHECK(ftruncate(fd, 9000) == 0, "truncate up");
  close(fd);
  TL_CHECK(pc_read_at("pc.d", 4990, chk, 5000) == 4010, "read");
  pc_pattern(big, 5000, 4);
  TL_CHECK(memcmp(chk, big + 4990, 10) == 0, "kept part changed");
  for (int i = 10; i < 4010; i++)
    TL_CHECK(chk[i] == 0, "byte %d past the cut is %d", 4990 + i, chk[i]);
  unlink("pc.d");
  return 0;
}

// read() into a bad address fails with EFAULT and moves nothing.
static int io_efault(void)
{
  TL_CHECK(pc_make_file("pc.e", 100, 5) == 0, "create");
  int fd = open("pc.e", O_RDONLY);
  TL_CHECK(fd >= 0, "open");
  TL_CHECK(read(fd, (void *)8, 10) == -1 && errno == EFAULT, "read to page 0");
  TL_CHECK(read(fd, chk, 10) == 10, "offset moved");
  close(fd);
  unlink("pc.e");
  return 0;
}

static void group_io(void)
{
  tl_run("roundtrip", io_roundtrip);
  tl_run("coherent", io_coherent);
  tl_run("hole", io_hole);
  tl_run("truncate", io_truncate);
  tl_run("efault", io_efault);
}

// ---------------------------------------------------------------------------
// exec

// Run argv with stdout to a pipe; read what it prints into buf (NUL
// terminated). Returns the byte count and the exit status in *status.
int pc_run_capture(char **argv, char *buf, int max, int *status)
{
  int p[2], n = 0, r;
  if (pipe(p) < 0)
    return -1;
  int pid = fork();
  if (pid == 0) {
    close(p[0]);
    close(1);
    dup(p[1]);
    close(p[1]);
    exec(argv[0], argv);
    exit(99);
  }
  close(p[1]);
  while (n < max - 1 && (r = read(p[0], buf + n, max - 1 - n)) > 0)
    n += r;
  buf[n] = 0;
  close(p[0]);
  wait(status);
  return n;
}

static int exec_cat(void)
{
  static char out[2 * PGSIZE];
  char *argv[] = {"cat", "pc.f", 0};
  int status;
  TL_CHECK(pc_make_file("pc.f", 6000, 6) == 0, "create");
  TL_CHECK(pc_run_capture(argv, out, sizeof(out), &status) == 6000,
           "cat printed %d bytes", (int)strlen(out));
  pc_pattern(big, 6000, 6);
  TL_CHECK(status == 0 && memcmp(out, big, 6000) == 0, "cat output differs");
  unlink("pc.f");
  return 0;
}

// Start `cat` with stdin and stdout on pipes and wait until it echoes a
// byte, so it is running and has touched its text. Returns the pipe end
// that keeps it alive (close it and cat exits), or -1.
static int hold_start(void)
{
  int in[2], out[2];
  char c = 'x';
  if (pipe(in) < 0 || pipe(out) < 0)
    return -1;
  if (fork() == 0) {
    char *argv[] = {"cat", 0};
    close(0);
    dup(in[0]);
    close(1);
    dup(out[1]);
    close(in[0]); close(in[1]); close(out[0]); close(out[1]);
    exec("cat", argv);
    exit(99);
  }
  close(in[0]);
  close(out[1]);
  int r = write(in[1], &c, 1) == 1 ? read(out[0], &c, 1) : -1;
  close(out[0]);
  if (r != 1) {
    close(in[1]);
    return -1;
  }
  return in[1];
}

// Two runs of one program (not otherwise running) at once: the second adds
// fewer resident pages than the first, which also brought the program's
// file pages into the page cache (dropped first with the rest of the cache
// of unused files: cat ran before).
static int exec_share_text(void)
{
  struct vmstats v0, v1, v2;
  TL_CHECK(vmreclaim(0) >= 0 && vmstat(&v0) == 0, "vmstat");
  int h1 = hold_start();
  TL_CHECK(h1 >= 0, "first run");
  vmstat(&v1);
  int h2 = hold_start();
  vmstat(&v2);
  close(h1);
  if (h2 >= 0)
    close(h2);
  tl_reap();
  TL_CHECK(h2 >= 0, "second run");
  long d1 = (long)v0.free - (long)v1.free, d2 = (long)v1.free - (long)v2.free;
  printf("share_text: first run %ld pages, second %ld\n", d1, d2);
  TL_CHECK(d2 < d1, "no sharing: %ld then %ld pages", d1, d2);
  return 0;
}

// The ELF fields the bss test needs (64-bit little-endian layout).
struct pc_phdr {
  uint32_t type, flags;
  uint64_t off, vaddr, paddr, filesz, memsz, align;
};

static struct pc_phdr pc_ph[8];      // this program's, read by main
static int pc_phnum;

// Read the program headers of /pctests, before any group runs: the pages
// read stay in the page cache while this program runs, and must not look
// like a leak.
static void pc_read_phdrs(void)
{
  uint64_t phoff = 0;
  uint16_t phnum = 0;
  if (pc_read_at("pctests", 32, (char *)&phoff, 8) == 8 &&
      pc_read_at("pctests", 56, (char *)&phnum, 2) == 2 && phnum <= 8 &&
      pc_read_at("pctests", phoff, (char *)pc_ph, phnum * sizeof(pc_ph[0])) ==
          (int)(phnum * sizeof(pc_ph[0])))
    pc_phnum = phnum;
}

// exec zeroes the bss part of the page where a data segment's file bytes
// end in the process's private copy only: the page cache (what read()
// sees) still has the file's bytes there. Checked on this program, whose
// data segment ends part way into a page followed by other file contents
// (the process's own copy of that bss is zero at start: testlib checks).
static const char *exec_bss_private(void)
{
  static char page[PGSIZE];
  struct pc_phdr *ph = pc_ph;
  int i;

  if (pc_phnum == 0)
    return "could not read the program headers";
  for (i = 0; i < pc_phnum; i++, ph++)
    if (ph->type == 1 && (ph->flags & 2) && ph->filesz > 0 &&
        ph->memsz > ph->filesz && (ph->filesz + ph->off) % PGSIZE)
      break;
  if (i == pc_phnum)
    return "no data segment with a partial bss page";
  uint64_t fend = ph->off + ph->filesz;
  int got = pc_read_at("pctests", fend, page, PGSIZE - fend % PGSIZE);
  int nonzero = 0;
  for (int k = 0; k < got; k++)
    nonzero |= page[k];
  if (got > 0 && !nonzero)
    return "the page cache copy was zeroed";
  return 0;
}

// The check reads pages of this program's file into the page cache, where
// they stay while it runs: main runs it before any group's leak count.
static const char *pc_bss_failure;

static int exec_bss_result(void)
{
  TL_CHECK(pc_bss_failure == 0, "%s", pc_bss_failure);
  return 0;
}

static void group_exec(void)
{
  tl_run("cat", exec_cat);
  tl_run("share_text", exec_share_text);
  tl_run("bss_private", exec_bss_result);
}

// oom: the group runs memory short, so its leak check counts with the
// clean page cache dropped (tl_group_oom).
static const struct {
  const char *name;
  void (*body)(void);
  int oom;
} pc_groups[] = {
  { "io", group_io, 0 },
  { "exec", group_exec, 0 },
  { "mmap", pc_group_mmap, 0 },
  { "advice", pc_group_advice, 0 },
  { "reclaim", pc_group_reclaim, 0 },
  { "trunc", pc_group_trunc, 0 },
  { "cache", pc_group_cache, 1 },
};

#define PC_NGROUPS ((int)(sizeof(pc_groups) / sizeof(pc_groups[0])))

static const char *pc_group_name(int i)
{
  return pc_groups[i].name;
}

// pctests [-l | group...]: every group, or the named ones in table order.
int main(int argc, char **argv)
{
  int i, k;

  if ((k = tl_args("pctests", argc, argv, pc_group_name, PC_NGROUPS)) >= 0)
    exit(k);
  pc_read_phdrs();
  pc_bss_failure = exec_bss_private();
  tl_start("pctests");
  for (k = 0; k < PC_NGROUPS; k++) {
    for (i = 1; i < argc && strcmp(argv[i], pc_groups[k].name) != 0; i++)
      ;
    if ((argc < 2 || i < argc) && pc_groups[k].oom)
      tl_group_oom(pc_groups[k].name, pc_groups[k].body);
    else if (argc < 2 || i < argc)
      tl_group(pc_groups[k].name, pc_groups[k].body);
  }
  exit(tl_finish());
}
