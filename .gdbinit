# SPDX-License-Identifier: MIT
# gdb-multiarch setup for `make qemu-gdb`. QEMU waits on a port of your
# own, 25000 + uid % 5000 (so two users of one machine do not meet), which
# make writes to .gdbinit.port; the end of this file connects to it.
# If gdb refuses to load this file, add to ~/.gdbinit:
#   add-auto-load-safe-path /path/to/this/repo/.gdbinit
set confirm off
set architecture riscv:rv64
file kernel/kernel
set disassemble-next-line auto

# procs: the process table (pid, state, name), like ^P on the console.
define procs
  set $i = 0
  while $i < sizeof(proc) / sizeof(proc[0])
    if proc[$i].state != UNUSED
      printf "%3d  ", proc[$i].pid
      output proc[$i].state
      printf "  %s\n", proc[$i].name
    end
    set $i = $i + 1
  end
end
document procs
List the processes: pid, state, name.
end

# VM commands, in Python (gdb-multiarch embeds it):
#   vmmap <pid | proc-pointer>            a process's map entries
#   ptwalk <pid | proc-pointer | pmap-pointer> <va>
#                                         the Sv39 walk for va, level by level
#   shadow <object-pointer>               an object's shadow chain
# They read kernel memory through the direct map, so stop the kernel in
# S-mode first (Ctrl-C, or a breakpoint).
python
import gdb

DMAP_BASE = 0xffffffc000000000
PROT = "rwx"
INHERIT = ["share", "copy", "none", "zero"]
BEHAV = ["normal", "random", "seq"]
OBJTYPE = ["default", "swap", "vnode", "dead"]

def vm_u64(v):
    return int(v) & 0xffffffffffffffff

def vm_find_proc(arg):
    """A struct proc * from a pid or an expression that is a proc pointer."""
    v = gdb.parse_and_eval(arg)
    if v.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
        return v
    pid = int(v)
    procs = gdb.parse_and_eval("proc")
    lo, hi = procs.type.range()
    for i in range(lo, hi + 1):
        p = procs[i]
        if int(p["pid"]) == pid and str(p["state"]) != "UNUSED":
            return p.address
    raise gdb.GdbError("no process with pid %d" % pid)

def vm_prot(p):
    p = int(p)
    return "".join(PROT[i] if p & (1 << i) else "-" for i in range(3))

def vm_entries(vmmap):
    """The map's entries in address order (in-order walk of its AVL tree)."""
    etype = gdb.lookup_type("struct vm_map_entry").pointer()
    for node in vm_tree(vmmap["root"]["root"]):
        yield node.cast(etype)    # node is the entry's first member

# vmmap prints what user/vmmap.c prints (its columns are described there
# and in README.md), computed the same way as sys_vmmap (kernel/sysvm.c).
# Flag bits of kernel/vm/vm_map.h (#defines: not in the debug info), in the
# order of the tool's FLAGS letters.
VMMAP_FLAGS = ((0x01, "C"), (0x02, "N"), (0x20, "S"), (0x10, "L"), (0x04, "T"))
MAP_ENTRY_GUARD = 0x40
VMMAP_MAXDEPTH = 32

def vm_tree(node):
    """The nodes of an AVL tree (struct avl_node *), in order."""
    stack = []
    while stack or vm_u64(node) != 0:
        while vm_u64(node) != 0:
            stack.append(node)
            node = node["left"]
        node = stack.pop()
        yield node
        node = node["right"]

def vm_pindexes(obj):
    """The page indexes resident in obj (its memq tree of vm_page.onode)."""
    ptype = gdb.lookup_type("struct vm_page").pointer()
    off = int(gdb.parse_and_eval("&((struct vm_page *)0)->onode"))
    return set(int(gdb.Value(vm_u64(n) - off).cast(ptype)["pindex"])
               for n in vm_tree(obj["memq"]["root"]))

def vm_describe(e):
    """(kind, id, depth, resident, capped) of a map entry, as sys_vmmap."""
    obj = e["object"]
    if int(e["eflags"]) & MAP_ENTRY_GUARD:
        return "guard", 0, 0, 0, False
    if vm_u64(obj) == 0:
        return "none", 0, 0, 0, False
    t = int(obj["type"])
    kind = {0: "anon", 1: "swap"}.get(t, "dead")
    if t == 2:
        ino = 0
        if vm_u64(obj["handle"]) != 0:
            inode = gdb.lookup_type("struct inode").pointer()
            ino = int(obj["handle"].cast(inode)["inum"])
        kind = "vnode:%d" % ino
    npages = (vm_u64(e["end"]) - vm_u64(e["start"])) >> 12
    offset, o, depth, seen = vm_u64(e["offset"]), obj, 0, set()
    while vm_u64(o) != 0 and depth < VMMAP_MAXDEPTH:
        base = offset >> 12
        seen.update(p - base for p in vm_pindexes(o) if base <= p < base + npages)
        offset += vm_u64(o["backing_offset"])
        o = o["backing_object"]
        depth += 1
    return kind, int(obj["id"]), depth, len(seen), vm_u64(o) != 0

class VmmapCmd(gdb.Command):
    """vmmap PID|PROC: a process's map entries, as user/vmmap.c prints them."""
    def __init__(self):
        super().__init__("vmmap", gdb.COMMAND_USER)
    def invoke(self, arg, from_tty):
        if not arg.strip():
            raise gdb.GdbError("usage: vmmap PID|PROC (a pid, or a struct proc *)")
        p = vm_find_proc(arg)
        if vm_u64(p["vm"]) == 0:
            raise gdb.GdbError("process has no vmspace")
        print("pid %d (%s)" % (int(p["pid"]), p["name"].string()))
        print("%-10s %-10s %-7s %-5s %-6s %4s %-9s %5s %3s %5s %s" % ("START",
              "END", "PRT/MAX", "INH", "BEHAV", "WIRE", "KIND", "ID", "SHD",
              "RES", "FLAGS"))
        for e in vm_entries(p["vm"]["vm_map"]):
            kind, oid, depth, res, capped = vm_describe(e)
            ef = int(e["eflags"])
            flags = "".join(c for b, c in VMMAP_FLAGS if ef & b) + \
                ("+" if capped else "")
            print("%010x-%010x %s/%s %-5s %-6s %4d %-9s %5d %3d %5d %s" % (
                vm_u64(e["start"]), vm_u64(e["end"]), vm_prot(e["protection"]),
                vm_prot(e["max_protection"]), INHERIT[int(e["inheritance"]) & 3],
                BEHAV[int(e["behavior"]) % 3], int(e["wired_count"]), kind,
                oid, depth, res, flags or "-"))

class PtwalkCmd(gdb.Command):
    """ptwalk PID|PROC|PMAP VA: walk the Sv39 table for VA, level by level."""
    def __init__(self):
        super().__init__("ptwalk", gdb.COMMAND_USER)
    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if len(args) != 2:
            raise gdb.GdbError("usage: ptwalk PID|PROC|PMAP VA")
        v = gdb.parse_and_eval(args[0])
        t = v.type.strip_typedefs()
        if t.code == gdb.TYPE_CODE_PTR and t.target().strip_typedefs().tag == "pmap":
            pmap = v
        else:
            pmap = vm_find_proc(args[0])["vm"]["vm_map"]["pmap"]
        pmap = pmap.cast(gdb.lookup_type("struct pmap").pointer())
        va = vm_u64(gdb.parse_and_eval(args[1]))
        pte_t = gdb.lookup_type("unsigned long").pointer()
        table = vm_u64(pmap["root"])
        print("pmap %#x root pa %#x asid %d, va %#x" % (vm_u64(pmap),
              vm_u64(pmap["root_pa"]), int(pmap["asid"]), va))
        for level, shift in ((2, 30), (1, 21), (0, 12)):
            idx = (va >> shift) & 511
            pte = vm_u64(gdb.Value(table + 8 * idx).cast(pte_t).dereference())
            pa = ((pte >> 10) & ((1 << 44) - 1)) << 12
            bits = "".join(c for c, b in zip("VRWXUGAD", range(8)) if pte & (1 << b))
            sw = (" wired" if pte & 0x100 else "") + (" managed" if pte & 0x200 else "")
            print("  L%d[%3d] = %#018x  pa %#x  %s%s" % (level, idx, pte, pa,
                  bits or "-", sw))
            if not pte & 1:
                print("  not mapped")
                return
            if pte & 0xe:
                mask = (1 << shift) - 1
                print("  -> pa %#x" % ((pa & ~mask) | (va & mask)))
                return
            table = DMAP_BASE + pa

class ShadowCmd(gdb.Command):
    """shadow OBJ: print a vm_object and its backing chain, front first."""
    def __init__(self):
        super().__init__("shadow", gdb.COMMAND_USER)
    def invoke(self, arg, from_tty):
        obj = gdb.parse_and_eval(arg)
        obj = obj.cast(gdb.lookup_type("struct vm_object").pointer())
        level = 0
        while vm_u64(obj) != 0:
            print("  %d: %#x id %d %s size %d ref %d shadows %d resident %d "
                  "flags %#x backing_offset %#x" % (level, vm_u64(obj),
                  int(obj["id"]), OBJTYPE[int(obj["type"]) & 3], int(obj["size"]),
                  int(obj["ref_count"]), int(obj["shadow_count"]),
                  int(obj["resident_count"]), int(obj["flags"]),
                  vm_u64(obj["backing_offset"])))
            obj = obj["backing_object"]
            level += 1

VmmapCmd()
PtwalkCmd()
ShadowCmd()
end

# Last, so the commands above exist even when no QEMU is waiting.
python
import os
if os.path.exists(".gdbinit.port"):
    gdb.execute("source .gdbinit.port")
    print("Connected. Try: break main, then continue.")
else:
    print("No .gdbinit.port: run `make qemu-gdb` in another terminal, "
          "then `source .gdbinit.port` here.")
end
