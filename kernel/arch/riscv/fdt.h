// SPDX-License-Identifier: MIT
// A small reader of flattened device trees (devicetree.org spec, "Flattened
// Devicetree (DTB) Format"): walks the structure block once and fills struct
// platform (platform.h) and the list of hart ids.
#ifndef RISCV_FDT_H
#define RISCV_FDT_H

#include "lib/types.h"
#include "param.h"

// Parse the blob at physical address dtb_pa (read through the direct map).
// Returns 0, or -1 if it is not a device tree. Missing nodes leave their
// platform fields 0.
int fdt_parse(paddr_t dtb_pa);

// Hart ids of the enabled /cpus/cpu@N nodes, in tree order
// (platform.nharts of them, at most NCPU), and the PLIC context of each
// hart's S-mode external interrupt (-1 when the tree does not say).
extern uint32_t fdt_hartid[NCPU];
extern int fdt_plic_context[NCPU];

#endif
