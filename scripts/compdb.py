#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# `make compdb`: write compile_commands.json (for clangd and editors) from
# the compile commands make would run, without building anything: make
# -n -B prints every command, and each "CC ... -o OUT SRC" line becomes
# one entry. A file compiled more than once (kernel/vm/*.c is built for
# the kernel and for the host tests) keeps the first, the kernel's, so an
# editor sees it as the kernel does.
import json
import os
import shlex
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def commands(targets):
    out = subprocess.run(["make", "-n", "-B", "--no-print-directory"] + targets,
                         cwd=ROOT, check=True, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        try:
            args = shlex.split(line)
        except ValueError:
            continue
        # Compiles, and mkfs's compile-and-link: a compiler, -o, a source.
        if (not args or not args[0].endswith(("gcc", "cc")) or "-o" not in args
                or not args[-1].endswith((".c", ".S"))):
            continue
        yield args


def main():
    targets = sys.argv[1:] or ["all"]
    entries, seen = [], set()
    for args in commands(targets):
        src = args[-1]
        if src in seen:
            continue
        seen.add(src)
        entry = {"directory": ROOT, "arguments": args, "file": src}
        if "-o" in args:
            entry["output"] = args[args.index("-o") + 1]
        entries.append(entry)
    path = os.path.join(ROOT, "compile_commands.json")
    with open(path + ".tmp", "w") as f:
        json.dump(entries, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)
    print("compdb: %d files in compile_commands.json" % len(entries))


if __name__ == "__main__":
    main()
