// SPDX-License-Identifier: MIT
// Scalar types of the machine-independent kernel (kernel/vm, kernel/lib).
// Freestanding: only the compiler's own headers are used, so the same code
// compiles for the RISC-V kernel and for the Linux host tests.
#ifndef LIB_TYPES_H
#define LIB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uintptr_t vm_offset_t;   // a virtual address
typedef uintptr_t vm_size_t;     // a size in bytes of virtual memory
typedef uint64_t  vm_ooffset_t;  // a byte offset inside a memory object
typedef uint64_t  vm_pindex_t;   // a page index inside a memory object
typedef uint8_t   vm_prot_t;     // VM_PROT_* bits
typedef uint8_t   vm_inherit_t;  // VM_INHERIT_*
typedef uint64_t  paddr_t;       // a physical address

#define container_of(ptr, type, member) \
  ((type *)((char *)(ptr) - offsetof(type, member)))

#define nitems(a)   (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)   ((a) < (b) ? (a) : (b))
#define MAX(a, b)   ((a) > (b) ? (a) : (b))

#endif
