#!/usr/bin/env bash
# trace --stack and 'kstack' keys against ground truth: the kernel stacks of system
# calls the test's own workloads make (getpgid_loop N: exactly N getpgid calls; a
# python loop of N prctl(PR_SET_NAME), each firing task:task_rename inside the
# system call). Every frame must be a real text symbol of /proc/kallsyms, the
# address inside it (below the next symbol); the stacks must show the system call's
# entry path (entry_SYSCALL_64 -> do_syscall_64 [-> __x64_sys_prctl ->
# __set_task_comm]); counts by kstack must add up to the N calls the workload made.
# Where fentry/kprobes work (the VM) the same for a traced function; in the VM only
# (its own kernel), kernel.kptr_restrict=2: no address printed, the reason said.
source "$(dirname "$0")/../lib.sh"

LOOP=$HELPERS/getpgid_loop
[ -x "$LOOP" ] || { skip "getpgid_loop not built (make $BUILD/tests/getpgid_loop)"; exit 0; }
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
NR=$("$LOOP" --nr)
N=$(( 300 + RANDOM % 300 ))

# the kernel's text symbols, and a checker of frames against them
$PY "$PYDIR/trace_stack_ksyms.py" "$TMP/ksyms.json"
cp "$PYDIR/trace_stack_frames.py" "$TMP/frames.py"
frames_ok() { $PY "$TMP/frames.py" "$TMP/ksyms.json" "$@"; }

# start_tracer OUT ARGS...: bpfdump trace ARGS in the background, attached when it says so
# (for each of $PROBES SPECs)
start_tracer() {
	local out=$1
	shift
	rm -f "$TMP/tr.err"
	timeout --foreground 200 "$BPFDUMP" trace -d 180 "$@" >"$out" 2>"$TMP/tr.err" &
	TRACER=$!
	for _ in $(seq 1200); do [ "$(grep -c "tracing" "$TMP/tr.err" 2>/dev/null)" -ge "${PROBES:-1}" ] && break
		kill -0 $TRACER 2>/dev/null || break; sleep 0.1; done
}
stop_tracer() { kill -INT $TRACER 2>/dev/null; wait $TRACER; TRACER_RC=$?; }
# held WORKLOAD...: started now, runs once $TMP/go exists (its pid, W, is known before)
held() {
	rm -f "$TMP/go"
	bash -c 'while [ ! -e "$0" ]; do sleep 0.02; done; exec "$@"' "$TMP/go" "$@" &
	W=$!
	at_exit "kill $W"
}
go() { touch "$TMP/go"; wait $W; }
# held_renames N: python, once $TMP/go exists, N renames, each a task:task_rename inside
# prctl (started directly: an exec would be one more rename)
held_renames() {
	rm -f "$TMP/go"
	$PY "$PYDIR/trace_stack_renames.py" "$TMP/go" "$1" &
	W=$!
	at_exit "kill $W"
}

# held_getpgid N: python, once $TMP/go exists, N getpgid calls, then $TMP/done; it stays
# (its mappings symbolize its stacks when they are printed)
held_getpgid() {
	rm -f "$TMP/go" "$TMP/done"
	$PY "$PYDIR/trace_stack_getpgid.py" "$TMP/go" "$1" "$TMP/done" &
	W=$!
	at_exit "kill $W"
	touch_go() { touch "$TMP/go"; for _ in $(seq 600); do [ -e "$TMP/done" ] && break; sleep 0.1; done; }
}
# ufirst.py STACKS.json: each user stack's first frame is libc's getpgid (under any of its
# names), inside it by nm's symbol size, in the file the frame names
cp "$PYDIR/trace_stack_ufirst.py" "$TMP/ufirst.py"

# --- events with --stack: real frames, the system call's entry path ---------------------------
tracepoint_checks() {
for mode in tp_btf raw_tp; do
	held "$LOOP" $N
	start_tracer "$TMP/ev.json" --mode $mode -J --stack "tp:raw_syscalls:sys_enter(id == $NR, pid == $W)"
	go
	stop_tracer
	expect_eq "$mode: --stack: exit 0 after Ctrl-C" 0 $TRACER_RC
	check "$mode: --stack: JSON that parses" json_valid <"$TMP/ev.json"
	expect_eq "$mode: --stack: one event per getpgid call of the workload" "$N" \
		"$($PY -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["pid"] == int(sys.argv[2])))' "$TMP/ev.json" $W)"
	$PY -c 'import json,sys; [print(json.dumps(json.loads(l)["values"]["kstack"])) for l in open(sys.argv[1])]' \
		"$TMP/ev.json" >"$TMP/stacks" 2>/dev/null
	expect_eq "$mode: --stack: every frame a kallsyms text symbol, inside it; entry_SYSCALL_64* and do_syscall_64 in each" \
		ok "$(frames_ok "$TMP/stacks" 'entry_SYSCALL_64*' do_syscall_64)"
done

# the text form: the frames under 'kstack =', one a line, as the JSON has them
held "$LOOP" 3
start_tracer "$TMP/ev.txt" --stack "tp:raw_syscalls:sys_enter(id == $NR, pid == $W)"
go
stop_tracer
got=$(awk '/^    kstack =$/ { n++; s = 1; next } s && /^        / { sub(/^ +/, ""); printf "%s\"%s\"", (f++ ? "," : "["), $0; next }
	s { print "]"; s = 0; f = 0 } END { if (s) print "]" }' "$TMP/ev.txt")
expect_eq "text: three events with 'kstack =' and their frames below" 3 "$(grep -c '^    kstack =$' "$TMP/ev.txt")"
echo "$got" >"$TMP/stacks"
expect_eq "text: the frames are kallsyms symbols with the entry path" ok \
	"$(frames_ok "$TMP/stacks" 'entry_SYSCALL_64*' do_syscall_64)"

# a tracepoint fired inside the system call: the stack goes through the call's own function
if grep -qw __set_task_comm /proc/kallsyms && { [ -d /sys/kernel/tracing/events/task/task_rename ] ||
	[ -d /sys/kernel/debug/tracing/events/task/task_rename ]; }; then
	held_renames $N
	start_tracer "$TMP/ren.json" -J --stack "tp:task:task_rename(pid == $W)"
	go
	stop_tracer
	expect_eq "task_rename --stack: one event per prctl(PR_SET_NAME)" "$N" "$(grep -c . "$TMP/ren.json")"
	$PY -c 'import json,sys; [print(json.dumps(json.loads(l)["values"]["kstack"])) for l in open(sys.argv[1])]' \
		"$TMP/ren.json" >"$TMP/stacks" 2>/dev/null
	expect_eq "task_rename --stack: __set_task_comm called from prctl, from do_syscall_64" ok \
		"$(frames_ok "$TMP/stacks" __set_task_comm '__x64_sys_prctl|__do_sys_prctl' do_syscall_64 'entry_SYSCALL_64*')"

	# --- counts by kstack: they add up to the calls made --------------------------------------
	held_renames $N
	start_tracer "$TMP/agg.json" -J --agg 'count() BY kstack' "tp:task:task_rename(task->tgid == $W)"
	go
	stop_tracer
	expect_eq "count() BY kstack: exit 0" 0 $TRACER_RC
	check "count() BY kstack: JSON that parses" json_valid <"$TMP/agg.json"
	expect_eq "count() BY kstack: the counts add up to the $N renames" "$N" \
		"$($PY -c 'import json,sys; print(sum(e["value"] for e in json.load(open(sys.argv[1]))["aggregates"][0]["entries"]))' "$TMP/agg.json")"
	$PY -c 'import json,sys; [print(json.dumps(e["key"]["kstack"])) for e in json.load(open(sys.argv[1]))["aggregates"][0]["entries"]]' \
		"$TMP/agg.json" >"$TMP/stacks" 2>/dev/null
	expect_eq "count() BY kstack: each key a stack through prctl and __set_task_comm" ok \
		"$(frames_ok "$TMP/stacks" __set_task_comm '__x64_sys_prctl|__do_sys_prctl' do_syscall_64)"
else
	skip "task:task_rename or __set_task_comm not in this kernel"
fi

# --- user stacks: symbolized from the process's ELF files ---------------------------------------
if command -v nm >/dev/null; then
	held_getpgid $N
	start_tracer "$TMP/u.json" -J --ustack --stack "tp:raw_syscalls:sys_enter(id == $NR, pid == $W)"
	touch_go
	stop_tracer
	expect_eq "--ustack: one event per getpgid call" "$N" "$(grep -c . "$TMP/u.json")"
	$PY -c 'import json,sys; [print(json.dumps(json.loads(l)["values"]["ustack"])) for l in open(sys.argv[1])]' \
		"$TMP/u.json" >"$TMP/ustacks" 2>/dev/null
	expect_eq "--ustack: each stack starts in libc's getpgid (nm's address and size)" ok \
		"$($PY "$TMP/ufirst.py" "$TMP/ustacks")"
	$PY -c 'import json,sys; [print(json.dumps(json.loads(l)["values"]["kstack"])) for l in open(sys.argv[1])]' \
		"$TMP/u.json" >"$TMP/stacks" 2>/dev/null
	expect_eq "--ustack --stack: the kernel's stack too" ok "$(frames_ok "$TMP/stacks" do_syscall_64)"

	held_getpgid $N
	start_tracer "$TMP/uagg.json" -J --agg 'count BY ustack' "tp:raw_syscalls:sys_enter(id == $NR, pid == $W)"
	touch_go
	stop_tracer
	expect_eq "count BY ustack: the counts add up to the $N calls" "$N" \
		"$($PY -c 'import json,sys; print(sum(e["value"] for e in json.load(open(sys.argv[1]))["aggregates"][0]["entries"]))' "$TMP/uagg.json")"
	$PY -c 'import json,sys; [print(json.dumps(e["key"]["ustack"])) for e in json.load(open(sys.argv[1]))["aggregates"][0]["entries"]]' \
		"$TMP/uagg.json" >"$TMP/ustacks" 2>/dev/null
	expect_eq "count BY ustack: each key's stack starts in libc's getpgid" ok \
		"$($PY "$TMP/ufirst.py" "$TMP/ustacks")"
else
	skip "--ustack: no nm to check the symbols with"
fi

# text: bpftrace's layout, @count[PID,\n frames\n]: N; the workload's keys add up to N
for mode in tp_btf raw_tp; do
	held "$LOOP" $N
	start_tracer "$TMP/agg.txt" --mode $mode --agg 'count BY pid, stack' "tp:raw_syscalls:sys_enter(id == $NR)"
	go
	stop_tracer
	expect_eq "$mode: count BY pid, stack: the workload's stacks add up to its $N calls" "$N" \
		"$(awk -v w="@count[$W," '$0 == w { s = 1; next } s && /^\]: [0-9]+$/ { t += $2; s = 0 } END { print t + 0 }' "$TMP/agg.txt")"
	check "$mode: count BY pid, stack: no stack lost" test -z "$(grep -F '(stack lost)' "$TMP/agg.txt")"
	awk -v w="@count[$W," '$0 == w { s = 1; printf "["; f = 0; next } s && /^\]/ { print "]"; s = 0; next }
		s { sub(/^ +/, ""); printf "%s\"%s\"", (f++ ? "," : ""), $0 }' "$TMP/agg.txt" >"$TMP/stacks"
	expect_eq "$mode: count BY pid, stack: the keys' frames are kallsyms symbols" ok \
		"$(frames_ok "$TMP/stacks" 'entry_SYSCALL_64*' do_syscall_64)"
done

}
# tests/vm/trace_stack_vm.sh: only what the host cannot run (each start is slow under TCG)
[ "${TRACE_STACK_VM_ONLY:-0}" = 1 ] || tracepoint_checks

# --- functions: fentry, kprobe (where they work: the VM) ----------------------------------------
FUNC=__x64_sys_getpgid
for mode in fentry kprobe; do
	held "$LOOP" $N
	# a bare function (entry and return events) and one whose return is kept (stashed)
	PROBES=2 start_tracer "$TMP/fn.json" --mode $mode -J --stack "$FUNC(pid == $W)" \
		"$FUNC(return >= 0, pid == $W)"
	if [ "$(grep -c tracing "$TMP/tr.err")" != 2 ]; then
		wait $TRACER
		skip "$mode: $FUNC does not attach here: $(head -c 200 "$TMP/tr.err")"
		go
		continue
	fi
	go
	stop_tracer
	expect_eq "$mode: --stack on $FUNC: one entry, two returns per call" "$N $((2 * N))" \
		"$(grep -c '"event":"entry"' "$TMP/fn.json") $(grep -c '"event":"return"' "$TMP/fn.json")"
	$PY -c 'import json,sys; [print(json.dumps(json.loads(l)["values"]["kstack"])) for l in open(sys.argv[1])]' \
		"$TMP/fn.json" >"$TMP/stacks" 2>/dev/null
	expect_eq "$mode: --stack on $FUNC: kallsyms frames, called from do_syscall_64" ok \
		"$(frames_ok "$TMP/stacks" do_syscall_64 'entry_SYSCALL_64*')"
done

# --- kernel.kptr_restrict=2 hides addresses even from root: no frame printed, the reason said ---
if [ "${VM_GUEST:-0}" = 1 ]; then
	old=$(cat /proc/sys/kernel/kptr_restrict)
	echo 2 >/proc/sys/kernel/kptr_restrict
	at_exit "echo $old >/proc/sys/kernel/kptr_restrict"
	held "$LOOP" 5
	start_tracer "$TMP/hid.txt" --stack "tp:raw_syscalls:sys_enter(id == $NR, pid == $W)"
	go
	stop_tracer
	echo "$old" >/proc/sys/kernel/kptr_restrict
	expect_eq "kptr_restrict=2: each event says why it has no frames" 5 \
		"$(grep -c 'addresses hidden: /proc/kallsyms shows zeros, kernel.kptr_restrict' "$TMP/hid.txt")"
	check "kptr_restrict=2: no kernel address, no symbol printed" \
		test -z "$(grep -E 'ffffffff|0x[0-9a-f]|do_syscall_64' "$TMP/hid.txt")"
	check "kptr_restrict=2: said once on stderr" grep -q "kernel.kptr_restrict" "$TMP/tr.err"
else
	skip "kptr_restrict: changed only in the VM (a kernel of its own; run tests/vm/run.sh)"
fi
