// SPDX-License-Identifier: MIT
// Fault-path benchmark against the host pmap (built by `make bench-host`,
// -O2, no sanitizers): nanoseconds per zero-fill fault, per copy-on-write
// fault that copies (the other side of the fork still maps the page), and
// per write fault after the other side has exited: the entry is then the
// object's only user, so vm_map_lookup drops NEEDS_COPY without a shadow
// and the fault just maps the page writable (no copy, no move).
// Each figure is the median of BENCH_RUNS runs of NFAULT faults, after a
// warm-up run; prints a small markdown table, the VM's fault counters per
// fault (so a figure shows which path it took), and one BENCH line per
// figure (bench_stat.h): vm_fault-zfod, vm_fault-cow-copy,
// vm_fault-cow-sole, in ns/fault. The host pmap is a checking model, not
// page tables, so the numbers compare versions of the VM code, not
// machines.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_stat.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_page.h"
#include "vm/vmspace.h"
#include "vmtest.h"

#define NFAULT  2048
#define BASE    0x100000UL
#define NPAGES  (3 * NFAULT + 64)

static void must(int rv, const char *what)
{
  if (rv != KERN_SUCCESS) {
    fprintf(stderr, "bench_fault: %s failed: %d\n", what, rv);
    exit(1);
  }
}

static struct vmspace *space_with_anon(void)
{
  struct vmspace *vm = vmspace_alloc(PAGE_SIZE, 0x4000000000UL);
  struct vm_map *map = &vm->vm_map;

  vm_map_lock(map);
  must(vm_map_insert(map, NULL, 0, BASE, BASE + ptoa(NFAULT), VM_PROT_RW,
                     VM_PROT_ALL, MAP_COPY_ON_WRITE), "insert");
  vm_map_unlock(map);
  return vm;
}

// The VM's counters over the last call of write_faults: the timed one.
static struct vmmeter timed_counts;

// Time NFAULT write faults over the range; ns per fault.
static double write_faults(struct vm_map *map)
{
  struct vmmeter before = vm_cnt;
  double t0 = bench_now_ns(), ns;

  for (int i = 0; i < NFAULT; i++)
    must(vm_fault(map, BASE + ptoa(i), VM_PROT_WRITE, 0), "fault");
  ns = (bench_now_ns() - t0) / NFAULT;
  timed_counts.v_zfod = vm_cnt.v_zfod - before.v_zfod;
  timed_counts.v_cow_faults = vm_cnt.v_cow_faults - before.v_cow_faults;
  timed_counts.v_cow_optim = vm_cnt.v_cow_optim - before.v_cow_optim;
  return ns;
}

static double run_zfod(void)
{
  struct vmspace *vm = space_with_anon();
  double ns = write_faults(&vm->vm_map);

  vmspace_free(vm);
  return ns;
}

// Copy-on-write with the child alive (copy) or gone (sole owner).
static double run_cow(bool child_alive)
{
  struct vmspace *vm = space_with_anon(), *child;
  double ns;

  write_faults(&vm->vm_map);
  child = vmspace_fork(vm);
  if (child == NULL)
    must(KERN_RESOURCE_SHORTAGE, "fork");
  if (!child_alive) {
    // The child writes nothing and exits: the object has one reference
    // again, so the parent's writes need neither a shadow nor a copy.
    vmspace_free(child);
    child = NULL;
  }
  ns = write_faults(&vm->vm_map);
  if (child != NULL)
    vmspace_free(child);
  vmspace_free(vm);
  return ns;
}

struct figure {
  const char *metric;
  const char *label;
  double (*fn)(bool);
  bool arg;
  struct bench_stat stat;
  struct vmmeter counts;        // during the timed faults of the warm-up
};

static double one_run(struct figure *f)
{
  double ns;

  vmtest_boot(NPAGES);
  // Touch the host buffer first, so the host kernel's own first-touch
  // faults are not counted as ours.
  memset(vmtest_mem(), 0, ptoa(NPAGES));
  ns = f->fn(f->arg);
  vmtest_teardown_strict();
  f->counts = timed_counts;
  return ns;
}

static void measure(struct figure *f)
{
  double t[BENCH_RUNS];
  struct vmmeter warm;

  one_run(f);                   // warm-up
  warm = f->counts;
  for (int i = 0; i < BENCH_RUNS; i++)
    t[i] = one_run(f);
  f->stat = bench_stat_of(t, BENCH_RUNS);
  f->counts = warm;
}

static double zfod_adapter(bool unused)
{
  (void)unused;
  return run_zfod();
}

int main(void)
{
  struct figure figs[] = {
    { .metric = "vm_fault-zfod", .label = "zero-fill", .fn = zfod_adapter },
    { .metric = "vm_fault-cow-copy", .label = "copy-on-write, copy",
      .fn = run_cow, .arg = true },
    { .metric = "vm_fault-cow-sole", .label = "write after the other side "
      "exited", .fn = run_cow, .arg = false },
  };
  int n = (int)nitems(figs);

  vm_check_level = 0;                 // time the kernel's code path
  for (int i = 0; i < n; i++)
    measure(&figs[i]);
  printf("| fault (host pmap, %d faults, median of %d) | ns/fault | zero-fill "
         "| cow copy | cow move |\n|---|---:|---:|---:|---:|\n", NFAULT,
         BENCH_RUNS);
  // The counters: the timed faults of the warm-up run.
  for (int i = 0; i < n; i++)
    printf("| %s | %.0f | %llu | %llu | %llu |\n", figs[i].label,
           figs[i].stat.median, (unsigned long long)figs[i].counts.v_zfod,
           (unsigned long long)figs[i].counts.v_cow_faults,
           (unsigned long long)figs[i].counts.v_cow_optim);
  printf("\n");
  for (int i = 0; i < n; i++)
    bench_stat_print(figs[i].metric, "ns/fault", figs[i].stat);
  return 0;
}
