// SPDX-License-Identifier: MIT
// swaptests groups freuse and fexec: program files and files on reused
// inodes, never their old cached bytes (see t_file.c for the others).
//
//   freuse  a file that replaces a removed one (likely on the same inode)
//           never shows the old file's cached bytes, through read(),
//           mmap or exec; a program rewritten in place, or replaced while
//           it runs, runs its new text; exec sees what is in the cache.
//   fexec   exec of programs whose text the daemon keeps taking away.
#include "user/swaptests/tf.h"

// ---------------------------------------------------------------------------
// freuse: a new file on an old file's inode.

#define FR_PAGES 6

// fd's first n pages read as zeros through read() and through a mapping.
static int fr_zeros(int fd, unsigned long n)
{
  uint64_t *m;
  int ok = 1;

  for (unsigned long i = 0; i < n && ok; i++)
    ok = f_pread(fd, i) == PGSIZE && f_zero(f_page, PGSIZE);
  if (!ok || (m = f_map(fd, n, PROT_READ)) == 0)
    return 0;
  ok = f_zero(m, n * PGSIZE);
  munmap(m, n * PGSIZE);
  return ok;
}

// Round r: "fr.a" written, read and mapped (so its pages are cached;
// dirtied through the mapping when r is odd), then removed -- while still
// mapped when r is odd; "fr.b" made after, grown by ftruncate over holes,
// then half written. Every byte of fr.b is its own, never fr.a's.
static int fr_round(int r, int *reused)
{
  struct stat st;
  uint64_t *m;
  uint ino;
  int fd;

  TL_CHECK((fd = f_make("fr.a", FR_PAGES, 100 + r)) >= 0, "make fr.a");
  for (unsigned long i = 0; i < FR_PAGES; i++)
    TL_CHECK(f_pread(fd, i) == PGSIZE && f_is(f_page, 100 + r, i),
             "fr.a page %lu", i);
  TL_CHECK((m = f_map(fd, FR_PAGES, PROT_READ | PROT_WRITE)) != 0, "mmap");
  TL_CHECK(f_is(m + 3 * FW, 100 + r, 3), "fr.a through the mapping");
  if (r % 2)
    f_fill(m + 4 * FW, 150 + r, 4);
  TL_CHECK(fstat(fd, &st) == 0, "fstat");
  ino = st.ino;
  close(fd);
  if (r % 2 == 0)
    munmap(m, FR_PAGES * PGSIZE);
  TL_CHECK(unlink("fr.a") == 0, "unlink");
  if (r % 2)
    munmap(m, FR_PAGES * PGSIZE);
  TL_CHECK((fd = open("fr.b", O_CREATE | O_RDWR | O_TRUNC)) >= 0, "fr.b");
  TL_CHECK(fstat(fd, &st) == 0, "fstat");
  *reused += st.ino == ino;
  TL_CHECK(ftruncate(fd, FR_PAGES * PGSIZE) == 0, "ftruncate");
  TL_CHECK(fr_zeros(fd, FR_PAGES), "round %d: fr.b (inode %u, fr.a's %u) "
           "grown over holes does not read as zeros", r, st.ino, ino);
  for (unsigned long i = 0; i < FR_PAGES / 2; i++) {
    f_fill(f_page, 200 + r, i);
    TL_CHECK(lseek(fd, (off_t)(i * PGSIZE), SEEK_SET) >= 0 &&
             write(fd, f_page, PGSIZE) == PGSIZE, "write fr.b");
  }
  TL_CHECK((m = f_map(fd, FR_PAGES, PROT_READ)) != 0, "mmap fr.b");
  for (unsigned long i = 0; i < FR_PAGES; i++)
    TL_CHECK(i < FR_PAGES / 2 ? f_is(m + i * FW, 200 + r, i)
                              : f_zero(m + i * FW, PGSIZE),
             "round %d: fr.b page %lu wrong through the mapping", r, i);
  munmap(m, FR_PAGES * PGSIZE);
  close(fd);
  TL_CHECK(unlink("fr.b") == 0, "unlink fr.b");
  return 0;
}

static int freuse_read_mmap(void)
{
  int reused = 0;

  for (int r = 0; r < 6; r++)
    if (fr_round(r, &reused) != 0)
      return -1;
  printf("freuse: the new file had the old one's inode %d of 6 times\n",
         reused);
  return 0;
}

// Run path with argv, standard output into out (NUL-terminated); the
// output's length, or -1 unless the program exited 0.
static int fr_run(const char *path, char **argv, char *out, int max)
{
  int p[2], pid, n = 0, r;

  if (pipe(p) != 0)
    return -1;
  if ((pid = fork()) == 0) {
    close(1);
    dup(p[1]);
    close(p[0]);
    close(p[1]);
    exec(path, argv);
    exit(99);
  }
  close(p[1]);
  while (n < max - 1 && (r = read(p[0], out + n, max - 1 - n)) > 0)
    n += r;
  out[n] = 0;
  close(p[0]);
  return pid > 0 && f_wait(pid) == 0 ? n : -1;
}

// Copy program src over dst: by open(O_TRUNC) and write() when how is 0,
// else by unlink and a new file. 0 or -1.
static int fr_copy(const char *src, const char *dst, int how)
{
  static char buf[8 * PGSIZE];
  int in, out, n, rc = 0;

  if (how)
    unlink(dst);
  if ((in = open(src, O_RDONLY)) < 0)
    return -1;
  if ((out = open(dst, O_CREATE | O_WRONLY | O_TRUNC)) < 0) {
    close(in);
    return -1;
  }
  while (rc == 0 && (n = read(in, buf, sizeof(buf))) > 0)
    rc = write(out, buf, n) == n ? 0 : -1;
  close(in);
  close(out);
  return rc;
}

// The two programs the exec tests swap in and out, and what each says of
// fr.txt: write text to fr.txt, run both as argv (whose argv[1] names
// it), and keep their outputs in want[0] and want[1], which must differ.
// 0, or why not.
static const char *fr_prog[2] = { "/echo", "/wc" };

static int fr_learn(const char *text, char **argv, char want[2][128])
{
  int fd, n = (int)strlen(text);

  TL_CHECK((fd = open("fr.txt", O_CREATE | O_WRONLY | O_TRUNC)) >= 0 &&
           write(fd, text, n) == n, "fr.txt");
  close(fd);
  for (int k = 0; k < 2; k++)
    TL_CHECK(fr_run(fr_prog[k], argv, want[k], 128) > 0,
             "%s does not run", fr_prog[k]);
  TL_CHECK(strcmp(want[0], want[1]) != 0, "echo and wc say the same");
  return 0;
}

// A program file rewritten between two runs runs its new text: echo and
// wc take turns in fr.prog, replaced in place and by a new file.
static int freuse_exec(void)
{
  static char want[2][128], got[128];
  char *argv[] = { "fr.prog", "fr.txt", 0 };

  if (fr_learn("a b c\nd\n", argv, want) != 0)
    return -1;
  for (int r = 0; r < 8; r++) {
    int k = r % 2;
    TL_CHECK(fr_copy(fr_prog[k], "fr.prog", (r / 2) % 2) == 0, "copy %s",
             fr_prog[k]);
    for (int again = 0; again < 2; again++)
      TL_CHECK(fr_run("fr.prog", argv, got, sizeof(got)) >= 0 &&
               strcmp(got, want[k]) == 0, "round %d: fr.prog holding %s "
               "says \"%s\"", r, fr_prog[k], got);
  }
  unlink("fr.prog");
  unlink("fr.txt");
  return 0;
}

// exec reads the program from the one page cache, as read() does, also
// while the bytes a write() or a shared mapping put there have not reached
// the disk (a write() to a mapped file stays in the cache; a store through
// a mapping stays there until msync, munmap or exit). exec used to read
// the ELF headers from the disk and the text from the cache: wc's text with
// echo's headers, or zeros (ENOEXEC) over a file grown by a mapping.
static int freuse_exec_cached(void)
{
  static char want[2][128], got[128], buf[8 * PGSIZE];
  char *argv[] = { "fr.prog", "fr.txt", 0 };
  struct stat st;
  char *m, *w;
  int fd, in, n;

  if (fr_learn("a b c\nd\n", argv, want) != 0)
    return -1;
  // echo in fr.prog; a mapping holds its cache; wc written over it.
  TL_CHECK(fr_copy("/echo", "fr.prog", 0) == 0, "copy echo");
  TL_CHECK((fd = open("fr.prog", O_RDONLY)) >= 0, "open");
  m = mmap(0, PGSIZE, PROT_READ, MAP_SHARED, fd, 0);
  TL_CHECK(m != MAP_FAILED, "mmap");
  close(fd);
  TL_CHECK(fr_copy("/wc", "fr.prog", 0) == 0, "copy wc");
  TL_CHECK(fr_run("fr.prog", argv, got, sizeof(got)) >= 0 &&
           strcmp(got, want[1]) == 0, "wc written over echo while mapped "
           "runs as \"%s\"", got);
  munmap(m, PGSIZE);
  // echo made through a shared mapping, run before anything is written back.
  TL_CHECK((in = open("/echo", O_RDONLY)) >= 0 && fstat(in, &st) == 0, "echo");
  unlink("fr.prog");
  TL_CHECK((fd = open("fr.prog", O_CREATE | O_RDWR)) >= 0 &&
           ftruncate(fd, (off_t)st.size) == 0, "fr.prog");
  w = mmap(0, (size_t)st.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  TL_CHECK(w != MAP_FAILED, "mmap");
  close(fd);
  for (long off = 0; (n = read(in, buf, sizeof(buf))) > 0; off += n)
    memcpy(w + off, buf, (size_t)n);
  close(in);
  TL_CHECK(fr_run("fr.prog", argv, got, sizeof(got)) >= 0 &&
           strcmp(got, want[0]) == 0, "echo stored through a mapping runs "
           "as \"%s\"", got);
  munmap(w, (size_t)st.size);
  unlink("fr.prog");
  unlink("fr.txt");
  return 0;
}

// A program replaced while it runs: the running copy keeps its removed
// file, a new file of that name runs its own text, and once the old
// program has exited a file made after it (likely on its inode) too.
static int freuse_running(void)
{
  static char want[2][128], got[128];
  char *argv[] = { "fr.run", "fr.txt", 0 }, *cat[] = { "fr.run", 0 };
  int in[2], out[2], pid;
  char echo[4];

  if (fr_learn("x y\n", argv, want) != 0)
    return -1;
  TL_CHECK(fr_copy("/cat", "fr.run", 1) == 0 && pipe(in) == 0 &&
           pipe(out) == 0, "cat");
  if ((pid = fork()) == 0) {
    close(0);
    dup(in[0]);
    close(1);
    dup(out[1]);
    close(in[0]);
    close(in[1]);
    close(out[0]);
    close(out[1]);
    exec("fr.run", cat);
    exit(99);
  }
  close(in[0]);
  close(out[1]);
  TL_CHECK(write(in[1], "hi\n", 3) == 3 && read(out[0], echo, 3) == 3 &&
           memcmp(echo, "hi\n", 3) == 0, "cat does not run");
  for (int r = 0; r < 4; r++) {
    TL_CHECK(fr_copy(fr_prog[r % 2], "fr.run", 1) == 0, "copy");
    TL_CHECK(fr_run("fr.run", argv, got, sizeof(got)) >= 0 &&
             strcmp(got, want[r % 2]) == 0, "round %d: %s says \"%s\"", r,
             fr_prog[r % 2], got);
    if (r == 1) {
      close(in[1]);                 // cat ends; its inode is free
      TL_CHECK(f_wait(pid) == 0, "cat failed");
      close(out[0]);
    }
  }
  unlink("fr.run");
  unlink("fr.txt");
  return 0;
}

void swf_reuse(void)
{
  tl_run_child("running", freuse_running);
  tl_run_child("read_mmap", freuse_read_mmap);
  tl_run_child("exec", freuse_exec);
  tl_run_child("exec_cached", freuse_exec_cached);
}

// ---------------------------------------------------------------------------
// fexec: program text taken away and brought back.

#define FX_PROCS 3
#define FX_ROUNDS 12

// Run each of a few programs FX_ROUNDS times, output discarded; exit 0 or
// with the round that failed.
static void fx_worker(int id)
{
  static char *progs[][3] = {
    { "/echo", "x", 0 }, { "/wc", "/echo", 0 }, { "/grep", "zz", "/wc" },
    { "/ls", "/echo", 0 },
  };
  int pid, st;

  close(1);                         // output goes nowhere
  for (int r = 0; r < FX_ROUNDS; r++) {
    char **argv = progs[(r + id) % 4];
    if ((pid = fork()) == 0) {
      exec(argv[0], argv);
      exit(99);
    }
    if (pid < 0 || (st = f_wait(pid)) == 99 || st == -1)
      exit(100 + r);
    if (r % 4 == id)
      vmreclaim(0);                 // drop the cached files: cold text
  }
  exit(0);
}

static int fexec_pressure(void)
{
  int hog, pid[FX_PROCS], st;

  TL_CHECK((hog = fh_hog_start()) > 0, "hog");
  for (int i = 0; i < FX_PROCS; i++)
    if ((pid[i] = fork()) == 0)
      fx_worker(i);
  for (int i = 0; i < FX_PROCS; i++) {
    st = f_wait(pid[i]);
    if (st != 0) {
      fh_hog_stop(hog);
      TL_CHECK(0, "worker %d: status %d", i, st);
    }
  }
  TL_CHECK(fh_hog_stop(hog) == 0, "the hog");
  return 0;
}

// One process rewrites a program file again and again -- open(O_TRUNC),
// the whole program in one write() -- while another runs it again and
// again. Each exec must find the file empty (ENOEXEC), or whole; and once
// a run has begun, the rewrite must wait (ETXTBSY). A run killed by a
// fault ran a program cut or half written under it.
#define FXT_RUNS 200

static void fxt_writer(const char *buf, int n)
{
  int fd;

  for (;;) {
    if ((fd = open("fx.t", O_WRONLY | O_TRUNC)) < 0)
      continue;                     // ETXTBSY: it runs
    write(fd, buf, n);              // ETXTBSY if a run began since
    close(fd);
  }
}

static int fexec_rewrite_race(void)
{
  static char prog[64 * 1024];
  char *argv[] = { "fx.t", "x", 0 };
  int in, n, w, pid, st, ran = 0, killed = 0;

  TL_CHECK((in = open("/echo", O_RDONLY)) >= 0, "echo");
  n = read(in, prog, sizeof(prog));
  close(in);
  TL_CHECK(n > 0 && n < (int)sizeof(prog), "echo is %d bytes", n);
  TL_CHECK(fr_copy("/echo", "fx.t", 1) == 0, "copy");
  if ((w = fork()) == 0)
    fxt_writer(prog, n);
  for (int r = 0; r < FXT_RUNS && w > 0; r++) {
    if ((pid = fork()) == 0) {
      close(1);
      exec("fx.t", argv);
      exit(99);
    }
    st = f_wait(pid);
    ran += st == 0;
    killed += st == -1;
  }
  kill(w);
  f_wait(w);
  unlink("fx.t");
  printf("fexec: %d of %d runs ran, %d were killed\n", ran, FXT_RUNS, killed);
  TL_CHECK(w > 0 && killed == 0, "%d runs killed by a fault", killed);
  return 0;
}

void swf_exec(void)
{
  tl_run_child("rewrite_race", fexec_rewrite_race);
  tl_run_child("pressure", fexec_pressure);
}

