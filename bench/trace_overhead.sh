#!/usr/bin/env bash
# Tracing overhead (make bench-trace, part of make bench): the cost a bpfdump trace adds
# to a system call, measured on N getpgid(0) calls of one process (-p), per attach mode
# this kernel has: untraced; traced with a predicate that is false (the program runs,
# nothing is copied); traced with a predicate that is true (every call is an event,
# written as JSON lines to a file). Prints ns per call (the looping thread's CPU time: a
# busy machine's waits for a CPU left out) and the ratios; results go to
# bench/results/<timestamp>/trace.{json,md}.
#   BENCH_CALLS (1000000), BENCH_REPEAT (5: the median of that many loops),
#   BENCH_TRACE_MODES ("tp_btf raw_tp fentry kprobe"; modes this kernel lacks are skipped)
# Then bench/trace_compare.py: the in-kernel aggregations (--agg count, hist(latency),
# count BY kstack), per-event mode and start-up against bpftrace's one-liners, timed
# interleaved (BENCH_TRACE_COMPARE=0 skips it; trace.md and trace_compare.md the results).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
B=$BUILD/bpfdump
LOOP=$BUILD/bench/syscall_loop
N=${BENCH_CALLS:-1000000}
REP=${BENCH_REPEAT:-5}
OUT=${BENCH_OUT:-bench/results/$(date +%Y%m%d-%H%M%S)}
TMP=$(mktemp -d /tmp/bpfdump-trace-bench.XXXXXX)
trap 'kill $TRACER 2>/dev/null; rm -rf "$TMP"' EXIT
mkdir -p "$OUT"
NR=$(printf '#include <sys/syscall.h>\nSYS_getpgid\n' | cc -E -P - | tail -1)
TRACER=
say() { echo "bench-trace: $*" >&2; }

# one MODE SPEC-OR-EMPTY: median ns/call of REP loops, and the events of the last
one() {
	local mode=$1 spec=$2 r vals=() events=0
	for ((r = 0; r < REP; r++)); do
		rm -f "$TMP/go" "$TMP/ev" "$TMP/err"
		$LOOP "$N" "$TMP/go" >"$TMP/loop" &
		local lp=$!
		TRACER=
		if [ -n "$spec" ]; then
			$B trace --mode "$mode" -J -p $lp "$spec" >"$TMP/ev" 2>"$TMP/err" &
			TRACER=$!
			for _ in $(seq 300); do grep -q tracing "$TMP/err" 2>/dev/null && break
				kill -0 $TRACER 2>/dev/null || break; sleep 0.05; done
			grep -q tracing "$TMP/err" || { say "$mode: did not attach: $(head -c 200 "$TMP/err")"; kill $lp; return 1; }
		fi
		touch "$TMP/go"
		wait $lp
		if [ -n "$TRACER" ]; then
			sleep 0.3; kill -INT $TRACER; wait $TRACER 2>/dev/null
			events=$(wc -l <"$TMP/ev")
		fi
		vals+=("$(cut -d' ' -f3 "$TMP/loop")")	# the loop thread's CPU time
	done
	printf '%s\n' "${vals[@]}" | sort -n | sed -n "$(((REP + 1) / 2))p" | tr '\n' ' '
	echo "$events $(grep -o '[0-9]* events lost' "$TMP/err" 2>/dev/null | cut -d' ' -f1)"
}

rows=()
base=$(one none "") || exit 1
read -r base_ns _ <<<"$base"
say "untraced: $base_ns ns per getpgid(0)"
rows+=("none untraced $base_ns 0 0")
for mode in ${BENCH_TRACE_MODES:-tp_btf raw_tp fentry kprobe}; do
	case $mode in	# the same predicate on the same value: the call's first argument
	tp_btf|raw_tp) f="tp:raw_syscalls:sys_enter"; arg="id == $NR && regs->di" ;;
	*) f="__x64_sys_getpgid"; arg="regs->di" ;;
	esac
	false_spec="$f($arg == 99999, regs->di)"; true_spec="$f($arg == 0, regs->di)"
	if ! r=$(one $mode "$false_spec"); then
		say "$mode: not available here, skipped"
		continue
	fi
	read -r ns ev lost <<<"$r"
	rows+=("$mode predicate-false $ns $ev ${lost:-0}")
	r=$(one $mode "$true_spec") || continue
	read -r ns ev lost <<<"$r"
	rows+=("$mode predicate-true $ns $ev ${lost:-0}")
done

python3 - "$OUT" "$N" "${rows[@]}" <<'PY'
import json, sys
out, n = sys.argv[1], int(sys.argv[2])
rows = [r.split() for r in sys.argv[3:]]
base = float(rows[0][2])
res = [dict(mode=m, case=c, ns_per_call=float(ns), added_ns=float(ns) - base, ratio=float(ns) / base,
            events=int(ev), lost=int(lost)) for m, c, ns, ev, lost in rows]
json.dump(dict(calls=n, results=res), open(out + "/trace.json", "w"), indent=1)
lines = ["| mode | case | ns/call | added ns | x untraced | events | lost |", "|---|---|---|---|---|---|---|"]
lines += ["| %s | %s | %.1f | %.1f | %.2f | %d | %d |" % (r["mode"], r["case"], r["ns_per_call"], r["added_ns"], r["ratio"], r["events"], r["lost"]) for r in res]
open(out + "/trace.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
[ "${BENCH_TRACE_COMPARE:-1}" = 0 ] && exit 0
PY3=/usr/bin/python3
[ -x $PY3 ] || PY3=python3
BUILD=$BUILD $PY3 bench/trace_compare.py "$OUT"
