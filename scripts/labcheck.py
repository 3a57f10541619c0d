#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# `make labcheck`, run by `make check`: proves every lab's grader
# (docs/labs.md).
#
# First the generator itself: marker errors it must catch, and the tree it
# writes for a small file. Then, for every lab (a folder of labs/ with a
# handout):
#   - the markers are well formed (scripts/lab.py), every lab with markers
#     has a handout with a Grading table, every lab with a table has
#     markers, and every covers name is a BEGIN name of that lab;
#   - the handout and answers name only functions and files that exist
#     (scripts/docrefs.py on them);
#   - the student tree (scripts/lab.py, in build/labcheck/<lab>) holds no
#     marker of any lab, and its grade scores below full with every
#     covering row failing and every baseline row (covers —) passing;
#   - the solution (this tree) scores full on every row;
#   - the rows grade printed are the table's rows, with their points.
# Prints one FAIL line per broken check and the closing line
# "labcheck: N passed, M failed"; exits 1 on any failure.
#
# Speed (it runs inside `make check`): each student tree starts with a copy
# of this tree's build outputs, and unchanged sources keep their times, so
# only the lab's rewritten files recompile; two student trees are graded
# at a time; the solution's qemu rows of all labs share one boot.
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grade   # noqa: E402
import lab     # noqa: E402

ROOT = lab.ROOT
WORK = os.path.join(ROOT, "build", "labcheck")
# The build outputs a student tree starts from (a grade rebuilds the rest).
BUILD_COPY = ["build/host", "build/sv39", "build/kernel", "build/user",
              "build/mkfs", "build/fs-files.list", "kernel/kernel"]
ROW_RE = re.compile(r"^(PASS|FAIL) +(\d+)/(\d+) +(.*)$")


class Tally:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s" % what)
        return ok


# The generator's own test: each case is a file in a shorthand (@B lab
# name, @S lab, @E lab stand for the three marker lines, so this file holds
# none) and the error it must give, or for None what lab a's tree reads.
def _expand(text):
    out = []
    for line in text.split("\n"):
        m = re.match(r"^(\s*)@([BSE]) (\S+)(?: (\S+))?$", line)
        if not m:
            out.append(line)
        elif m.group(2) == "B":
            out.append("%s/* LAB %s BEGIN %s: write %s */" % (
                m.group(1), m.group(3), m.group(4), m.group(4)))
        elif m.group(2) == "S":
            out.append("%s/* LAB %s STUB" % (m.group(1), m.group(3)))
        else:
            out.append("%s   LAB %s END */" % (m.group(1), m.group(3)))
    return out


GOOD = "f() {\n  @B a f\n  return 1;\n  @S a\n  return 0;\n  @E a\n}\n" \
       "@B b g\nx;\n@S b\ny;\n@E b"
GOOD_A = "f() {\n  /* LAB a: f: write f (labs/a/handout.md) */\n" \
         "  return 0;\n}\nx;"
BAD = [
    ("@B a f\nx;", "has no STUB and END"),
    ("@B a f\nx;\n@S a\ny;", "has no END"),
    ("x;\n@E a", "END without"),
    ("@S a\n@E a", "STUB without"),
    ("@B a f\n@B a g", "do not nest"),
    ("@B zz f\n@S zz\n@E zz", "unknown lab"),
    ("@B a f\nx;\n@S a\ny; */\n@E a", "holds '*/'"),
    ("/* LAB a BEGIN f */", "malformed"),
    ("@B a f\nx;\n@S b\n@E b", "STUB of lab b"),
]


def check_generator(t):
    lines = _expand(GOOD)
    regions = lab.parse_file("good.c", lines, ["a", "b"])
    got = "\n".join(lab.rewrite(lines, regions, "a"))
    t.check(got == GOOD_A, "lab.py: lab a's tree of the test file is\n%s" % got)
    for text, want in BAD:
        try:
            lab.parse_file("bad.c", _expand(text), ["a", "b"])
            err = "no error"
        except lab.MarkerError as e:
            err = str(e)
        t.check(want in err and err.startswith("bad.c:"),
                "lab.py: %r gave %r, not an error with %r" % (text, err, want))


def graded_labs(t, found):
    """The labs that have a Grading table, after checking that labs,
    markers and tables go together."""
    labs = []
    marked = {r.lab for _, regs in found.values() for r in regs}
    for name in lab.known_labs():
        handout = os.path.join(ROOT, "labs", name, "handout.md")
        if not os.path.exists(handout):
            t.check(name not in marked,
                    "lab %s: markers but no labs/%s/handout.md" % (name, name))
            continue
        try:
            rows = grade.parse_table(name)
        except grade.TableError as err:
            t.check(False, "lab %s: %s" % (name, err))
            continue
        names = {r.name for r in lab.regions_of(found, name)}
        if not t.check(names, "lab %s: a Grading table but no marked region"
                       % name):
            continue
        unknown = sorted({c for r in rows for c in r.covers} - names)
        t.check(not unknown, "lab %s: covers names no BEGIN name of the lab:"
                " %s (there are: %s)" % (name, " ".join(unknown),
                                         " ".join(sorted(names))))
        labs.append(name)
    return labs


def check_refs(t, name):
    docs = [os.path.join("labs", name, f) for f in ("handout.md", "answers.md")
            if os.path.exists(os.path.join(ROOT, "labs", name, f))]
    p = subprocess.run(["scripts/docrefs.py"] + docs, cwd=ROOT,
                       capture_output=True, text=True)
    bad = [l for l in p.stdout.split("\n") if l.startswith("docrefs: labs/")]
    t.check(p.returncode == 0, "lab %s: the handout names what does not "
            "exist: %s" % (name, "; ".join(bad[:3]) or p.stdout[-200:]))
    t.check(os.path.exists(os.path.join(ROOT, "labs", name, "answers.md")),
            "lab %s: no answers.md template" % name)


def copy_build(dest):
    """This tree's build outputs into the student tree dest, times kept."""
    for rel in BUILD_COPY:
        src, dst = os.path.join(ROOT, rel), os.path.join(dest, rel)
        if os.path.isdir(src):
            shutil.copytree(src, dst, symlinks=True)
        elif os.path.exists(src):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)


def markers_left(dest, labs):
    """Files of the student tree that still hold a marker of some lab."""
    pat = re.compile(r"LAB (%s) (BEGIN|STUB|END)\b" % "|".join(
        re.escape(l) for l in labs))
    hits = []
    for dirpath, dirs, names in os.walk(dest):
        if dirpath == dest:
            dirs[:] = [d for d in dirs if d != "build"]
        for n in names:
            path = os.path.join(dirpath, n)
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    if pat.search(f.read()):
                        hits.append(os.path.relpath(path, dest))
            except OSError:
                pass
    return hits


def run_grade(tree, labs):
    """Run tree's grader on labs; (stdout, {lab: rows as dicts})."""
    out = os.path.join(tree, "build", "grade-%s.json" % "-".join(labs))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    p = subprocess.run(["nice", "python3", "scripts/grade.py", "--json", out]
                       + labs, cwd=tree, capture_output=True, text=True,
                       errors="replace")
    try:
        import json
        with open(out) as f:
            return p.stdout + p.stderr, json.load(f)
    except (OSError, ValueError):
        return p.stdout + p.stderr, {}


def printed_rows(text, name, several):
    """The (test, points) rows grade printed for lab name."""
    rows, current = [], None if several else name
    for line in text.split("\n"):
        if line.startswith("== lab "):
            current = line[7:].strip()
        m = ROW_RE.match(line)
        if m and current == name:
            rows.append((m.group(4).strip(), int(m.group(3))))
    return rows


def judge_student(t, name, text, result):
    rows = result.get(name)
    if not t.check(rows, "lab %s: the student tree's grade gave no result:\n%s"
                   % (name, text[-1500:])):
        return
    score = sum(r["points"] for r in rows if r["passed"])
    total = sum(r["points"] for r in rows)
    t.check(score < total, "lab %s: the student tree scores full (%d/%d)"
            % (name, score, total))
    for r in rows:
        if r["covers"]:
            t.check(not r["passed"], "lab %s: `%s` passes on the student "
                    "tree though it covers %s" % (name, r["test"],
                                                  ", ".join(r["covers"])))
        else:
            t.check(r["passed"], "lab %s: baseline `%s` fails on the "
                    "student tree: %s" % (name, r["test"], r["why"]))


def judge_solution(t, name, text, result, several):
    rows = result.get(name)
    if not t.check(rows, "lab %s: the solution's grade gave no result:\n%s"
                   % (name, text[-1500:])):
        return
    for r in rows:
        t.check(r["passed"], "lab %s: `%s` fails on the solution: %s"
                % (name, r["test"], r["why"]))
    want = [(r.test, r.points) for r in grade.parse_table(name)]
    t.check(printed_rows(text, name, several) == want,
            "lab %s: the rows grade printed are not the table's" % name)


def timed(fn, *args):
    began = time.time()
    return fn(*args), time.time() - began


def student_tree(t, name, labs):
    """Write, check and grade lab name's student tree."""
    dest = os.path.join(WORK, name)
    lab.write_tree(name, dest, keep_stripped_mtime=True)
    left = markers_left(dest, labs)
    t.check(not left, "lab %s: the student tree still has markers in %s"
            % (name, " ".join(left[:5])))
    copy_build(dest)
    began = time.time()
    text, result = run_grade(dest, [name])
    return name, text, result, time.time() - began


def main():
    start = time.time()
    t = Tally()
    if os.path.exists(os.path.join(ROOT, ".lab")):
        # A student tree: its stubs are meant to fail, and it has no markers.
        print("labcheck: a student tree (.lab), nothing to prove")
        print("labcheck: 0 passed, 0 failed")
        return 0
    check_generator(t)
    try:
        found = lab.scan()
        t.check(True, "markers")
    except lab.MarkerError as err:
        t.check(False, "markers:\n%s" % err)
        found = None
    labs = graded_labs(t, found) if found is not None else []
    times = []
    for name in labs:
        check_refs(t, name)
    if labs:
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        # The solution's build first: the student trees copy it.
        subprocess.run(["nice", "make", "-j2", "--no-print-directory",
                        "build/host/vmtests", "build/sv39/sv39tests",
                        "kernel/kernel", "uprogs", "build/mkfs/mkfs"],
                       cwd=ROOT, stdout=subprocess.DEVNULL)
        every = lab.known_labs()
        with ThreadPoolExecutor(max_workers=2) as pool:
            solution = pool.submit(timed, run_grade, ROOT, labs)
            students = [pool.submit(student_tree, t, n, every) for n in labs]
            for f in students:
                name, text, result, secs = f.result()
                judge_student(t, name, text, result)
                times.append("%s %.0f s" % (name, secs))
            (text, result), secs = solution.result()
            times.append("the solution %.0f s" % secs)
            for name in labs:
                judge_solution(t, name, text, result, len(labs) > 1)
    if t.failed == 0:
        shutil.rmtree(WORK, ignore_errors=True)
    else:
        print("labcheck kept the student trees in %s" %
              os.path.relpath(WORK, ROOT))
    print("labcheck took %.0f s for %d labs (grading: %s)" % (
        time.time() - start, len(labs), ", ".join(times) or "none"))
    print("labcheck: %d passed, %d failed" % (t.passed, t.failed))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
