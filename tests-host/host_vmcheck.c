// SPDX-License-Identifier: MIT
// Host seam for the VM's checker switch (kernel/vm/vm.h): every host test
// runs with the expensive checkers on, as `make check`'s VMCHECK boot does.
// A benchmark that wants the plain code path sets it to 0 itself.
#include "vm/vm.h"

int vm_check_level = 1;
