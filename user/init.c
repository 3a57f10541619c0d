// SPDX-License-Identifier: MIT
// init: the first user process.
//
// Opens the console as descriptors 0, 1 and 2 (creating the device node
// "console" if the image lacks it). If the file /autorun exists, runs
// `sh < /autorun` once -- the in-kernel test suites -- and then powers the
// machine off with halt(0), so a headless `make check` ends. Otherwise it
// keeps an interactive sh running, starting a new one whenever it exits.
// Orphans are re-parented to init; it reaps them while it waits.
#include "user/user.h"

#define CONSOLE_MAJOR 1   // devsw index of the console (kernel/file.h)

static char *sh_argv[] = { "sh", 0 };

static void
init_console(void)
{
  if (open("console", O_RDWR) < 0) {
    mknod("console", CONSOLE_MAJOR, 0);
    if (open("console", O_RDWR) < 0)
      exit(1);   // nowhere to even print the problem
  }
  dup(0);   // stdout
  dup(0);   // stderr
}

// Start sh with standard input from stdin_path (NULL: the console).
// Returns its pid, or -1.
static int
init_spawn_sh(const char *stdin_path)
{
  int pid = fork();

  if (pid < 0) {
    fprintf(STDERR_FILENO, "init: fork: %s\n", strerror(errno));
    return -1;
  }
  if (pid == 0) {
    if (stdin_path != NULL) {
      close(STDIN_FILENO);
      if (open(stdin_path, O_RDONLY) != STDIN_FILENO) {
        fprintf(STDERR_FILENO, "init: cannot open %s\n", stdin_path);
        exit(1);
      }
    }
    exec("sh", sh_argv);
    fprintf(STDERR_FILENO, "init: exec sh: %s\n", strerror(errno));
    exit(1);
  }
  return pid;
}

// Wait until pid exits, reaping any orphans that exit meanwhile.
static void
init_wait_for(int pid)
{
  int r;

  do {
    r = wait(NULL);
  } while (r != pid && !(r < 0 && errno == ECHILD));
}

int
main(void)
{
  struct stat st;
  int pid;

  init_console();
  if (stat("/autorun", &st) == 0 && st.type == T_FILE) {
    printf("init: running /autorun\n");
    pid = init_spawn_sh("/autorun");
    if (pid > 0)
      init_wait_for(pid);
    printf("init: /autorun finished, halting\n");
    halt(0);
    fprintf(STDERR_FILENO, "init: halt: %s\n", strerror(errno));
  }
  for (;;) {
    printf("init: starting sh\n");
    pid = init_spawn_sh(NULL);
    if (pid < 0) {
      sleep(10);
      continue;
    }
    init_wait_for(pid);
  }
}
