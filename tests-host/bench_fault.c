// SPDX-License-Identifier: MIT
// Fault-path benchmark against the host pmap (built by `make bench-host`,
// -O2, no sanitizers): nanoseconds per zero-fill fault, per copy-on-write
// fault that copies (the other side of the fork still maps the page), and
// per copy-on-write fault that moves the page (the other side has exited).
// Each figure is the median of RUNS runs of NFAULT faults; prints a small
// markdown table. The host pmap is a checking model, not page tables, so
// the numbers compare versions of the VM code, not machines.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_page.h"
#include "vm/vmspace.h"
#include "vmtest.h"

#define RUNS    7
#define NFAULT  2048
#define BASE    0x100000UL
#define NPAGES  (3 * NFAULT + 64)

static double now_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

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

// Time NFAULT write faults over the range; ns per fault.
static double write_faults(struct vm_map *map)
{
  double t0 = now_ns();

  for (int i = 0; i < NFAULT; i++)
    must(vm_fault(map, BASE + ptoa(i), VM_PROT_WRITE, 0), "fault");
  return (now_ns() - t0) / NFAULT;
}

static double run_zfod(void)
{
  struct vmspace *vm = space_with_anon();
  double ns = write_faults(&vm->vm_map);

  vmspace_free(vm);
  return ns;
}

// Copy-on-write with the child alive (copy) or gone (move).
static double run_cow(bool child_alive)
{
  struct vmspace *vm = space_with_anon(), *child;
  double ns;

  write_faults(&vm->vm_map);
  child = vmspace_fork(vm);
  if (child == NULL)
    must(KERN_RESOURCE_SHORTAGE, "fork");
  if (!child_alive) {
    // The child writes nothing and exits: the parent's first write
    // shadows the object, which then has one reference: pages move.
    vmspace_free(child);
    child = NULL;
  }
  ns = write_faults(&vm->vm_map);
  if (child != NULL)
    vmspace_free(child);
  vmspace_free(vm);
  return ns;
}

static double median(double (*fn)(bool), bool arg)
{
  double t[RUNS];

  for (int i = 0; i < RUNS; i++) {
    vmtest_boot(NPAGES);
    // Touch the host buffer first, so the host kernel's own first-touch
    // faults are not counted as ours.
    memset(vmtest_mem(), 0, ptoa(NPAGES));
    t[i] = fn(arg);
    vmtest_teardown_strict();
  }
  qsort(t, RUNS, sizeof(t[0]), cmp_double);
  return t[RUNS / 2];
}

static double zfod_adapter(bool unused)
{
  (void)unused;
  return run_zfod();
}

int main(void)
{
  double zfod = median(zfod_adapter, false);
  double cow = median(run_cow, true);
  double move = median(run_cow, false);

  printf("| fault (host pmap, %d faults, median of %d) | ns/fault |\n",
         NFAULT, RUNS);
  printf("|---|---:|\n");
  printf("| zero-fill | %.0f |\n", zfod);
  printf("| copy-on-write, copy | %.0f |\n", cow);
  printf("| copy-on-write, move (other side exited) | %.0f |\n", move);
  return 0;
}
