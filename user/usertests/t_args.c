// SPDX-License-Identifier: MIT
// usertests group "args": the command line the suites share (tl_args in
// user/lib/testlib.c). `SUITE -l` lists the groups, one a line, and runs
// none; a name that is no group makes the suite exit 1 with a message
// before running anything, so a typo in `make suite RUN=...` is a failure,
// not a silent pass. Runs the three suites' programs from the file system.
#include "user/usertests/ut.h"

static char args_out[1024];

// Run argv with stdout and stderr into args_out (NUL-terminated); its exit
// status in *status. The output's length, or -1.
static int
args_run(char **argv, int *status)
{
  int p[2], n = 0, r, pid;

  if (pipe(p) < 0)
    return -1;
  if ((pid = fork()) < 0) {
    close(p[0]);
    close(p[1]);
    return -1;
  }
  if (pid == 0) {
    close(p[0]);
    close(STDOUT_FILENO);
    dup(p[1]);
    close(STDERR_FILENO);
    dup(p[1]);
    close(p[1]);
    exec(argv[0], argv);
    exit(99);
  }
  close(p[1]);
  while (n < (int)sizeof(args_out) - 1 &&
         (r = read(p[0], args_out + n, sizeof(args_out) - 1 - n)) > 0)
    n += r;
  args_out[n] = '\0';
  close(p[0]);
  while ((r = wait(status)) != pid && r >= 0)
    ;
  return n;
}

// Is line a whole line of args_out?
static int
args_has_line(const char *line)
{
  int n = strlen(line);

  for (const char *s = args_out; *s != '\0'; s = strchr(s, '\n') + 1) {
    if (strncmp(s, line, n) == 0 && s[n] == '\n')
      return 1;
    if (strchr(s, '\n') == NULL)
      break;
  }
  return 0;
}

// Does args_out contain s? (The user library has no strstr.)
static int
args_contains(const char *s)
{
  int n = strlen(s);

  for (const char *p = args_out; *p != '\0'; p++)
    if (strncmp(p, s, n) == 0)
      return 1;
  return 0;
}

// `prog -l` exits 0 and prints first and last among its lines, and no
// suite result (so no group ran).
static int
args_list(char *prog, const char *first, const char *last)
{
  char *argv[] = { prog, "-l", 0 };
  int status = -2;

  TL_CHECK(args_run(argv, &status) > 0, "%s -l printed nothing", prog);
  TL_CHECK(status == 0, "%s -l: exit status %d", prog, status);
  TL_CHECK(args_has_line(first) && args_has_line(last),
           "%s -l does not list %s and %s: \"%s\"", prog, first, last, args_out);
  TL_CHECK(!args_contains("passed"), "%s -l ran tests", prog);
  return 0;
}

// `prog nosuchgroup` exits 1, says why, and runs nothing.
static int
args_unknown(char *prog)
{
  char *argv[] = { prog, "nosuchgroup", 0 };
  int status = -2;

  args_run(argv, &status);
  TL_CHECK(status == 1, "%s nosuchgroup: exit status %d", prog, status);
  TL_CHECK(args_contains("no group 'nosuchgroup'"),
           "%s nosuchgroup printed \"%s\"", prog, args_out);
  TL_CHECK(!args_contains("passed"), "%s nosuchgroup ran tests", prog);
  return 0;
}

static int args_list_usertests(void)  { return args_list("usertests", "proc", "console"); }
static int args_list_mmaptests(void)  { return args_list("mmaptests", "mmap_args", "contract_behav"); }
static int args_list_pctests(void)    { return args_list("pctests", "io", "reclaim"); }
static int args_unknown_usertests(void) { return args_unknown("usertests"); }
static int args_unknown_mmaptests(void) { return args_unknown("mmaptests"); }
static int args_unknown_pctests(void)   { return args_unknown("pctests"); }

void
ut_args(void)
{
  tl_run("list_usertests", args_list_usertests);
  tl_run("list_mmaptests", args_list_mmaptests);
  tl_run("list_pctests", args_list_pctests);
  tl_run("unknown_usertests", args_unknown_usertests);
  tl_run("unknown_mmaptests", args_unknown_mmaptests);
  tl_run("unknown_pctests", args_unknown_pctests);
}
