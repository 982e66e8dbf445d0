#!/usr/bin/env bash
# bpfdump benchmarks: bpfdump against the floor, lsof, ss, ps and /proc, in one run.
#
#   bench/run.sh           the whole run (make bench): results in bench/results/<timestamp>/
#   bench/run.sh --quick   smaller workloads, fewer runs (a few minutes)
#   bench/run.sh --smoke   20x20 task_file: do bpfdump, the /proc reader and lsof list the
#                          same fds? "ok/FAIL/skip bench-smoke: ..." lines, no timing asserts
#
# Environment: BUILD (build), BENCH_TF_SIZES ("100x100 1000x1000 10000x100"),
# BENCH_TCP ("10000 10000": listening, established), BENCH_PROCS (10000),
# BENCH_REPAIR_SOCKS (1000), BENCH_SQL_TCP ("2000 8000"), BENCH_SQL_TF (1000x1000),
# BENCH_LSOF_ROUNDS (3: rounds of the sql groups with lsof, no warm-up),
# BENCH_SECTIONS (all: "startup task_file tcp task snapshot snapshot_many repair sql serve"),
# BENCH_OUT (results directory), BENCH_PROFILE (1: perf profiles when perf exists).
# See bench/README.md.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
BPFDUMP=$ROOT/$BUILD/bpfdump
BB=$ROOT/$BUILD/bench
FLOOR_TF=$ROOT/$BUILD/tests/floor_task_file.bpf.o
FLOOR_TFP=$ROOT/$BUILD/bench/floor_tf_path.bpf.o
FLOOR_TCP=$BB/floor_tcp.bpf.o
FLOOR_TASK=$BB/floor_task.bpf.o
PINDIR=/sys/fs/bpf/bench
TF_COLS='pid=task->tgid,fd=fd,path=path(file)'
MODE=full

usage() { sed -n '2,15s/^# \{0,1\}//p' "$0"; }
case ${1:-} in
"") ;;
--smoke) MODE=smoke ;;
--quick) MODE=quick ;;
-h | --help) usage; exit 0 ;;
*) usage >&2; exit 2 ;;
esac

if [ "$MODE" = quick ]; then
	TF_SIZES=${BENCH_TF_SIZES:-"100x100 300x300"}
	TCP=${BENCH_TCP:-"1000 1000"}
	PROCS=${BENCH_PROCS:-1000}
	REPAIR_SOCKS=${BENCH_REPAIR_SOCKS:-200}
	SQL_TCP=${BENCH_SQL_TCP:-"500 1500"}
	SQL_TF=${BENCH_SQL_TF:-300x300}
else
	TF_SIZES=${BENCH_TF_SIZES:-"100x100 1000x1000 10000x100"}
	TCP=${BENCH_TCP:-"10000 10000"}
	PROCS=${BENCH_PROCS:-10000}
	REPAIR_SOCKS=${BENCH_REPAIR_SOCKS:-1000}
	SQL_TCP=${BENCH_SQL_TCP:-"2000 8000"}
	SQL_TF=${BENCH_SQL_TF:-1000x1000}
fi
# lsof and ss -p walk every fd of the machine: seconds a run when it holds 1M fds
LSOF_ROUNDS=${BENCH_LSOF_ROUNDS:-3}
SECTIONS=${BENCH_SECTIONS:-"startup task_file tcp task snapshot snapshot_many repair sql serve"}

WORK=$(mktemp -d /tmp/bpfdump-bench.XXXXXX)
WL_PIDS=()	# running workloads (each leads its own process group)
PINNED=()	# what this run pinned
MADE_PINDIR=
KEEP_DONE=""	# bpfdump snapshot --keep done
KEPT_HERE=""	# ... and it kept the program (none was before): cleanup drops it

now_ns() { date +%s%N; }
say() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------- cleanup
wl_kill() { # PID: TERM its group, wait (the workload reaps its children), then KILL
	local pid=$1 i
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

cleanup() {
	local pid p
	trap - EXIT INT TERM
	for pid in "${WL_PIDS[@]}"; do
		wl_kill "$pid"
	done
	for p in "${PINNED[@]}"; do
		case $p in
		dumper:*) "$BPFDUMP" rm "${p#dumper:}" >/dev/null 2>&1 ;;
		*) rm -f "$p" ;;
		esac
	done
	[ -n "$MADE_PINDIR" ] && rmdir "$PINDIR" 2>/dev/null
	# the snapshot program this run kept (one kept before it stays)
	[ -n "$KEPT_HERE" ] && "$BPFDUMP" snapshot --drop >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT
trap 'say terminated; exit 143' TERM

# ---------------------------------------------------------------- workloads
# wl_start NAME KIND ARGS...: start bench/workload, wait until its objects exist.
# Sets WL_DIR (holds 'pids': the workload's pid, then its children) and WL_PID.
wl_start() {
	local name=$1 i t0
	shift
	WL_DIR=$WORK/$name
	mkdir -p "$WL_DIR"
	t0=$(now_ns)
	"$BB/workload" "$@" "$WL_DIR" </dev/null &
	WL_PID=$!
	WL_PIDS+=("$WL_PID")
	for ((i = 0; i < 3000; i++)); do
		[ -f "$WL_DIR/ready" ] && break
		if ! kill -0 "$WL_PID" 2>/dev/null; then
			say "workload $name ($*) failed"
			return 1
		fi
		sleep 0.1
	done
	if [ ! -f "$WL_DIR/ready" ]; then
		say "workload $name ($*) not ready after 300 s"
		return 1
	fi
	say "workload $name: $* ready in $((($(now_ns) - t0) / 1000000)) ms"
}

wl_stop() {
	local pid keep=()
	wl_kill "$WL_PID"
	for pid in "${WL_PIDS[@]}"; do
		[ "$pid" != "$WL_PID" ] && keep+=("$pid")
	done
	WL_PIDS=("${keep[@]}")
}

# ---------------------------------------------------------------- pins
pin_all() {
	local f
	if [ ! -d "$PINDIR" ]; then
		mkdir -p "$PINDIR" 2>/dev/null || true
		MADE_PINDIR=1
	fi
	# a dumper (three pins); bpfdump mounts bpffs if it must
	"$BPFDUMP" rm "$PINDIR/tf" >/dev/null 2>&1
	"$BPFDUMP" pin task_file "$PINDIR/tf" -o "$TF_COLS" || return 1
	PINNED+=("dumper:$PINDIR/tf")
	"$BPFDUMP" rm "$PINDIR/tcp" >/dev/null 2>&1
	"$BPFDUMP" pin tcp "$PINDIR/tcp" || return 1
	PINNED+=("dumper:$PINDIR/tcp")
	for f in tf:"$FLOOR_TF" tfp:"$FLOOR_TFP" tcp:"$FLOOR_TCP" task:"$FLOOR_TASK"; do
		rm -f "$PINDIR/floor_${f%%:*}"
		bpftool iter pin "${f#*:}" "$PINDIR/floor_${f%%:*}" || return 1
		PINNED+=("$PINDIR/floor_${f%%:*}")
	done
}

# ---------------------------------------------------------------- measuring
# count FMT PIDS CMD...: run once, print "TOTAL WORKLOAD SECONDS" (see count.awk)
count() {
	local fmt=$1 pids=$2 t0 t1 c rc
	shift 2
	t0=$(now_ns)
	c=$("$@" 2>"$WORK/err" | awk -v fmt="$fmt" -v pids="$pids" -f "$ROOT/bench/count.awk")
	rc=${PIPESTATUS[0]}
	t1=$(now_ns)
	[ "$rc" -ne 0 ] && return 1
	echo "$c $(((t1 - t0) / 1000000))"
}

# measure SECTION METHOD KIND COUNTFMT EXPECTED CMD...
#   KIND: floor (pinned do-nothing iterator, read only), floor1 (one-shot floor:
#   load + attach + read), bpfdump, peer, ref. One untimed run first (it counts the
#   rows and, timed, picks the number of runs); then hyperfine.
measure() {
	local sec=$1 meth=$2 kind=$3 fmt=$4 exp=$5 total=- wl=- ms warm runs json c
	shift 5
	if [ "$fmt" != - ]; then
		if ! c=$(count "$fmt" "$WL_DIR/pids" "$@"); then
			say "FAILED: $sec / $meth: $* ($(head -c 300 "$WORK/err"))"
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sec" "$meth" "$kind" failed - - \
				"$exp" "$*" >>"$OUT/methods.tsv"
			return 0
		fi
		read -r total wl ms <<<"$c"
	else
		local t0
		t0=$(now_ns)
		if ! "$@" >/dev/null 2>"$WORK/err"; then
			say "FAILED: $sec / $meth: $* ($(head -c 300 "$WORK/err"))"
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sec" "$meth" "$kind" failed - - \
				"$exp" "$*" >>"$OUT/methods.tsv"
			return 0
		fi
		ms=$((($(now_ns) - t0) / 1000000))
	fi
	# slow methods: fewer runs; the counting run above was the first warm-up
	if [ "$MODE" = smoke ]; then warm=0 runs=2
	elif [ "$ms" -gt 10000 ]; then warm=0 runs=2
	elif [ "$ms" -gt 1500 ]; then warm=1 runs=3
	elif [ "$ms" -gt 300 ]; then warm=1 runs=5
	elif [ "$sec" = startup ]; then warm=3 runs=30
	else warm=1 runs=10
	fi
	[ "$MODE" = quick ] && [ "$runs" -gt 5 ] && runs=5
	json=$OUT/json/${sec}--${meth//[^A-Za-z0-9_.-]/_}.json
	local cmd q=""
	for c in "$@"; do	# one string for hyperfine -N (shell-words quoting)
		printf -v c '%q' "$c"
		q+="${q:+ }$c"
	done
	cmd=$q
	{
		echo "### $sec / $meth"
		hyperfine -N --style basic --output=pipe --warmup "$warm" --runs "$runs" \
			--command-name "$meth" --export-json "$json" "$cmd" 2>&1
	} >>"$OUT/hyperfine.log"
	if [ ! -s "$json" ]; then
		say "FAILED (hyperfine): $sec / $meth"
		kind=failed
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sec" "$meth" "$kind" "$total" "$wl" "$exp" \
		"$cmd" "$(basename "$json")" >>"$OUT/methods.tsv"
	printf '  %-22s %-28s %10s ms  rows %s (workload %s)\n' "$sec" "$meth" \
		"$(python3 -c 'import json,sys
try: print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1e3))
except Exception: print("-")' "$json")" "$total" "$wl" >&2
}

# memory SECTION LABEL CMD...: peak RSS (GNU time -v) and rows (bpfdump -v)
memory() {
	local sec=$1 label=$2 rss rows
	shift 2
	/usr/bin/time -v "$@" >/dev/null 2>"$WORK/time.err"
	rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.err")
	rows=$(sed -n 's/^bpfdump: \([0-9]*\) rows$/\1/p' "$WORK/time.err" | tail -1)
	printf '%s\t%s\t%s\t%s\n' "$sec" "$label" "${rows:--}" "${rss:--}" >>"$OUT/memory.tsv"
	printf '  %-22s %-28s peak RSS %s KiB, %s rows\n' "$sec" "$label" "${rss:--}" \
		"${rows:--}" >&2
}

# words CMD...: one string a POSIX shell (and bench/interleave.py's shlex) splits back
words() {
	local c q=""
	for c in "$@"; do
		printf -v c '%q' "$c"
		q+="${q:+ }$c"
	done
	echo "$q"
}

# interleaved SECTION RUNS NAME CMD [NAME CMD...]: the sides of a ratio run alternately
# (A B A B ..., WARM warm-up rounds, default 1) by bench/interleave.py; CMD is one string
# (see words).
# The first side is the one the others are compared with. Results: interleaved.jsonl
# (every time), interleaved.txt (what is printed).
interleaved() {
	local sec=$1 runs=$2 args=() warm=${WARM:-1}
	shift 2
	[ "$MODE" = quick ] && [ "$runs" -gt 5 ] && runs=5
	while [ $# -ge 2 ]; do
		args+=(-c "$1" "$2")
		shift 2
	done
	{
		echo "### $sec (interleaved, $runs rounds, load $(cut -d' ' -f1-3 /proc/loadavg))"
		python3 "$ROOT/bench/interleave.py" -n "$runs" -w "$warm" --section "$sec" \
			--jsonl "$OUT/interleaved.jsonl" "${args[@]}" ||
			say "FAILED (interleaved): $sec: a side failed"
	} 2>&1 | tee -a "$OUT/interleaved.txt" | sed 's/^/  /' >&2
}

# check NAME OK TEXT: a count check of a run (no timing): checks.txt, and stderr
check_line() {
	local name=$1 ok=$2
	shift 2
	printf '%s %s: %s\n' "$([ "$ok" = 1 ] && echo ok || echo MISMATCH)" "$name" "$*" |
		tee -a "$OUT/checks.txt" | sed 's/^/  /' >&2
}

# profile NAME CMD...: where the time goes (perf record, flat by DSO and symbol)
profile() {
	local name=$1
	shift
	[ "${BENCH_PROFILE:-1}" = 1 ] && command -v perf >/dev/null || return 0
	perf record -q -F 1999 -o "$WORK/perf.data" -- "$@" >/dev/null 2>"$WORK/perf.err" || return 0
	{
		echo "# perf record -F 1999 -- $*"
		perf report -i "$WORK/perf.data" --no-children --stdio --sort dso 2>/dev/null |
			grep -v '^#' | grep -v '^$' | head -8
		echo
		perf report -i "$WORK/perf.data" --no-children --stdio --sort dso,sym 2>/dev/null |
			grep -v '^#' | grep -v '^$' | head -45
	} >"$OUT/profile-$name.txt"
	rm -f "$WORK/perf.data"
}

# ---------------------------------------------------------------- sections
bench_startup() {
	local s=startup
	say "start-up (no workload)"
	WL_DIR=$WORK
	: >"$WORK/pids"
	measure $s "bpfdump dump (empty query)" bpfdump - - "$BPFDUMP" dump task -w 'task->pid == 0'
	measure $s "bpftool iter pin+cat+rm" peer - - sh -c \
		"bpftool iter pin $FLOOR_TASK $PINDIR/su && cat $PINDIR/su && rm $PINDIR/su"
	measure $s "floor one-shot (libbpf)" floor1 - - "$BB/floor_run" "$FLOOR_TASK"
	measure $s "bpfdump targets (BTF only)" ref - - "$BPFDUMP" targets
	measure $s "bpfdump --help (exec)" ref - - "$BPFDUMP" --help
	# --version probes the kernel (BTF, fentry, kprobes, ringbuf): a report, not start-up
	measure $s "bpfdump --version (feature probes)" ref - - "$BPFDUMP" --version
	"$BB/btf_cost" -n 10 >"$OUT/btf_cost.json" 2>/dev/null
	if command -v perf >/dev/null; then
		perf stat -r 20 -e task-clock,page-faults,context-switches -- \
			"$BPFDUMP" dump task -w 'task->pid == 0' >/dev/null 2>"$OUT/perf-stat-startup.txt"
		perf stat -r 20 -e task-clock,page-faults -- \
			"$BPFDUMP" targets >/dev/null 2>"$OUT/perf-stat-targets.txt"
	fi
	printf '  %-22s %s\n' "$s" "BTF: $(cat "$OUT/btf_cost.json")" >&2
	interleaved $s 30 "bpfdump dump (empty query)" \
		"$(words "$BPFDUMP" dump task -w 'task->pid == 0')" \
		"floor one-shot (libbpf)" "$(words "$BB/floor_run" "$FLOOR_TASK")" \
		"bpftool iter pin+cat+rm" "$(words sh -c \
		"bpftool iter pin $FLOOR_TASK $PINDIR/su && cat $PINDIR/su && rm $PINDIR/su")"
}

bench_task_file() { # NxM
	local n=${1%x*} m=${1#*x} s="task_file-$1" e
	e=$((n * m))
	say "task_file: $n processes x $m fds"
	wl_start "tf-$1" fds "$n" "$m" || return 1
	measure "$s" "floor (pinned, read)" floor - "$e" "$BB/iter_read" "$PINDIR/floor_tf"
	measure "$s" "floor one-shot (libbpf)" floor1 - "$e" "$BB/floor_run" "$FLOOR_TF"
	measure "$s" "bpfdump run floor.bpf.o" ref - "$e" "$BPFDUMP" run "$FLOOR_TF"
	measure "$s" "path floor (pinned, loads f_path)" ref - "$e" "$BB/iter_read" "$PINDIR/floor_tfp"
	measure "$s" "pinned @bin, read only" ref - "$e" "$BB/iter_read" "$PINDIR/tf@bin"
	measure "$s" "bpfdump dump" bpfdump tf_table "$e" "$BPFDUMP" dump task_file -o "$TF_COLS"
	measure "$s" "bpfdump dump -J" bpfdump tf_json "$e" "$BPFDUMP" dump task_file -o "$TF_COLS" -J
	measure "$s" "cat pinned" bpfdump tf_table "$e" cat "$PINDIR/tf"
	measure "$s" "bpfdump cat" bpfdump tf_table "$e" "$BPFDUMP" cat "$PINDIR/tf"
	measure "$s" "bpfdump cat -J" bpfdump tf_json "$e" "$BPFDUMP" cat "$PINDIR/tf" -J
	measure "$s" "/proc reader" peer tf_table "$e" "$BB/proc_fds"
	measure "$s" "lsof" peer tf_lsof "$e" lsof -n -P -l -w
	local runs=10
	[ "$e" -ge 1000000 ] && runs=5
	interleaved "$s" $runs "bpfdump dump" "$(words "$BPFDUMP" dump task_file -o "$TF_COLS")" \
		"floor (pinned, read)" "$(words "$BB/iter_read" "$PINDIR/floor_tf")" \
		"floor one-shot (libbpf)" "$(words "$BB/floor_run" "$FLOOR_TF")" \
		"cat pinned" "$(words cat "$PINDIR/tf")" \
		"/proc reader" "$(words "$BB/proc_fds")"
	# lsof takes 10-17 s at 1M fds: its own, shorter pair
	[ "$e" -ge 1000000 ] && runs=3
	interleaved "$s" $runs "bpfdump dump" "$(words "$BPFDUMP" dump task_file -o "$TF_COLS")" \
		"lsof" "$(words lsof -n -P -l -w)"
	memory "$s" "bpfdump dump" "$BPFDUMP" -v dump task_file -o "$TF_COLS"
	memory "$s" "bpfdump dump -J" "$BPFDUMP" -v dump task_file -o "$TF_COLS" -J
	[ "$e" -ge 1000000 ] && [ ! -f "$OUT/profile-task_file-$1.txt" ] &&
		profile "task_file-$1" "$BPFDUMP" dump task_file -o "$TF_COLS"
	wl_stop
}

bench_tcp() { # LISTEN ESTAB
	local l=$1 e=$2 s=tcp
	say "tcp: $l listening + $e established sockets on 127.0.0.1"
	wl_start tcp tcp "$l" "$e" || return 1
	measure $s "floor (pinned, read)" floor - $((l + e)) "$BB/iter_read" "$PINDIR/floor_tcp"
	measure $s "floor one-shot (libbpf)" floor1 - $((l + e)) "$BB/floor_run" "$FLOOR_TCP"
	measure $s "bpfdump dump tcp" bpfdump tcp_table $((l + e)) "$BPFDUMP" dump tcp
	measure $s "cat pinned" bpfdump tcp_table $((l + e)) cat "$PINDIR/tcp"
	measure $s "bpfdump cat" bpfdump tcp_table $((l + e)) "$BPFDUMP" cat "$PINDIR/tcp"
	measure $s "ss -tan" peer tcp_ss $((l + e)) ss -tan
	measure $s "cat /proc/net/tcp{,6}" peer tcp_proc $((l + e)) cat /proc/net/tcp /proc/net/tcp6
	interleaved $s 10 "bpfdump dump tcp" "$(words "$BPFDUMP" dump tcp)" \
		"floor (pinned, read)" "$(words "$BB/iter_read" "$PINDIR/floor_tcp")" \
		"floor one-shot (libbpf)" "$(words "$BB/floor_run" "$FLOOR_TCP")" \
		"cat pinned" "$(words cat "$PINDIR/tcp")" \
		"ss -tan" "$(words ss -tan)" \
		"cat /proc/net/tcp{,6}" "$(words cat /proc/net/tcp /proc/net/tcp6)"
	profile tcp "$BPFDUMP" dump tcp
	wl_stop
}

# bpfdump snapshot --keep, once; cleanup drops it unless one was kept before the run
keep_snapshot_program() {
	[ -n "$KEEP_DONE" ] && return 0
	KEEP_DONE=1
	ls -d /sys/fs/bpf/bpfdump/@snapshot/*/ >/dev/null 2>&1 || KEPT_HERE=1
	"$BPFDUMP" snapshot --keep >/dev/null 2>"$WORK/err" || say "snapshot --keep: $(head -c 200 "$WORK/err")"
}

bench_snapshot() { # FDS VMAS
	local nfd=$1 nvma=$2 s=snapshot i
	say "snapshot: one process with $nfd fds and $nvma mappings"
	mkdir -p "$WORK/snap"
	"$BUILD/tests/snap_target" "$WORK/snap" fds "$nfd" vmas "$nvma" </dev/null >/dev/null \
		2>"$WORK/snap/err" &
	WL_PIDS+=("$!")
	for ((i = 0; i < 600; i++)); do [ -s "$WORK/snap/ready" ] && break; sleep 0.1; done
	if [ ! -s "$WORK/snap/ready" ]; then
		say "snapshot target not ready: $(head -c 200 "$WORK/snap/err")"
		return 1
	fi
	local p=${WL_PIDS[-1]}
	# loads its program each time (--fresh), then with the program kept loaded (--keep)
	measure $s "bpfdump snapshot -J (loads)" bpfdump - - "$BPFDUMP" snapshot --fresh -J "$p"
	measure $s "bpfdump snapshot (loads)" bpfdump - - "$BPFDUMP" snapshot --fresh "$p"
	keep_snapshot_program
	measure $s "bpfdump snapshot -J (kept)" bpfdump - - "$BPFDUMP" snapshot -J "$p"
	measure $s "bpfdump snapshot (kept)" bpfdump - - "$BPFDUMP" snapshot "$p"
	measure $s "/proc reader" peer - - "$BB/proc_snapshot" "$p"
	measure $s "lsof -p" peer - - lsof -n -P -l -w -p "$p"
	interleaved $s 20 "bpfdump snapshot -J (kept)" "$(words "$BPFDUMP" snapshot -J "$p")" \
		"bpfdump snapshot (kept)" "$(words "$BPFDUMP" snapshot "$p")" \
		"bpfdump snapshot -J (loads)" "$(words "$BPFDUMP" snapshot --fresh -J "$p")" \
		"/proc reader" "$(words "$BB/proc_snapshot" "$p")" \
		"lsof -p" "$(words lsof -n -P -l -w -p "$p")"
	kill "$p"
}

# N such processes in one command: the program is loaded once (bpfdump snapshot PID...)
bench_snapshot_many() { # N FDS VMAS
	local n=$1 nfd=$2 nvma=$3 s=snapshot-$1 i p pids=()
	say "snapshot: $n processes with $nfd fds and $nvma mappings each, one command"
	for ((i = 0; i < n; i++)); do
		mkdir -p "$WORK/snap$i"
		"$BUILD/tests/snap_target" "$WORK/snap$i" fds "$nfd" vmas "$nvma" </dev/null \
			>/dev/null 2>"$WORK/snap$i/err" &
		WL_PIDS+=("$!")
		pids+=("$!")
	done
	for ((i = 0; i < n; i++)); do
		for ((p = 0; p < 600; p++)); do [ -s "$WORK/snap$i/ready" ] && break; sleep 0.1; done
		if [ ! -s "$WORK/snap$i/ready" ]; then
			say "snapshot target $i not ready: $(head -c 200 "$WORK/snap$i/err")"
			kill "${pids[@]}"
			return 1
		fi
	done
	measure $s "bpfdump snapshot -J (loads)" bpfdump - - "$BPFDUMP" snapshot --fresh -J "${pids[@]}"
	keep_snapshot_program
	measure $s "bpfdump snapshot -J (kept)" bpfdump - - "$BPFDUMP" snapshot -J "${pids[@]}"
	measure $s "bpfdump snapshot (kept)" bpfdump - - "$BPFDUMP" snapshot "${pids[@]}"
	measure $s "/proc reader" peer - - "$BB/proc_snapshot" "${pids[@]}"
	interleaved "$s" 10 "bpfdump snapshot -J (kept)" "$(words "$BPFDUMP" snapshot -J "${pids[@]}")" \
		"/proc reader" "$(words "$BB/proc_snapshot" "${pids[@]}")"
	kill "${pids[@]}"
}

bench_task() { # N
	local n=$1 s=task
	say "task: $n processes"
	wl_start procs procs "$n" || return 1
	measure $s "floor (pinned, read)" floor - "$n" "$BB/iter_read" "$PINDIR/floor_task"
	measure $s "floor one-shot (libbpf)" floor1 - "$n" "$BB/floor_run" "$FLOOR_TASK"
	measure $s "bpfdump dump task" bpfdump task_table "$n" "$BPFDUMP" dump task
	measure $s "ps -e -o ..." peer task_ps "$n" ps -e -o pid,ppid,uid,comm,stat
	interleaved $s 10 "bpfdump dump task" "$(words "$BPFDUMP" dump task)" \
		"floor (pinned, read)" "$(words "$BB/iter_read" "$PINDIR/floor_task")" \
		"floor one-shot (libbpf)" "$(words "$BB/floor_run" "$FLOOR_TASK")" \
		"ps -e -o ..." "$(words ps -e -o pid,ppid,uid,comm,stat)"
	wl_stop
}

# ---------------------------------------------------------------- issue 26: queued data
# the bytes bpfdump snapshot --data -J reports, per queue kind: "KIND BYTES COPIED ..."
snapshot_bytes() {
	python3 -c '
import json, sys
t = {}
for line in sys.stdin:
	d = json.loads(line)
	for q in d.get("queued") or []:
		if "index" not in q:
			continue
		k = t.setdefault(q["queue"], [0, 0])
		k[0] += q["bytes"]
		k[1] += q.get("copied") or 0
print(" ".join("%s %d bytes (%d copied)" % (k, v[0], v[1]) for k, v in sorted(t.items())) or "none")'
}

bench_repair() { # N BYTES
	local n=$1 b=$2 s=tcp-queues p got
	say "tcp-queues: one process holding $n TCP sockets, $b bytes queued in each"
	wl_start tcpq tcpq "$n" "$b" || return 1
	p=$WL_PID
	check_line "$s: the workload's queues (SIOCINQ, SIOCOUTQ)" 1 "$(cat "$WL_DIR/queues")"
	got=$("$BB/repair_reader" -q "$p" 2>&1 >/dev/null)
	check_line "$s: repair reader" "$(case $got in *"$n TCP sockets"*) echo 1 ;; esac)" "$got"
	got=$("$BPFDUMP" snapshot --data -J "$p" 2>"$WORK/err" | snapshot_bytes)
	check_line "$s: bpfdump snapshot --data -J" \
		"$(case $got in *"receive $((n * b)) bytes"*) echo 1 ;; esac)" \
		"$got$([ -s "$WORK/err" ] && echo "; stderr: $(head -c 200 "$WORK/err")")"
	# --data-dir: the files hold what the same run says it copied, the receive queues whole
	mkdir "$WORK/dd"
	got=$("$BPFDUMP" snapshot --data-dir "$WORK/dd" -J "$p" 2>"$WORK/err" | snapshot_bytes)
	local copied filed
	copied=$(sed 's/[^(]*(\([0-9]*\) copied)/\1 /g' <<<"$got" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }')
	filed=$(cat "$WORK"/dd/* | wc -c)
	check_line "$s: bpfdump snapshot --data-dir: files of $filed bytes, -J copied $copied" \
		"$(case $got in *"receive $((n * b)) bytes ($((n * b)) copied)"*) [ "$filed" = "$copied" ] && echo 1 ;; esac)" \
		"$got"
	rm -rf "$WORK/dd"
	keep_snapshot_program
	interleaved $s 10 "bpfdump snapshot --data" "$(words "$BPFDUMP" snapshot --data "$p")" \
		"repair reader (TCP_REPAIR, pidfd_getfd)" "$(words "$BB/repair_reader" "$p")" \
		"bpfdump snapshot --data -J" "$(words "$BPFDUMP" snapshot --data -J "$p")" \
		"bpfdump snapshot --data --fresh" "$(words "$BPFDUMP" snapshot --data --fresh "$p")" \
		"bpfdump snapshot --data-dir (raw files, made and removed)" \
		"$(words sh -c 'd=$(mktemp -d "$1/dd.XXXXXX") && "$2" snapshot --data-dir "$d" "$3"; rm -rf "$d"' \
			sh "$WORK" "$BPFDUMP" "$p")" \
		"bpfdump snapshot (no --data)" "$(words "$BPFDUMP" snapshot "$p")"
	# without --data against the binary of before (BENCH_BASELINE); without one, the
	# same binary twice: the spread an A/A pair shows here
	local base=${BENCH_BASELINE:-$BPFDUMP} bname="the same binary again (A/A)"
	[ -n "${BENCH_BASELINE:-}" ] && bname="baseline $BENCH_BASELINE"
	interleaved "$s-no-data" 20 "bpfdump snapshot" "$(words "$BPFDUMP" snapshot "$p")" \
		"$bname" "$(words "$base" snapshot "$p")" \
		"bpfdump snapshot -J" "$(words "$BPFDUMP" snapshot -J "$p")" \
		"$bname -J" "$(words "$base" snapshot -J "$p")"
	wl_stop
}

# ---------------------------------------------------------------- issue 22: sql
# (pid, local port, remote port) rows of the workload's processes, sorted, from each tool
sql_set() { awk -v pids="$WL_DIR/pids" 'BEGIN { while ((getline l < pids) > 0) c[l] = 1 }
	$1 in c { print $1, $2, $3 }' | sort; }
ss_set() { # STATE (ESTAB or LISTEN)
	awk -v st="$1" '$1 == st {
		l = $4; sub(/.*:/, "", l); r = $5; sub(/.*:/, "", r); if (r == "*") r = 0
		u = $0
		while (match(u, /pid=[0-9]+/)) {
			print substr(u, RSTART + 4, RLENGTH - 4), l, r
			u = substr(u, RSTART + RLENGTH)
		}
	}' | sql_set
}
lsof_set() { # STATE (ESTABLISHED or LISTEN)
	awk -v st="($1)" '$8 == "TCP" && $NF == st {
		n = $(NF - 1); split(n, a, "->"); l = a[1]; sub(/.*:/, "", l)
		r = a[2]; sub(/.*:/, "", r); if (r == "") r = 0
		print $2, l, r
	}' | sql_set
}

# compare_sets NAME FILE... : the first file against each other one
compare_sets() {
	local name=$1 a=$2 f n
	shift 2
	n=$(wc -l <"$a")
	for f in "$@"; do
		if cmp -s "$a" "$f"; then
			check_line "$name" 1 "$(basename "$a") and $(basename "$f"): the same $n rows"
		else
			check_line "$name" 0 "$(basename "$a") $n rows, $(basename "$f") $(wc -l <"$f"):" \
				"$(diff "$a" "$f" | grep '^[<>]' | head -3 | tr '\n' ' ')"
		fi
	done
}

bench_sql() { # LISTEN ESTAB NxM
	local l=$1 e=$2 tf=$3 s=sql-sockets port q
	say "sql: $l listening + $e established TCP sockets (issue 22's views against ss, lsof)"
	wl_start sqltcp tcp "$l" "$e" || return 1
	"$BPFDUMP" sql -r -n 'SELECT pid, lport, rport FROM connections' 2>"$WORK/err" |
		sql_set >"$WORK/conn.bpfdump"
	ss -tanp | ss_set ESTAB >"$WORK/conn.ss"
	lsof -i -n -P 2>/dev/null | lsof_set ESTABLISHED >"$WORK/conn.lsof"
	compare_sets "$s: connections (pid, lport, rport) of the workload" "$WORK/conn.bpfdump" \
		"$WORK/conn.ss" "$WORK/conn.lsof"
	"$BPFDUMP" sql -r -n 'SELECT pid, lport, rport FROM listening' 2>>"$WORK/err" |
		sql_set >"$WORK/listen.bpfdump"
	ss -tlnp | ss_set LISTEN >"$WORK/listen.ss"
	lsof -i -n -P 2>/dev/null | lsof_set LISTEN >"$WORK/listen.lsof"
	compare_sets "$s: listening (pid, lport, 0) of the workload" "$WORK/listen.bpfdump" \
		"$WORK/listen.ss" "$WORK/listen.lsof"
	# lsof walks every fd of the machine (seconds each): its own group, fewer rounds
	interleaved $s 5 "sql connections" \
		"$(words "$BPFDUMP" sql 'SELECT pid, lport, rport FROM connections')" \
		"ss -tanp" "$(words ss -tanp)" \
		"sql listening" "$(words "$BPFDUMP" sql 'SELECT pid, lport, rport FROM listening')" \
		"ss -tlnp" "$(words ss -tlnp)" \
		"floor (pinned tcp + task_file, read)" \
		"$(words "$BB/iter_read" "$PINDIR/floor_tcp" "$PINDIR/floor_tf")"
	WARM=0 interleaved $s "$LSOF_ROUNDS" "sql connections" \
		"$(words "$BPFDUMP" sql 'SELECT pid, lport, rport FROM connections')" \
		"sql listening" "$(words "$BPFDUMP" sql 'SELECT pid, lport, rport FROM listening')" \
		"lsof -i -n -P" "$(words lsof -i -n -P)" \
		"lsof -iTCP -sTCP:LISTEN -n -P" "$(words lsof -iTCP -sTCP:LISTEN -n -P)"
	# a pushed-down filter: one listening port of the workload
	port=$(head -1 "$WORK/listen.bpfdump" | cut -d' ' -f2)
	q="SELECT * FROM tcp WHERE lport = $port"
	local a b c
	a=$("$BPFDUMP" sql -r -n "$q" | wc -l)
	b=$("$BPFDUMP" dump tcp -r -n -w "lport == $port" | wc -l)
	c=$("$BPFDUMP" sql --no-pushdown -r -n "$q" | wc -l)
	check_line "$s: lport = $port rows (sql, dump -w, sql --no-pushdown)" \
		"$([ "$a" = "$b" ] && [ "$a" = "$c" ] && [ "$a" -gt 0 ] && echo 1)" "$a $b $c"
	"$BPFDUMP" -v sql "$q" 2>&1 >/dev/null | grep -i push | head -3 | sed 's/^/  /' >&2
	interleaved "$s-pushdown" 20 "sql WHERE lport = N" "$(words "$BPFDUMP" sql "$q")" \
		"dump tcp -w 'lport == N'" "$(words "$BPFDUMP" dump tcp -w "lport == $port")" \
		"sql --no-pushdown" "$(words "$BPFDUMP" sql --no-pushdown "$q")"
	wl_stop

	local n=${tf%x*} m=${tf#*x}
	s=sql-top-fds-$tf
	say "sql: top 5 processes by open fds, $n processes x $m fds"
	wl_start "sqltf" fds "$n" "$m" || return 1
	q='SELECT pid, count(*) AS n FROM task_file GROUP BY pid ORDER BY n DESC LIMIT 5'
	local lsof_top='lsof -n 2>/dev/null | awk '\''$4 ~ /^[0-9]+/ { n[$2]++ } END { for (p in n) print n[p], p }'\'' | sort -rn | head -5'
	# the machine's other processes open and close fds between the two runs, and
	# equal counts tie in any order: the five counts must be the same, and a pid both
	# list must have the same count in both
	counts() { tr ' ' '\n' <<<"$1" | sed -n 's/.*=//p' | sort -n | xargs; }
	a=$("$BPFDUMP" sql -r -n "$q" | awk '{ print $1 "=" $2 }' | tr '\n' ' ')
	b=$(sh -c "$lsof_top" | awk '{ print $2 "=" $1 }' | tr '\n' ' ')
	check_line "$s: the top 5 (pid=count: sql; lsof | awk, numeric fds only)" \
		"$(awk -v a="$a" -v b="$b" 'BEGIN { n = split(a, x, " "); m = split(b, y, " ")
			for (i = 1; i <= n; i++) { split(x[i], p, "="); c[p[1]] = p[2] }
			for (i = 1; i <= m; i++) { split(y[i], p, "="); if (p[1] in c) { s++
				if (c[p[1]] != p[2]) bad = 1 } }
			if (!bad) print 1 }')$( [ "$(counts "$a")" = "$(counts "$b")" ] || echo 0)" "$a; $b"
	interleaved "$s" 10 "sql top 5 by fds" "$(words "$BPFDUMP" sql "$q")" \
		"dump task_file -o pid" "$(words "$BPFDUMP" dump task_file -o pid)"
	WARM=0 interleaved "$s" "$LSOF_ROUNDS" "sql top 5 by fds" "$(words "$BPFDUMP" sql "$q")" \
		"lsof -n | awk" "$(words sh -c "$lsof_top")"
	memory "$s" "sql GROUP BY pid (top 5)" "$BPFDUMP" sql "$q"
	memory "$s" "sql GROUP BY pid, fd (every row a group)" "$BPFDUMP" sql \
		'SELECT pid, fd, count(*) AS n FROM task_file GROUP BY pid, fd'
	memory "$s" "dump task_file -o pid" "$BPFDUMP" -v dump task_file -o pid
	wl_stop
}

# ---------------------------------------------------------------- smoke
smoke() {
	local n=20 m=20 e c name f rc=0 line
	if [ "$(id -u)" != 0 ]; then
		echo "skip bench-smoke: needs root (BPF iterators)"; return 0
	fi
	for f in hyperfine lsof; do
		if ! command -v $f >/dev/null; then
			echo "skip bench-smoke: $f is not installed (make bench installs it)"; return 0
		fi
	done
	for f in "$BPFDUMP" "$BB/workload" "$BB/proc_fds"; do
		if [ ! -x "$f" ]; then
			echo "skip bench-smoke: $f is not built (make bench-bins)"; return 0
		fi
	done
	e=$((n * m))
	OUT=$WORK/out
	mkdir -p "$OUT/json"
	if ! wl_start smoke fds $n $m 2>/dev/null; then
		echo "FAIL bench-smoke: the ${n}x${m} workload did not start"; return 1
	fi
	for line in "bpfdump dump|tf_table|$BPFDUMP dump task_file -o $TF_COLS" \
		"bpfdump dump -J|tf_json|$BPFDUMP dump task_file -o $TF_COLS -J" \
		"/proc reader|tf_table|$BB/proc_fds" "lsof|tf_lsof|lsof -n -P -l -w"; do
		IFS='|' read -r name f c <<<"$line"
		# shellcheck disable=SC2086 # the command is split on purpose
		if ! c=$(count "$f" "$WL_DIR/pids" $c); then
			echo "FAIL bench-smoke: $name failed: $(head -c 200 "$WORK/err")"; rc=1; continue
		fi
		read -r c f _ <<<"$c"
		if [ "$f" = "$e" ]; then
			echo "ok bench-smoke: ${n}x${m} task_file: $name lists the workload's $e fds ($c in all)"
		else
			echo "FAIL bench-smoke: ${n}x${m} task_file: $name lists $f of the workload's $e fds"
			rc=1
		fi
	done
	# the same (pid, fd, path) rows from bpfdump and from /proc
	"$BPFDUMP" dump task_file -o "$TF_COLS" -r -n 2>/dev/null |
		awk -v pids="$WL_DIR/pids" 'BEGIN { while ((getline l < pids) > 0) if (n++) c[l] = 1 }
			$1 in c' | sort >"$WORK/a"
	"$BB/proc_fds" | awk -v pids="$WL_DIR/pids" \
		'BEGIN { while ((getline l < pids) > 0) if (n++) c[l] = 1 } $1 in c' | sort >"$WORK/b"
	if [ -s "$WORK/a" ] && cmp -s "$WORK/a" "$WORK/b"; then
		echo "ok bench-smoke: bpfdump and the /proc reader give the same pid/fd/path rows"
	else
		echo "FAIL bench-smoke: bpfdump and the /proc reader differ: $(diff "$WORK/a" "$WORK/b" | head -3 | tr '\n' ' ')"
		rc=1
	fi
	# the reporting pipeline: hyperfine JSON in, table out (timings not checked)
	measure smoke "bpfdump dump" bpfdump - "$e" "$BPFDUMP" dump task_file -o "$TF_COLS" 2>/dev/null
	measure smoke "/proc reader" peer - "$e" "$BB/proc_fds" 2>/dev/null
	if python3 "$ROOT/bench/report.py" "$OUT" >"$WORK/report.out" 2>&1 &&
		grep -q 'bpfdump dump' "$OUT/results.md"; then
		echo "ok bench-smoke: hyperfine JSON and the Markdown report"
	else
		echo "FAIL bench-smoke: report: $(head -c 300 "$WORK/report.out")"; rc=1
	fi
	wl_stop
	if pgrep -x bench-fds >/dev/null; then
		echo "FAIL bench-smoke: workload processes left behind"; rc=1
	else
		echo "ok bench-smoke: the workload left no process behind"
	fi
	return $rc
}

if [ "$MODE" = smoke ]; then
	smoke
	exit $?
fi

# ---------------------------------------------------------------- the whole run
[ "$(id -u)" = 0 ] || { say "needs root (BPF iterators, bpffs pins)"; exit 1; }
for f in hyperfine lsof ss ps bpftool python3 /usr/bin/time; do
	command -v "$f" >/dev/null || { say "$f is missing (scripts/install-deps.sh --bench)"; exit 1; }
done
for f in "$BPFDUMP" "$BB/workload" "$BB/proc_fds" "$BB/iter_read" "$BB/floor_run" \
	"$BB/btf_cost" "$FLOOR_TF" "$FLOOR_TFP" "$FLOOR_TCP" "$FLOOR_TASK"; do
	[ -e "$f" ] || { say "$f is not built (make bench-bins)"; exit 1; }
done
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${BENCH_OUT:-$ROOT/bench/results/$STAMP}
mkdir -p "$OUT/json"
: >"$OUT/methods.tsv"
: >"$OUT/memory.tsv"
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "mode: $MODE"
	echo "kernel: $(uname -r)"
	# shellcheck disable=SC1090 # whichever of the two exists
	echo "os: $(for f in /etc/os-release /usr/lib/os-release; do [ -r "$f" ] && . "$f" && echo "$PRETTY_NAME" && break; done)"
	echo "cpu: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
	echo "memory: $(awk '/MemTotal/ {print $2, $3}' /proc/meminfo)"
	echo "bpfdump: $("$BPFDUMP" --version) ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet -- src 2>/dev/null || echo ', src modified'))"
	echo "hyperfine: $(hyperfine --version)"
	echo "lsof: $(lsof -v 2>&1 | awk '/revision/ {print $2; exit}')"
	echo "ss: $(ss -V)"
	echo "ps: $(ps -V)"
	echo "sizes: task_file $TF_SIZES; tcp $TCP; task $PROCS; repair $REPAIR_SOCKS; sql tcp $SQL_TCP, task_file $SQL_TF"
	echo "sections: $SECTIONS"
	echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/env.txt"
say "results in $OUT"
BIN_SUM=$(sha256sum <"$BPFDUMP")
echo "bpfdump sha256: ${BIN_SUM%% *}" >>"$OUT/env.txt"
T0=$(now_ns)
pin_all || { say "pinning failed"; exit 1; }
want() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }
want startup && bench_startup
if want task_file; then
	for sz in $TF_SIZES; do
		bench_task_file "$sz"
	done
fi
# shellcheck disable=SC2086
want tcp && bench_tcp $TCP
want task && bench_task "$PROCS"
want snapshot && bench_snapshot "${BENCH_SNAP_FDS:-10000}" "${BENCH_SNAP_VMAS:-5000}"
want snapshot_many && bench_snapshot_many "${BENCH_SNAP_MANY:-8}" "${BENCH_SNAP_FDS:-10000}" \
	"${BENCH_SNAP_VMAS:-5000}"
want repair && bench_repair "$REPAIR_SOCKS" "${BENCH_REPAIR_BYTES:-65536}"
# shellcheck disable=SC2086
want sql && bench_sql $SQL_TCP "$SQL_TF"
if want serve; then
	BUILD=$BUILD bench/serve.sh "--$MODE" "$OUT" >&2 ||
		say "FAILED: bench/serve.sh (bpfdump serve at scale)"
fi
echo "elapsed: $((($(now_ns) - T0) / 1000000000)) s" >>"$OUT/env.txt"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/env.txt"
# other engineers rebuild build/ too: say so if the binary changed under us
if [ "$(sha256sum <"$BPFDUMP")" != "$BIN_SUM" ]; then
	echo "warning: $BPFDUMP was rebuilt during the run" >>"$OUT/env.txt"
	say "WARNING: $BPFDUMP was rebuilt during the run; results mix two binaries"
fi
python3 "$ROOT/bench/report.py" "$OUT"
