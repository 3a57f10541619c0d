// SPDX-License-Identifier: MIT
// SBI calls (see sbi.h for the calling convention). Each public function
// uses the SBI v0.2+ extension when sbi_init found it and falls back to the
// legacy call otherwise; the legacy calls take hart masks by address.
#include "arch/riscv/sbi.h"
#include "cpu.h"
#include "lib/types.h"

// Extension ids ("EID"): ASCII names for the newer ones.
#define EXT_BASE    0x10
#define EXT_TIME    0x54494d45      // "TIME"
#define EXT_IPI     0x735049        // "sPI"
#define EXT_RFENCE  0x52464e43      // "RFNC"
#define EXT_HSM     0x48534d        // "HSM"
#define EXT_SRST    0x53525354      // "SRST"
#define EXT_DBCN    0x4442434e      // "DBCN"

// Legacy extension ids (v0.1), one call each.
#define LEGACY_SET_TIMER       0x00
#define LEGACY_CONSOLE_PUTCHAR 0x01
#define LEGACY_SEND_IPI        0x04
#define LEGACY_SFENCE_VMA      0x06
#define LEGACY_SFENCE_VMA_ASID 0x07
#define LEGACY_SHUTDOWN        0x08

#define BASE_PROBE_EXTENSION   3

static bool has_time, has_ipi, has_rfence, has_hsm, has_srst, has_dbcn;

static struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2,
                              long a3, long a4)
{
  register long r0 __asm__("a0") = a0;
  register long r1 __asm__("a1") = a1;
  register long r2 __asm__("a2") = a2;
  register long r3 __asm__("a3") = a3;
  register long r4 __asm__("a4") = a4;
  register long r6 __asm__("a6") = fid;
  register long r7 __asm__("a7") = ext;
  __asm__ volatile("ecall"
                   : "+r"(r0), "+r"(r1)
                   : "r"(r2), "r"(r3), "r"(r4), "r"(r6), "r"(r7)
                   : "memory");
  return (struct sbiret){ .error = r0, .value = r1 };
}

static long sbi_legacy(long ext, long a0, long a1, long a2, long a3)
{
  return sbi_call(ext, 0, a0, a1, a2, a3, 0).error;
}

static bool sbi_probe(long ext)
{
  struct sbiret r = sbi_call(EXT_BASE, BASE_PROBE_EXTENSION, ext, 0, 0, 0, 0);
  return r.error == SBI_SUCCESS && r.value != 0;
}

void sbi_init(void)
{
  has_time = sbi_probe(EXT_TIME);
  has_ipi = sbi_probe(EXT_IPI);
  has_rfence = sbi_probe(EXT_RFENCE);
  has_hsm = sbi_probe(EXT_HSM);
  has_srst = sbi_probe(EXT_SRST);
  has_dbcn = sbi_probe(EXT_DBCN);
}

void sbi_console_putchar(int c)
{
  if (has_dbcn)
    sbi_call(EXT_DBCN, 2, c & 0xff, 0, 0, 0, 0);   // write_byte
  else
    sbi_legacy(LEGACY_CONSOLE_PUTCHAR, c, 0, 0, 0);
}

void sbi_set_timer(uint64_t stime)
{
  if (has_time)
    sbi_call(EXT_TIME, 0, (long)stime, 0, 0, 0, 0);
  else
    sbi_legacy(LEGACY_SET_TIMER, (long)stime, 0, 0, 0);
}

void sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
  if (has_ipi) {
    sbi_call(EXT_IPI, 0, hart_mask, hart_mask_base, 0, 0, 0);
  } else {
    unsigned long mask = hart_mask << hart_mask_base;
    sbi_legacy(LEGACY_SEND_IPI, (long)&mask, 0, 0, 0);
  }
}

void sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base,
                           unsigned long start, unsigned long size)
{
  if (has_rfence) {
    sbi_call(EXT_RFENCE, 1, hart_mask, hart_mask_base, start, size, 0);
  } else {
    unsigned long mask = hart_mask << hart_mask_base;
    sbi_legacy(LEGACY_SFENCE_VMA, (long)&mask, start, size, 0);
  }
}

void sbi_remote_sfence_vma_asid(unsigned long hart_mask,
                                unsigned long hart_mask_base,
                                unsigned long start, unsigned long size,
                                unsigned long asid)
{
  if (has_rfence) {
    sbi_call(EXT_RFENCE, 2, hart_mask, hart_mask_base, start, size, asid);
  } else {
    unsigned long mask = hart_mask << hart_mask_base;
    sbi_legacy(LEGACY_SFENCE_VMA_ASID, (long)&mask, start, size, asid);
  }
}

// Call fn once per group of harts whose ids fit in one 64-bit mask above a
// common base. With QEMU's dense hart ids that is a single call.
enum cpus_op { OP_IPI, OP_SFENCE, OP_SFENCE_ASID };

static void sbi_for_cpus(uint64_t cpumask, enum cpus_op op, unsigned long start,
                         unsigned long size, unsigned long asid)
{
  while (cpumask != 0) {
    unsigned long base = ~0UL, mask = 0;
    for (int i = 0; i < ncpu; i++)
      if ((cpumask & (1UL << i)) && cpus[i].hartid < base)
        base = cpus[i].hartid;
    for (int i = 0; i < ncpu; i++) {
      if ((cpumask & (1UL << i)) && cpus[i].hartid - base < 64) {
        mask |= 1UL << (cpus[i].hartid - base);
        cpumask &= ~(1UL << i);
      }
    }
    if (mask == 0)
      return;        // bits for cpus that do not exist
    if (op == OP_IPI)
      sbi_send_ipi(mask, base);
    else if (op == OP_SFENCE)
      sbi_remote_sfence_vma(mask, base, start, size);
    else
      sbi_remote_sfence_vma_asid(mask, base, start, size, asid);
  }
}

void sbi_remote_sfence_vma_cpus(uint64_t cpumask, unsigned long start,
                                unsigned long size)
{
  sbi_for_cpus(cpumask, OP_SFENCE, start, size, 0);
}

void sbi_remote_sfence_vma_asid_cpus(uint64_t cpumask, unsigned long start,
                                     unsigned long size, unsigned long asid)
{
  sbi_for_cpus(cpumask, OP_SFENCE_ASID, start, size, asid);
}

void sbi_send_ipi_cpus(uint64_t cpumask)
{
  sbi_for_cpus(cpumask, OP_IPI, 0, 0, 0);
}

long sbi_hart_start(unsigned long hartid, unsigned long start_pa,
                    unsigned long opaque)
{
  if (!has_hsm)
    return SBI_ERR_NOT_SUPPORTED;
  return sbi_call(EXT_HSM, 0, hartid, start_pa, opaque, 0, 0).error;
}

void sbi_shutdown(int failure)
{
  // SRST system_reset(type 0 = shutdown, reason 0 = none / 1 = failure).
  if (has_srst)
    sbi_call(EXT_SRST, 0, 0, failure ? 1 : 0, 0, 0, 0);
  sbi_legacy(LEGACY_SHUTDOWN, 0, 0, 0, 0);
  for (;;)
    __asm__ volatile("wfi");
}
