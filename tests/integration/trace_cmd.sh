#!/usr/bin/env bash
# trace ... -- CMD, -p PID --follow and --latency on this host (tracepoints): counts of a
# workload's getpgid calls (getpgid_loop N: exactly N) against N, while a noise process
# makes the same calls under the same name; the set of traced pids against the pids the
# command's own shell wrote down; the exit code passed through; the cgroup made for the
# command gone afterwards and no BPF link or fd left in what the command left running;
# nanosleep latencies against the bracket the workload measured itself (sleep_clock).
source "$(dirname "$0")/../lib.sh"

LOOP=$PWD/$BUILD/tests/getpgid_loop
SLEEPER=$PWD/$BUILD/tests/sleep_clock
for h in "$LOOP" "$SLEEPER"; do
	[ -x "$h" ] || { skip "$(basename "$h") not built (make $BUILD/tests/$(basename "$h"))"; exit 0; }
done
NR=$("$LOOP" --nr)
SLEEP_NR=$("$SLEEPER" --nr)
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
TP="tp:raw_syscalls:sys_enter(id == $NR)"

# cgroups made for commands, anywhere in the cgroup2 tree
cmd_cgroups() { [ -n "$CG2" ] && find "$CG2" -maxdepth 6 -type d -name 'bpfdump-trace.*' 2>/dev/null | sort; }
CG_BEFORE=$(cmd_cgroups)

# noise: the same program, the same calls, the same comm, outside the command
( while :; do "$LOOP" 2000; done ) >/dev/null 2>&1 &
NOISE=$!
at_exit "kill $NOISE"

count_of() { /usr/bin/python3 "$PYDIR/trace_cmd_count_of.py" "$1"; }

# --- the command's calls, exactly; the noise's, none ------------------------------------------
N=$(( 5000 + RANDOM % 5000 ))
timeout 60 "$BPFDUMP" trace -J --agg 'count BY comm' "$TP" -- "$LOOP" $N >"$TMP/one.json" 2>"$TMP/one.err"
rc=$?
expect_eq "-- CMD: exit 0 as the command's" 0 $rc
expect_eq "-- CMD: count of getpgid is exactly the command's N=$N (noise of the same comm running)" \
	"-:$N" "$(count_of "$TMP/one.json" 2>&1)"

# the same in each program kind a tracepoint runs as
for spec in "raw_tp:$TP" "tracepoint:tp:syscalls:sys_enter_getpgid"; do
	N=$(( 1000 + RANDOM % 1000 ))
	timeout 60 "$BPFDUMP" trace --mode "${spec%%:*}" -J --agg count "${spec#*:}" -- "$LOOP" $N \
		>"$TMP/kind.json" 2>/dev/null
	expect_eq "-- CMD: --mode ${spec%%:*}: exactly the command's N=$N calls" "-:$N" "$(count_of "$TMP/kind.json" 2>&1)"
done

# --- descendants: every pid the command's shell started, with its own count, nothing else ------
rm -f "$TMP/pids"
timeout 60 "$BPFDUMP" trace -J --agg 'count BY pid' "$TP" -- sh -c '
	for n in 100 200 300; do "$1" $n & echo $! >>"$2"; done; wait; "$1" 7 & echo $! >>"$2"; wait' \
	sh "$LOOP" "$TMP/pids" >"$TMP/tree.json" 2>"$TMP/tree.err"
want=$(paste -d: "$TMP/pids" <(printf '%s\n' 100 200 300 7) | sort | tr '\n' ' ' | sed 's/ $//')
expect_eq "-- CMD: its children's counts by pid, exactly those it started" "$want" \
	"$(count_of "$TMP/tree.json" 2>&1 | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"

# no cgroup can be made (cgroup2 read-only in a mount namespace of its own): the process
# tree map instead, kept up by the fork tracker, the same exact counts
if [ -n "$CG2" ] && command -v unshare >/dev/null; then
	unshare -m sh -c 'mount -o remount,bind,ro "$1" || exit 99; shift
		exec timeout 60 "$@"' sh "$CG2" "$BPFDUMP" -v trace -J --agg count "$TP" -- \
		sh -c '"$1" 100; "$1" 200 & "$1" 300 & wait' sh "$LOOP" >"$TMP/ro.json" 2>"$TMP/ro.err"
	rc=$?
	if [ $rc -eq 99 ]; then
		skip "-- CMD without a cgroup: cannot make cgroup2 read-only here"
	else
		expect_eq "-- CMD without a cgroup (read-only cgroup2): said, and the tree's 600 calls exactly" \
			"1 -:600" "$(grep -c 'following its process tree' "$TMP/ro.err") $(count_of "$TMP/ro.json" 2>&1)"
	fi
else
	skip "-- CMD without a cgroup: no cgroup2 or no unshare"
fi

# per event: every event's pid is one of the command's
timeout 60 "$BPFDUMP" trace -J "$TP" -- sh -c '"$1" 50 & echo $! >"$2"; wait' sh "$LOOP" "$TMP/evpid" \
	>"$TMP/ev.json" 2>"$TMP/ev.err"
expect_eq "-- CMD: 50 events, all from the command's child $(cat "$TMP/evpid" 2>/dev/null)" \
	"50 $(cat "$TMP/evpid" 2>/dev/null)" \
	"$(python3 -c 'import json,sys; p=[json.loads(l)["pid"] for l in open(sys.argv[1])]; print(len(p), *sorted(set(p)))' "$TMP/ev.json" 2>&1)"

# --- exit codes as a shell gives them --------------------------------------------------------
timeout 30 "$BPFDUMP" trace "$TP" -- sh -c 'exit 42' >/dev/null 2>&1
expect_eq "-- CMD: its exit code 42 passed through" 42 $?
timeout 30 "$BPFDUMP" trace "$TP" -- sh -c 'kill -TERM $$' >/dev/null 2>&1
expect_eq "-- CMD: killed by SIGTERM exits 128+15" 143 $?
timeout 30 "$BPFDUMP" trace "$TP" -- /nonexistent/bpfdump-nosuch >/dev/null 2>"$TMP/nf.err"
rc=$?
expect_eq "-- CMD not found: exit 127, one line" "127 1" "$rc $(wc -l <"$TMP/nf.err")"
printf '#!/bin/sh\n' >"$TMP/noexec"; chmod 644 "$TMP/noexec"
timeout 30 "$BPFDUMP" trace "$TP" -- "$TMP/noexec" >/dev/null 2>"$TMP/nx.err"
rc=$?
expect_eq "-- CMD not executable: exit 126, one line" "126 1" "$rc $(wc -l <"$TMP/nx.err")"

# --- --user: the command runs as that user, its calls counted under that uid and gid -------------
# (a copy of the workload the user can run: the checkout may not be world-readable)
chmod 755 "$TMP"
cp "$LOOP" "$TMP/loop" && chmod 755 "$TMP/loop"
NOBODY_IDS=$(getent passwd nobody | awk -F: '{ print $3 ":" $4 }')
FREE_UID=$(( 54000 + $$ % 1000 ))
for u in nobody $FREE_UID; do
	want=$NOBODY_IDS
	[ $u = nobody ] || want=$FREE_UID:$FREE_UID	# no passwd entry: its own gid, no groups
	if [ -z "$want" ]; then skip "--user $u: no user nobody here"; continue; fi
	timeout 60 "$BPFDUMP" trace -J --user $u --agg 'count BY uid, gid' "$TP" -- \
		sh -c 'id -u; id -g; id -G; exec "$1" 77' sh "$TMP/loop" >"$TMP/user.out" 2>"$TMP/user.err"
	rc=$?
	grep '^{' "$TMP/user.out" >"$TMP/user.json"
	got=$(/usr/bin/python3 "$PYDIR/trace_cmd_user.py" "$TMP/user.json" 2>&1)
	expect_eq "--user $u: exit 0, the 77 calls counted under uid:gid $want" "0 $want=77" "$rc $got"
	groups=$(id -G $u 2>/dev/null || echo "${want#*:}")
	expect_eq "--user $u: id -u, id -g and id -G inside the command" \
		"${want%:*} ${want#*:} $groups" "$(grep -v '^{' "$TMP/user.out" | tr '\n' ' ' | sed 's/ $//')"
done

# --- held until attached: the command's very first call is seen -------------------------------
timeout 30 "$BPFDUMP" trace -J --agg count "$TP" -- "$LOOP" 1 >"$TMP/first.json" 2>/dev/null
expect_eq "-- CMD: a command of a single call: that call counted (held until attached)" "-:1" \
	"$(count_of "$TMP/first.json" 2>&1)"

# --- what the command leaves running holds no BPF fd and no link; its cgroup is gone -------------
timeout 60 "$BPFDUMP" trace "$TP" -- sh -c 'sleep 300 </dev/null >/dev/null 2>&1 & echo $! >"$1"' sh "$TMP/daemon" \
	>/dev/null 2>&1
DAEMON=$(cat "$TMP/daemon")
at_exit "kill $DAEMON"
if [ -n "$DAEMON" ] && kill -0 "$DAEMON" 2>/dev/null; then
	ok "-- CMD: a process the command left behind runs on after the trace"
	bpffds=$(ls -l /proc/"$DAEMON"/fd 2>/dev/null | grep -c 'anon_inode:bpf')
	expect_eq "-- CMD: the left process holds no BPF fd (links, programs, maps)" 0 "$bpffds"
	if command -v bpftool >/dev/null; then
		held=$(bpftool -j link list 2>/dev/null | /usr/bin/python3 "$PYDIR/trace_cmd_held.py" "$DAEMON")
		expect_eq "-- CMD: bpftool link list: no link held by the left process" 0 "$held"
	else
		skip "bpftool link list: no bpftool"
	fi
	mine=$(awk -F: '$1 == "0" { print $3 }' /proc/"$DAEMON"/cgroup)
	case "$mine" in
	*bpfdump-trace.*) fail "-- CMD: the left process is still in the command's cgroup ($mine)" ;;
	*) ok "-- CMD: the left process was moved out of the command's cgroup" ;;
	esac
else
	fail "-- CMD: the process the command left behind is gone"
fi

# the trace ends first (-d): the command is ended, its cgroup removed
timeout 60 "$BPFDUMP" trace -d 1 "$TP" -- sleep 300 >/dev/null 2>&1
expect_eq "-- CMD: -d ends the command too (SIGTERM: 143)" 143 $?
expect_eq "-- CMD: no cgroup made for a command is left" "$CG_BEFORE" "$(cmd_cgroups)"

# --- -p PID --follow: children forked after the start --------------------------------------------
mkfifo "$TMP/go"
follow_run() {	# follow_run OUT [--follow]: a shell waits on a fifo, then forks 300 calls
	sh -c 'read x <"$2"; "$1" 100; "$1" 200 & wait' sh "$LOOP" "$TMP/go" &
	local parent=$!
	timeout --foreground 60 "$BPFDUMP" trace -d 40 -J -p $parent "${@:2}" --agg count "$TP" \
		>"$1" 2>"$TMP/follow.err" &
	local tracer=$!
	for _ in $(seq 200); do grep -q "tracing" "$TMP/follow.err" 2>/dev/null && break
		kill -0 $tracer 2>/dev/null || break; sleep 0.05; done
	echo go >"$TMP/go"
	wait $parent
	kill -INT $tracer 2>/dev/null
	wait $tracer
}
follow_run "$TMP/follow.json" --follow
expect_eq "-p PID --follow: the 300 calls of children forked after the start" "-:300" \
	"$(count_of "$TMP/follow.json" 2>&1)"
follow_run "$TMP/nofollow.json"
expect_eq "-p PID without --follow: none of its children's calls" "" \
	"$(count_of "$TMP/nofollow.json" 2>&1)"

# --- -p PID --follow: a child and a grandchild forked before the attach (seeded: one pass of a
# task iterator, or /proc, or with raw_tp trackers) and a child forked after (the fork tracker);
# ground truth: the pids the shell wrote down, each with its own number of calls
follow_tree() {	# follow_tree NAME [ENV=VALUE...]: checks the counts by pid and the seeding said
	local name=$1 tracer parent want got
	rm -f "$TMP/tgo" "$TMP/tgo.ready" "$TMP/tpids"
	sh "$PYDIR/../helpers/trace_cmd_tree.sh" "$LOOP" "$TMP/tgo" "$TMP/tpids" &
	parent=$!
	for _ in $(seq 400); do [ -e "$TMP/tgo.ready" ] && break; sleep 0.05; done
	env "${@:2}" timeout --foreground 60 "$BPFDUMP" -v trace -d 40 -J -p $parent --follow \
		--agg 'count BY pid' "$TP" >"$TMP/ft.json" 2>"$TMP/ft.err" &
	tracer=$!
	for _ in $(seq 400); do grep -q "^bpfdump: tracing" "$TMP/ft.err" 2>/dev/null && break
		kill -0 $tracer 2>/dev/null || break; sleep 0.05; done
	touch "$TMP/tgo"
	wait $parent
	kill -INT $tracer 2>/dev/null
	wait $tracer
	want=$(awk '{ print $1 ":" $2 }' "$TMP/tpids" | sort | tr '\n' ' ')
	got=$(count_of "$TMP/ft.json" 2>&1 | tr ' ' '\n' | sort | tr '\n' ' ')
	expect_eq "-p PID --follow ($name): a child and a grandchild forked before the attach and a child forked after, each its own count" \
		"3 $want" "$(wc -l <"$TMP/tpids") $got"
}
follow_tree "task iterator, tp_btf trackers"
expect_eq "-p PID --follow: seeded by a task iterator, forks followed with tp_btf" "1 1" \
	"$(grep -c 'seeded by a task iterator' "$TMP/ft.err") $(grep -c 'forks and exits with tp_btf' "$TMP/ft.err")"
follow_tree "/proc seeding" BPFDUMP_FOLLOW_SEED=proc
expect_eq "-p PID --follow, BPFDUMP_FOLLOW_SEED=proc: not seeded by the iterator" 0 \
	"$(grep -c 'seeded by a task iterator' "$TMP/ft.err")"
follow_tree "raw_tp trackers" BPFDUMP_FOLLOW_TRACKER=raw_tp
expect_eq "-p PID --follow, BPFDUMP_FOLLOW_TRACKER=raw_tp: forks followed with raw_tp programs" 1 \
	"$(grep -c 'forks and exits with raw_tp' "$TMP/ft.err")"

# --- --latency: nanosleep's entry-to-exit time, within the workload's own clock reads -------------
K=5 US=20000
timeout 60 "$BPFDUMP" trace -J --latency --latency-end tp:raw_syscalls:sys_exit \
	"tp:raw_syscalls:sys_enter(id == $SLEEP_NR)" -- "$SLEEPER" $K $US >"$TMP/lat.out" 2>"$TMP/lat.err"
grep '^{' "$TMP/lat.out" >"$TMP/lat.json"
grep -v '^{' "$TMP/lat.out" >"$TMP/lat.clock"
res=$(/usr/bin/python3 "$PYDIR/trace_cmd_latency.py" "$TMP/lat.json" "$TMP/lat.clock" $US)
expect_eq "--latency: $K nanosleeps of ${US}us, each within the workload's clock_gettime bracket" "ok $K" "$res"

timeout 60 "$BPFDUMP" trace -J --agg 'hist(latency) BY comm' --latency-end tp:raw_syscalls:sys_exit \
	"tp:raw_syscalls:sys_enter(id == $SLEEP_NR)" -- "$SLEEPER" $K $US >"$TMP/hist.out" 2>"$TMP/hist.err"
grep '^{' "$TMP/hist.out" >"$TMP/hist.json"
grep -v '^{' "$TMP/hist.out" >"$TMP/hist.clock"
res=$(/usr/bin/python3 "$PYDIR/trace_cmd_hist.py" "$TMP/hist.json" "$TMP/hist.clock" $US sleep_clock)
expect_eq "--agg 'hist(latency) BY comm': $K calls, in buckets within the workload's bracket" "ok $K" "$res"

exit 0
