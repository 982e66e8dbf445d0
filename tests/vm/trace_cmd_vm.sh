#!/usr/bin/env bash
# bpfdump trace -- CMD and --latency with fentry/fexit and kprobe/kretprobe, in the VM:
# exact getpgid counts of the command (getpgid_loop N) with a noise process of the same
# comm outside it; hrtimer_nanosleep's entry-to-return times within the brackets the
# workload measured itself (sleep_clock K USEC: CLOCK_MONOTONIC before and after).
source "$(dirname "$0")/../lib.sh"
TEST_NAME=trace-cmd-vm
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
LOOP=$PWD/$BUILD/tests/getpgid_loop
SLEEPER=$PWD/$BUILD/tests/sleep_clock
for h in "$LOOP" "$SLEEPER"; do
	[ -x "$h" ] || { skip "$(basename "$h") not built"; exit 0; }
done

( while :; do "$LOOP" 500; done ) >/dev/null 2>&1 &
NOISE=$!
at_exit "kill $NOISE"

# count_check MODE: the command's getpgid calls exactly, with noise of the same comm outside
count_check() {
	local mode=$1 rc N=$(( 200 + RANDOM % 300 ))

	timeout 120 "$BPFDUMP" trace --mode $mode -J --agg 'count BY comm' '__x64_sys_getpgid' \
		-- "$LOOP" $N >"$TMP/c.json" 2>"$TMP/c.err"
	rc=$?
	if grep -q "cannot be attached\|does not work here" "$TMP/c.err"; then
		skip "$mode: -- CMD count: $(head -c 200 "$TMP/c.err")"
		return
	fi
	expect_eq "$mode: -- CMD: exit 0, exactly the command's N=$N calls (noise outside)" "0 $N" \
		"$rc $($PY -c 'import json,sys; e=json.loads(open(sys.argv[1]).readline())["aggregates"][0]["entries"]; print(*[x["value"] for x in e])' "$TMP/c.json" 2>&1)"
}

K=3 US=10000
for mode in fentry kprobe; do
	# the cgroup filter and the aggregation are the same code in both kinds: the count and
	# the histogram once (fentry), to keep the VM's share of make check short
	[ $mode = fentry ] && count_check $mode

	timeout 120 "$BPFDUMP" trace --mode $mode -J --latency 'hrtimer_nanosleep' \
		-- "$SLEEPER" $K $US >"$TMP/l.out" 2>"$TMP/l.err"
	if grep -q "cannot be attached\|does not work here" "$TMP/l.err"; then
		skip "$mode: --latency: $(head -c 200 "$TMP/l.err")"
		continue
	fi
	grep '^{' "$TMP/l.out" >"$TMP/l.json"
	grep -v '^{' "$TMP/l.out" >"$TMP/l.clock"
	res=$($PY "$PYDIR/../integration/trace_cmd_latency.py" "$TMP/l.json" "$TMP/l.clock" $US return)
	expect_eq "$mode: --latency hrtimer_nanosleep: $K sleeps of ${US}us within the workload's brackets" "ok $K" "$res"

	[ $mode = fentry ] || continue
	timeout 120 "$BPFDUMP" trace --mode $mode -J --agg 'hist(latency)' 'hrtimer_nanosleep' \
		-- "$SLEEPER" $K $US >"$TMP/h.out" 2>"$TMP/h.err"
	grep '^{' "$TMP/h.out" >"$TMP/h.json"
	grep -v '^{' "$TMP/h.out" >"$TMP/h.clock"
	res=$($PY "$PYDIR/../integration/trace_cmd_hist.py" "$TMP/h.json" "$TMP/h.clock" $US)
	expect_eq "$mode: --agg 'hist(latency)' hrtimer_nanosleep: $K in buckets within the brackets" "ok $K" "$res"
done

# -p PID --follow with fentry: a child and a grandchild forked before the attach (seeded by
# the task iterator) and one forked after (the fork tracker), each with its own count; ground
# truth: the pids the shell wrote down
sh "$PYDIR/../helpers/trace_cmd_tree.sh" "$LOOP" "$TMP/tgo" "$TMP/tpids" &
PARENT=$!
for _ in $(seq 1200); do [ -e "$TMP/tgo.ready" ] && break; sleep 0.05; done
timeout --foreground 200 "$BPFDUMP" -v trace --mode fentry -d 150 -J -p $PARENT --follow \
	--agg 'count BY pid' '__x64_sys_getpgid' >"$TMP/ft.json" 2>"$TMP/ft.err" &
TRACER=$!
for _ in $(seq 2400); do grep -q "^bpfdump: tracing" "$TMP/ft.err" 2>/dev/null && break
	kill -0 $TRACER 2>/dev/null || break; sleep 0.05; done
touch "$TMP/tgo"
wait $PARENT
kill -INT $TRACER 2>/dev/null
wait $TRACER
if grep -q "cannot be attached\|does not work here" "$TMP/ft.err"; then
	skip "fentry: -p PID --follow: $(head -c 200 "$TMP/ft.err")"
else
	want=$(awk '{ print $1 ":" $2 }' "$TMP/tpids" | LC_ALL=C sort | tr '\n' ' ')
	got=$($PY -c 'import json,sys; e=json.loads(open(sys.argv[1]).readline())["aggregates"][0]["entries"]; print(*["%d:%d" % (x["key"]["pid"], x["value"]) for x in e], sep="\n")' "$TMP/ft.json" 2>&1 | LC_ALL=C sort | tr '\n' ' ')
	expect_eq "fentry: -p PID --follow: children forked before (task iterator) and after the attach, each its own count" \
		"3 $want" "$(wc -l <"$TMP/tpids") $got"
	expect_eq "fentry: -p PID --follow: seeded by a task iterator" 1 \
		"$(grep -c 'seeded by a task iterator' "$TMP/ft.err")"
fi
exit 0
