// SPDX-License-Identifier: MIT
// The VM's checker switch (vm_check_level, kernel/vm/vm.h), set once at
// boot from the device tree's /chosen/bootargs before another hart runs:
// "vmcheck" or "vmcheck=N" turns the expensive checkers on
// (`make VMCHECK=1 qemu` passes it with QEMU's -append). A runtime switch
// rather than a build option, so one kernel image serves both kinds of run.
#include "bootarg.h"
#include "printf.h"
#include "vm/vm.h"
#include "vmcheck.h"

int vm_check_level;

void vmcheck_init(void)
{
  const char *v = bootarg("vmcheck");

  if (v != NULL)
    vm_check_level = *v >= '0' && *v <= '9' ? *v - '0' : 1;
  if (vm_check_level > 0)
    printf("vmcheck: level %d, the VM checkers run at every change\n",
           vm_check_level);
}
