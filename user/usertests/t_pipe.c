// SPDX-License-Identifier: MIT
// usertests group "pipe": data integrity, EOF, many writers, broken pipes.
#include "user/usertests/ut.h"

#define PIPE_BYTES   20000   // bytes sent in pipe.data
#define PIPE_WRITERS 5
#define PIPE_EACH    3000    // bytes per writer in pipe.many_writers

static unsigned char pipe_buf[4096];

static int
t_data(void)
{
  int p[2], pid, sent, k, got = 0, n, st, bad = -1;

  TL_CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
  pid = fork();
  TL_CHECK(pid >= 0, "fork: %s", strerror(errno));
  if (pid == 0) {
    close(p[0]);
    // Uneven chunk sizes, some larger than any pipe buffer.
    for (sent = 0, k = 1; sent < PIPE_BYTES; sent += k, k = k * 3 % 3001 + 1) {
      if (k > PIPE_BYTES - sent)
        k = PIPE_BYTES - sent;
      for (int j = 0; j < k; j++)
        pipe_buf[j] = (unsigned char)(sent + j);
      TL_CHILD_CHECK(write(p[1], pipe_buf, k) == k);
    }
    exit(0);
  }
  close(p[1]);
  while ((n = read(p[0], pipe_buf, 777)) > 0) {
    for (int j = 0; j < n; j++) {
      if (bad < 0 && pipe_buf[j] != (unsigned char)(got + j))
        bad = got + j;
    }
    got += n;
  }
  close(p[0]);
  TL_CHECK(bad < 0, "wrong byte at %d", bad);
  TL_CHECK(n == 0, "read: %s", strerror(errno));
  TL_CHECK(got == PIPE_BYTES, "got %d bytes of %d", got, PIPE_BYTES);
  TL_CHECK(wait(&st) == pid && st == 0, "writer status %d", st);
  return 0;
}

// EOF only after every write end is closed, including the forked copies.
static int
t_eof(void)
{
  int p[2], pid, st;
  char c;

  TL_CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
  pid = fork();
  TL_CHECK(pid >= 0, "fork: %s", strerror(errno));
  if (pid == 0) {
    sleep(2);
    write(p[1], "z", 1);
    exit(0);   // closes the child's write end
  }
  close(p[1]);
  TL_CHECK(read(p[0], &c, 1) == 1 && c == 'z', "first byte");
  TL_CHECK(read(p[0], &c, 1) == 0, "no EOF after the writer exited");
  close(p[0]);
  TL_CHECK(wait(&st) == pid && st == 0, "writer status %d", st);
  return 0;
}

// Writers write one-byte records of their own id; every byte arrives.
static int
t_many_writers(void)
{
  int p[2], counts[PIPE_WRITERS] = { 0 }, n, i, st, stray = 0;

  TL_CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
  for (i = 0; i < PIPE_WRITERS; i++) {
    n = fork();
    if (n < 0) {
      close(p[0]);
      close(p[1]);
      return tl_fail_at(__LINE__, "fork: %s", strerror(errno));
    }
    if (n == 0) {
      close(p[0]);
      memset(pipe_buf, 'A' + i, sizeof(pipe_buf));
      for (int sent = 0; sent < PIPE_EACH; sent += 100)
        TL_CHILD_CHECK(write(p[1], pipe_buf, 100) == 100);
      exit(0);
    }
  }
  close(p[1]);
  while ((n = read(p[0], pipe_buf, sizeof(pipe_buf))) > 0) {
    for (int j = 0; j < n; j++) {
      i = pipe_buf[j] - 'A';
      if (i >= 0 && i < PIPE_WRITERS)
        counts[i]++;
      else
        stray++;
    }
  }
  close(p[0]);
  TL_CHECK(stray == 0, "%d stray bytes", stray);
  for (i = 0; i < PIPE_WRITERS; i++) {
    TL_CHECK(counts[i] == PIPE_EACH, "writer %d: %d bytes", i, counts[i]);
    TL_CHECK(wait(&st) > 0 && st == 0, "writer status %d", st);
  }
  return 0;
}

static int
t_broken(void)
{
  int p[2];

  TL_CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
  close(p[0]);
  TL_CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE,
           "write without readers: errno %d", errno);
  close(p[1]);
  TL_CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
  TL_CHECK(read(p[1], pipe_buf, 1) == -1 && errno == EBADF,
           "read from the write end: errno %d", errno);
  TL_CHECK(write(p[0], "x", 1) == -1 && errno == EBADF,
           "write to the read end: errno %d", errno);
  TL_CHECK(lseek(p[0], 0, SEEK_SET) == -1 && errno == ESPIPE,
           "lseek on a pipe: errno %d", errno);
  close(p[0]);
  close(p[1]);
  return 0;
}

// The bytes a read() cannot deliver stay in the pipe: a buffer that starts
// on a bad page gets EFAULT and takes nothing; one that runs into a bad
// page gets the bytes before it, and the rest come out of the next read in
// order. (The ring once lost them: a victim of sysfuzz then waited
// forever for bytes it had been told were still there.)
static int
t_bad_buffer(void)
{
  enum { N = 1500, FIT = 100 };
  int p[2], n, got = FIT, bad = -1;
  unsigned char *m = mmap(0, 2 * PGSIZE, PROT_READ | PROT_WRITE,
                          MAP_ANON | MAP_PRIVATE, -1, 0);

  TL_CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
  TL_CHECK(mprotect(m + PGSIZE, PGSIZE, PROT_NONE) == 0, "mprotect");
  TL_CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
  for (int j = 0; j < N; j++)
    pipe_buf[j] = (unsigned char)(j * 7);
  TL_CHECK(write(p[1], pipe_buf, N) == N, "write: %s", strerror(errno));
  close(p[1]);
  TL_CHECK(read(p[0], m + PGSIZE, 10) == -1 && errno == EFAULT,
           "read onto PROT_NONE: errno %d", errno);
  n = read(p[0], m + PGSIZE - FIT, 1000);
  TL_CHECK(n == FIT, "read into %d good bytes: %d (errno %d)", FIT, n, errno);
  for (int j = 0; j < FIT; j++)
    TL_CHECK(m[PGSIZE - FIT + j] == (unsigned char)(j * 7), "byte %d", j);
  while ((n = read(p[0], pipe_buf, 333)) > 0) {
    for (int j = 0; j < n; j++)
      if (bad < 0 && pipe_buf[j] != (unsigned char)((got + j) * 7))
        bad = got + j;
    got += n;
  }
  close(p[0]);
  munmap(m, 2 * PGSIZE);
  TL_CHECK(bad < 0, "wrong byte at %d", bad);
  TL_CHECK(got == N, "%d of %d bytes came out", got, N);
  return 0;
}

void
ut_pipe(void)
{
  tl_run("data", t_data);
  tl_run("eof", t_eof);
  tl_run("many_writers", t_many_writers);
  tl_run("broken", t_broken);
  tl_run("bad_buffer", t_bad_buffer);
}
