// SPDX-License-Identifier: MIT
// The PLIC (RISC-V Platform-Level Interrupt Controller spec v1.0.0).
//
// Memory map, from platform.plic_base: source priorities at 4 * irq; per
// context c the enable bits at 0x2000 + 0x80 * c, the priority threshold at
// 0x200000 + 0x1000 * c and the claim/complete register 4 bytes after it.
// A context is one privilege level of one hart; the device tree's
// interrupts-extended says which (fdt.c). When it does not, QEMU virt's
// layout is assumed: context 2 * hartid + 1 is the hart's S-mode.
//
// We route the UART and every virtio-mmio device to every hart; whichever
// hart claims a source first handles it.
#include "arch/riscv/fdt.h"
#include "arch/riscv/memlayout.h"
#include "arch/riscv/plic.h"
#include "cpu.h"
#include "platform.h"

#define PLIC_PRIORITY(irq)   (4 * (irq))
#define PLIC_ENABLE(ctx)     (0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx)  (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)      (0x200000 + 0x1000 * (ctx) + 4)

static volatile uint32_t *plic_reg(uint64_t off)
{
  return (volatile uint32_t *)((uint8_t *)PHYS_TO_DMAP(platform.plic_base) + off);
}

static void plic_enable(int ctx, int irq)
{
  if (irq > 0)
    *plic_reg(PLIC_ENABLE(ctx) + 4 * (irq / 32)) |= 1U << (irq % 32);
}

void plic_init(void)
{
  if (platform.plic_base == 0)
    return;
  if (platform.uart_irq > 0)
    *plic_reg(PLIC_PRIORITY(platform.uart_irq)) = 1;
  for (int i = 0; i < platform.nvirtio; i++)
    if (platform.virtio_irq[i] > 0)
      *plic_reg(PLIC_PRIORITY(platform.virtio_irq[i])) = 1;
}

void plic_init_hart(void)
{
  int ctx = mycpu()->plic_context;
  if (platform.plic_base == 0)
    return;
  plic_enable(ctx, platform.uart_irq);
  for (int i = 0; i < platform.nvirtio; i++)
    plic_enable(ctx, platform.virtio_irq[i]);
  *plic_reg(PLIC_THRESHOLD(ctx)) = 0;
}

int plic_claim(void)
{
  return *plic_reg(PLIC_CLAIM(mycpu()->plic_context));
}

void plic_complete(int irq)
{
  *plic_reg(PLIC_CLAIM(mycpu()->plic_context)) = irq;
}
