// SPDX-License-Identifier: MIT
// The parts of the ELF-64 format exec needs (System V gABI, "ELF Header"
// and "Program Header").
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include "lib/types.h"

#define ELF_MAGIC   0x464c457fU   // "\x7fELF", little endian
#define ELFCLASS64  2
#define EM_RISCV    243
#define ET_EXEC     2

struct elfhdr {
  uint32_t magic;                 // ELF_MAGIC
  uint8_t elf[12];                // [0] class, [1] data, [2] version, ...
  uint16_t type;
  uint16_t machine;
  uint32_t version;
  uint64_t entry;
  uint64_t phoff;
  uint64_t shoff;
  uint32_t flags;
  uint16_t ehsize;
  uint16_t phentsize;
  uint16_t phnum;
  uint16_t shentsize;
  uint16_t shnum;
  uint16_t shstrndx;
};

struct proghdr {
  uint32_t type;
  uint32_t flags;
  uint64_t off;
  uint64_t vaddr;
  uint64_t paddr;
  uint64_t filesz;
  uint64_t memsz;
  uint64_t align;
};

#define ELF_PROG_LOAD       1

#define ELF_PROG_FLAG_EXEC  1
#define ELF_PROG_FLAG_WRITE 2
#define ELF_PROG_FLAG_READ  4

#endif
