#!/usr/bin/env bash
# Tracing in the VM (make bench-trace-vm: a Debian kernel under QEMU, where fentry and
# kprobes work; run here with ../shared/vm/run): --latency of hrtimer_nanosleep as fentry
# and kprobe programs while sleep_clock makes K nanosleeps of 10 ms (each must land in
# the 8-16 ms bucket, [8388608, 16777215] ns), the same with bpftrace's
# kprobe/kretprobe hist one-liner; then trace_compare.py's count rows (fentry, kprobe)
# against bpftrace (BENCH_TRACE_ROWS adds startup: minutes under TCG). QEMU's TCG emulates every instruction:
# the absolute times are several times the host's, the ratios are what compares.
#   BENCH_SLEEPS (5), BENCH_CALLS (10000), BENCH_REPEAT (2), BENCH_STARTUP_REPEAT (2)
# (the defaults fit make's 300 s VM on TCG)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
B=$BUILD/bpfdump
SLEEPER=$BUILD/tests/sleep_clock
K=${BENCH_SLEEPS:-5}
OUT=${BENCH_OUT:-bench/results/vm-$(date +%Y%m%d-%H%M%S)}
PY3=/usr/bin/python3
[ -x $PY3 ] || PY3=python3
TMP=$(mktemp -d /tmp/bpfdump-trace-vm.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"
rc=0
echo "kernel $(uname -r); $(grep -c ^processor /proc/cpuinfo) CPUs; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)" | tee "$OUT/vm.md"

# buckets FILE WHO: K sleeps counted, each bucket within the workload's own brackets
# (sleep_clock's "T0 T1" lines, also in FILE), and the 8-16 ms bucket holding at least every
# sleep the workload's clock says ended under 16.7 ms (TCG on a busy host oversleeps some)
buckets() {
	$PY3 - "$1" "$2" "$K" <<'PY' | tee -a "$OUT/vm.md"
import json, sys
path, who, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
bk, clk = [], []
for l in open(path):
    if l[:1].isdigit():
        clk.append(tuple(map(int, l.split())))
        continue
    if not l.startswith("{"):
        continue
    j = json.loads(l)
    if "aggregates" in j:
        for e in j["aggregates"][0]["entries"]:
            bk += e["value"]
    elif j.get("type") == "hist":
        for v in j["data"].values():
            bk += v if isinstance(v, list) else sum(v.values(), [])
bk = [b for b in bk if b["count"]]
n = sum(b["count"] for b in bk)
inb = sum(b["count"] for b in bk if b["min"] >= 8 << 20 and b["max"] < 16 << 20)
short = sum(1 for t0, t1 in clk if t1 - t0 < 16 << 20)
hi = max([t1 - t0 for t0, t1 in clk] or [0])
ok = n == k and len(clk) == k and inb >= short and all(b["max"] >= 10000000 and b["min"] <= hi for b in bk)
print("%s: %d nanosleeps of 10 ms, %d in the 8-16 ms bucket; the workload's clock: %d under 16.7 ms, "
      "the longest %.1f ms; buckets %s: %s" % (
    who, n, inb, short, hi / 1e6, ", ".join("[%d, %d]: %d" % (b["min"], b["max"], b["count"]) for b in bk),
    "ok" if ok else "WRONG"))
sys.exit(0 if ok else 1)
PY
}

for mode in fentry kprobe; do
	timeout 200 "$B" trace --mode $mode -J --agg 'hist(latency)' hrtimer_nanosleep \
		-- "$SLEEPER" "$K" 10000 >"$TMP/l.out" 2>"$TMP/l.err"
	buckets "$TMP/l.out" "bpfdump --mode $mode --agg 'hist(latency)' hrtimer_nanosleep" || {
		rc=1; head -c 300 "$TMP/l.err"; }
done
if command -v bpftrace >/dev/null; then
	timeout 200 bpftrace -f json -e 'kprobe:hrtimer_nanosleep { @s[tid] = nsecs; }
		kretprobe:hrtimer_nanosleep /@s[tid]/ { @ = hist(nsecs - @s[tid]); delete(@s[tid]); }' \
		-c "$SLEEPER $K 10000" >"$TMP/b.out" 2>"$TMP/b.err"
	buckets "$TMP/b.out" "bpftrace kprobe/kretprobe hist" || { rc=1; head -c 300 "$TMP/b.err"; }
fi
BUILD=$BUILD BENCH_CALLS=${BENCH_CALLS:-10000} BENCH_REPEAT=${BENCH_REPEAT:-2} \
	BENCH_STARTUP_REPEAT=${BENCH_STARTUP_REPEAT:-2} \
	BENCH_TRACE_ROWS=${BENCH_TRACE_ROWS:-fentry kprobe} \
	$PY3 bench/trace_compare.py "$OUT" || rc=1
exit $rc
