// SPDX-License-Identifier: MIT
// Boot-time setting of the VM's checker switch (kernel/vmcheck.c).
#ifndef KERNEL_VMCHECK_H
#define KERNEL_VMCHECK_H

// Set vm_check_level from the boot arguments; prints it when on.
void vmcheck_init(void);

#endif
