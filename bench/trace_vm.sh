#!/usr/bin/env bash
# Tracing in the VM (make bench-trace-vm: a Debian kernel under QEMU, where fentry and
# kprobes work; run here with ../shared/vm/run): --latency of hrtimer_nanosleep as fentry
# and kprobe programs while sleep_clock makes K nanosleeps of 10 ms (each must land in
# the 8-16 ms bucket, [8388608, 16777215] ns), the same with bpftrace's
# kprobe/kretprobe hist one-liner; then trace_compare.py's count rows (tracepoint,
# fentry, kprobe) and start-up against bpftrace. QEMU's TCG emulates every instruction:
# the absolute times are several times the host's, the ratios are what compares.
#   BENCH_SLEEPS (10), BENCH_CALLS (50000), BENCH_REPEAT (3), BENCH_STARTUP_REPEAT (3)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
B=$BUILD/bpfdump
SLEEPER=$BUILD/tests/sleep_clock
K=${BENCH_SLEEPS:-10}
OUT=${BENCH_OUT:-bench/results/vm-$(date +%Y%m%d-%H%M%S)}
PY3=/usr/bin/python3
[ -x $PY3 ] || PY3=python3
TMP=$(mktemp -d /tmp/bpfdump-trace-vm.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"
rc=0
echo "kernel $(uname -r); $(grep -c ^processor /proc/cpuinfo) CPUs; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)" | tee "$OUT/vm.md"

# buckets FILE WHO: every sleep in the 8-16 ms bucket, K of them; the buckets printed
buckets() {
	$PY3 - "$1" "$2" "$K" <<'PY' | tee -a "$OUT/vm.md"
import json, sys
path, who, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
bk = []
for l in open(path):
    if not l.startswith("{"):
        continue
    j = json.loads(l)
    if "aggregates" in j:
        for e in j["aggregates"][0]["entries"]:
            bk += e["value"]
    elif j.get("type") == "hist":
        for v in j["data"].values():
            for b in v if isinstance(v, list) else sum(v.values(), []):
                bk.append(b)
bk = [b for b in bk if b["count"]]
n = sum(b["count"] for b in bk)
inb = sum(b["count"] for b in bk if b["min"] >= 8 << 20 and b["max"] < 16 << 20)
print("%s: %d nanosleeps of 10 ms, %d in the 8-16 ms bucket (%s): %s" % (
    who, n, inb, ", ".join("[%d, %d]: %d" % (b["min"], b["max"], b["count"]) for b in bk),
    "ok" if n == k and inb == k else "WRONG"))
sys.exit(0 if n == k and inb == k else 1)
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
BUILD=$BUILD BENCH_CALLS=${BENCH_CALLS:-50000} BENCH_REPEAT=${BENCH_REPEAT:-3} \
	BENCH_STARTUP_REPEAT=${BENCH_STARTUP_REPEAT:-3} \
	BENCH_TRACE_ROWS=${BENCH_TRACE_ROWS:-count fentry kprobe startup} \
	$PY3 bench/trace_compare.py "$OUT" || rc=1
exit $rc
