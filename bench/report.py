#!/usr/bin/env python3
"""Turn one bench/run.sh run (hyperfine JSON + counts + memory) into results.md,
results.json and a short summary on stdout.

    bench/report.py RESULTS_DIR

Every time is shown as a ratio to the floors and to each peer measured in the
same run: absolute times are not comparable across runs or machines.
"""
import json
import os
import sys

# Slack for the system-wide totals: the reader's own fds and processes, and
# whatever the rest of the machine opened or closed between two runs
# (100 rows + 0.05%). The workload's own objects must match exactly.
TOTAL_SLACK = 100
MIB = 1024.0

KIND_LABEL = {
    "floor": "floor",
    "floor1": "one-shot floor",
    "bpfdump": "bpfdump",
    "peer": "peer",
    "ref": "reference",
    "failed": "FAILED",
}


def load_methods(out):
    rows = []
    path = os.path.join(out, "methods.tsv")
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 8:
                continue
            sec, meth, kind, total, wl, exp, cmd, jname = parts[:8]
            r = {"section": sec, "method": meth, "kind": kind, "command": cmd,
                 "total": None if total in ("-", "failed") else int(total),
                 "workload": None if wl == "-" else int(wl),
                 "expected": None if exp == "-" else int(exp),
                 "median": None}
            if kind == "failed" or total == "failed":
                r["kind"] = "failed"
            jpath = os.path.join(out, "json", jname)
            if r["kind"] != "failed" and os.path.exists(jpath):
                try:
                    res = json.load(open(jpath))["results"][0]
                    r.update(median=res["median"], mean=res["mean"],
                             stddev=res.get("stddev") or 0.0, min=res["min"],
                             max=res["max"], runs=len(res["times"]))
                except (ValueError, KeyError, IndexError):
                    r["kind"] = "failed"
            elif r["kind"] != "failed":
                r["kind"] = "failed"
            rows.append(r)
    return rows


def load_memory(out):
    mem = []
    path = os.path.join(out, "memory.tsv")
    if os.path.exists(path):
        for line in open(path):
            p = line.rstrip("\n").split("\t")
            if len(p) == 4 and p[3] != "-":
                mem.append({"section": p[0], "method": p[1],
                            "rows": int(p[2]) if p[2] != "-" else 0,
                            "rss_kib": int(p[3])})
    return mem


def load_interleaved(out):
    """The records bench/interleave.py appended: one per interleaved group."""
    recs = []
    path = os.path.join(out, "interleaved.jsonl")
    if os.path.exists(path):
        for line in open(path):
            try:
                recs.append(json.loads(line))
            except ValueError:
                pass
    return recs


def pair(recs, sec, a, b):
    """(B's median / A's median, per-round spread text) from the first record of
    section SEC that timed both A and B, interleaved; (None, "") if none did."""
    for r in recs:
        if r["section"] != sec:
            continue
        sa = next((x for x in r["sides"] if x["name"] == a and x.get("median")), None)
        sb = next((x for x in r["sides"] if x["name"] == b and x.get("median")), None)
        if not sa or not sb:
            continue
        v = sb["median"] / sa["median"]
        spread = ""
        if r["sides"][0] is sa and sb.get("round_ratios"):
            rr = sb["round_ratios"]
            spread = " (rounds %s-%s)" % (fx(min(rr)), fx(max(rr)))
        elif r["sides"][0] is sb and sa.get("round_ratios"):
            rr = [1 / x for x in sa["round_ratios"] if x]
            spread = " (rounds %s-%s)" % (fx(min(rr)), fx(max(rr)))
        return v, spread
    return None, ""


def interleaved_tables(recs):
    md = []
    for r in recs:
        md += ["### %s (%d rounds after %d warm-up, load %s at the end)" % (
            r["section"], r["runs"], r["warmup"], " ".join(r.get("load", []))), "",
            "| side | median ms | p10-p90 ms | min-max ms | output bytes | × first | "
            "per round × first: median (min-max) |", "|---|---|---|---|---|---|---|"]
        for i, x in enumerate(r["sides"]):
            if not x.get("median"):
                md.append("| %s | FAILED: %s | | | | | |" % (x["name"], x.get("failed")))
                continue
            rr = x.get("round_ratios") or []
            rr.sort()
            md.append("| %s | %s | %s-%s | %s-%s | %s | %s | %s |" % (
                x["name"], ms(x["median"]), ms(x["p10"]), ms(x["p90"]), ms(x["min"]),
                ms(x["max"]), x.get("bytes"), fx(x.get("ratio")),
                "%s (%s-%s)" % (fx(rr[len(rr) // 2] if len(rr) % 2 else
                                   (rr[len(rr) // 2 - 1] + rr[len(rr) // 2]) / 2),
                                fx(rr[0]), fx(rr[-1])) if rr and i else "-"))
        md.append("")
    return md


def interleaved_targets(recs, mem):
    """(met, text) for the targets of issues 5, 22 and 26, from interleaved pairs."""
    out = []

    def add(ok, text):
        out.append((ok, text))

    def most(sec, a, b, want, text):
        v, sp = pair(recs, sec, a, b)
        if v is not None:
            add(v <= want, "%s: %s%s (interleaved)" % (text, fx(v), sp))

    def least(sec, a, b, want, text):
        v, sp = pair(recs, sec, a, b)
        if v is not None:
            add(v >= want, "%s: %s%s (interleaved)" % (text, fx(v), sp))

    s = "task_file-1000x1000"
    most(s, "floor (pinned, read)", "bpfdump dump", 3, "task_file 1000x1000 table <= 3x the floor")
    least(s, "bpfdump dump", "lsof", 50, "task_file 1000x1000 >= 50x faster than lsof")
    least(s, "bpfdump dump", "/proc reader", 10,
          "task_file 1000x1000 >= 10x faster than the /proc reader")
    most("tcp", "floor (pinned, read)", "bpfdump dump tcp", 1.5, "tcp <= 1.5x the floor")
    least("tcp", "bpfdump dump tcp", "ss -tan", 1.5, "tcp >= 1.5x faster than ss -tan")
    least("task", "bpfdump dump task", "ps -e -o ...", 5, "task >= 5x faster than ps")
    least("snapshot", "bpfdump snapshot -J (kept)", "/proc reader", 10,
          "snapshot (kept) >= 10x faster than the /proc reader")
    least("tcp-queues", "bpfdump snapshot --data", "repair reader (TCP_REPAIR, pidfd_getfd)",
          10, "issue 26: snapshot --data >= 10x faster than the TCP repair reader")
    for r in recs:
        if r["section"] == "tcp-queues-no-data" and len(r["sides"]) > 1:
            v, sp = pair(recs, r["section"], r["sides"][1]["name"], "bpfdump snapshot")
            if v is not None:
                aa = "A/A" in r["sides"][1]["name"]
                add(None if aa else v <= 1.05,
                    "issue 26: snapshot without --data <= 1.05x %s: %s%s (interleaved)%s" % (
                        r["sides"][1]["name"], fx(v), sp,
                        "; no BENCH_BASELINE: this is the noise of an A/A pair" if aa else ""))
            break
    s = "sql-sockets"
    for view, ss in (("sql connections", "ss -tanp"), ("sql listening", "ss -tlnp")):
        least(s, view, ss, 10, "issue 22: %s >= 10x faster than %s" % (view, ss))
        least(s, view, "lsof -i -n -P", 30, "issue 22: %s >= 30x faster than lsof -i -n -P" % view)
    # what the targets ask of the floor: the two iterators alone, pinned, no start-up
    fl = "floor (pinned tcp + task_file, read)"
    for peer in ("ss -tanp", "ss -tlnp"):
        v, sp = pair(recs, s, fl, peer)
        if v is not None:
            add("note", "issue 22: the floor is %s%s" % (faster(peer, v), sp))
    for view in ("sql connections", "sql listening"):
        v, sp = pair(recs, s, fl, view)
        if v is not None:
            add("note", "issue 22: %s is %s the floor%s" % (view, fx(v), sp))
    for r in recs:
        if r["section"].startswith("sql-top-fds"):
            most(r["section"], "dump task_file -o pid", "sql top 5 by fds", 1.5,
                 "issue 22: %s: sql top 5 by fds within 1.5x of dump task_file -o pid" %
                 r["section"][12:])
            v, sp = pair(recs, r["section"], "sql top 5 by fds", "lsof -n | awk")
            if v is not None:
                add("note", "issue 22: sql top 5 by fds, %s faster than lsof -n | awk%s" % (fx(v), sp))
            break
    most("sql-sockets-pushdown", "dump tcp -w 'lport == N'", "sql WHERE lport = N", 1.1,
         "issue 22: sql WHERE lport = N within 1.1x of dump tcp -w")
    for m in mem:
        if m["section"].startswith("sql-top-fds") and m["method"].startswith("sql GROUP BY"):
            add(m["rss_kib"] <= 32 * 1024, "issue 22: peak RSS of %s over %s: %.1f MiB "
                "(<= 32 MiB)" % (m["method"], m["section"][12:], m["rss_kib"] / MIB))
    return out


def ms(v):
    if v is None:
        return "-"
    v *= 1e3
    return "%.0f" % v if v >= 100 else "%.1f" % v if v >= 10 else "%.2f" % v


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return None
    return a / b


def fx(v):
    return "-" if v is None else ("%.0fx" % v if v >= 100 else "%.1fx" % v if v >= 10
                                  else "%.2fx" % v)


def faster(peer, v):
    return "%s faster than %s" % (fx(v), peer) if v >= 1 else "%s slower than %s" % (
        fx(1 / v), peer)


def check_counts(sec_rows):
    """Mark rows whose counts disagree; return warning lines."""
    warns = []
    counted = [r for r in sec_rows if r["total"] is not None]
    ref = next((r for r in counted if r["kind"] == "bpfdump"), counted[0] if counted else None)
    for r in counted:
        bad = []
        exp = r["expected"]
        tcp = r["section"].startswith("tcp")
        if exp is not None and r["workload"] is not None:
            if tcp:
                if r["workload"] < exp:
                    bad.append("workload %d < %d sockets created" % (r["workload"], exp))
                elif ref is not None and r["workload"] != ref["workload"]:
                    bad.append("workload %d != %d (%s)" % (r["workload"], ref["workload"],
                                                          ref["method"]))
            elif r["workload"] != exp:
                bad.append("workload %d != %d expected" % (r["workload"], exp))
        slack = TOTAL_SLACK + ref["total"] // 2000 if ref is not None else 0
        if ref is not None and abs(r["total"] - ref["total"]) > slack:
            bad.append("total %d vs %d (%s), beyond the %d-row slack for the rest of "
                       "the system" % (r["total"], ref["total"], ref["method"], slack))
        r["count_ok"] = not bad
        if bad:
            warns.append("WARNING %s / %s: counts disagree: %s" % (r["section"], r["method"],
                                                                    "; ".join(bad)))
    return warns


def section_table(sec, sec_rows):
    floor = next((r for r in sec_rows if r["kind"] == "floor" and r["median"]), None)
    floor1 = next((r for r in sec_rows if r["kind"] == "floor1" and r["median"]), None)
    peers = [r for r in sec_rows if r["kind"] == "peer" and r["median"]]
    head = ["method", "kind", "median ms", "σ ms", "runs", "rows (all / workload)",
            "× floor", "× one-shot floor"] + ["%s ÷ this" % p["method"] for p in peers]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in sec_rows:
        m = r["median"]
        r["x_floor"] = ratio(m, floor["median"]) if floor else None
        r["x_floor1"] = ratio(m, floor1["median"]) if floor1 else None
        r["vs"] = {p["method"]: ratio(p["median"], m) for p in peers}
        if r["total"] is None:
            cnt = "-"
        else:
            cnt = "%d / %d" % (r["total"], r["workload"])
            if not r.get("count_ok", True):
                cnt += " **MISMATCH**"
        cells = [r["method"], KIND_LABEL.get(r["kind"], r["kind"]), ms(m),
                 ms(r.get("stddev")) if m else "-", str(r.get("runs", "-")), cnt,
                 fx(r["x_floor"]), fx(r["x_floor1"])] + [fx(r["vs"][p["method"]])
                                                         for p in peers]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def find(rows, sec, meth):
    return next((r for r in rows if r["section"] == sec and r["method"] == meth
                 and r["median"]), None)


def targets(rows, mem):
    """(met: True/False/None, text) for each target of issue 5."""
    out = []

    def add(ok, text):
        out.append((ok, text))

    s = "task_file-1000x1000"
    d = find(rows, s, "bpfdump dump")
    if d:
        ok = d["x_floor"] is not None and d["x_floor"] <= 3
        add(ok, "task_file 1000x1000 one-shot table <= 3x the floor: %s the pinned floor "
            "(%s the one-shot floor)" % (fx(d["x_floor"]), fx(d["x_floor1"])))
        for peer, want in (("lsof", 50), ("/proc reader", 10)):
            v = d["vs"].get(peer)
            add(v is not None and v >= want,
                "task_file 1000x1000: >= %dx faster than %s: %s" % (want, peer, fx(v)))
        pf = find(rows, s, "path floor (pinned, loads f_path)")
        if pf and pf["x_floor"]:
            # the bound: no method naming each fd's file beats the path floor
            bound = ", ".join("%s %s" % (peer, fx(pf["vs"].get(peer)))
                              for peer in ("lsof", "/proc reader"))
            add("note", "task_file 1000x1000: the path floor (the do-nothing iterator plus "
                "the load of file->f_path every path needs) is %s the floor; the most any "
                "path-naming method can be faster than its peers: %s" %
                (fx(pf["x_floor"]), bound))
    else:
        add(None, "task_file 1000x1000: not measured in this run")
    d = find(rows, "tcp", "bpfdump dump tcp")
    if d:
        add(d["x_floor"] is not None and d["x_floor"] <= 1.5,
            "tcp: <= 1.5x the floor: %s the pinned floor (%s the one-shot floor)" %
            (fx(d["x_floor"]), fx(d["x_floor1"])))
        v = d["vs"].get("ss -tan")
        add(v is not None and v >= 1.5, "tcp: >= 1.5x faster than ss -tan: %s" % fx(v))
        c = find(rows, "tcp", "cat pinned")
        if c:
            add(c["x_floor"] is not None and c["x_floor"] <= 1.5,
                "tcp, a pinned dumper read by cat (no start-up: rows written in the kernel): "
                "<= 1.5x the floor: %s; faster than ss -tan: %s" %
                (fx(c["x_floor"]), fx(c["vs"].get("ss -tan"))))
    else:
        add(None, "tcp: not measured in this run")
    d = find(rows, "task", "bpfdump dump task")
    if d:
        v = d["vs"].get("ps -e -o ...")
        add(v is not None and v >= 5, "task: >= 5x faster than ps: %s" % fx(v))
    else:
        add(None, "task: not measured in this run")
    d = find(rows, "snapshot", "bpfdump snapshot -J (kept)")
    cold = find(rows, "snapshot", "bpfdump snapshot -J (loads)")
    if d:
        v = d["vs"].get("/proc reader")
        add(v is not None and v >= 10, "snapshot (10,000 fds, 5,000 vmas), the program kept "
            "loaded (--keep): >= 10x faster than the /proc reader: %s; loading it each time "
            "(--fresh): %s (lsof -p ÷ kept: %s)" %
            (fx(v), fx(cold["vs"].get("/proc reader")) if cold else "-",
             fx(d["vs"].get("lsof -p"))))
    else:
        add(None, "snapshot: not measured in this run")
    many = [r for r in rows if r["section"].startswith("snapshot-") and
            r["method"] == "bpfdump snapshot -J (kept)"]
    for d in many:
        v = d["vs"].get("/proc reader")
        c = find(rows, d["section"], "bpfdump snapshot -J (loads)")
        add(v is not None and v >= 10, "%s processes (10,000 fds, 5,000 vmas each) in one command, "
            "the program kept: >= 10x faster than the /proc reader: %s (loaded once: %s)" %
            (d["section"][9:], fx(v), fx(c["vs"].get("/proc reader")) if c else "-"))
    d = find(rows, "startup", "bpfdump dump (empty query)")
    if d:
        add(d["median"] <= 0.015, "start-up <= 15 ms median: %s ms" % ms(d["median"]))
    else:
        add(None, "start-up: not measured in this run")
    for meth in ("bpfdump dump", "bpfdump dump -J"):
        pts = sorted((m for m in mem if m["method"] == meth), key=lambda m: m["rows"])
        big = [m for m in pts if m["rows"] >= 1000000]
        if not big:
            add(None, "peak RSS (%s) at >= 1,000,000 rows: not measured (at most %s rows)" %
                (meth, max([m["rows"] for m in pts], default=0)))
            continue
        top = max(m["rss_kib"] for m in big)
        low = pts[0]
        add(top <= 16 * 1024, "peak RSS (%s) <= 16 MiB at >= 1M rows: %.1f MiB at %d rows" %
            (meth, top / MIB, max(m["rows"] for m in big)))
        growth = top - low["rss_kib"]
        add(growth <= 2 * 1024 and low["rows"] < 200000,
            "peak RSS (%s) flat in row count: %.1f MiB at %d rows, %.1f MiB at %d rows "
            "(%+.1f MiB)" % (meth, low["rss_kib"] / MIB, low["rows"], top / MIB,
                             max(m["rows"] for m in big), growth / MIB))
    return out


def startup_notes(out, rows):
    notes = []
    q = find(rows, "startup", "bpfdump dump (empty query)")
    t = find(rows, "startup", "bpfdump targets (BTF only)")
    v = find(rows, "startup", "bpfdump --help (exec)")
    f1 = find(rows, "startup", "floor one-shot (libbpf)")
    b = find(rows, "startup", "bpftool iter pin+cat+rm")
    cost = None
    try:
        cost = json.load(open(os.path.join(out, "btf_cost.json")))
    except (OSError, ValueError):
        pass
    if q and t and v:
        rest = q["median"] - t["median"]
        notes.append("Empty query %s ms: exec + dynamic linking %s ms (`--help`); "
                     "`bpfdump targets` (BTF parse + target discovery + printing the list) "
                     "%s ms, %.0f%% of the query; plan + codegen + load/verify + attach + "
                     "read %.1f ms." % (ms(q["median"]), ms(v["median"]), ms(t["median"]),
                                        100 * t["median"] / q["median"], rest * 1e3))
    if cost:
        notes.append("libbpf alone (bench/btf_cost, median of %d): btf__parse of %d types "
                     "%.1f ms; target discovery as src/lib/btf.c does it (%d "
                     "btf__find_by_name_kind calls, each a linear scan) %.1f ms; the same "
                     "discovery in one pass over the types %.1f ms." %
                     (cost["runs"], cost["btf_types"], cost["parse_ms"], cost["iter_funcs"],
                      cost["discover_lookup_ms"], cost["discover_one_pass_ms"]))
        if q:
            saved = cost["discover_lookup_ms"] - cost["discover_one_pass_ms"]
            notes.append("Caching the parsed target table would save about %.0f ms of %s "
                         "(%.0f%%), but a one-pass discovery saves %.0f ms with no cache to "
                         "invalidate; what remains is the BTF parse (%.1f ms, needed anyway "
                         "by the planner) and the kernel's load/verify/attach." %
                         (cost["discover_lookup_ms"], ms(q["median"]),
                          100 * cost["discover_lookup_ms"] / (q["median"] * 1e3), saved,
                          cost["parse_ms"]))
    if q and f1:
        notes.append("For scale: a libbpf one-shot of a do-nothing iterator (BTF parse, load, "
                     "attach, read) takes %s ms; `bpftool iter pin` + `cat` + `rm` %s ms." %
                     (ms(f1["median"]), ms(b["median"]) if b else "-"))
    for name in ("perf-stat-startup.txt", "perf-stat-targets.txt"):
        p = os.path.join(out, name)
        if os.path.exists(p):
            for line in open(p):
                if "task-clock" in line or "elapsed" in line:
                    notes.append("`perf stat -r 20` (%s): %s" %
                                 (name[10:-4], " ".join(line.split())))
    return notes


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out = sys.argv[1]
    rows = load_methods(out)
    mem = load_memory(out)
    env = open(os.path.join(out, "env.txt")).read() if os.path.exists(
        os.path.join(out, "env.txt")) else ""
    sections = []
    for r in rows:
        if r["section"] not in sections:
            sections.append(r["section"])
    md = ["# bpfdump benchmark results", ""]
    if env:
        md += ["```", env.strip(), "```", ""]
    md += ["Times are medians (hyperfine, output through a pipe). `× floor`: this ÷ the "
           "pinned do-nothing iterator read to its end (pure iteration); `× one-shot floor`: "
           "÷ libbpf loading, attaching and reading a do-nothing iterator; `P ÷ this`: how "
           "many times faster than peer P. Rows: objects listed system-wide / of the "
           "workload.", ""]
    warns = []
    for sec in sections:
        sr = [r for r in rows if r["section"] == sec]
        warns += check_counts(sr)
        md += ["## " + sec, ""] + section_table(sec, sr) + [""]
    if warns:
        md += ["## Count warnings", ""] + ["- " + w for w in warns] + [""]
    if mem:
        md += ["## Peak RSS", "", "| workload | method | rows | peak RSS MiB |", "|---|---|---|---|"]
        for m in mem:
            md.append("| %s | %s | %d | %.1f |" % (m["section"], m["method"], m["rows"],
                                                   m["rss_kib"] / MIB))
        md.append("")
    notes = startup_notes(out, rows)
    if notes:
        md += ["## Start-up", ""] + ["- " + n for n in notes] + [""]
    recs = load_interleaved(out)
    if recs:
        md += ["## Interleaved ratios", "",
               "Each group's commands ran alternately (A B A B ..., bench/interleave.py), so "
               "load that comes and goes hits every side alike. `× first`: this median ÷ the "
               "group's first side's; per round: this ÷ the first side in the same round.",
               ""] + interleaved_tables(recs)
    if os.path.exists(os.path.join(out, "checks.txt")):
        md += ["## Checks (counts and bytes, no timing)", ""] + [
            "- " + l.rstrip("\n") for l in open(os.path.join(out, "checks.txt"))] + [""]
    tg = targets(rows, mem) if any(r["section"] != "smoke" for r in rows) else []
    tg += interleaved_targets(recs, mem)
    if tg:
        md += ["## Targets", ""]
        for ok, text in tg:
            md.append("- %s %s" % ({True: "MET", False: "MISSED", None: "n/a", "note": "BOUND"}[ok], text))
        md.append("")
    profiles = sorted(f for f in os.listdir(out) if f.startswith("profile-"))
    if profiles:
        md += ["Profiles: " + ", ".join("`%s`" % p for p in profiles), ""]
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"env": env, "methods": rows, "memory": mem, "interleaved": recs,
                   "targets": [{"met": ok, "text": t} for ok, t in tg],
                   "warnings": warns}, f, indent=1)

    summary = ["", "bench: results in %s (results.md, results.json, json/)" % out]
    for sec in sections:
        sr = [r for r in rows if r["section"] == sec]
        for r in sr:
            if r["kind"] != "bpfdump" or not r["median"]:
                continue
            vs = ", ".join(faster(p, v) for p, v in r["vs"].items() if v)
            fl = ("%s the floor" % fx(r["x_floor"]) if r["x_floor"] is not None
                  else "%s the one-shot floor" % fx(r["x_floor1"]))
            summary.append("  %-20s %-28s %8s ms  %s%s%s" % (
                sec, r["method"], ms(r["median"]), fl,
                ", " + vs if vs else "", "" if r.get("count_ok", True) else "  COUNT MISMATCH"))
    summary += ["  " + w for w in warns]
    for ok, text in tg:
        summary.append("  %s %s" % ({True: "MET   ", False: "MISSED", None: "n/a   ", "note": "BOUND "}[ok], text))
    print("\n".join(summary))
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write("\n".join(summary[1:]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
