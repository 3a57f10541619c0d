#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# The lab grader: `make grade LAB=x` (docs/labs.md).
#
# Reads the `## Grading` table of labs/<lab>/handout.md, one row a test:
#
#   | test                              | points | covers               |
#   | `host vm_object_chain/collapse_*` | 10     | `vm_object_collapse` |
#   | `sv39 sv39/enter_*`               | 5      | `pmap_enter`         |
#   | `qemu usertests cow.rounds_chain` | 10     | `vm_object_collapse` |
#   | `qemu usertests basic.fork`       | 0      | —                    |
#
#   host FILTER   passes iff build/host/vmtests --filter FILTER exits 0
#                 having run at least one test (Criterion, ASan + UBSan)
#   sv39 FILTER   the same with build/sv39/sv39tests (the real Sv39 pmap)
#   qemu SUITE GROUP.TEST
#                 passes iff the one boot of the lab printed PASS GROUP.TEST
#                 in SUITE's output (TEST may be a glob: every match must
#                 pass). The boot's /autorun runs each distinct "SUITE
#                 GROUP" once, at CPUS=2 with 128M, within 120 s.
#
# Builds only what the rows need, boots QEMU once (scripts/qemu-suite.sh)
# while the host rows run, then prints one line per row -- PASS or FAIL,
# points, the test -- and for a failure what was expected, what happened
# and the command that reruns just that test; then "Score: N/M". Exits 0
# only on full score.
#
# Usage: scripts/grade.py [--json FILE] LAB [LAB...]
# With several labs (labcheck grades the solution so) the qemu rows of all
# of them share one boot, and each lab gets its own block and Score line.
import fnmatch
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join("build", "grade")
QEMU_CPUS, QEMU_MEM, QEMU_TIMEOUT = 2, "128M", 120
BINARY = {"host": "build/host/vmtests", "sv39": "build/sv39/sv39tests"}
BASELINE = ("—", "-", "")


class TableError(Exception):
    pass


class Row:
    def __init__(self, lab, where, test, points, covers):
        self.lab, self.where, self.test = lab, where, test
        self.points, self.covers = points, covers
        self.kind, _, self.arg = test.partition(" ")
        self.passed, self.why, self.rerun = False, "", ""
        if self.kind == "qemu":
            self.suite, _, name = self.arg.partition(" ")
            self.group = name.split(".")[0]
            self.pattern = name
            if not self.suite or "." not in name or " " in name:
                raise TableError("%s: want `qemu SUITE GROUP.TEST`" % where)
        elif self.kind in BINARY:
            if not self.arg or " " in self.arg:
                raise TableError("%s: want `%s FILTER`" % (where, self.kind))
        else:
            raise TableError("%s: a test starts with host, sv39 or qemu: %s"
                             % (where, test))


def parse_table(lab, root=ROOT):
    """The rows of labs/<lab>/handout.md's Grading table."""
    path = os.path.join("labs", lab, "handout.md")
    try:
        with open(os.path.join(root, path), encoding="utf-8") as f:
            lines = f.read().split("\n")
    except OSError:
        raise TableError("no handout %s" % path)
    try:
        n = next(i for i, l in enumerate(lines)
                 if re.match(r"^##\s+Grading\s*$", l))
    except StopIteration:
        raise TableError("%s: no '## Grading' section" % path)
    rows, header = [], None
    for i in range(n + 1, len(lines)):
        line = lines[i].strip()
        if line.startswith("#"):
            break
        if not line.startswith("|"):
            if rows or header:
                break
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        where = "%s:%d" % (path, i + 1)
        if header is None:
            header = [c.lower() for c in cells]
            if header[:3] != ["test", "points", "covers"]:
                raise TableError("%s: the header must be | test | points | "
                                 "covers |" % where)
            continue
        if set(line) <= set("|-: "):
            continue
        if len(cells) != 3:
            raise TableError("%s: a row has three cells" % where)
        test = cells[0].strip("`").strip()
        if not cells[1].isdigit():
            raise TableError("%s: points must be a number: %s"
                             % (where, cells[1]))
        covers = [] if cells[2] in BASELINE else \
            [c.rstrip("()") for c in re.findall(r"`([^`]+)`", cells[2])]
        if cells[2] not in BASELINE and not covers:
            raise TableError("%s: covers lists `names` or is —" % where)
        rows.append(Row(lab, where, test, int(cells[1]), covers))
    if not rows:
        raise TableError("%s: the Grading table has no rows" % path)
    return rows


def make(targets, log, extra=()):
    """Run make for targets, output to log; True on success."""
    cmd = ["make", "-j2", "--no-print-directory"] + list(extra) + targets
    with open(log, "a") as f:
        f.write("$ %s\n" % " ".join(cmd))
        f.flush()
        return subprocess.run(cmd, cwd=ROOT, stdout=f,
                              stderr=subprocess.STDOUT).returncode == 0


def criterion_failure(out):
    """The first failure in Criterion's output: its assertion or panic
    message and the [FAIL] line."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", l) for l in out.split("\n")]
    for i, line in enumerate(lines):
        if line.startswith("[FAIL]"):
            said = []
            for prev in reversed(lines[max(0, i - 12):i]):
                if prev.startswith(("[FAIL]", "[PASS]", "[RUN ]")):
                    break
                text = prev.replace("[----]", "").strip()
                if text and not text.startswith("[===="):
                    said.insert(0, text)
            panic = [l.strip() for l in lines
                     if re.match(r"\s*(panic|KASSERT|.*assertion)", l, re.I)
                     and not l.startswith("[")]
            msg = " ".join(said[-3:]) or (panic[0] if panic else "")
            head = re.sub(r":? \(\d+\.\d+s\)", ":", line[6:].strip())
            return "%s %s" % (head, msg)
    return None


def rerun_command(row):
    binary = BINARY[row.kind]
    seed = os.environ.get("VMTEST_SEED")
    return "make %s && %s%s --filter '%s'" % (
        binary, "VMTEST_SEED=%s " % seed if seed else "", binary, row.arg)


def run_alone(binary, test_filter):
    """Run the tests of one filter; (exit status, Criterion's output)."""
    p = subprocess.run([binary, "--filter", test_filter, "--jobs", "2"],
                       cwd=ROOT, capture_output=True, text=True,
                       errors="replace")
    return p.returncode, p.stdout + p.stderr


def run_binary_row(row):
    """The row on its own: passes iff the binary exits 0 having run a test."""
    status, out = run_alone(BINARY[row.kind], row.arg)
    m = re.search(r"Synthesis: Tested: (\d+) \| Passing: (\d+)", out)
    if m and int(m.group(1)) == 0:
        row.why = "no test matched the filter"
    elif status == 0 and m:
        row.passed = True
    else:
        row.why = "expected every test to pass, got: %s" % (
            criterion_failure(out) or "exit status %d" % status)


def run_suite(binary, suite, rests):
    """Run the tests suite/REST for each glob REST in one process and
    return {"suite/test": (status, messages)}, or None without a report."""
    report = os.path.join(ROOT, OUT, "%s-%s.json" % (os.path.basename(binary),
                                                     suite))
    if os.path.exists(report):
        os.remove(report)
    rest = rests[0] if len(rests) == 1 else "@(%s)" % "|".join(rests)
    subprocess.run([binary, "--filter", "%s/%s" % (suite, rest),
                    "--jobs", "2", "--json=" + report], cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with open(report) as f:
            suites = json.load(f)["test_suites"]
    except (OSError, ValueError, KeyError):
        return None
    return {"%s/%s" % (s["name"], t["name"]): (t["status"],
                                               t.get("messages", []))
            for s in suites for t in s["tests"] if t["status"] != "SKIPPED"}


def run_all_tests(binary, rows):
    """Run the rows' tests, one process per Criterion suite (a filter
    suite/@(a|b): one alternation over whole names is far slower in
    Criterion's glob), and return {"suite/test": (status, messages)} for
    the rows it could run so, and the set of suites that ran."""
    by_suite = {}
    for r in rows:
        suite, slash, rest = r.arg.partition("/")
        if slash and re.match(r"^\w+$", suite) and \
           not any(c in rest for c in "()|"):
            by_suite.setdefault(suite, set()).add(rest)
    results, ran = {}, set()
    for suite, rests in sorted(by_suite.items()):
        got = run_suite(binary, suite, sorted(rests))
        if got is not None:
            results.update(got)
            ran.add(suite)
    return results, ran


def run_binary_rows(kind, rows):
    """Judge the rows of one test binary (host or sv39)."""
    binary = BINARY[kind]
    for r in rows:
        r.rerun = rerun_command(r)
    if not os.path.exists(os.path.join(ROOT, binary)):
        for r in rows:
            r.why = "%s did not build (log: %s/build.log)" % (binary, OUT)
        return
    results, suites = run_all_tests(binary, rows)
    for r in rows:
        if r.arg.partition("/")[0] not in suites:
            run_binary_row(r)                   # not run with its suite
            continue
        ran = sorted(t for t in results if fnmatch.fnmatchcase(t, r.arg))
        failed = [t for t in ran if results[t][0] != "PASSED"]
        if not ran:
            r.why = "no test matched the filter"
        elif not failed:
            r.passed = True
        else:
            # Criterion lists the messages latest first: the last is the
            # first check that failed. A crash leaves none: ask it alone.
            msgs = results[failed[0]][1]
            said = msgs[-1] if msgs else \
                criterion_failure(run_alone(binary, failed[0])[1]) or "crashed"
            more = " (and %d more)" % (len(failed) - 1) if len(failed) > 1 else ""
            r.why = "expected every test to pass, got: %s failed: %s%s" % (
                failed[0], said, more)


def autorun(rows):
    """The /autorun lines: each distinct SUITE GROUP, in table order."""
    lines = []
    for r in rows:
        line = "%s %s" % (r.suite, r.group)
        if line not in lines:
            lines.append(line)
    return lines


def start_boot(rows, labs):
    """Build the kernel and an image whose /autorun runs the rows' groups,
    and start the boot; returns (process, log) or (None, why)."""
    run = autorun(rows)
    img, log = os.path.join(OUT, "fs.img"), os.path.join(OUT, "qemu.log")
    ok = make(["grade-image"], os.path.join(ROOT, OUT, "build.log"),
              ["GRADE_RUN=%s" % ";".join(run), "GRADE_IMG=%s" % img])
    if not ok:
        return None, "the kernel or fs image did not build (log: %s/build.log)" % OUT
    env = dict(os.environ, KERNEL="kernel/kernel", VMCHECK="0",
               SUITE_TIMEOUT=str(QEMU_TIMEOUT + 60 * (len(labs) - 1)))
    p = subprocess.Popen(["scripts/qemu-suite.sh", str(QEMU_CPUS), QEMU_MEM,
                          img, log], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, errors="replace")
    return p, log


def console_results(text, suites):
    """{suite: {test: (passed, line)}} and {suite: finished} from a console
    log. A suite's PASS/FAIL lines come before its summary line; lines
    after the last summary belong to the first suite that has none."""
    results, done, pending = {}, {}, []
    for line in text.replace("\r", "").split("\n"):
        m = re.match(r"^(PASS|FAIL) ([^:\s]+)", line)
        if m:
            pending.append((m.group(2), m.group(1) == "PASS", line.strip()))
            continue
        m = re.match(r"^([A-Za-z0-9_-]+): \d+ passed, \d+ failed", line)
        if m and m.group(1) in suites:
            done[m.group(1)] = True
            for test, ok, l in pending:
                results.setdefault(m.group(1), {})[test] = (ok, l)
            pending = []
    running = next((s for s in suites if s not in done), None)
    for test, ok, l in pending:
        if running:
            results.setdefault(running, {})[test] = (ok, l)
    return results, done


def judge_qemu_rows(rows, text, verdict):
    suites = [r.suite for r in rows]
    results, done = console_results(text, suites)
    panic = next((l.strip() for l in text.split("\n")
                  if l.startswith("panic")), None)
    for r in rows:
        r.rerun = 'make suite RUN="%s %s" CPUS=%d' % (r.suite, r.group,
                                                       QEMU_CPUS)
        got = {t: v for t, v in results.get(r.suite, {}).items()
               if fnmatch.fnmatchcase(t, r.pattern)}
        bad = [l for ok, l in got.values() if not ok]
        if got and not bad:
            r.passed = True
            continue
        if bad:
            what = bad[0]
        elif panic:
            what = "kernel panic: " + panic
        elif "timed out" in verdict:
            what = "timed out after the suite started (no result line)"
        elif done.get(r.suite):
            what = "no test matched (%s printed no %s)" % (r.suite, r.pattern)
        else:
            what = verdict.strip() or "%s never finished" % r.suite
        r.why = "expected PASS %s, got: %s" % (r.pattern, what[:300])


def grade(labs):
    """Grade the labs' rows; returns {lab: rows}."""
    os.makedirs(os.path.join(ROOT, OUT), exist_ok=True)
    open(os.path.join(ROOT, OUT, "build.log"), "w").close()
    table = {lab: parse_table(lab) for lab in labs}
    rows = [r for lab in labs for r in table[lab]]
    qemu_rows = [r for r in rows if r.kind == "qemu"]
    boot, log = (None, None)
    if qemu_rows:
        boot, log = start_boot(qemu_rows, labs)
    for kind in BINARY:
        kind_rows = [r for r in rows if r.kind == kind]
        if kind_rows:
            make([BINARY[kind]], os.path.join(ROOT, OUT, "build.log"))
            run_binary_rows(kind, kind_rows)
    if qemu_rows:
        if boot is None:
            for r in qemu_rows:
                r.why, r.rerun = log, "make kernel/kernel fs.img"
        else:
            out = boot.communicate()[0]
            verdict = next((l for l in out.split("\n")
                            if l.startswith("qemu-suite (")), "")
            with open(os.path.join(ROOT, log), errors="replace") as f:
                text = f.read()
            judge_qemu_rows(qemu_rows, text, verdict)
            for r in qemu_rows:
                if not r.passed:
                    r.why += " (console: %s)" % log
    return table


def report(table):
    """Print the rows and scores; returns whether every lab scored full."""
    full = True
    for lab, rows in table.items():
        if len(table) > 1:
            print("== lab %s" % lab)
        for r in rows:
            print("%s %3d/%-3d %s" % ("PASS" if r.passed else "FAIL",
                                      r.points if r.passed else 0,
                                      r.points, r.test))
            if not r.passed:
                print("          %s" % r.why)
                print("          rerun: %s" % r.rerun)
        score = sum(r.points for r in rows if r.passed)
        total = sum(r.points for r in rows)
        broken = [r for r in rows if not r.passed and r.points == 0]
        print("Score: %d/%d%s" % (score, total, "  (not full: a 0-point row "
                                  "failed)" if broken else ""))
        full = full and score == total and not broken
    return full


def main(argv):
    json_out = None
    if len(argv) >= 2 and argv[0] == "--json":
        json_out, argv = argv[1], argv[2:]
    if not argv:
        print("usage: scripts/grade.py [--json FILE] LAB [LAB...]",
              file=sys.stderr)
        return 2
    try:
        table = grade(argv)
    except TableError as err:
        labs = sorted(d for d in os.listdir(os.path.join(ROOT, "labs"))
                      if os.path.exists(os.path.join(ROOT, "labs", d,
                                                     "handout.md")))
        print("grade: %s (labs with a handout: %s)" % (err, " ".join(labs)),
              file=sys.stderr)
        return 2
    full = report(table)
    if json_out:
        with open(json_out, "w") as f:
            json.dump({lab: [{"test": r.test, "points": r.points,
                              "covers": r.covers, "passed": r.passed,
                              "why": r.why} for r in rows]
                       for lab, rows in table.items()}, f, indent=1)
    return 0 if full else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
