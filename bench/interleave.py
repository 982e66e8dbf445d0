#!/usr/bin/env python3
"""Time two or more commands interleaved (A B A B ...), so that a ratio holds
from run to run on a busy machine: whatever slows the machine down during the
run slows every side of the ratio alike.

    bench/interleave.py [-n RUNS] [-w WARMUPS] [--section S] [--jsonl FILE]
                        -c NAME CMD -c NAME CMD [...]

CMD is split into words as a shell would (shlex) and run without a shell; use
`sh -c '...'` for a pipeline. Its stdout is read to the end through a pipe (as
a real reader of its output would), stderr is discarded. Each round runs every
side once, in the order given; the first round order rotates so that no side
is always first after the previous side's output. WARMUPS untimed rounds come
first.

Printed, per side: median, p10-p90 and min-max in ms, output bytes; the ratio
of its median to the first side's (`x first`), and the median and min-max of
the per-round ratios (side / first in the same round). --jsonl appends one JSON
line with every time. Exit status 1 if a command failed (it is then skipped in
later rounds); no threshold is ever applied to a time.
"""
import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time


def run_once(argv):
    """Run ARGV, read its stdout to EOF; return (seconds, bytes, exit code)."""
    t0 = time.perf_counter_ns()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    n = 0
    while True:
        b = p.stdout.read1(1 << 20)
        if not b:
            break
        n += len(b)
    rc = p.wait()
    p.stdout.close()
    return (time.perf_counter_ns() - t0) / 1e9, n, rc


def pct(xs, q):
    """The q-th percentile (0..100), linear between the closest ranks."""
    s = sorted(xs)
    if not s:
        return None
    k = (len(s) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def ms(v):
    if v is None:
        return "-"
    v *= 1e3
    return "%.0f" % v if v >= 100 else "%.1f" % v if v >= 10 else "%.2f" % v


def fx(v):
    if v is None:
        return "-"
    return "%.0fx" % v if v >= 100 else "%.1fx" % v if v >= 10 else "%.2fx" % v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--runs", type=int, default=10)
    ap.add_argument("-w", "--warmup", type=int, default=1)
    ap.add_argument("--section", default="")
    ap.add_argument("--jsonl", help="append one JSON line with every time to this file")
    ap.add_argument("-c", "--cmd", nargs=2, action="append", metavar=("NAME", "CMD"),
                    required=True)
    a = ap.parse_args()
    if len(a.cmd) < 2 or a.runs < 1 or a.warmup < 0:
        ap.error("need two or more -c NAME CMD, RUNS >= 1, WARMUPS >= 0")
    sides = [{"name": n, "cmd": c, "argv": shlex.split(c), "times": [], "bytes": None,
              "failed": None} for n, c in a.cmd]
    k = len(sides)
    for r in range(a.warmup + a.runs):
        for i in range(k):
            s = sides[(i + r) % k]
            if s["failed"]:
                continue
            try:
                t, n, rc = run_once(s["argv"])
            except OSError as e:
                s["failed"] = str(e)
                continue
            if rc != 0:
                s["failed"] = "exit status %d" % rc
                continue
            s["bytes"] = n
            if r >= a.warmup:
                s["times"].append((r, t))
    first = sides[0]
    by_round0 = dict(first["times"])
    rc = 0
    print("%-40s %10s %19s %19s %12s %9s %s" % (
        a.section or "interleaved", "median ms", "p10-p90 ms", "min-max ms", "out bytes",
        "x first", "per-round x first: median (min-max)"))
    for s in sides:
        ts = [t for _, t in s["times"]]
        if s["failed"] or not ts:
            rc = 1
            s.update(median=None)
            print("%-40s FAILED: %s" % (s["name"][:40], s["failed"] or "no run"))
            continue
        s.update(median=statistics.median(ts), p10=pct(ts, 10), p90=pct(ts, 90),
                 min=min(ts), max=max(ts))
        pr = [t / by_round0[r] for r, t in s["times"] if by_round0.get(r)]
        s["round_ratios"] = pr
        s["ratio"] = (s["median"] / first["median"]
                      if first.get("median") else None)
        print("%-40s %10s %19s %19s %12s %9s %s" % (
            s["name"][:40], ms(s["median"]), "%s-%s" % (ms(s["p10"]), ms(s["p90"])),
            "%s-%s" % (ms(s["min"]), ms(s["max"])), s["bytes"], fx(s["ratio"]),
            "%s (%s-%s)" % (fx(statistics.median(pr)), fx(min(pr)), fx(max(pr)))
            if pr and s is not first else "-"))
    if a.jsonl:
        rec = {"section": a.section, "runs": a.runs, "warmup": a.warmup,
               "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "load": open("/proc/loadavg").read().split()[:3], "sides": []}
        for s in sides:
            d = {x: s.get(x) for x in ("name", "cmd", "bytes", "failed", "median", "p10",
                                       "p90", "min", "max", "ratio", "round_ratios")}
            d["times"] = [t for _, t in s["times"]]
            rec["sides"].append(d)
        with open(a.jsonl, "a") as f:
            f.write(json.dumps(rec) + "\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
