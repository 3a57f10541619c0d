// SPDX-License-Identifier: MIT
// The host's out-of-memory killer (vm_pageout.h: vm_oom_kill): there are
// no processes to kill, so it only counts the calls. The pageout daemon,
// its only caller, never runs on the host.
#include "vm/vm_pageout.h"

int host_oom_calls;

bool vm_oom_kill(void)
{
  host_oom_calls++;
  return false;
}

bool vm_oom_caller_killed(void)
{
  return false;
}
