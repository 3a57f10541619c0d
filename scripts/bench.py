#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make bench`: run the host benchmarks, boot the kernel headless with
user/bench as its job at each CPU count, and report.

    scripts/bench.py --image build/fs-bench.img --cpus "1 3" --mem 512M \
        --host build/bench/bench_fault build/bench/bench_map

Every benchmark program prints one line per figure,

    BENCH <metric> <unit> <median> <min> <max> <runs>

(tests-host/bench_stat.h on the host, user/bench/harness.c in QEMU). This
script collects them -- from the host programs' output, and from the QEMU
console logs, tagged with the CPU count -- prints ONE markdown table with
each figure beside its baseline and target, and writes bench/results.json
(described in bench/README.md). Targets are reported, never asserted: the
exit status is non-zero only when a benchmark could not run.

The SMP figures compare boots with each other, and on a shared host a
QEMU process runs at its own speed for its whole life, the next one at
another (here the same boot, seconds apart, took 250 or 470 us a
fork-wait, every figure of the boot alike), so they run in rounds (--smp-image, --smp-rounds): one boot per
CPU count, the order reversed every other round. A figure is the fastest
boot's median, the boot the host did not slow down; each round's ratios
are printed beside the verdicts, which compare the fastest boots.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_RE = re.compile(r"^BENCH (\S+) (\S+) ([0-9.]+) ([0-9.]+) ([0-9.]+) (\d+)\s*$")

# Rows of the table, in order: (metric, baseline, targets). A baseline is
# a metric or a sum of metrics ("a+b"); the ratio is metric / baseline. A
# target is (kind, limit, text): "ratio" compares the ratio, "value" the
# median itself; both are upper limits.
QEMU_ROWS = [
    ("fork-cow-0", "fork-wired-0", [("ratio", 1.2, "<= 1.2")]),
    ("fork-wired-0", None, []),
    ("fork-wiredall-0", "fork-cow-0", []),
    ("fork-cow-256", "fork-wired-256", []),
    ("fork-wired-256", None, []),
    ("fork-cow-4096", "fork-wired-4096", []),
    ("fork-wired-4096", None, []),
    ("fork-cow-16384", "fork-wired-16384", [("ratio", 1 / 50, "<= 1/50")]),
    ("fork-wired-16384", None, []),
    ("getpid", None, []),
    ("memcpy-4k", None, []),
    ("cow-fault", "getpid+memcpy-4k", [("ratio", 2.0, "<= 2")]),
    ("cow-fault-sole", "getpid", []),
    ("touch-zfod-word", "touch-wired-word", []),
    ("touch-wired-word", None, []),
    ("touch-zfod-page", "touch-wired-page", [("ratio", 2.0, "<= 2")]),
    ("touch-wired-page", None, []),
    ("read-cold", None, []),
    ("mmap-normal-cold", "read-cold", []),
    ("mmap-seq-cold", "read-cold", [("ratio", 1.5, "<= 1.5")]),
    ("mmap-random-cold", "read-cold", []),
    ("read-warm", None, []),
    ("mmap-normal-warm", "read-warm", []),
    ("mmap-seq-warm", "read-warm", []),
    ("mmap-random-warm", "read-warm", []),
    ("reread-cold", None, []),
    ("reread-warm", "reread-cold", []),
    ("mmap-touch-munmap", None, []),
    ("mprotect", "getpid", []),
    ("exec-cold", "fork-cow-0", []),
    ("exec-warm", "exec-cold", []),
    ("fork-wait-0", None, []),
    ("fork-wait-64", None, []),
    ("zfod-par", None, []),
    ("lock-page", None, []),
    ("lock-object", None, []),
    ("lock-map", None, []),
    ("lock-map-sleeps", None, []),
    ("lock-pv", None, []),
]

# The SMP targets (issue 15), on one figure across the CPUS columns:
# (metric, CPUS, kind, limit, text). "slowdown": the figure at CPUS / at
# CPUS=1, an upper limit; "speedup": the throughput at CPUS (P = CPUS
# processes) / at CPUS=1, i.e. value at 1 / value at CPUS, a lower limit.
SMP_TARGETS = [
    ("fork-wait-0", "3", "slowdown", 1.2, "CPUS=3 <= 1.2 x CPUS=1"),
    ("fork-wait-64", "3", "slowdown", 1.2, "CPUS=3 <= 1.2 x CPUS=1"),
    ("zfod-par", "2", "speedup", 1.6, "P=2 >= 1.6 x P=1"),
]

# The paging boot (user/bench/pagebench.c), one boot at little RAM with a
# swap disk: (metric, raw baseline, limit, text). Throughputs: the ratio is
# the figure's pages/s over the raw disk's, a lower limit.
PAGING = "qemu-paging"
PAGING_TARGETS = [
    ("pageout", "swap-raw-write", 0.5, ">= 0.5 x raw write"),
    ("pagein", "swap-raw-read", 0.5, ">= 0.5 x raw read"),
]

HOST_ROWS = [("map-avl-%s-%d" % (op, n), "map-list-%s-%d" % (op, n),
              [("value", 300.0, "<= 300 ns"), ("ratio", 1 / 100, "<= 1/100")]
              if (op, n) == ("lookup", 100000) else [])
             for op in ("insert", "lookup", "find-space", "delete")
             for n in (10, 1000, 100000)]
HOST_ROWS += [("vm_fault-zfod", None, []), ("vm_fault-cow-copy", None, []),
              ("vm_fault-cow-sole", None, [])]


def parse_bench_lines(text, where):
    """The BENCH lines of one program's output, as result dicts."""
    out = []
    for line in text.replace("\r", "").splitlines():
        m = BENCH_RE.match(line)
        if m:
            out.append({"metric": m.group(1), "unit": m.group(2),
                        "median": float(m.group(3)), "min": float(m.group(4)),
                        "max": float(m.group(5)), "runs": int(m.group(6)),
                        "where": where})
    return out


def run_host(binaries):
    """Run each host benchmark, echoing its output. (results, ok)"""
    results, ok = [], True
    for b in binaries:
        print("== %s" % b, flush=True)
        p = subprocess.run([b], stdout=subprocess.PIPE, text=True, cwd=ROOT)
        sys.stdout.write(p.stdout)
        results += parse_bench_lines(p.stdout, "host")
        if p.returncode != 0:
            print("bench: %s exited with %d" % (b, p.returncode))
            ok = False
    return results, ok


def run_qemu(cpus, mem, image, logdir, timeout, swap="", where=None,
             name=None, maxcpus=""):
    """Boot once at cpus harts (the kernel using maxcpus of them, if set),
    with a swap disk of size swap if not empty (scripts/qemu-suite.sh
    streams the console and judges the boot by user/bench's summary line);
    its log is logdir/name.log (default: where). (results, ok)"""
    where = where or "qemu-cpus%s" % cpus
    log = os.path.join(logdir, "%s.log" % (name or where))
    print("== QEMU CPUS=%s MEM=%s%s%s" % (
        cpus, mem, " SWAP=" + swap if swap else "",
        " MAXCPUS=" + maxcpus if maxcpus else ""), flush=True)
    env = dict(os.environ, SUITE_TIMEOUT=str(timeout), SWAP=swap,
               SWAP_PREALLOC="1", MAXCPUS=maxcpus)
    rc = subprocess.call([os.path.join(ROOT, "scripts/qemu-suite.sh"), cpus,
                          mem, image, log], cwd=ROOT, env=env)
    with open(log, errors="replace") as f:
        results = parse_bench_lines(f.read(), where)
    return results, rc == 0


def one_hart(cpus):
    """Where the control boot of a CPU count puts its figures."""
    return "qemu-cpus%s-1hart" % cpus


def run_smp_rounds(cpus, rounds, mem, image, logdir, timeout):
    """The SMP group's boots: rounds of one boot per CPU count, in reverse
    order every other round, so a drift of the host's speed weighs on
    every column alike. Each CPU count a target names is followed by its
    control: the same QEMU with the kernel on one hart (maxcpus=1), which
    measures what QEMU's extra vCPUs cost a one-hart kernel on this host.
    (results with their "round", ok)"""
    controls = {c for _, c, _, _, _ in SMP_TARGETS}
    for f in os.listdir(logdir):          # a longer earlier run's rounds
        if f.startswith("qemu-smp"):
            os.remove(os.path.join(logdir, f))
    out, ok = [], True
    for k in range(1, rounds + 1):
        print("== SMP round %d of %d" % (k, rounds), flush=True)
        for c in (cpus if k % 2 else cpus[::-1]):
            boots = [("", None)]
            if c in controls:
                boots.append(("1", one_hart(c)))
            for maxcpus, where in boots:
                r, good = run_qemu(c, mem, image, logdir, timeout, where=where,
                                   name="qemu-smp%d-%s" % (k, (
                                       where or "qemu-cpus" + c)[len("qemu-"):]),
                                   maxcpus=maxcpus)
                out += [dict(x, round=k) for x in r]
                ok = ok and good
    return out, ok


def combine_rounds(per_round):
    """One result per figure and place from the rounds: the fastest boot's
    median, the least min, the greatest max, every run, and the rounds'
    medians in order."""
    by = {}
    for x in per_round:
        by.setdefault((x["metric"], x["where"]), []).append(x)
    out = []
    for (metric, where), xs in by.items():
        xs.sort(key=lambda x: x["round"])
        out.append({"metric": metric, "unit": xs[0]["unit"],
                    "median": min(x["median"] for x in xs),
                    "min": min(x["min"] for x in xs),
                    "max": max(x["max"] for x in xs),
                    "runs": sum(x["runs"] for x in xs), "where": where,
                    "rounds": [x["median"] for x in xs]})
    return out


def median_of(results, metric, where):
    """The median of metric at where; a sum for "a+b"; None if missing."""
    total = 0.0
    for part in metric.split("+"):
        r = [x for x in results if x["metric"] == part and x["where"] == where]
        if not r:
            return None
        total += r[0]["median"]
    return total


def unit_of(results, metric):
    for x in results:
        if x["metric"] == metric:
            return x["unit"]
    return "?"


def fmt_value(v):
    if v is None:
        return "-"
    return "{:,.0f}".format(v) if v >= 100 else "{:.1f}".format(v)


def fmt_ratio(r):
    if r is None:
        return "-"
    if r < 0.1:
        return "1/%.0f" % (1 / r) if r > 0 else "0"
    return "%.2f" % r


def verdicts(results, metric, baseline, targets, wheres):
    """For each where: (ratio, [(target text, met or None)])."""
    out = []
    for w in wheres:
        v = median_of(results, metric, w)
        base = median_of(results, baseline, w) if baseline else None
        ratio = v / base if v is not None and base else None
        checks = []
        for kind, limit, text in targets:
            x = ratio if kind == "ratio" else v
            checks.append((text, None if x is None else x <= limit))
        out.append((ratio, checks, v))
    return out


def table_row(results, row, qemu_wheres, host):
    """One row: values in the QEMU columns or the host column."""
    metric, baseline, targets = row
    wheres = ["host"] if host else qemu_wheres
    vs = verdicts(results, metric, baseline, targets, wheres)
    vals = [fmt_value(v) for _, _, v in vs]
    cells = [metric, unit_of(results, metric)]
    cells += (["-"] * len(qemu_wheres) + vals) if host else (vals + ["-"])
    base = baseline or ""
    if host and baseline:
        base += " (%s)" % fmt_value(median_of(results, baseline, "host"))
    cells.append(base.replace("+", " + "))
    cells.append(" / ".join(fmt_ratio(r) for r, _, _ in vs) if baseline else "")
    cells.append("; ".join(t for _, _, t in targets))
    mets = []
    for i in range(len(targets)):
        mets.append(" / ".join({True: "yes", False: "NO", None: "n/a"}[c[i][1]]
                               for _, c, _ in vs))
    cells.append("; ".join(mets))
    return "| " + " | ".join(cells) + " |"


def print_table(results, qemu_wheres):
    """The one table; returns the target verdicts for results.json."""
    known = {r[0] for r in QEMU_ROWS + HOST_ROWS}
    known |= {r[1] for r in HOST_ROWS if r[1]}   # shown beside their rows
    extra = sorted({(x["metric"], x["where"] == "host") for x in results
                    if x["metric"] not in known and x["where"] != PAGING})
    heads = ["CPUS=" + w[len("qemu-cpus"):] for w in qemu_wheres]
    cols = ["metric", "unit"] + heads + ["host", "baseline", "ratio",
                                         "target", "met?"]
    print("| " + " | ".join(cols) + " |")
    print("|---|---|" + "---:|" * (len(heads) + 1) + "---|---:|---|---|")
    measured = {x["metric"] for x in results}
    for row in QEMU_ROWS + [(m, None, []) for m, h in extra if not h]:
        if row[0] in measured:
            print(table_row(results, row, qemu_wheres, False))
    for row in HOST_ROWS + [(m, None, []) for m, h in extra if h]:
        if row[0] in measured:
            print(table_row(results, row, qemu_wheres, True))
    runs = " or ".join(sorted({"%d runs" % x["runs"] for x in results
                               if "rounds" not in x}))
    nrounds = max((len(x.get("rounds", [])) for x in results), default=0)
    what = ["medians (ns) of %s after a warm-up" % runs] if runs else []
    if nrounds:
        what.append("SMP figures: the fastest of %d boots' medians" % nrounds)
    what = "; ".join(what)
    print("\n%s; ratio = metric / baseline%s." % (
        what[:1].upper() + what[1:],
        ", for " + " / ".join(heads) + " in QEMU" if heads else ""))
    return target_verdicts(results, qemu_wheres)


def target_verdicts(results, qemu_wheres):
    out = []
    for rows, wheres in ((QEMU_ROWS, qemu_wheres), (HOST_ROWS, ["host"])):
        for metric, baseline, targets in rows:
            for kind, limit, text in targets:
                for w in wheres:
                    v = median_of(results, metric, w)
                    base = median_of(results, baseline, w) if baseline else None
                    ratio = v / base if v is not None and base else None
                    x = ratio if kind == "ratio" else v
                    out.append({"metric": metric, "baseline": baseline,
                                "where": w, "kind": kind, "limit": limit,
                                "target": text, "value": v, "ratio": ratio,
                                "met": None if x is None else x <= limit})
    return out


SMP_FIGURES = [("fork-wait-0", "slowdown"), ("fork-wait-64", "slowdown"),
               ("zfod-par", "speedup")]


def ratio(v, base, kind):
    """A slowdown (time v / time base) or a speedup (the inverse)."""
    if not v or not base:
        return None
    return v / base if kind == "slowdown" else base / v


def round_ratios(per_round, metric, where, base, kind):
    """metric at where relative to base in each round that has both."""
    def by_round(w):
        return {x["round"]: x["median"] for x in per_round
                if x["metric"] == metric and x["where"] == w}
    v, b = by_round(where), by_round(base)
    rs = [ratio(v[k], b[k], kind) for k in sorted(v) if k in b]
    return [r for r in rs if r is not None]


def best_ratio(results, metric, where, base, kind):
    """The ratio of the fastest boots: results hold each SMP figure's
    fastest boot (combine_rounds)."""
    return ratio(median_of(results, metric, where),
                 median_of(results, metric, base), kind)


def ratio_row(label, results, metric, kind, pairs):
    """A row of the fastest boots' ratio for each (where, base) pair."""
    cells = [best_ratio(results, metric, w, b, kind) for w, b in pairs]
    if any(cells):
        print("| %s | " % label + " | ".join(fmt_ratio(r) for r in cells)
              + " |")


def smp_section(results, per_round, cpus, nproc):
    """The SMP block under the table: each SMP figure relative to CPUS=1
    (the fastest boots of each, from results), zero-fill throughput in
    faults/s; then what the control boots say of QEMU's share; each
    round's own ratios from per_round. Returns the verdicts."""
    if "1" not in cpus or not per_round:
        return []
    nrounds = len({x["round"] for x in per_round})
    print("\n### SMP: relative to CPUS=1, the fastest of %d boot%s each "
          "(host CPUs: %s)\n" % (nrounds, "" if nrounds == 1 else "s", nproc))
    print("| figure | " + " | ".join("CPUS=" + c for c in cpus) + " |")
    print("|---|" + "---:|" * len(cpus))
    one = "qemu-cpus1"
    for metric, kind in SMP_FIGURES:
        if metric == "zfod-par":
            vals = [median_of(results, metric, "qemu-cpus" + c) for c in cpus]
            print("| zfod-par faults/s (P = CPUS) | " + " | ".join(
                "{:,.0f}".format(1e9 / v) if v else "-" for v in vals) + " |")
        ratio_row("%s %s" % (metric, kind), results, metric, kind,
                  [("qemu-cpus" + c, one) for c in cpus])
    ctl = [c for c in cpus if any(x["where"] == one_hart(c) for x in per_round)]
    if ctl:
        print("\nThe same QEMU with the kernel on one hart (maxcpus=1, the "
              "others parked): QEMU's share, and the kernel's:\n")
        print("| figure | " + " | ".join("CPUS=" + c for c in ctl) + " |")
        print("|---|" + "---:|" * len(ctl))
        for metric, kind in SMP_FIGURES:
            ratio_row("%s %s, one hart of N / CPUS=1" % (metric, kind),
                      results, metric, kind, [(one_hart(c), one) for c in ctl])
            ratio_row("%s %s, CPUS=N / one hart of N" % (metric, kind),
                      results, metric, kind,
                      [("qemu-cpus" + c, one_hart(c)) for c in ctl])
    out = []
    for metric, c, kind, limit, text in SMP_TARGETS:
        where = "qemu-cpus" + c
        r = best_ratio(results, metric, where, one, kind)
        rs = round_ratios(per_round, metric, where, one, kind)
        met = None if r is None else (r <= limit if kind == "slowdown"
                                      else r >= limit)
        qemu = best_ratio(results, metric, one_hart(c), one, kind)
        own = best_ratio(results, metric, where, one_hart(c), kind)
        out.append({"metric": metric, "baseline": metric + "@CPUS=1",
                    "where": where, "kind": kind, "limit": limit,
                    "target": text, "ratio": r, "rounds": rs, "met": met,
                    "qemu_share": qemu, "kernel_share": own,
                    "value": median_of(results, metric, where)})
        print("\n%s: %s %s (%s); each round: %s" % (
            metric, text, "-" if r is None else "%.2f" % r,
            {True: "met", False: "NOT met", None: "n/a"}[met],
            " ".join("%.2f" % x for x in rs) or "-"), end="")
        if qemu and own:
            print("; one hart of %s / CPUS=1: %.2f, CPUS=%s / one hart of %s:"
                  " %.2f" % (c, qemu, c, c, own), end="")
    print()
    return out


def paging_section(results, mem, swap):
    """The paging block: page-out and page-in beside the raw disk, and the
    working set of 1.5 x RAM beside 0.5 x RAM; returns the verdicts."""
    if not any(x["where"] == PAGING for x in results):
        return []
    print("\n### Paging: MEM=%s, %s of swap, CPUS=1\n" % (mem, swap))
    print("| figure | ns/page | pages/s | raw disk | raw pages/s | ratio | "
          "target | met? |")
    print("|---|---:|---:|---|---:|---:|---|---|")
    out = []
    for metric, raw, limit, text in PAGING_TARGETS:
        v = median_of(results, metric, PAGING)
        base = median_of(results, raw, PAGING)
        r = base / v if v and base else None
        met = None if r is None else r >= limit
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            metric, fmt_value(v), fmt_value(1e9 / v if v else None), raw,
            fmt_value(1e9 / base if base else None), fmt_ratio(r), text,
            {True: "yes", False: "NO", None: "n/a"}[met]))
        out.append({"metric": metric, "baseline": raw, "where": PAGING,
                    "kind": "throughput", "limit": limit, "target": text,
                    "value": v, "ratio": r, "met": met})
    big = median_of(results, "ws-1.5ram", PAGING)
    small = median_of(results, "ws-0.5ram", PAGING)
    if big and small:
        print("\nws-1.5ram: %.3f s a pass, ws-0.5ram: %.4f s a pass: %s "
              "times as long for 3 times the pages (%s a page)" % (
                  big / 1e9, small / 1e9, fmt_ratio(big / small),
                  fmt_ratio(big / small / 3)))
    return out


def machine():
    def cmd(args):
        try:
            return subprocess.run(args, stdout=subprocess.PIPE, text=True,
                                  stderr=subprocess.DEVNULL,
                                  cwd=ROOT).stdout.strip()
        except OSError:
            return ""
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f
                          if l.startswith("model name")), "")
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model,
            "os": platform.platform(),
            "qemu": cmd(["qemu-system-riscv64", "--version"]).split("\n")[0],
            "loadavg_at_start": os.getloadavg()[0],
            "commit": cmd(["git", "describe", "--always", "--dirty"])}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--image", required=True)
    ap.add_argument("--cpus", default="1 3")
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--host", nargs="*", default=[])
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/results.json"))
    ap.add_argument("--logdir", default=os.path.join(ROOT, "build/bench-run"))
    ap.add_argument("--timeout", type=int, default=420)
    ap.add_argument("--smp-image", default="",
                    help="boot this image in SMP rounds")
    ap.add_argument("--smp-cpus", default="1 2 3 4")
    ap.add_argument("--smp-rounds", type=int, default=7)
    ap.add_argument("--paging-image", default="",
                    help="boot this image once more with a swap disk")
    ap.add_argument("--paging-mem", default="64M")
    ap.add_argument("--paging-swap", default="160M")
    args = ap.parse_args()

    t0 = time.time()
    info = machine()
    os.makedirs(args.logdir, exist_ok=True)
    results, ok = run_host(args.host)
    wheres = []
    for cpus in args.cpus.split():
        r, good = run_qemu(cpus, args.mem, args.image, args.logdir,
                           args.timeout)
        results += r
        wheres.append("qemu-cpus%s" % cpus)
        ok = ok and good
    if args.smp_image and args.smp_rounds > 0:
        smp_cpus = args.smp_cpus.split()
        per_round, good = run_smp_rounds(smp_cpus, args.smp_rounds, args.mem,
                                         args.smp_image, args.logdir,
                                         args.timeout)
        results += combine_rounds(per_round)
        ok = ok and good
        wheres = sorted(set(wheres) | {"qemu-cpus" + c for c in smp_cpus},
                        key=lambda w: int(w[len("qemu-cpus"):]))
    else:   # SMP figures from the main boots, if any: one round
        smp_cpus = [w[len("qemu-cpus"):] for w in wheres]
        per_round = [dict(x, round=1) for x in results
                     if x["where"].startswith("qemu-cpus")]
    if args.paging_image:
        r, good = run_qemu("1", args.paging_mem, args.paging_image,
                           args.logdir, args.timeout, args.paging_swap, PAGING)
        results += r
        ok = ok and good
    print("\n## make bench\n")
    verdict = print_table(results, wheres)
    verdict += smp_section(results, per_round, smp_cpus, info["nproc"])
    verdict += paging_section(results, args.paging_mem, args.paging_swap)
    wall = time.time() - t0
    info["wall_seconds"] = round(wall, 1)
    doc = {"generated": datetime.datetime.now(datetime.timezone.utc)
           .strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": info,
           "results": results, "targets": verdict}
    if args.smp_image:
        doc["smp_rounds"] = per_round
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out + ".tmp", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(args.out + ".tmp", args.out)
    met = sum(1 for v in verdict if v["met"])
    judged = sum(1 for v in verdict if v["met"] is not None)
    print("\nbench: %d figures, targets met %d of %d measured, %.0f s; "
          "wrote %s%s" % (len(results), met, judged, wall,
           os.path.relpath(args.out, ROOT), "" if ok else "; SOME BENCHMARKS FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
