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
