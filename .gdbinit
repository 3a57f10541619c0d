# SPDX-License-Identifier: MIT
# gdb-multiarch setup for `make qemu-gdb` (QEMU waits on tcp::26000).
# If gdb refuses to load this file, add to ~/.gdbinit:
#   add-auto-load-safe-path /path/to/this/repo/.gdbinit
set confirm off
set architecture riscv:rv64
file kernel/kernel
set disassemble-next-line auto
target remote :26000
echo Connected. Try: break main, then continue.\n

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

def vm_depth(obj):
    n = 0
    while vm_u64(obj) != 0:
        n += 1
        obj = obj["backing_object"]
    return n

def vm_entries(vmmap):
    """The map's entries in address order (in-order walk of its AVL tree)."""
    etype = gdb.lookup_type("struct vm_map_entry").pointer()
    stack, node = [], vmmap["root"]["root"]
    while stack or vm_u64(node) != 0:
        while vm_u64(node) != 0:
            stack.append(node)
            node = node["left"]
        node = stack.pop()
        yield node.cast(etype)    # node is the entry's first member
        node = node["right"]

class VmmapCmd(gdb.Command):
    """vmmap PID|PROC: print a process's map entries (see user/vmmap.c)."""
    def __init__(self):
        super().__init__("vmmap", gdb.COMMAND_USER)
    def invoke(self, arg, from_tty):
        p = vm_find_proc(arg)
        if vm_u64(p["vm"]) == 0:
            raise gdb.GdbError("process has no vmspace")
        m = p["vm"]["vm_map"]
        print("pid %d %s: %d entries" % (int(p["pid"]),
              p["name"].string(), int(m["nentries"])))
        for e in vm_entries(m):
            obj = e["object"]
            if vm_u64(obj) == 0:
                o = "guard" if int(e["eflags"]) & 0x40 else "none"
            else:
                o = "%s#%d depth %d res %d" % (OBJTYPE[int(obj["type"])],
                    int(obj["id"]), vm_depth(obj), int(obj["resident_count"]))
            print("  %#012x-%#012x %s/%s %-5s %-6s wired %d eflags %#x %s" % (
                vm_u64(e["start"]), vm_u64(e["end"]), vm_prot(e["protection"]),
                vm_prot(e["max_protection"]), INHERIT[int(e["inheritance"]) & 3],
                BEHAV[int(e["behavior"]) % 3], int(e["wired_count"]),
                int(e["eflags"]), o))

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
