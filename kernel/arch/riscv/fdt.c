// SPDX-License-Identifier: MIT
// Flattened device tree reader (devicetree.org spec v0.4, chapter 5).
//
// The blob starts with a header of big-endian 32-bit words; the structure
// block is a token stream: BEGIN_NODE name, PROP len nameoff value,
// END_NODE, NOP, END, everything padded to 4 bytes. A node's properties
// come before its children, so the #address-cells/#size-cells a child's
// reg is decoded with are known when the child starts.
//
// fdt_parse walks the stream once with a stack of per-node records. Each
// record collects the properties we care about; when the node ends it is
// classified (memory, cpu, the UART, the PLIC, virtio-mmio, the test
// device, /chosen) and its facts copied into platform. Cpu nodes remember
// their interrupt controller's phandle so that, after the walk, the PLIC's
// interrupts-extended list (one (phandle, irq) pair per context) tells
// which PLIC context is each hart's S-mode external interrupt (irq 9).
#include "arch/riscv/fdt.h"
#include "arch/riscv/memlayout.h"
#include "lib/string.h"
#include "platform.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9
#define FDT_MAXDEPTH   16
#define IRQ_S_EXTERNAL 9

struct fdt_header {
  uint32_t magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap;
  uint32_t version, last_comp_version, boot_cpuid_phys;
  uint32_t size_dt_strings, size_dt_struct;
};

struct fdt_prop {                   // a property's value inside the blob
  const uint32_t *v;
  uint32_t len;                     // bytes
};

struct fdt_node {
  const char *name;
  uint32_t addr_cells, size_cells;  // for this node's children
  uint32_t phandle;
  uint32_t intc_phandle;            // cpu nodes: phandle of its cpu-intc
  uint32_t timebase;
  struct fdt_prop reg, compat, interrupts, intr_ext;
  const char *device_type, *status, *bootargs;
  struct fdt_prop isa;              // cpu nodes: riscv,isa
};

struct platform platform;
uint32_t fdt_hartid[NCPU];
int fdt_plic_context[NCPU];

static struct fdt_node stack[FDT_MAXDEPTH];
static uint32_t cpu_intc[NCPU];
static struct fdt_prop plic_ctx;

// A big-endian word. Byte loads: the kernel links without libgcc, whose
// __bswapsi2 __builtin_bswap32 would call on rv64gc.
static uint32_t be32(const uint32_t *p)
{
  const uint8_t *b = (const uint8_t *)p;
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

// n cells (1 or 2) of 32 bits at *p, big-endian, advancing *p.
static uint64_t read_cells(const uint32_t **p, uint32_t n)
{
  uint64_t v = 0;
  while (n-- > 0)
    v = (v << 32) | be32((*p)++);
  return v;
}

static bool prop_has_string(struct fdt_prop *pr, const char *s)
{
  const char *c = (const char *)pr->v, *e = c + pr->len;
  size_t n = strlen(s);
  while (c < e) {
    size_t l = strlen(c);
    if (l == n && memcmp(c, s, n) == 0)
      return true;
    c += l + 1;
  }
  return false;
}

static bool name_is(const char *name, const char *base)
{
  size_t n = strlen(base);
  return strncmp(name, base, n) == 0 && (name[n] == 0 || name[n] == '@');
}

// The first (address, size) pair of a node's reg, decoded with its parent's
// cell counts. Returns false if there is none.
static bool node_reg(struct fdt_node *n, struct fdt_node *parent,
                     uint64_t *addr, uint64_t *size)
{
  const uint32_t *p = n->reg.v;
  if (p == NULL || n->reg.len < 4 * (parent->addr_cells + parent->size_cells))
    return false;
  *addr = read_cells(&p, parent->addr_cells);
  *size = read_cells(&p, parent->size_cells);
  return true;
}

static int node_irq(struct fdt_node *n)
{
  return n->interrupts.len >= 4 ? (int)be32(n->interrupts.v) : 0;
}

static void add_virtio(uint64_t base, int irq)
{
  int i = platform.nvirtio;
  if (i == PLATFORM_MAX_VIRTIO)
    return;
  // Keep them sorted by address: bus.0 is the lowest.
  while (i > 0 && platform.virtio_base[i - 1] > base) {
    platform.virtio_base[i] = platform.virtio_base[i - 1];
    platform.virtio_irq[i] = platform.virtio_irq[i - 1];
    i--;
  }
  platform.virtio_base[i] = base;
  platform.virtio_irq[i] = irq;
  platform.nvirtio++;
}

// Does the riscv,isa string (e.g. "rv64imafdch_zicsr_..._sstc") name the
// multi-letter extension ext ("_sstc"), whole?
static bool isa_has(const struct fdt_prop *isa, const char *ext)
{
  const char *s = (const char *)isa->v;
  size_t n = strlen(ext);

  for (uint32_t i = 0; s != NULL && i + n < isa->len; i++)
    if (strncmp(s + i, ext, n) == 0 && (s[i + n] == '_' || s[i + n] == 0))
      return true;
  return false;
}

static void classify_cpu(struct fdt_node *n, struct fdt_node *parent)
{
  const uint32_t *p = n->reg.v;
  if (p == NULL || (n->status && strncmp(n->status, "okay", 4) != 0))
    return;
  if (platform.nharts == NCPU)
    return;
  fdt_hartid[platform.nharts] = read_cells(&p, parent->addr_cells);
  cpu_intc[platform.nharts] = n->intc_phandle;
  // Sstc only if every hart has it: the timer code does not ask per hart.
  bool sstc = isa_has(&n->isa, "_sstc");
  platform.has_sstc = (platform.nharts == 0 || platform.has_sstc) && sstc;
  platform.nharts++;
}

// A node ended: record what it describes. parent is its parent's record.
static void classify(struct fdt_node *n, struct fdt_node *parent)
{
  uint64_t addr = 0, size = 0;
  bool has_reg = node_reg(n, parent, &addr, &size);

  if (prop_has_string(&n->compat, "riscv,cpu-intc"))
    parent->intc_phandle = n->phandle;
  if ((n->device_type && strncmp(n->device_type, "memory", 7) == 0) ||
      name_is(n->name, "memory")) {
    if (has_reg && platform.ram_size == 0) {
      platform.ram_base = addr;
      platform.ram_size = size;
    }
  } else if (n->device_type && strncmp(n->device_type, "cpu", 4) == 0) {
    classify_cpu(n, parent);
  } else if (name_is(n->name, "cpus")) {
    if (platform.timebase_freq == 0)
      platform.timebase_freq = n->timebase;
  } else if (name_is(n->name, "chosen") && n->bootargs) {
    strncpy(platform.bootargs, n->bootargs, sizeof(platform.bootargs) - 1);
  } else if (has_reg && prop_has_string(&n->compat, "ns16550a")) {
    if (platform.uart_base == 0) {
      platform.uart_base = addr;
      platform.uart_irq = node_irq(n);
    }
  } else if (has_reg && (prop_has_string(&n->compat, "riscv,plic0") ||
                         prop_has_string(&n->compat, "sifive,plic-1.0.0"))) {
    platform.plic_base = addr;
    plic_ctx = n->intr_ext;
  } else if (has_reg && prop_has_string(&n->compat, "virtio,mmio")) {
    add_virtio(addr, node_irq(n));
  } else if (has_reg && (prop_has_string(&n->compat, "sifive,test0") ||
                         prop_has_string(&n->compat, "syscon"))) {
    if (platform.test_base == 0)
      platform.test_base = addr;
  }
}

// One property of node n.
static void property(struct fdt_node *n, const char *name, const uint32_t *v,
                     uint32_t len)
{
  struct fdt_prop pr = { v, len };
  if (strncmp(name, "#address-cells", 15) == 0)
    n->addr_cells = be32(v);
  else if (strncmp(name, "#size-cells", 12) == 0)
    n->size_cells = be32(v);
  else if (strncmp(name, "phandle", 8) == 0)
    n->phandle = be32(v);
  else if (strncmp(name, "reg", 4) == 0)
    n->reg = pr;
  else if (strncmp(name, "compatible", 11) == 0)
    n->compat = pr;
  else if (strncmp(name, "interrupts", 11) == 0)
    n->interrupts = pr;
  else if (strncmp(name, "interrupts-extended", 20) == 0)
    n->intr_ext = pr;
  else if (strncmp(name, "device_type", 12) == 0)
    n->device_type = (const char *)v;
  else if (strncmp(name, "status", 7) == 0)
    n->status = (const char *)v;
  else if (strncmp(name, "bootargs", 9) == 0)
    n->bootargs = (const char *)v;
  else if (strncmp(name, "riscv,isa", 10) == 0)
    n->isa = pr;
  else if (strncmp(name, "timebase-frequency", 19) == 0 && len == 4)
    n->timebase = be32(v);
}

// After the walk: the PLIC context of each hart's S-mode external irq.
static void resolve_plic_contexts(void)
{
  for (int i = 0; i < NCPU; i++)
    fdt_plic_context[i] = -1;
  for (uint32_t ctx = 0; ctx * 8 + 8 <= plic_ctx.len; ctx++) {
    uint32_t ph = be32(plic_ctx.v + 2 * ctx);
    uint32_t irq = be32(plic_ctx.v + 2 * ctx + 1);
    for (int i = 0; i < platform.nharts; i++)
      if (irq == IRQ_S_EXTERNAL && cpu_intc[i] == ph && ph != 0)
        fdt_plic_context[i] = ctx;
  }
}

// Walk the structure block. Returns 0, or -1 on a malformed stream.
static int fdt_walk(const uint8_t *blob, const struct fdt_header *h)
{
  const uint32_t *p = (const uint32_t *)(blob + be32(&h->off_dt_struct));
  const uint32_t *end = (const uint32_t *)((const uint8_t *)p + be32(&h->size_dt_struct));
  const char *strings = (const char *)blob + be32(&h->off_dt_strings);
  int depth = 0;                    // stack[0] is a virtual parent of /

  stack[0] = (struct fdt_node){ .addr_cells = 2, .size_cells = 1 };
  while (p < end) {
    uint32_t tok = be32(p++);
    if (tok == FDT_BEGIN_NODE) {
      if (++depth == FDT_MAXDEPTH)
        return -1;
      const char *name = (const char *)p;
      stack[depth] = (struct fdt_node){ .name = name, .addr_cells = 2,
                                        .size_cells = 1 };
      p += (strlen(name) + 4) / 4;
    } else if (tok == FDT_END_NODE) {
      if (depth == 0)
        return -1;
      classify(&stack[depth], &stack[depth - 1]);
      depth--;
    } else if (tok == FDT_PROP) {
      uint32_t len = be32(p), nameoff = be32(p + 1);
      property(&stack[depth], strings + nameoff, p + 2, len);
      p += 2 + (len + 3) / 4;
    } else if (tok == FDT_END) {
      return 0;
    } else if (tok != FDT_NOP) {
      return -1;
    }
  }
  return -1;
}

int fdt_parse(paddr_t dtb_pa)
{
  const uint8_t *blob = PHYS_TO_DMAP(dtb_pa);
  const struct fdt_header *h = (const struct fdt_header *)blob;

  if (be32(&h->magic) != FDT_MAGIC)
    return -1;
  if (fdt_walk(blob, h) < 0)
    return -1;
  resolve_plic_contexts();
  return 0;
}
