#!/usr/bin/env python3
"""bpfdump trace against bpftrace (make bench-trace): the same questions, timed interleaved.

Rows (each side run once per round, A B C A B C ..., REP rounds; the median and the spread
min..max of every side and of every round's ratio are printed):
  count   counting raw_syscalls:sys_enter BY comm at full rate, system-wide: ns added to a
          getpgid call against untraced, and the count of the loop's comm, which must be
          exactly N for both tools (syscall_loop N - COMM: exactly N calls under COMM)
  hist    a histogram of sys_enter -> sys_exit latency BY comm (sum of buckets: N)
  stack   count BY comm, kernel stack (sum over stacks: N)
  fentry, kprobe  the count on __x64_sys_getpgid as fentry / kprobe programs (bpftrace's
          kfunc: and kprobe:), where the kernel has them (the VM: bench/trace_vm.sh)
  event   today's per-event mode: every call of one process (-p) an event, JSON to a file;
          events and lost events said (bpfdump only: bpftrace's printf of the same drains
          for minutes after the loop)
  startup start-up to the first event of the count one-liner: the tracer runs the
          workload (-- CMD / bpftrace -c), which holds until attached; the time from
          spawning the tracer to the workload's main (syscall_loop -s), and its count
Usage: trace_compare.py OUTDIR   (BUILD, BENCH_CALLS, BENCH_REPEAT, BENCH_BPFTRACE,
       BENCH_TRACE_ROWS="count hist stack event startup", BENCH_STARTUP_REPEAT)
"""
import json, os, platform, re, shutil, signal, statistics, subprocess, sys, tempfile, time

BUILD = os.environ.get("BUILD", "build")
BD = os.path.join(BUILD, "bpfdump")
LOOP = os.path.join(BUILD, "bench", "syscall_loop")
N = int(os.environ.get("BENCH_CALLS", "1000000"))
REP = int(os.environ.get("BENCH_REPEAT", "5"))
SREP = int(os.environ.get("BENCH_STARTUP_REPEAT", "5"))
BT = os.environ.get("BENCH_BPFTRACE") or shutil.which("bpftrace")
ROWS = os.environ.get("BENCH_TRACE_ROWS", "count hist stack event startup").split()
COMM = "bdb_loop"
# the loop thread's CPU time per call (default), or wall time (BENCH_TRACE_CLOCK=wall)
CPU = os.environ.get("BENCH_TRACE_CLOCK", "cpu") != "wall"
TMP = tempfile.mkdtemp(prefix="bpfdump-trace-cmp.")
NR = int(subprocess.run(["sh", "-c", "printf '#include <sys/syscall.h>\\nSYS_getpgid\\n' | cc -E -P - | tail -1"],
                        capture_output=True, text=True).stdout)

BT_PROGS = {
    "count": "tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }",
    "hist": "tracepoint:raw_syscalls:sys_enter { @s[tid] = nsecs; } "
            "tracepoint:raw_syscalls:sys_exit /@s[tid]/ { @[comm] = hist(nsecs - @s[tid]); delete(@s[tid]); }",
    "stack": "tracepoint:raw_syscalls:sys_enter { @[comm, kstack] = count(); }",
    "fentry": "kfunc:__x64_sys_getpgid { @[comm] = count(); }",
    "kprobe": "kprobe:__x64_sys_getpgid { @[comm] = count(); }",
    "event": "tracepoint:raw_syscalls:sys_enter /pid == PID && args->id == %d/ { printf(\"%%d\\n\", args->args[0]); }" % NR,
}
BD_ARGS = {
    "count": ["--agg", "count BY comm", "tp:raw_syscalls:sys_enter"],
    "hist": ["--agg", "hist(latency) BY comm", "--latency-end", "tp:raw_syscalls:sys_exit",
             "tp:raw_syscalls:sys_enter"],
    "stack": ["--agg", "count BY comm, kstack", "tp:raw_syscalls:sys_enter"],
    "fentry": ["--mode", "fentry", "--agg", "count BY comm", "__x64_sys_getpgid"],
    "kprobe": ["--mode", "kprobe", "--agg", "count BY comm", "__x64_sys_getpgid"],
    "event": ["-p", "PID", "tp:raw_syscalls:sys_enter(id == %d, regs->di)" % NR],
}


def say(*a):
    print("bench-trace:", *a, file=sys.stderr, flush=True)


def wait_for(path, text, proc, secs=120):
    for _ in range(int(secs / 0.02)):
        try:
            if text in open(path).read():
                return True
        except OSError:
            pass
        if proc.poll() is not None:
            return False
        time.sleep(0.02)
    return False


def bd_count(out):
    """bpfdump -J aggregates: the loop comm's count (hist: buckets summed), lost+not counted"""
    j = json.loads([l for l in out.splitlines() if l.startswith("{")][0])
    n = 0
    for e in j["aggregates"][0]["entries"]:
        if e["key"].get("comm") == COMM:
            v = e["value"]
            n += sum(b["count"] for b in v) if isinstance(v, list) else v
    return n, j.get("lost", 0) + j.get("not_counted", 0)


def bt_count(out):
    n = 0
    for l in out.splitlines():
        if not l.startswith("{"):
            continue
        j = json.loads(l)
        if j["type"] not in ("map", "hist"):
            continue
        for m, ent in j["data"].items():
            if m == "@s":
                continue
            for k, v in ent.items():
                if k.split(",")[0] == COMM:
                    n += sum(b["count"] for b in v) if isinstance(v, list) else v
    lost = sum(int(x) for x in re.findall(r"[Ll]ost (\d+) events", out))
    return n, lost


def run_side(row, side):
    """one run: (ns per call, count seen, lost)"""
    go = os.path.join(TMP, "go")
    if os.path.exists(go):
        os.unlink(go)
    ev, err = os.path.join(TMP, "ev"), os.path.join(TMP, "err")
    per_pid = row == "event"
    loop = subprocess.Popen([LOOP, str(N), go if per_pid else "-"] + ([] if per_pid else [COMM]),
                            stdout=subprocess.PIPE, text=True) if per_pid else None
    tracer = None
    if side != "untraced":
        if side == "bpfdump":
            args = [a.replace("PID", str(loop.pid)) if per_pid else a for a in BD_ARGS[row]]
            cmd, ready, rfile = [BD, "trace", "-J"] + args, "tracing", err
        else:
            prog = BT_PROGS[row].replace("PID", str(loop.pid)) if per_pid else BT_PROGS[row]
            cmd, ready, rfile = [BT, "-f", "json", "-e", prog], "attached_probes", ev
        tracer = subprocess.Popen(cmd, stdout=open(ev, "w"), stderr=open(err, "w"))
        if not wait_for(rfile, ready, tracer):
            say(row, side, "did not attach:", open(err).read()[:300])
            tracer.kill()
            if loop:
                loop.kill()
            return None
        time.sleep(1.0)		# the same settling time for both tools (bpftrace says
				# attached_probes a little before they are)
    if per_pid:
        open(go, "w").close()
    else:
        loop = subprocess.Popen([LOOP, str(N), "-", COMM], stdout=subprocess.PIPE, text=True)
    out = loop.communicate()[0]
    ns = float(out.split()[2 if CPU else 1])
    seen = lost = 0
    if tracer:
        time.sleep(0.2)
        tracer.send_signal(signal.SIGINT)
        try:
            tracer.wait(60)
        except subprocess.TimeoutExpired:
            say(row, side, "did not end 60 s after SIGINT: killed")
            tracer.kill()
            tracer.wait()
        text = open(ev).read()
        if per_pid:
            e = open(err).read()
            if side == "bpftrace":	# -f json: one printf object per event
                seen = text.count('"type": "printf"')
                lost = sum(int(x) for x in re.findall(r"[Ll]ost (\d+) events", text + e))
            else:
                seen = sum(1 for l in text.splitlines() if l.startswith("{"))
                lost = sum(int(x) for x in re.findall(r"(\d+) events lost", e))
        else:
            seen, lost = (bd_count if side == "bpfdump" else bt_count)(text)
    return ns, seen, lost


def startup(side):
    """(ms from spawning the tracer to the workload's main, count of its calls)"""
    out, err = os.path.join(TMP, "sout"), os.path.join(TMP, "serr")
    w = [LOOP, "-s", "1000", "-", COMM]
    if side == "bpfdump":
        cmd = [BD, "trace", "-J"] + BD_ARGS["count"] + ["--"] + w
    else:
        cmd = [BT, "-f", "json", "-e", BT_PROGS["count"], "-c", " ".join(w)]
    t0 = time.monotonic_ns()
    p = subprocess.Popen(cmd, stdout=open(out, "w"), stderr=open(err, "w"))
    p.wait(300)
    t1 = time.monotonic_ns()
    text, etext = open(out).read(), open(err).read()
    st = [int(l.split()[1]) for l in (text + "\n" + etext).splitlines() if l.startswith("start ")]
    if not st:
        say("startup", side, "no start line:", etext[:300])
        return None
    n = (bd_count if side == "bpfdump" else bt_count)(text)[0]
    return (st[0] - t0) / 1e6, (t1 - t0) / 1e6, n


def spread(v):
    return "%.1f (%.1f..%.1f)" % (statistics.median(v), min(v), max(v))


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    sides = ["untraced", "bpfdump"] + (["bpftrace"] if BT else [])
    if not BT:
        say("no bpftrace: bpfdump rows only")
    res, lines = {}, []
    ok = True
    for row in [r for r in ROWS if r != "startup"]:
        runs = {s: [] for s in sides}
        first = len(lines)
        for r in range(REP):
            for s in sides:		# interleaved: untraced, bpfdump, bpftrace, untraced, ...
                if row == "event" and s == "bpftrace":
                    continue	# its printf drains ~20x slower than the loop: minutes a run
                x = run_side(row, s)
                if x:
                    runs[s].append(x)
        base = [x[0] for x in runs["untraced"]]
        rr = {}
        for s in sides[1:]:
            if not runs[s]:
                continue
            ns = [x[0] for x in runs[s]]
            added = [a - b for a, b in zip(ns, base)]	# each against its own round's untraced
            counts = sorted(set(x[1] for x in runs[s]))
            lost = max(x[2] for x in runs[s])
            exact = row == "event" or counts == [N]
            ok &= exact
            rr[s] = dict(ns=ns, added=added, counts=counts, lost=lost)
            lines.append("| %s | %s | %s | %s | %s | %s | %d |" % (
                row, s, spread(ns), spread(base), spread(added),
                ",".join(map(str, counts)) + ("" if row == "event" else " (N=%d: %s)" % (N, "exact" if exact else "WRONG")),
                lost))
        if "bpfdump" in rr and "bpftrace" in rr:
            ratio = [a / b if b > 0 else float("nan") for a, b in zip(rr["bpfdump"]["added"], rr["bpftrace"]["added"])]
            lines.append("| %s | bpfdump/bpftrace added ns | %s | | | | |" % (row, spread([x for x in ratio])))
            rr["ratio_added"] = ratio
        res[row] = dict(untraced=base, **rr)
        say("done:", row)
        for l in lines[first:]:	# as it goes: a run cut short keeps its rows
            say(l)
    if "startup" in ROWS:
        st = {s: [] for s in sides[1:]}
        for r in range(SREP):
            for s in sides[1:]:
                x = startup(s)
                if x:
                    st[s].append(x)
        for s in sides[1:]:
            if st[s]:
                counts = sorted(set(x[2] for x in st[s]))
                ok &= counts == [1000]
                lines.append("| startup | %s | to first event ms %s | whole run ms %s | | %s (N=1000: %s) | |" % (
                    s, spread([x[0] for x in st[s]]), spread([x[1] for x in st[s]]),
                    ",".join(map(str, counts)), "exact" if counts == [1000] else "WRONG"))
        if len(st) == 2 and st["bpfdump"] and st["bpftrace"]:
            ratio = [b[0] / a[0] for a, b in zip(st["bpfdump"], st["bpftrace"])]
            lines.append("| startup | bpftrace/bpfdump to first event | %s x | | | | |" % spread(ratio))
            res["startup_ratio"] = ratio
        res["startup"] = st
    head = ["calls per run N=%d, %d rounds interleaved (startup: %d); median (min..max); ns/call: %s" % (
                N, REP, SREP, "the loop thread's CPU time" if CPU else "wall time"),
            "machine: %s, %s, %d CPUs, kernel %s; bpftrace: %s" % (
                platform.node(), cpu_model(), os.cpu_count(), platform.release(),
                subprocess.run([BT, "--version"], capture_output=True, text=True).stdout.strip() if BT else "none"),
            "",
            "| row | side | ns/call | untraced ns/call (same rounds) | added ns | count of the loop | lost or not counted (all threads) |",
            "|---|---|---|---|---|---|---|"]
    text = "\n".join(head + lines) + "\n"
    open(os.path.join(outdir, "trace_compare.md"), "w").write(text)
    json.dump(dict(calls=N, rounds=REP, results=res), open(os.path.join(outdir, "trace_compare.json"), "w"), indent=1)
    print(text)
    shutil.rmtree(TMP, ignore_errors=True)
    return 0 if ok else 1


def cpu_model():
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            return l.split(":", 1)[1].strip()
    return platform.machine()


if __name__ == "__main__":
    sys.exit(main())
