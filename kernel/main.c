// SPDX-License-Identifier: MIT
// Start-up. entry.S calls main on the one hart that won its boot lottery
// (it becomes cpu 0, whatever its hart id) and main_secondary on the
// others, which main starts through SBI HSM once the kernel is ready.
//
// Order on cpu 0: the device tree first (everything else needs platform),
// the console, then memory (pmap_bootstrap hands RAM to vm_page; zones and
// the VM's own structures follow), interrupts, processes, the file system
// and the disk, the first process, the other harts, and the scheduler.
#include "arch/riscv/fdt.h"
#include "arch/riscv/memlayout.h"
#include "arch/riscv/plic.h"
#include "arch/riscv/pmap_md.h"
#include "arch/riscv/riscv.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/trap.h"
#include "bootarg.h"
#include "console.h"
#include "file.h"
#include "fs.h"
#include "platform.h"
#include "printf.h"
#include "proc.h"
#include "swap_dev.h"
#include "virtio.h"
#include "vmcheck.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pageout.h"
#include "vnode_pager.h"

extern char end[];                   // first byte after the kernel image
extern char _entry_secondary[];

static int nharts_up;                // harts started: ncpu and the parked

// cpus[0] is the boot hart; the others follow in device-tree order.
static void cpu_setup(uint32_t boot_hartid)
{
  int n = 1;

  cpus[0].hartid = boot_hartid;
  cpus[0].plic_context = 2 * boot_hartid + 1;    // QEMU virt's layout
  for (int i = 0; i < platform.nharts && i < NCPU; i++) {
    int ctx = fdt_plic_context[i];
    if (fdt_hartid[i] == boot_hartid) {
      if (ctx >= 0)
        cpus[0].plic_context = ctx;
      continue;
    }
    if (n == NCPU)
      break;
    cpus[n].id = n;
    cpus[n].hartid = fdt_hartid[i];
    cpus[n].plic_context = ctx >= 0 ? ctx : 2 * (int)fdt_hartid[i] + 1;
    n++;
  }
  // maxcpus=N: the kernel uses the first N harts; the others are started
  // only to be parked (main_secondary), asleep for good, a control for the
  // SMP benchmarks (the same QEMU, one hart used). Left in the firmware
  // they would not sleep: OpenSBI 1.1's stopped harts spin in QEMU.
  long max = bootarg_long("maxcpus", NCPU);
  nharts_up = n;
  ncpu = max >= 1 && max < n ? (int)max : n;
}

// Start cpus[i] at _entry_secondary. A hart that lost entry.S's boot
// lottery may still be on its way back to the firmware, which calls it
// started (ALREADY_AVAILABLE), then stop-pending (OpenSBI answers
// INVALID_PARAM), until it gets there: try again for up to a second.
static long start_hart(int i)
{
  uint64_t t0 = r_time();
  long err;

  do {
    err = sbi_hart_start(cpus[i].hartid, kvtophys(_entry_secondary), i);
  } while ((err == SBI_ERR_ALREADY_AVAILABLE || err == SBI_ERR_INVALID_PARAM) &&
           r_time() - t0 < platform_timebase_freq());
  return err;
}

// Start every other hart and wait (briefly) until each reaches its
// scheduler (or parks), so the boot messages stay in order.
static void start_harts(void)
{
  for (int i = 1; i < nharts_up; i++) {
    long err = start_hart(i);
    if (err != 0) {
      printf("hart %u: cannot start (sbi error %ld)\n", cpus[i].hartid, err);
      continue;
    }
    for (uint64_t t0 = r_time(); !cpus[i].started;)
      if (r_time() - t0 > platform_timebase_freq())
        break;                      // a second: go on without it
  }
}

__attribute__((noreturn)) void main(uint64_t hartid, paddr_t dtb_pa)
{
  w_tp((uint64_t)&cpus[0]);
  cpus[0].id = 0;
  sbi_init();
  if (fdt_parse(dtb_pa) < 0)
    panic("main: no device tree at 0x%lx", dtb_pa);
  cpu_setup(hartid);
  trap_init_hart();                 // early, so a boot fault panics legibly
  uart_init();
  printf_init();
  console_init();
  printf("\nxv6-vm kernel: %d hart%s (boot hart %lu), %lu MB RAM\n", ncpu,
         ncpu == 1 ? "" : "s", hartid, platform.ram_size >> 20);
  if (ncpu < nharts_up)
    printf("maxcpus=%d: %d hart%s parked\n", ncpu, nharts_up - ncpu,
           nharts_up - ncpu == 1 ? "" : "s");
  vmcheck_init();

  pmap_bootstrap(kvtophys(end));
  vm_object_startup();
  vm_map_startup();
  kernel_map_init();

  plic_init();
  plic_init_hart();

  proc_init();
  binit();
  iinit();
  vnode_pager_init();
  fileinit();
  virtio_blk_init();
  swap_dev_init();
  userinit();
  kthread_start("pagedaemon", vm_pageout_daemon);

  cpus[0].started = 1;
  start_harts();
  scheduler();
}

__attribute__((noreturn)) void main_secondary(uint64_t hartid, uint64_t idx)
{
  w_tp((uint64_t)&cpus[idx]);
  KASSERT(cpus[idx].hartid == hartid, ("main_secondary: hart %lu is not cpu %lu",
                                        hartid, idx));
  if (idx >= (uint64_t)ncpu) {         // maxcpus: not ours to use
    cpus[idx].started = 1;
    md_park();
  }
  pmap_init_hart();
  trap_init_hart();
  plic_init_hart();
  cpus[idx].started = 1;
  scheduler();
}
