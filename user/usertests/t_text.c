// SPDX-License-Identifier: MIT
// usertests group "text": the file of a running program cannot be written
// (ETXTBSY for open for writing, O_TRUNC, write and ftruncate), but it can
// be unlinked, and the program keeps running from its file. The tests run
// copies of cat and of usertests, never the suite's own programs, so a
// kernel that lets the write through breaks only the copy.
#include "user/usertests/ut.h"

static char text_buf[4096];

// Copy file src to a new file dst; 0 or -1.
static int
text_copy(const char *src, const char *dst)
{
  int in, out, n, ok = 1;

  in = open(src, O_RDONLY);
  out = open(dst, O_CREATE | O_TRUNC | O_WRONLY);
  while (in >= 0 && out >= 0 && (n = read(in, text_buf, sizeof(text_buf))) > 0)
    ok &= write(out, text_buf, n) == n;
  if (in >= 0)
    close(in);
  if (out >= 0)
    close(out);
  return in >= 0 && out >= 0 && ok ? 0 : -1;
}

// Write a line to the running cat and read it back.
static int
text_ping(int in, int out, const char *line)
{
  int n = strlen(line), got = 0, r;

  if (write(in, line, n) != n)
    return -1;
  while (got < n && (r = read(out, text_buf + got, n - got)) > 0)
    got += r;
  return got == n && memcmp(text_buf, line, n) == 0 ? 0 : -1;
}

// Start path (a copy of cat) with its input and output on pipes; *in and
// *out are our ends. Returns the pid.
static int
text_start_cat(const char *path, int *in, int *out)
{
  char *argv[] = { (char *)path, 0 };
  int pi[2], po[2], pid;

  if (pipe(pi) < 0 || pipe(po) < 0)
    return -1;
  pid = fork();
  if (pid == 0) {
    close(0);
    dup(pi[0]);
    close(1);
    dup(po[1]);
    close(pi[0]);
    close(pi[1]);
    close(po[0]);
    close(po[1]);
    exec((char *)path, argv);
    exit(91);
  }
  close(pi[0]);
  close(po[1]);
  *in = pi[1];
  *out = po[0];
  return pid;
}

// Every way of writing the file of a running program fails with ETXTBSY;
// reading it does not. A descriptor opened for writing before the exec
// stays open, but cannot write or truncate while the program runs.
static int
text_attack(const char *path, int wfd)
{
  struct stat st;
  int fd, size;

  TL_CHECK(fstat(wfd, &st) == 0, "fstat: %s", strerror(errno));
  size = st.size;
  TL_CHECK(open(path, O_WRONLY) == -1 && errno == ETXTBSY,
           "open O_WRONLY: errno %d", errno);
  TL_CHECK(open(path, O_RDWR) == -1 && errno == ETXTBSY,
           "open O_RDWR: errno %d", errno);
  TL_CHECK(open(path, O_WRONLY | O_TRUNC) == -1 && errno == ETXTBSY,
           "open O_TRUNC: errno %d", errno);
  TL_CHECK(open(path, O_CREATE | O_RDWR) == -1 && errno == ETXTBSY,
           "open O_CREATE of the existing file: errno %d", errno);
  TL_CHECK(write(wfd, "x", 1) == -1 && errno == ETXTBSY,
           "write: errno %d", errno);
  TL_CHECK(ftruncate(wfd, 0) == -1 && errno == ETXTBSY,
           "ftruncate: errno %d", errno);
  TL_CHECK(mmap(0, PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, wfd, 0) ==
           MAP_FAILED && errno == ETXTBSY, "shared writable mmap: errno %d",
           errno);
  fd = open(path, O_RDONLY);
  TL_CHECK(fd >= 0, "open O_RDONLY: %s", strerror(errno));
  TL_CHECK(fstat(fd, &st) == 0 && st.size == size, "size changed");
  close(fd);
  return 0;
}

// Run in a child (tl_run_child): when a check fails, the child's exit
// closes the pipes and the copy of cat ends too.
static int
t_text_busy(void)
{
  int wfd, in, out, pid, status;

  // init and this suite run too (opening for writing alone changes nothing).
  TL_CHECK(open("/init", O_WRONLY) == -1 && errno == ETXTBSY,
           "open /init for writing: errno %d", errno);
  TL_CHECK(open("usertests", O_RDWR) == -1 && errno == ETXTBSY,
           "open usertests for writing: errno %d", errno);
  TL_CHECK(text_copy("cat", "ut-tcat") == 0, "copy cat: %s", strerror(errno));
  wfd = open("ut-tcat", O_RDWR);   // open for writing before the exec
  TL_CHECK(wfd >= 0, "open: %s", strerror(errno));
  pid = text_start_cat("ut-tcat", &in, &out);
  TL_CHECK(pid > 0, "start: %s", strerror(errno));
  TL_CHECK(text_ping(in, out, "ping\n") == 0, "the copy of cat does not run");
  if (text_attack("ut-tcat", wfd) < 0)
    return -1;
  TL_CHECK(unlink("ut-tcat") == 0, "unlink of a running program: %s",
           strerror(errno));
  // A new file under the old name leaves the running program alone.
  TL_CHECK(ut_make_file("ut-tcat", 64 * 1024) == 0, "new file: %s",
           strerror(errno));
  TL_CHECK(text_ping(in, out, "pong after unlink\n") == 0,
           "the program broke after unlink");
  close(in);
  TL_CHECK(wait(&status) == pid && status == 0, "cat status %d", status);
  close(out);
  // The program has exited: the old descriptor may write again.
  TL_CHECK(write(wfd, "x", 1) == 1, "write after exit: %s", strerror(errno));
  TL_CHECK(ftruncate(wfd, 0) == 0, "ftruncate after exit: %s",
           strerror(errno));
  close(wfd);
  unlink("ut-tcat");
  return 0;
}

// The helper of text.fork_exec, run as a copy of usertests: fork, and the
// parent exits at once. The child waits for a byte on standard input, then
// execs cat, which copies the rest of standard input until end of file.
void
ut_text_helper(void)
{
  char *argv[] = { "cat", 0 };
  char c;
  int pid = fork();

  if (pid != 0)
    exit(pid < 0);
  if (read(STDIN_FILENO, &c, 1) != 1)
    exit(1);
  exec("cat", argv);
  exit(91);
}

// The text count follows fork and exec. A copy of usertests runs the
// helper above: after the exec'd process exits, its fork child still runs
// the copy, which stays busy; once the child has exec'd cat the copy is
// writable again, while cat still runs.
static int
t_text_fork_exec(void)
{
  char *argv[] = { "ut-tut", UT_TEXT_HELPER, 0 };
  int p[2], pid, status, fd = -1;

  TL_CHECK(text_copy("usertests", "ut-tut") == 0, "copy usertests: %s",
           strerror(errno));
  TL_CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
  pid = fork();
  TL_CHECK(pid >= 0, "fork: %s", strerror(errno));
  if (pid == 0) {
    close(0);
    dup(p[0]);
    close(p[0]);
    close(p[1]);
    exec("ut-tut", argv);
    exit(91);
  }
  close(p[0]);
  TL_CHECK(wait(&status) == pid && status == 0, "helper status %d", status);
  fd = open("ut-tut", O_WRONLY);
  TL_CHECK(fd == -1 && errno == ETXTBSY,
           "the fork child runs the copy, yet open for writing gives fd %d "
           "errno %d", fd, errno);
  TL_CHECK(write(p[1], "x", 1) == 1, "write: %s", strerror(errno));
  for (int i = 0; i < 200 && (fd = open("ut-tut", O_WRONLY)) < 0; i++)
    sleep(1);
  TL_CHECK(fd >= 0, "still busy after the exec of cat: errno %d", errno);
  close(fd);
  close(p[1]);                     // cat ends
  unlink("ut-tut");
  return 0;
}

void
ut_text(void)
{
  tl_run_child("busy", t_text_busy);
  tl_run_child("fork_exec", t_text_fork_exec);
}
