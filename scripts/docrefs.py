#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# The doc-reference test of `make check`: every file, make target and
# function the documentation names must exist, so a rename or a removal
# that forgets the docs fails a test instead of misleading a reader.
#
# Scans README.md, docs/*.md and labs/**/*.md (when there is a labs/) for
#   - paths under kernel/, user/, tests-host/, scripts/, docs/, mkfs/,
#     bench/, labs/ (a '*' in a path must match something), and relative
#     markdown link targets, which must exist in the tree;
#   - `make TARGET ...` in inline code or fenced code blocks: TARGET must
#     be a rule of the Makefile or of the .mk files it includes;
#   - inline code that looks like a call, `name()` or `name(args)`: name
#     must be defined or declared somewhere in the sources.
# Prints one line per broken reference and the closing line
# "docrefs: N passed, M failed"; exits 1 if anything failed.
#
# Usage: scripts/docrefs.py [FILE.md ...]   (default: the files above)
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIXES = ("kernel", "user", "tests-host", "scripts", "docs", "mkfs", "bench",
            "labs")
PATH_RE = re.compile(r"(?<![\w./-])((?:%s)/[\w./*+<>-]*)" % "|".join(
    re.escape(p) for p in PREFIXES))
LINK_RE = re.compile(r"\]\(([^)\s]+)\)")
SPAN_RE = re.compile(r"`([^`\n]+)`")
CALL_RE = re.compile(r"^([A-Za-z_]\w+)\([^()]*\)$")
# Bare identifiers with a kernel prefix name functions or macros too.
KNOWN_PREFIX_RE = re.compile(r"^((?:vm|pmap|vmspace|vnode_pager|host|vmtest)_\w+)$")
COMMENT_RE = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
MAKE_RE = re.compile(r"(?:^|[\s;&|(])make\s+((?:[^\s`;&|]+\s*)*)")
SOURCE_EXT = (".c", ".h", ".S", ".sh", ".py", ".ld", ".mk")


def doc_files(args):
    if args:
        return args
    files = [os.path.join(ROOT, "README.md")]
    files += sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    files += sorted(glob.glob(os.path.join(ROOT, "labs", "**", "*.md"),
                              recursive=True))
    return [f for f in files if os.path.exists(f)]


def make_targets():
    """Every rule target of the Makefile and the .mk files it includes."""
    mks = [os.path.join(ROOT, "Makefile")]
    mks += glob.glob(os.path.join(ROOT, "**", "*.mk"), recursive=True)
    targets = set()
    rule = re.compile(r"^([^\s#=:][^=:]*?)\s*::?(?!=)")
    for mk in mks:
        if "/build/" in mk:
            continue
        with open(mk, encoding="utf-8") as f:
            for line in f:
                m = rule.match(line)
                if m and not line.startswith("\t"):
                    targets.update(m.group(1).split())
    return targets


def source_text():
    """All source files of the tree, concatenated, for name lookups."""
    chunks = []
    for top in ("kernel", "user", "tests-host", "mkfs", "scripts", "bench"):
        for dirpath, _, names in os.walk(os.path.join(ROOT, top)):
            for name in names:
                if name.endswith(SOURCE_EXT):
                    with open(os.path.join(dirpath, name),
                              encoding="utf-8", errors="replace") as f:
                        text = f.read()
                    # A name only a comment mentions is not in the code.
                    if name.endswith((".c", ".h", ".S")):
                        text = COMMENT_RE.sub(" ", text)
                    chunks.append(text)
    gdbinit = os.path.join(ROOT, ".gdbinit")
    if os.path.exists(gdbinit):
        with open(gdbinit, encoding="utf-8") as f:
            chunks.append(f.read())
    return "\n".join(chunks)


def generated(path):
    """Is path a build output (.gitignore'd), which a clone need not have?"""
    return os.system("git -C '%s' check-ignore -q '%s' 2>/dev/null"
                     % (ROOT, path)) == 0


def path_exists(path):
    path = re.sub(r"<[^>]*>", "*", path.rstrip(".,:;"))
    if "*" in path:
        return bool(glob.glob(os.path.join(ROOT, path)))
    return os.path.exists(os.path.join(ROOT, path))


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.targets = make_targets()
        self.sources = source_text()
        self.seen = {}

    def check(self, where, kind, name, ok):
        key = (where.split(":")[0], kind, name)
        if key in self.seen:
            return
        self.seen[key] = ok
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("docrefs: %s: no such %s: %s" % (where, kind, name))

    def name_known(self, name, call):
        """Is name in the code: called or declared (call), or at all?"""
        pattern = r"\b%s\s*\(" if call else r"\b%s\b"
        return re.search(pattern % re.escape(name), self.sources) is not None

    def make_line(self, where, text):
        for m in MAKE_RE.finditer(text):
            words = m.group(1).split()
            target = next((w for w in words if "=" not in w
                           and not w.startswith("-")), None)
            if target is not None and re.match(r"^[\w./-]+$", target):
                self.check(where, "make target", target,
                           target in self.targets)

    def scan(self, doc):
        rel = os.path.relpath(doc, ROOT)
        in_fence = False
        with open(doc, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for n, line in enumerate(lines, 1):
            where = "%s:%d" % (rel, n)
            if line.lstrip().startswith("```"):
                in_fence = not in_fence
                continue
            for m in PATH_RE.finditer(line):
                path = m.group(1).rstrip(".,:;")
                if not generated(path):
                    self.check(where, "file", path, path_exists(path))
            if in_fence:
                self.make_line(where, line)
                continue
            for m in LINK_RE.finditer(line):
                target = m.group(1).split("#")[0]
                if target and not re.match(r"^[a-z]+:", target):
                    full = os.path.normpath(os.path.join(os.path.dirname(doc),
                                                         target))
                    self.check(where, "file", os.path.relpath(full, ROOT),
                               os.path.exists(full))
            for m in SPAN_RE.finditer(line):
                span = m.group(1).strip()
                call = CALL_RE.match(span)
                name = call or KNOWN_PREFIX_RE.match(span)
                if name:
                    self.check(where, "function", name.group(1),
                               self.name_known(name.group(1), bool(call)))
                self.make_line(where, span)


def main():
    checker = Checker()
    for doc in doc_files(sys.argv[1:]):
        checker.scan(doc)
    print("docrefs: %d passed, %d failed" % (checker.passed, checker.failed))
    return 1 if checker.failed else 0


if __name__ == "__main__":
    sys.exit(main())
