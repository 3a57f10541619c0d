// SPDX-License-Identifier: MIT
// The VM's checker switch (vm_check_level, kernel/vm/vm.h), set once at
// boot from the device tree's /chosen/bootargs before another hart runs:
// "vmcheck" or "vmcheck=N" turns the expensive checkers on
// (`make VMCHECK=1 qemu` passes it with QEMU's -append). A runtime switch
// rather than a build option, so one kernel image serves both kinds of run.
#include "lib/string.h"
#include "platform.h"
#include "printf.h"
#include "vm/vm.h"
#include "vmcheck.h"

int vm_check_level;

void vmcheck_init(void)
{
  const char *a = platform.bootargs, *w;

  while (*a != '\0') {
    for (w = a; *a != '\0' && *a != ' '; a++)
      ;                                     // [w, a) is one word
    if (a - w == 7 && strncmp(w, "vmcheck", 7) == 0)
      vm_check_level = 1;
    else if (a - w == 9 && strncmp(w, "vmcheck=", 8) == 0 &&
             w[8] >= '0' && w[8] <= '9')
      vm_check_level = w[8] - '0';
    while (*a == ' ')
      a++;
  }
  if (vm_check_level > 0)
    printf("vmcheck: level %d, the VM checkers run at every change\n",
           vm_check_level);
}
