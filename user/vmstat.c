// SPDX-License-Identifier: MIT
// vmstat: print the system's page counts and fault counters (one
// "name value" line each), as reported by the vmstat() system call.
#include "user/user.h"

int
main(void)
{
  struct vmstats vs;

  if (vmstat(&vs) < 0) {
    fprintf(STDERR_FILENO, "vmstat: %s\n", strerror(errno));
    return 1;
  }
  printf("pages total %lu free %lu active %lu inactive %lu laundry %lu "
         "wired %lu kmem %lu\n", vs.total, vs.free, vs.active, vs.inactive,
         vs.laundry, vs.wired, vs.kmem);
  printf("faults %lu zero-fill %lu cow %lu cow-moved %lu\n", vs.faults,
         vs.zfod, vs.cow, vs.cow_optim);
  printf("readahead %lu prefault %lu pagein %lu pageout %lu freebehind %lu\n",
         vs.readahead, vs.prefault, vs.pagein, vs.pageout, vs.freebehind);
  return 0;
}
