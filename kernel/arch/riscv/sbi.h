// SPDX-License-Identifier: MIT
// Calls into the SBI firmware (OpenSBI), which runs in M-mode below us.
//
// Calling convention (SBI spec v2.0, "Binary Encoding"): ecall with a7 = the
// extension id, a6 = the function id, arguments in a0..a5; the firmware
// returns an error code in a0 (0 = success) and a value in a1. The legacy
// extensions (ids 0x00..0x08) take no function id and return only a0.
//
// sbi_init probes the BASE extension once; every call below then uses the
// newer extension when the firmware has it and the legacy call otherwise.
//
// Hart masks: the raw calls take SBI hart ids (bit i of hart_mask means hart
// hart_mask_base + i). The *_cpus variants take a mask of cpu indexes
// (cpu.h's cpus[]) and translate, so callers need not know hart ids.
#ifndef RISCV_SBI_H
#define RISCV_SBI_H

#include <stdint.h>

struct sbiret {
  long error;
  long value;
};

#define SBI_SUCCESS        0
#define SBI_ERR_FAILED    -1
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3       // HSM: also "start or stop pending"
#define SBI_ERR_ALREADY_AVAILABLE -6   // HSM: the hart is running

// Probe the firmware's extensions. Call once, on the boot hart, before
// anything else here except sbi_console_putchar.
void sbi_init(void);

// Write one byte to the firmware console (DBCN or legacy putchar); for the
// earliest boot messages and for panics.
void sbi_console_putchar(int c);

// Ask for a timer interrupt on this hart when the time CSR reaches stime.
void sbi_set_timer(uint64_t stime);

// Raise a software interrupt on the harts in the mask.
void sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);

// sfence.vma on the harts in the mask for [start, start + size) (size
// (unsigned long)-1 = everything), of every address space or of one ASID.
void sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base,
                           unsigned long start, unsigned long size);
void sbi_remote_sfence_vma_asid(unsigned long hart_mask,
                                unsigned long hart_mask_base,
                                unsigned long start, unsigned long size,
                                unsigned long asid);

// The same, for a mask of cpu indexes (bit i = cpus[i]).
void sbi_remote_sfence_vma_cpus(uint64_t cpumask, unsigned long start,
                                unsigned long size);
void sbi_remote_sfence_vma_asid_cpus(uint64_t cpumask, unsigned long start,
                                     unsigned long size, unsigned long asid);
void sbi_send_ipi_cpus(uint64_t cpumask);

// Start a stopped hart at physical address start_pa in S-mode with
// a0 = hartid, a1 = opaque and the MMU off. Returns the SBI error code.
long sbi_hart_start(unsigned long hartid, unsigned long start_pa,
                    unsigned long opaque);

// Power the machine off (SRST; legacy shutdown as a fallback). QEMU exits
// with status 0 when failure is 0, non-zero otherwise.
__attribute__((noreturn)) void sbi_shutdown(int failure);

#endif
