// SPDX-License-Identifier: MIT
// Which panic a host test expects (host_panic.c).
//
//   Test(vm_map, insert_prot_beyond_max_panics, .signal = SIGABRT)
//   {
//     expect_panic("vm_map_insert: prot * beyond max");
//     ...
//   }
//
// The pattern is a substring of the message in which each '*' stands for
// any text (the addresses and numbers that vary from run to run). A panic
// whose message matches aborts quietly: the SIGABRT the test declares. Any
// other panic, in such a test or in any other, prints its message and
// exits with HOST_PANIC_UNEXPECTED instead, so Criterion reports the test
// as failed and shows why.
#ifndef HOST_PANIC_H
#define HOST_PANIC_H

#define HOST_PANIC_UNEXPECTED 70   // exit status of an unexpected panic

// The rest of this test must panic with a message matching pattern.
void expect_panic(const char *pattern);

#endif
