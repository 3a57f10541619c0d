// SPDX-License-Identifier: MIT
// The page-fault handler: the one path by which any page gets mapped into a
// user address space, for the hardware's faults, the kernel's own accesses
// to user memory (copyin/copyout), wiring, and prefaulting.
#ifndef VM_VM_FAULT_H
#define VM_VM_FAULT_H

#include "vm/vm.h"

struct vm_map;
struct vm_map_entry;
struct vm_page;

#define VM_FAULT_NORMAL  0x0
#define VM_FAULT_WIRE    0x1   // wire the page (from vm_map_wire)

// Resolve a fault of type fault_type (VM_PROT_READ, WRITE or EXECUTE) at va:
// find the page through the map and the object chain, zero-fill, copy on
// write, or page it in, then enter it into map's pmap. Must be called with
// no map or object lock held. Returns KERN_SUCCESS, KERN_INVALID_ADDRESS
// (nothing mapped: segmentation fault), KERN_PROTECTION_FAILURE (access not
// allowed: segmentation fault), KERN_OUT_OF_BOUNDS (past the end of a file:
// bus error), or KERN_RESOURCE_SHORTAGE (no memory: kill the process).
int vm_fault(struct vm_map *map, vm_offset_t va, vm_prot_t fault_type,
             int fault_flags);

// Wire the pages of [start, end), which lie in entries marked in
// transition, by faulting each with VM_FAULT_WIRE. On failure, pages wired
// by this call are unwired again. Called with the map unlocked.
int vm_fault_wire(struct vm_map *map, vm_offset_t start, vm_offset_t end);
// Unwire the pages of [start, end) in entry (map locked).
void vm_fault_unwire(struct vm_map *map, struct vm_map_entry *entry,
                     vm_offset_t start, vm_offset_t end);

// fork of a wired private entry: give dst_entry (a fresh entry in dst_map
// with no object) a copy of every page of src_entry now. KERN_SUCCESS or
// KERN_RESOURCE_SHORTAGE. Both maps locked.
int vm_fault_copy_entry(struct vm_map *dst_map, struct vm_map *src_map,
                        struct vm_map_entry *dst_entry,
                        struct vm_map_entry *src_entry);

#endif
