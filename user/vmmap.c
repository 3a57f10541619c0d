// SPDX-License-Identifier: MIT
// vmmap [-s] [pid]: print a process's address space, one line per map
// entry, like FreeBSD's procstat -v:
//
//   START-END  PRT/MAX  INH  BEHAV  WIRE  KIND  ID  DEPTH  RES  SWP  FLAGS
//
// PRT/MAX the protection and maximum protection as rwx; INH the
// inheritance at fork (share/copy/none/zero); BEHAV the madvise behaviour;
// WIRE the wire count; KIND the object (anon, vnode with its inode number,
// none before the first fault, guard); DEPTH the shadow chain's length;
// RES the resident pages of the range; SWP those on swap (not resident);
// FLAGS C copy-on-write, N still sharing its object (needs copy), S stack,
// L mlocked, T in transition.
//
// Without a pid it shows its parent (so `vmmap` typed at the shell shows
// the shell); -s shows vmmap itself.
#include "user/user.h"

static const char *inherit_name[] = {"share", "copy", "none", "zero"};
static const char *behav_name[] = {"normal", "random", "seq"};
static const char *kind_name[] = {"none", "anon", "vnode", "guard", "dead",
                                  "swap"};

static const char *table_name(const char **names, int n, int v)
{
  return v >= 0 && v < n ? names[v] : "?";
}

static void prot_string(char *s, int prot)
{
  s[0] = prot & PROT_READ ? 'r' : '-';
  s[1] = prot & PROT_WRITE ? 'w' : '-';
  s[2] = prot & PROT_EXEC ? 'x' : '-';
  s[3] = '\0';
}

static void flag_string(char *s, int flags)
{
  static const struct { int bit; char c; } bits[] = {
    {VMMAP_F_COW, 'C'}, {VMMAP_F_NEEDS_COPY, 'N'}, {VMMAP_F_GROWS_DOWN, 'S'},
    {VMMAP_F_USER_WIRED, 'L'}, {VMMAP_F_TRANSITION, 'T'},
    {VMMAP_F_DEPTH_CAP, '+'},
  };
  int n = 0;

  for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
    if (flags & bits[i].bit)
      s[n++] = bits[i].c;
  if (n == 0)
    s[n++] = '-';
  s[n] = '\0';
}

static void print_entry(const struct vmmap_entry *e)
{
  char prot[4], max[4], flags[8], kind[24];

  prot_string(prot, e->prot);
  prot_string(max, e->maxprot);
  flag_string(flags, e->flags);
  if (e->kind == VMMAP_KIND_VNODE)
    snprintf(kind, sizeof(kind), "vnode:%u", e->ino);
  else
    snprintf(kind, sizeof(kind), "%s", table_name(kind_name, 6, e->kind));
  printf("%010lx-%010lx %s/%s %-5s %-6s %4u %-9s %5u %3u %5u %5lu %s\n",
         e->start, e->end, prot, max, table_name(inherit_name, 4, e->inherit),
         table_name(behav_name, 3, e->behavior), e->wired, kind, e->objid,
         e->depth, e->resident, e->swapped, flags);
}

// The map of pid into a malloc'd buffer; *n entries. NULL on error.
static struct vmmap_entry *fetch(int pid, int *n)
{
  int max = 32, got;

  for (;;) {
    struct vmmap_entry *buf = malloc(max * sizeof(*buf));
    if (buf == NULL)
      return NULL;
    if ((got = vmmap(pid, buf, max)) < 0) {
      free(buf);
      return NULL;
    }
    if (got <= max) {
      *n = got;
      return buf;
    }
    free(buf);
    max = got + 8;              // it may grow again before the next call
  }
}

int
main(int argc, char *argv[])
{
  int pid = VMMAP_PARENT, n;
  struct vmmap_entry *buf;

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-s") == 0)
      pid = VMMAP_SELF;
    else if (argv[i][0] >= '0' && argv[i][0] <= '9')
      pid = atoi(argv[i]);
    else {
      fprintf(STDERR_FILENO, "usage: vmmap [-s] [pid]\n");
      return 1;
    }
  }
  if ((buf = fetch(pid, &n)) == NULL) {
    fprintf(STDERR_FILENO, "vmmap: %s\n", strerror(errno));
    return 1;
  }
  printf("%-10s %-10s %-7s %-5s %-6s %4s %-9s %5s %3s %5s %5s %s\n", "START",
         "END", "PRT/MAX", "INH", "BEHAV", "WIRE", "KIND", "ID", "SHD", "RES",
         "SWP", "FLAGS");
  for (int i = 0; i < n; i++)
    print_entry(&buf[i]);
  free(buf);
  return 0;
}
