// SPDX-License-Identifier: MIT
// usertests group "file": create, write, read, offsets, unlink, links,
// directories, big files, descriptor limits and errors.
#define FS_GEOMETRY      // the file system's own blocks, not xv6's (fs.h)
#include "user/usertests/ut.h"
#include "kernel/fs.h"

static char file_buf[8192];

// Check that fd reads n bytes of the ut_byte pattern starting at offset off.
static int
file_check_pattern(int fd, int off, int n)
{
  int i, k, r;

  for (i = 0; i < n; i += k) {
    k = n - i < (int)sizeof(file_buf) ? n - i : (int)sizeof(file_buf);
    r = read(fd, file_buf, k);
    if (r != k)
      return tl_fail_at(__LINE__, "read at %d: %d of %d", off + i, r, k);
    for (int j = 0; j < k; j++) {
      if (file_buf[j] != ut_byte(off + i + j))
        return tl_fail_at(__LINE__, "wrong byte at %d", off + i + j);
    }
  }
  return 0;
}

static int
t_create_rw(void)
{
  struct stat st;
  int fd;

  TL_CHECK(ut_make_file("ut-f1", 1000) == 0, "create: %s", strerror(errno));
  fd = open("ut-f1", O_RDONLY);
  TL_CHECK(fd >= 0, "open: %s", strerror(errno));
  TL_CHECK(fstat(fd, &st) == 0, "fstat: %s", strerror(errno));
  TL_CHECK(st.type == T_FILE && st.size == 1000 && st.nlink == 1,
           "fstat: type %d size %lu nlink %d", st.type,
           (unsigned long)st.size, st.nlink);
  if (file_check_pattern(fd, 0, 1000) < 0)
    return -1;
  TL_CHECK(read(fd, file_buf, 10) == 0, "read at end of file not 0");
  TL_CHECK(write(fd, "x", 1) == -1 && errno == EBADF,
           "write to a read-only fd: errno %d", errno);
  close(fd);
  TL_CHECK(unlink("ut-f1") == 0, "unlink: %s", strerror(errno));
  TL_CHECK(open("ut-f1", O_RDONLY) == -1 && errno == ENOENT,
           "open after unlink: errno %d", errno);
  TL_CHECK(unlink("ut-f1") == -1 && errno == ENOENT,
           "unlink twice: errno %d", errno);
  return 0;
}

static int
t_offsets(void)
{
  int fd, fd2;

  TL_CHECK(ut_make_file("ut-f2", 5000) == 0, "create: %s", strerror(errno));
  fd = open("ut-f2", O_RDWR);
  TL_CHECK(fd >= 0, "open: %s", strerror(errno));
  TL_CHECK(lseek(fd, 0, SEEK_END) == 5000, "lseek SEEK_END");
  TL_CHECK(lseek(fd, 1234, SEEK_SET) == 1234, "lseek SEEK_SET");
  if (file_check_pattern(fd, 1234, 100) < 0)
    return -1;
  TL_CHECK(lseek(fd, -34, SEEK_CUR) == 1300, "lseek SEEK_CUR");
  fd2 = dup(fd);   // shares the offset
  TL_CHECK(fd2 >= 0, "dup: %s", strerror(errno));
  if (file_check_pattern(fd2, 1300, 50) < 0 ||
      file_check_pattern(fd, 1350, 50) < 0)
    return -1;
  TL_CHECK(lseek(fd, -1, SEEK_SET) == -1 && errno == EINVAL,
           "lseek to -1: errno %d", errno);
  TL_CHECK(ftruncate(fd, 100) == 0, "ftruncate: %s", strerror(errno));
  TL_CHECK(lseek(fd, 0, SEEK_END) == 100, "size after ftruncate");
  close(fd);
  close(fd2);
  unlink("ut-f2");
  return 0;
}

static int
t_unlink_open(void)
{
  int fd;

  TL_CHECK(ut_make_file("ut-f3", 3000) == 0, "create: %s", strerror(errno));
  fd = open("ut-f3", O_RDONLY);
  TL_CHECK(fd >= 0, "open: %s", strerror(errno));
  TL_CHECK(unlink("ut-f3") == 0, "unlink: %s", strerror(errno));
  if (file_check_pattern(fd, 0, 3000) < 0)
    return -1;
  close(fd);
  return 0;
}

static int
t_links(void)
{
  struct stat st;
  int fd;

  TL_CHECK(ut_make_file("ut-l1", 700) == 0, "create: %s", strerror(errno));
  TL_CHECK(link("ut-l1", "ut-l2") == 0, "link: %s", strerror(errno));
  TL_CHECK(link("ut-l1", "ut-l2") == -1 && errno == EEXIST,
           "link onto an existing name: errno %d", errno);
  TL_CHECK(link("ut-nothing", "ut-l3") == -1 && errno == ENOENT,
           "link of a missing file: errno %d", errno);
  TL_CHECK(stat("ut-l2", &st) == 0 && st.nlink == 2, "nlink %d", st.nlink);
  TL_CHECK(unlink("ut-l1") == 0, "unlink: %s", strerror(errno));
  fd = open("ut-l2", O_RDONLY);
  TL_CHECK(fd >= 0, "open the second name: %s", strerror(errno));
  TL_CHECK(fstat(fd, &st) == 0 && st.nlink == 1, "nlink after unlink %d",
           st.nlink);
  if (file_check_pattern(fd, 0, 700) < 0)
    return -1;
  close(fd);
  TL_CHECK(unlink("ut-l2") == 0, "unlink: %s", strerror(errno));
  return 0;
}

static int
t_dirs(void)
{
  struct stat st;
  int fd;

  TL_CHECK(mkdir("ut-d") == 0, "mkdir: %s", strerror(errno));
  TL_CHECK(mkdir("ut-d") == -1 && errno == EEXIST, "mkdir twice: errno %d",
           errno);
  TL_CHECK(ut_make_file("ut-d/f", 10) == 0, "create in dir: %s",
           strerror(errno));
  TL_CHECK(open("ut-d", O_RDWR) == -1 && errno == EISDIR,
           "open a directory for writing: errno %d", errno);
  TL_CHECK(unlink("ut-d") == -1, "unlink of a non-empty directory worked");
  TL_CHECK(chdir("ut-d") == 0, "chdir: %s", strerror(errno));
  TL_CHECK(stat("f", &st) == 0 && st.size == 10, "relative stat");
  TL_CHECK(stat("../ut-d/f", &st) == 0, "stat through ..");
  TL_CHECK(chdir("..") == 0, "chdir ..: %s", strerror(errno));
  TL_CHECK(chdir("ut-d/f") == -1 && errno == ENOTDIR,
           "chdir to a file: errno %d", errno);
  TL_CHECK(open("ut-d/f/x", O_CREATE | O_RDWR) == -1,
           "created a file under a file");
  fd = open("ut-d", O_RDONLY);
  TL_CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.type == T_DIR,
           "open directory read-only");
  close(fd);
  TL_CHECK(unlink("ut-d/f") == 0, "unlink: %s", strerror(errno));
  TL_CHECK(unlink("ut-d") == 0, "unlink empty dir: %s", strerror(errno));
  TL_CHECK(chdir("ut-d") == -1 && errno == ENOENT, "chdir to removed dir");
  return 0;
}

// A file that needs the direct, the indirect and the doubly indirect
// blocks. Written in uneven chunks so writes straddle block boundaries.
static int
t_big_file(void)
{
  int size = (NDIRECT + NINDIRECT + 8) * BSIZE;
  int fd, i, k;

  fd = open("ut-big", O_CREATE | O_TRUNC | O_RDWR);
  TL_CHECK(fd >= 0, "create: %s", strerror(errno));
  for (i = 0; i < size; i += k) {
    k = size - i < 7001 ? size - i : 7001;
    for (int j = 0; j < k; j++)
      file_buf[j] = ut_byte(i + j);
    TL_CHECK(write(fd, file_buf, k) == k, "write at %d: %s", i,
             strerror(errno));
  }
  TL_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  if (file_check_pattern(fd, 0, size) < 0)
    return -1;
  TL_CHECK(lseek(fd, size - 5000, SEEK_SET) == size - 5000, "lseek");
  if (file_check_pattern(fd, size - 5000, 5000) < 0)
    return -1;
  close(fd);
  TL_CHECK(unlink("ut-big") == 0, "unlink: %s", strerror(errno));
  return 0;
}

static int
t_fd_limits(void)
{
  int fds[64], n = 0, fd;

  while (n < 64 && (fd = open("README.md", O_RDONLY)) >= 0)
    fds[n++] = fd;
  TL_CHECK(n < 64 && errno == EMFILE, "open until full: %d fds, errno %d", n,
           errno);
  for (int i = 0; i < n; i++)
    close(fds[i]);
  TL_CHECK(read(60, file_buf, 1) == -1 && errno == EBADF, "read fd 60");
  TL_CHECK(close(-1) == -1 && errno == EBADF, "close(-1): errno %d", errno);
  TL_CHECK(dup(1000) == -1 && errno == EBADF, "dup(1000): errno %d", errno);
  TL_CHECK(open("", O_RDONLY) == -1, "open of an empty path worked");
  return 0;
}

// Parent and child write through one descriptor (one open file, one
// offset). Every write must land at its own offset: the file ends exactly
// SHARE_WRITES * SHARE_CHUNK bytes long per writer, and since every write
// is SHARE_CHUNK bytes at a multiple of SHARE_CHUNK, each chunk of the file
// holds one writer's byte only.
#define SHARE_WRITES 800
#define SHARE_CHUNK  5

static void
file_share_writer(int fd, char c)
{
  char buf[SHARE_CHUNK];

  memset(buf, c, sizeof(buf));
  for (int i = 0; i < SHARE_WRITES; i++) {
    if (write(fd, buf, sizeof(buf)) != sizeof(buf))
      exit(1);
  }
}

// Count the 'P' and 'C' bytes of path; -1 if a chunk mixes them or another
// byte shows up.
static int
file_share_count(const char *path, int *np, int *nc)
{
  int fd, r;

  *np = *nc = 0;
  fd = open(path, O_RDONLY);
  TL_CHECK(fd >= 0, "open: %s", strerror(errno));
  while ((r = read(fd, file_buf, 500 * SHARE_CHUNK)) > 0) {
    for (int i = 0; i < r; i++) {
      if (file_buf[i] != file_buf[i - i % SHARE_CHUNK] ||
          (file_buf[i] != 'P' && file_buf[i] != 'C')) {
        close(fd);
        return tl_fail_at(__LINE__, "byte %d of a chunk is '%c'", i, file_buf[i]);
      }
      *np += file_buf[i] == 'P';
      *nc += file_buf[i] == 'C';
    }
  }
  close(fd);
  TL_CHECK(r == 0, "read: %s", strerror(errno));
  return 0;
}

static int
t_shared_offset_write(void)
{
  struct stat st;
  int fd, pid, status, np, nc;

  fd = open("ut-share", O_CREATE | O_TRUNC | O_RDWR);
  TL_CHECK(fd >= 0, "create: %s", strerror(errno));
  pid = fork();
  TL_CHECK(pid >= 0, "fork: %s", strerror(errno));
  if (pid == 0) {
    file_share_writer(fd, 'C');
    exit(0);
  }
  file_share_writer(fd, 'P');
  TL_CHECK(wait(&status) == pid && status == 0, "child status %d", status);
  TL_CHECK(fstat(fd, &st) == 0, "fstat: %s", strerror(errno));
  close(fd);
  TL_CHECK(st.size == 2 * SHARE_WRITES * SHARE_CHUNK,
           "size %lu, want %d: writes overwrote each other",
           (unsigned long)st.size, 2 * SHARE_WRITES * SHARE_CHUNK);
  if (file_share_count("ut-share", &np, &nc) < 0)
    return -1;
  TL_CHECK(np == SHARE_WRITES * SHARE_CHUNK && nc == SHARE_WRITES * SHARE_CHUNK,
           "%d bytes from the parent, %d from the child", np, nc);
  unlink("ut-share");
  return 0;
}

// The read side: a file of consecutive 32-bit numbers, read by parent and
// child through one descriptor until end of file. Every read must take its
// own part of the file, so between them they see every number exactly
// once, and each sees its numbers in increasing order. The file is bigger
// than the buffer cache, so reads sleep on the disk in the middle.
#define SHARE_WORDS (1 << 18)        // 1 MiB
#define SHARE_READ  1000             // bytes per read, not page-aligned

struct share_sum {
  uint64 count, sum;
  int ordered;
};

static void
file_share_reader(int fd, struct share_sum *s)
{
  uint32 buf[SHARE_READ / 4];
  long last = -1;
  int r;

  s->count = s->sum = 0;
  s->ordered = 1;
  while ((r = read(fd, buf, sizeof(buf))) > 0) {
    for (int i = 0; i < r / 4; i++) {
      s->ordered &= (long)buf[i] > last;
      last = buf[i];
      s->count++;
      s->sum += buf[i];
    }
  }
}

static int
file_share_make_words(const char *path)
{
  uint32 *w = (uint32 *)file_buf;
  int n = sizeof(file_buf) / 4, fd;

  fd = open(path, O_CREATE | O_TRUNC | O_WRONLY);
  TL_CHECK(fd >= 0, "create: %s", strerror(errno));
  for (int i = 0; i < SHARE_WORDS; i += n) {
    for (int j = 0; j < n; j++)
      w[j] = i + j;
    TL_CHECK(write(fd, w, n * 4) == n * 4, "write: %s", strerror(errno));
  }
  close(fd);
  return 0;
}

static int
t_shared_offset_read(void)
{
  struct share_sum mine, child;
  int fd, pid, p[2], status;
  uint64 want = (uint64)SHARE_WORDS * (SHARE_WORDS - 1) / 2;

  if (file_share_make_words("ut-share") < 0)
    return -1;
  fd = open("ut-share", O_RDONLY);
  TL_CHECK(fd >= 0 && pipe(p) == 0, "open, pipe: %s", strerror(errno));
  pid = fork();
  TL_CHECK(pid >= 0, "fork: %s", strerror(errno));
  if (pid == 0) {
    file_share_reader(fd, &child);
    write(p[1], &child, sizeof(child));
    exit(0);
  }
  file_share_reader(fd, &mine);
  TL_CHECK(read(p[0], &child, sizeof(child)) == sizeof(child), "no report");
  TL_CHECK(wait(&status) == pid && status == 0, "child status %d", status);
  close(p[0]);
  close(p[1]);
  close(fd);
  unlink("ut-share");
  TL_CHECK(mine.ordered && child.ordered, "a reader went backwards");
  TL_CHECK(mine.count + child.count == SHARE_WORDS && mine.sum + child.sum == want,
           "read %lu + %lu numbers, want %d: reads shared an offset",
           (unsigned long)mine.count, (unsigned long)child.count, SHARE_WORDS);
  return 0;
}

// fstat fills all of struct stat, padding included: the kernel's copy must
// never carry old bytes of its stack. Other calls run in between, to leave
// different values where the kernel builds the structure.
static int
t_fstat_padding(void)
{
  struct stat st;
  unsigned char *b = (unsigned char *)&st;
  int fd, p[2];

  TL_CHECK(sizeof(st) == 24 && ut_make_file("ut-pad", 100) == 0,
           "setup: %s", strerror(errno));
  fd = open("ut-pad", O_RDONLY);
  TL_CHECK(fd >= 0 && pipe(p) == 0, "open, pipe: %s", strerror(errno));
  for (int i = 0; i < 64; i++) {
    switch (i % 4) {
    case 0: read(fd, file_buf, 100); lseek(fd, 0, SEEK_SET); break;
    case 1: write(p[1], file_buf, 100); read(p[0], file_buf, 100); break;
    case 2: stat("README.md", &st); break;
    case 3: getpid(); break;
    }
    memset(&st, 0xff, sizeof(st));
    TL_CHECK(fstat(fd, &st) == 0, "fstat: %s", strerror(errno));
    for (int k = 12; k < 16; k++)           // between nlink and size
      TL_CHECK(b[k] == 0, "round %d: padding byte %d is 0x%x", i, k, b[k]);
  }
  close(fd);
  close(p[0]);
  close(p[1]);
  unlink("ut-pad");
  return 0;
}

// Two processes extend one file through two open files of it at once:
// records of 'a' in the even slots, of 'b' in the odd ones. Every byte
// read back is its writer's. (A write past the end zeroes the part of the
// last page the file gains, where stores through a mapping may lie; before
// writes to one file were serialized, that could wipe bytes another
// writer had copied into the page but not yet counted in the size.)
#define RACE_REC  1000
#define RACE_RECS 400
#define RACE_SIZE (2 * RACE_RECS * RACE_REC)

static int
t_extend_race(void)
{
  int fd, st, bad = -1, badv = 0, n, got = 0;

  unlink("race.f");
  TL_CHECK((fd = open("race.f", O_CREATE | O_RDWR)) >= 0, "open: %d", errno);
  // Mapped, the file's writes stay in the cache: fast, so they overlap.
  char *map = mmap(0, RACE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  TL_CHECK(map != MAP_FAILED, "mmap: %s", strerror(errno));
  for (int w = 0; w < 2; w++) {
    int pid = fork();
    TL_CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid > 0)
      continue;
    char rec[RACE_REC];
    int wfd = open("race.f", O_RDWR);
    memset(rec, 'a' + w, sizeof(rec));
    for (int k = 0; k < RACE_RECS; k++) {
      TL_CHILD_CHECK(lseek(wfd, (2 * k + w) * RACE_REC, SEEK_SET) >= 0);
      TL_CHILD_CHECK(write(wfd, rec, RACE_REC) == RACE_REC);
    }
    exit(0);
  }
  for (int w = 0; w < 2; w++)
    TL_CHECK(wait(&st) > 0 && st == 0, "writer status %d", st);
  TL_CHECK((fd = open("race.f", O_RDONLY)) >= 0, "open: %d", errno);
  while ((n = read(fd, file_buf, sizeof(file_buf))) > 0) {
    for (int j = 0; j < n && bad < 0; j++)
      if (file_buf[j] != 'a' + (got + j) / RACE_REC % 2)
        bad = got + j, badv = file_buf[j];
    got += n;
  }
  close(fd);
  munmap(map, RACE_SIZE);
  unlink("race.f");
  TL_CHECK(bad < 0, "byte %d is %d", bad, badv);
  TL_CHECK(got == RACE_SIZE, "%d bytes", got);
  return 0;
}

// A truncation that grows a file, beside a write past its end: process W
// writes record k at [k * REC, (k + 1) * REC) while process G ftruncates
// the file to the record's end, the moment W says it begins. Whichever
// runs first, the record reads back whole. (Before truncations took the
// inode's write lock, G's zeroing of what the last page gains could come
// after W's copy into that page and wipe the record.)
#define GROW_REC  1500
#define GROW_RECS 200

static void
grow_writer(int go, int ack)
{
  char rec[GROW_REC];
  int fd = open("grow.f", O_RDWR);
  long end;

  TL_CHILD_CHECK(fd >= 0);
  for (int k = 0; k < GROW_RECS; k++) {
    memset(rec, 'A' + k % 26, sizeof(rec));
    end = (long)(k + 1) * GROW_REC;
    TL_CHILD_CHECK(write(go, &end, sizeof(end)) == sizeof(end));
    TL_CHILD_CHECK(write(fd, rec, GROW_REC) == GROW_REC);
    TL_CHILD_CHECK(read(ack, &end, sizeof(end)) == sizeof(end));
  }
  exit(0);
}

static void
grow_truncater(int go, int ack)
{
  int fd = open("grow.f", O_RDWR);
  long end;

  TL_CHILD_CHECK(fd >= 0);
  for (int k = 0; k < GROW_RECS; k++) {
    TL_CHILD_CHECK(read(go, &end, sizeof(end)) == sizeof(end));
    for (int i = 0; i < 3; i++)             // more tries to meet the copy
      TL_CHILD_CHECK(ftruncate(fd, end) == 0);
    TL_CHILD_CHECK(write(ack, &end, sizeof(end)) == sizeof(end));
  }
  exit(0);
}

static int
t_grow_race(void)
{
  int fd, st, go[2], ack[2], n, got = 0, bad = -1, badv = 0;

  unlink("grow.f");
  TL_CHECK((fd = open("grow.f", O_CREATE | O_RDWR)) >= 0, "open: %d", errno);
  TL_CHECK(pipe(go) == 0 && pipe(ack) == 0, "pipe: %s", strerror(errno));
  for (int w = 0; w < 2; w++) {
    int pid = fork();
    TL_CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0 && w == 0)
      grow_writer(go[1], ack[0]);
    if (pid == 0)
      grow_truncater(go[0], ack[1]);
  }
  for (int w = 0; w < 2; w++)
    TL_CHECK(wait(&st) > 0 && st == 0, "child status %d", st);
  while ((n = read(fd, file_buf, sizeof(file_buf))) > 0) {
    for (int j = 0; j < n && bad < 0; j++)
      if (file_buf[j] != 'A' + (got + j) / GROW_REC % 26)
        bad = got + j, badv = file_buf[j];
    got += n;
  }
  for (int i = 0; i < 2; i++)
    close(go[i]), close(ack[i]);
  close(fd);
  unlink("grow.f");
  TL_CHECK(bad < 0, "byte %d is %d", bad, badv);
  TL_CHECK(got == GROW_RECS * GROW_REC, "%d bytes", got);
  return 0;
}

// open(O_TRUNC) beside a write: W writes record k at TRUNC_AT while T
// opens the file with O_TRUNC the moment W begins. Either the truncation
// comes first and the record reads back whole, or it comes last and the
// file is empty; never a file that ends in zeros where the record was.
#define TRUNC_AT  5000
#define TRUNC_REC 1500
#define TRUNC_ROUNDS 200

static void
trunc_opener(int go, int ack)
{
  char c;

  for (int k = 0; k < TRUNC_ROUNDS; k++) {
    TL_CHILD_CHECK(read(go, &c, 1) == 1);
    int fd = open("otrunc.f", O_RDWR | O_TRUNC);
    TL_CHILD_CHECK(fd >= 0);
    close(fd);
    TL_CHILD_CHECK(write(ack, &c, 1) == 1);
  }
  exit(0);
}

// Round k of t_otrunc_race, after both sides: 0 or the line of the fault.
static int
trunc_check(int fd, int k)
{
  struct stat st;

  TL_CHECK(fstat(fd, &st) == 0, "fstat: %s", strerror(errno));
  if (st.size == 0)
    return 0;
  TL_CHECK(st.size == TRUNC_AT + TRUNC_REC, "round %d: size %lu", k,
           (unsigned long)st.size);
  TL_CHECK(lseek(fd, TRUNC_AT, SEEK_SET) == TRUNC_AT, "lseek");
  TL_CHECK(read(fd, file_buf, TRUNC_REC) == TRUNC_REC, "read");
  for (int j = 0; j < TRUNC_REC; j++)
    TL_CHECK(file_buf[j] == 'a' + k % 26, "round %d: byte %d is %d", k,
             TRUNC_AT + j, file_buf[j]);
  return 0;
}

static int
t_otrunc_race(void)
{
  char rec[TRUNC_REC], c = 'x';
  int fd, st, go[2], ack[2], pid, r = 0;

  unlink("otrunc.f");
  TL_CHECK((fd = open("otrunc.f", O_CREATE | O_RDWR)) >= 0, "open: %d", errno);
  TL_CHECK(pipe(go) == 0 && pipe(ack) == 0, "pipe: %s", strerror(errno));
  TL_CHECK((pid = fork()) >= 0, "fork: %s", strerror(errno));
  if (pid == 0)
    trunc_opener(go[0], ack[1]);
  for (int k = 0; k < TRUNC_ROUNDS && r == 0; k++) {
    memset(rec, 'a' + k % 26, sizeof(rec));
    TL_CHECK(lseek(fd, TRUNC_AT, SEEK_SET) == TRUNC_AT, "lseek");
    TL_CHECK(write(go[1], &c, 1) == 1, "pipe write");
    TL_CHECK(write(fd, rec, TRUNC_REC) == TRUNC_REC, "write: %d", errno);
    TL_CHECK(read(ack[0], &c, 1) == 1, "pipe read");
    r = trunc_check(fd, k);
  }
  if (r != 0)
    kill(pid);
  TL_CHECK(wait(&st) == pid, "wait");
  for (int i = 0; i < 2; i++)
    close(go[i]), close(ack[i]);
  close(fd);
  unlink("otrunc.f");
  return r;
}

void
ut_file(void)
{
  tl_run("create_rw", t_create_rw);
  tl_run("offsets", t_offsets);
  tl_run("unlink_open", t_unlink_open);
  tl_run("links", t_links);
  tl_run("dirs", t_dirs);
  tl_run("big_file", t_big_file);
  tl_run("fd_limits", t_fd_limits);
  tl_run("shared_offset_write", t_shared_offset_write);
  tl_run("shared_offset_read", t_shared_offset_read);
  tl_run("fstat_padding", t_fstat_padding);
  tl_run("extend_race", t_extend_race);
  tl_run("grow_race", t_grow_race);
  tl_run("otrunc_race", t_otrunc_race);
}
