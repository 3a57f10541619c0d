#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# The lab tree generator: `make lab LAB=x [DEST=dir]` (docs/labs.md).
#
# The shipped kernel is the solution of every lab. A lab's solution
# regions are marked in the real C and assembly sources:
#
#   /* LAB x BEGIN name: one-line task */      a line of its own
#   ...solution lines...
#   /* LAB x STUB                               a line of its own
#   ...stub lines (never a comment end)...
#      LAB x END */                             a line of its own
#
# The student tree of lab x is a plain directory (no .git, no build
# outputs) holding every tracked file, where each region of lab x becomes
# the line "/* LAB x: name: task (labs/x/handout.md) */" followed by its
# stub lines, and the marker lines of every other lab are dropped (their
# solutions stay). The tree gets its own README.md pointing at the
# handout; the kernel's README moves to README-kernel.md, at the top so
# its relative links still resolve. A file .lab names the tree's lab.
#
# Usage:
#   scripts/lab.py tree LAB DEST [--keep-stripped-mtime]
#   scripts/lab.py check          validate every marker, print the regions
#
# Markers are validated strictly: a malformed or unbalanced marker line, a
# marker of a lab with no labs/<lab>/ folder, or a stub line holding the
# comment end is an error naming file:line, and nothing is written.
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKED_EXT = (".c", ".h", ".S")

# The three marker lines. Built from pieces so that this file holds no
# marker line itself.
_W = r"[A-Za-z0-9_-]+"
BEGIN_RE = re.compile(r"^\s*/\* LAB (%s) BEGIN ([A-Za-z_]\w*): (\S.*?) \*/\s*$" % _W)
STUB_RE = re.compile(r"^\s*/\* LAB (%s) STUB\s*$" % _W)
END_RE = re.compile(r"^\s*LAB (%s) END \*/\s*$" % _W)
# Anything that looks like a marker must be one of the three above.
LOOSE_RE = re.compile(r"\bLAB\s+(\S+)\s+(BEGIN|STUB|END)\b")


class MarkerError(Exception):
    pass


class Region:
    """One marked region: lines [begin, end] (0-based) of file path."""

    def __init__(self, path, lab, name, task, begin, stub, end, indent):
        self.path, self.lab, self.name, self.task = path, lab, name, task
        self.begin, self.stub, self.end = begin, stub, end
        self.indent = indent

    def where(self):
        return "%s:%d" % (self.path, self.begin + 1)


def known_labs(root=ROOT):
    """The labs: the folders of labs/ (a new lab starts with its folder)."""
    d = os.path.join(root, "labs")
    if not os.path.isdir(d):
        return []
    return sorted(n for n in os.listdir(d)
                  if os.path.isdir(os.path.join(d, n)))


def tracked_files(root=ROOT):
    """The files of the tree: git's list in a checkout, else a walk that
    leaves out build outputs."""
    if os.path.isdir(os.path.join(root, ".git")) or \
       os.path.isfile(os.path.join(root, ".git")):
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached",
                              "--others", "--exclude-standard"],
                             check=True, capture_output=True).stdout
        files = [f for f in out.decode().split("\0") if f]
        return [f for f in files if os.path.lexists(os.path.join(root, f))]
    files = []
    skip_top = {".git", "build"}
    skip = {"kernel/kernel", "fs.img", ".gdbinit.port"}
    for dirpath, dirs, names in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        if rel == ".":
            dirs[:] = [d for d in dirs if d not in skip_top]
        for n in names:
            f = os.path.normpath(os.path.join(rel, n))
            if f not in skip:
                files.append(f)
    return sorted(files)


def parse_file(path, lines, labs):
    """The regions of one file; MarkerError on any malformed marker."""
    regions = []
    cur = None                    # [lab, name, task, begin, stub, indent]

    def fail(n, msg):
        raise MarkerError("%s:%d: %s" % (path, n + 1, msg))

    for n, line in enumerate(lines):
        b, s, e = BEGIN_RE.match(line), STUB_RE.match(line), END_RE.match(line)
        loose = LOOSE_RE.search(line)
        if not (b or s or e):
            if loose:
                fail(n, "malformed marker (docs/labs.md has the format): "
                     + line.strip())
            if cur is not None and cur[4] is not None and "*/" in line:
                fail(n, "a stub line holds '*/', which would end the "
                     "comment early")
            continue
        lab = (b or s or e).group(1)
        if lab not in labs:
            fail(n, "marker of unknown lab '%s' (no labs/%s/ folder)"
                 % (lab, lab))
        if b:
            if cur is not None:
                fail(n, "BEGIN inside the region of %s begun at line %d "
                     "(regions do not nest)" % (cur[1], cur[3] + 1))
            indent = line[:len(line) - len(line.lstrip())]
            cur = [lab, b.group(2), b.group(3), n, None, indent]
        elif s:
            if cur is None or cur[4] is not None:
                fail(n, "STUB without a BEGIN before it")
            if lab != cur[0]:
                fail(n, "STUB of lab %s in a region of lab %s" % (lab, cur[0]))
            cur[4] = n
        else:
            if cur is None or cur[4] is None:
                fail(n, "END without a BEGIN and STUB before it")
            if lab != cur[0]:
                fail(n, "END of lab %s in a region of lab %s" % (lab, cur[0]))
            regions.append(Region(path, cur[0], cur[1], cur[2], cur[3],
                                  cur[4], n, cur[5]))
            cur = None
    if cur is not None:
        fail(cur[3], "region %s of lab %s has no %s" %
             (cur[1], cur[0], "END" if cur[4] is not None else "STUB and END"))
    return regions


def read_lines(root, path):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        return f.read().split("\n")


def scan(root=ROOT):
    """{path: (lines, regions)} for every marked file; MarkerError (all the
    problems, one a line) if any marker is wrong."""
    labs = known_labs(root)
    found, errors = {}, []
    for path in tracked_files(root):
        if not path.endswith(MARKED_EXT):
            continue
        lines = read_lines(root, path)
        if not any("LAB" in l for l in lines):
            continue
        try:
            regions = parse_file(path, lines, labs)
        except MarkerError as err:
            errors.append(str(err))
            continue
        if regions:
            found[path] = (lines, regions)
    if errors:
        raise MarkerError("\n".join(errors))
    return found


def regions_of(found, lab):
    return [r for _, regs in found.values() for r in regs if r.lab == lab]


def rewrite(lines, regions, lab):
    """The file's lines in lab's student tree."""
    out, i = [], 0
    for r in regions:
        out += lines[i:r.begin]
        if r.lab == lab:
            out.append("%s/* LAB %s: %s: %s (labs/%s/handout.md) */"
                       % (r.indent, lab, r.name, r.task, lab))
            out += lines[r.stub + 1:r.end]
        else:
            out += lines[r.begin + 1:r.stub]
        i = r.end + 1
    return out + lines[i:]


STUDENT_README = """\
# Lab {lab}

This is the student tree of the `{lab}` lab: the whole kernel, with the
parts this lab asks you to write replaced by stubs. Start with the handout,
[labs/{lab}/handout.md](labs/{lab}/handout.md); the course map of every lab is
[labs/README.md](labs/README.md), and the kernel's own README (build, run,
debug, the documentation) is [README-kernel.md](README-kernel.md).

Each place to fill in is marked by a comment naming this lab:

    grep -rn "LAB {lab}:" kernel user

    make qemu            build and boot the kernel (Ctrl-a x leaves QEMU)
    make grade           run the lab's graded tests and print your score

Write your answers to the handout's questions in labs/{lab}/answers.md.
"""


def write_tree(lab, dest, keep_stripped_mtime=False, root=ROOT):
    """Write lab's student tree to dest (which must not exist or be empty).
    Unchanged files keep their modification time, so a build/ copied from
    the solution recompiles only what changed; with keep_stripped_mtime,
    files that only lost other labs' marker lines (comments: the same code)
    keep theirs too (labcheck uses it to save compiling)."""
    labs = known_labs(root)
    if lab not in labs:
        raise MarkerError("no lab '%s' (labs: %s)" % (lab, " ".join(labs)))
    found = scan(root)
    if not regions_of(found, lab):
        raise MarkerError("lab %s has no marked region" % lab)
    if os.path.exists(dest) and os.listdir(dest):
        raise MarkerError("%s exists and is not empty" % dest)
    inside = os.path.relpath(os.path.abspath(dest), root)
    if not inside.startswith("..") and not inside.startswith("build"):
        raise MarkerError("%s is inside this tree: the next make lab would "
                          "copy it (put it outside, or under build/)" % dest)
    for path in tracked_files(root):
        src, dst = os.path.join(root, path), os.path.join(dest, path)
        if path == "README.md":
            dst = os.path.join(dest, "README-kernel.md")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
            continue
        if path not in found:
            shutil.copy2(src, dst)
            continue
        lines, regions = found[path]
        with open(dst, "w", encoding="utf-8") as f:
            f.write("\n".join(rewrite(lines, regions, lab)))
        shutil.copymode(src, dst)
        if keep_stripped_mtime and all(r.lab != lab for r in regions):
            shutil.copystat(src, dst)
    with open(os.path.join(dest, "README.md"), "w", encoding="utf-8") as f:
        f.write(STUDENT_README.format(lab=lab))
    # The tree's lab: `make grade` grades it, and labcheck skips the tree.
    with open(os.path.join(dest, ".lab"), "w", encoding="utf-8") as f:
        f.write(lab + "\n")
    return regions_of(found, lab)


def main(argv):
    if len(argv) >= 3 and argv[0] == "tree":
        lab, dest = argv[1], argv[2]
        try:
            regions = write_tree(lab, dest, "--keep-stripped-mtime" in argv)
        except MarkerError as err:
            print("lab: %s" % err, file=sys.stderr)
            return 1
        print("lab %s: wrote %s (%d regions to write: %s)" % (
            lab, dest, len(regions),
            ", ".join(sorted({r.name for r in regions}))))
        print("next: cd %s && less labs/%s/handout.md" % (dest, lab))
        return 0
    if argv == ["check"]:
        try:
            found = scan()
        except MarkerError as err:
            print(err)
            return 1
        for path in sorted(found):
            for r in found[path][1]:
                print("%s: lab %s: %s" % (r.where(), r.lab, r.name))
        return 0
    print("usage: scripts/lab.py tree LAB DEST | scripts/lab.py check",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
