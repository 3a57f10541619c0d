// SPDX-License-Identifier: MIT
// RISC-V supervisor-mode registers and instructions, as inline functions.
//
// Only what the kernel uses: the S-mode CSRs (privileged spec, "Supervisor
// CSRs"), the time counter, tp/sp, interrupt enable and sfence.vma. The
// constants are also visible to assembly files (entry.S, trapvec.S).
//
// tp holds the address of this hart's struct cpu while in the kernel
// (cpu.h); it is a property of the hart, never saved with a thread.
#ifndef RISCV_RISCV_H
#define RISCV_RISCV_H

// sstatus bits.
#define SSTATUS_SIE   (1UL << 1)    // interrupts enabled in S-mode
#define SSTATUS_SPIE  (1UL << 5)    // SIE before the trap
#define SSTATUS_SPP   (1UL << 8)    // previous mode: 1 = S, 0 = U
#define SSTATUS_SUM   (1UL << 18)   // S-mode may access U pages
#define SSTATUS_MXR   (1UL << 19)   // loads from execute-only pages

// sie / sip bits.
#define SIE_SSIE      (1UL << 1)    // software (IPI)
#define SIE_STIE      (1UL << 5)    // timer
#define SIE_SEIE      (1UL << 9)    // external (PLIC)

// scause: the top bit says interrupt; the rest is the code.
#define SCAUSE_INTR         (1UL << 63)
#define IRQ_S_SOFT          1
#define IRQ_S_TIMER         5
#define IRQ_S_EXT           9
#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS     1
#define EXC_ILLEGAL_INST    2
#define EXC_BREAKPOINT      3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS     5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS    7
#define EXC_ECALL_U         8
#define EXC_ECALL_S         9
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15

// scounteren: which counters U-mode may read (with the matching mcounteren
// bit, which the firmware controls; OpenSBI sets every bit of mcounteren).
// A clear bit makes the rdcycle / rdtime / rdinstret instruction illegal
// in U-mode.
#define SCOUNTEREN_CY   (1UL << 0)    // cycle
#define SCOUNTEREN_TM   (1UL << 1)    // time
#define SCOUNTEREN_IR   (1UL << 2)    // instret

// satp: MODE[63:60] = 8 for Sv39, ASID[59:44], PPN[43:0].
#define SATP_MODE_SV39  (8UL << 60)
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK  0xffffUL
#define SATP_PPN_MASK   ((1UL << 44) - 1)
#define MAKE_SATP(root_pa, asid) \
  (SATP_MODE_SV39 | ((unsigned long)(asid) << SATP_ASID_SHIFT) | ((root_pa) >> 12))

#ifndef __ASSEMBLER__
#include <stdint.h>

#define csr_read(csr) ({                                  \
  uint64_t v_;                                            \
  __asm__ volatile("csrr %0, " #csr : "=r"(v_));          \
  v_; })
#define csr_write(csr, val) \
  __asm__ volatile("csrw " #csr ", %0" : : "r"((uint64_t)(val)) : "memory")
#define csr_set(csr, bits) \
  __asm__ volatile("csrs " #csr ", %0" : : "r"((uint64_t)(bits)) : "memory")
#define csr_clear(csr, bits) \
  __asm__ volatile("csrc " #csr ", %0" : : "r"((uint64_t)(bits)) : "memory")

static inline uint64_t r_sstatus(void) { return csr_read(sstatus); }
static inline void w_sstatus(uint64_t x) { csr_write(sstatus, x); }
static inline uint64_t r_sie(void) { return csr_read(sie); }
static inline void w_sie(uint64_t x) { csr_write(sie, x); }
static inline uint64_t r_sip(void) { return csr_read(sip); }
static inline uint64_t r_scause(void) { return csr_read(scause); }
static inline uint64_t r_sepc(void) { return csr_read(sepc); }
static inline void w_sepc(uint64_t x) { csr_write(sepc, x); }
static inline uint64_t r_stval(void) { return csr_read(stval); }
static inline void w_stvec(uint64_t x) { csr_write(stvec, x); }
static inline uint64_t r_satp(void) { return csr_read(satp); }
static inline void w_sscratch(uint64_t x) { csr_write(sscratch, x); }
static inline uint64_t r_time(void) { return csr_read(time); }

static inline void w_satp(uint64_t x)
{
  __asm__ volatile("csrw satp, %0" : : "r"(x) : "memory");
}

static inline uint64_t r_tp(void)
{
  uint64_t x;
  __asm__ volatile("mv %0, tp" : "=r"(x));
  return x;
}

static inline void w_tp(uint64_t x)
{
  __asm__ volatile("mv tp, %0" : : "r"(x));
}

static inline uint64_t r_sp(void)
{
  uint64_t x;
  __asm__ volatile("mv %0, sp" : "=r"(x));
  return x;
}

// Flush this hart's TLB: everything, one page of every address space,
// or every page of one address space.
static inline void sfence_vma(void)
{
  __asm__ volatile("sfence.vma zero, zero" : : : "memory");
}

static inline void sfence_vma_page(uint64_t va)
{
  __asm__ volatile("sfence.vma %0, zero" : : "r"(va) : "memory");
}

static inline void sfence_vma_asid(uint64_t asid)
{
  __asm__ volatile("sfence.vma zero, %0" : : "r"(asid) : "memory");
}

static inline void wfi(void)
{
  __asm__ volatile("wfi");
}
#endif

#endif
