#!/usr/bin/env bash
# info and trace on this host: tracepoints (tp_btf, raw_tp) with values the test
# drives; fentry/kprobe errors as this kernel gives them. (fentry/kprobe tracing
# itself is tested in the VM: tests/vm/trace_vm.sh.)
source "$(dirname "$0")/../lib.sh"

out=$($BPFDUMP info ip_send_skb)
expect_eq "info ip_send_skb" "int ip_send_skb(struct net *net, struct sk_buff *skb);" "$out"
out=$($BPFDUMP info tp:sched:sched_switch)
expect_eq "info of a tracepoint: typed, named arguments" \
	"tp:sched:sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state);" "$out"
$BPFDUMP info -J vfs_read >"$TMP/info.json"
/usr/bin/python3 "$PYDIR/trace_info_json.py" "$TMP/info.json"
bad_input "info: unknown function suggests close names" "nearest: vfs_read" $BPFDUMP info vfs_reed
bad_input "info: unknown tracepoint" "not in BTF" $BPFDUMP info tp:sched:nosuch

# start_trace ARGS...: bpfdump trace -J in the background, attached when it says so
start_trace() {
	rm -f "$TMP/ev.json" "$TMP/ev.err" "$TMP/go"
	timeout 60 "$BPFDUMP" trace -J -d 30 "$@" >"$TMP/ev.json" 2>"$TMP/ev.err" &
	TRACER=$!
	for _ in $(seq 200); do grep -q "tracing" "$TMP/ev.err" 2>/dev/null && break
		kill -0 $TRACER 2>/dev/null || break; sleep 0.05; done
	touch "$TMP/go"
}
stop_trace() { sleep 0.3; kill -INT $TRACER 2>/dev/null; wait $TRACER; rm -f "$TMP/go"; }

for mode in tp_btf raw_tp; do
	# an exec the test makes: its pid and file name; the predicate drops others
	start_trace --mode $mode 'tp:sched:sched_process_exec(p->comm == "true", p->pid, bprm->filename)'
	check "$mode: says which mode it attached with" grep -q "with $mode" "$TMP/ev.err"
	/bin/true & T1=$!; wait $T1
	/bin/ls / >/dev/null
	/bin/true & T2=$!; wait $T2
	stop_trace
	/usr/bin/python3 "$PYDIR/trace_exec_events.py" "$TMP/ev.json" $T1 $T2 $mode
done

# raw syscalls: the writes of 77 bytes of a process the test runs, with their fd
/usr/bin/python3 "$PYDIR/trace_writer.py" "$TMP/w.txt" "$TMP/go" >"$TMP/fd.txt" &
W=$!
start_trace -p $W 'tp:raw_syscalls:sys_enter(id == 1, regs->dx == 77, regs->di, regs->dx)'
wait $W
stop_trace
/usr/bin/python3 "$PYDIR/trace_regs.py" "$TMP/ev.json" "$(cat "$TMP/fd.txt")" $W

# tracefs not mounted (machines without systemd): bpfdump mounts it, as it does bpffs
if mountpoint -q /sys/kernel/tracing && umount /sys/kernel/tracing 2>/dev/null; then
	at_exit "mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing"
fi
if ! mountpoint -q /sys/kernel/tracing && ! [ -r /sys/kernel/debug/tracing/trace ]; then
	out=$($BPFDUMP -v info tp:syscalls:sys_enter_openat 2>&1)
	check "tracefs missing: info of a syscall tracepoint mounts it and answers" \
		bash -c 'mountpoint -q /sys/kernel/tracing && grep -q "^tp:syscalls:sys_enter_openat(" <<<"$1" &&
			grep -q "mounted tracefs at /sys/kernel/tracing" <<<"$1"' sh "$out"
else
	skip "tracefs is mounted and busy here: its mounting is not tested"
fi

# syscall tracepoints: no BTF type; fields from tracefs's format, typed from BTF
fmt=/sys/kernel/tracing/events/syscalls/sys_enter_openat/format
[ -r $fmt ] || fmt=/sys/kernel/debug/tracing/events/syscalls/sys_enter_openat/format
if [ ! -r $fmt ]; then
	skip "syscall tracepoints: no tracefs (events/syscalls/sys_enter_openat/format)"
else
	# info: the format's fields, in order, minus the common header and __syscall_nr
	want=$(sed -n 's/^\tfield:\(.*\);\toffset.*/\1/p' $fmt | grep -v -e common_ -e __syscall_nr |
		sed 's/ \*/*/g; s/\* /*/g; s/  */ /g' | paste -sd, | sed 's/,/, /g')
	got=$($BPFDUMP info tp:syscalls:sys_enter_openat | sed 's/^[^(]*(//; s/);$//; s/ \*/*/g; s/\* /*/g')
	expect_eq "info tp:syscalls:sys_enter_openat: the fields of its tracefs format" "$want" "$got"
	# every syscall tracepoint: info -J names the format's fields, in order
	/usr/bin/python3 "$PYDIR/trace_syscall_fields.py" "$BPFDUMP" "$(dirname "$fmt")/.."
	# the opens the test makes (flags O_RDONLY|O_NOFOLLOW|O_CLOEXEC, from AT_FDCWD) and the
	# failing one's return, from a process the test runs
	/usr/bin/python3 "$PYDIR/trace_opener.py" "$TMP/go" >"$TMP/tp.txt" &
	W=$!
	start_trace -p $W 'tp:syscalls:sys_enter_openat(ustr(filename) == "/etc/hostname", ustr(filename), flags, dfd)' \
		'tp:syscalls:sys_exit_openat(ret < 0, ret)'
	wait $W
	stop_trace
	check "syscall tracepoints: say they attached as perf tracepoints" grep -q "with tracepoint" "$TMP/ev.err"
	/usr/bin/python3 "$PYDIR/trace_syscall_tp.py" "$TMP/ev.json" "$TMP/tp.txt" $W
	bad_input "unknown syscall tracepoint names BTF and tracefs" "nor in tracefs (no events/syscalls/sys_enter_nosuch)" \
		$BPFDUMP trace 'tp:syscalls:sys_enter_nosuch'
	bad_input "a tracepoint group that is a path reads no file" "nor in tracefs" \
		$BPFDUMP info 'tp:../syscalls:sys_enter_openat'
	bad_input "--mode tp_btf on a tracepoint without BTF" "applies to tracepoints with a BTF type" \
		$BPFDUMP trace --mode tp_btf 'tp:syscalls:sys_enter_openat'
	bad_input "--mode tracepoint on a BTF tracepoint" "applies to tracepoints without a BTF type" \
		$BPFDUMP trace --mode tracepoint 'tp:sched:sched_switch'
	bad_input "a syscall tracepoint has no return: its fields are listed" "no field 'return'; its fields: dfd, filename, flags, mode" \
		$BPFDUMP trace 'tp:syscalls:sys_enter_openat(return)'
fi

# -c stops after COUNT events; text output has name = value lines
timeout 30 $BPFDUMP trace -c 3 'tp:sched:sched_switch(prev->pid, next->comm)' >"$TMP/c.txt" 2>/dev/null &
C=$!
wait $C; rc=$?
expect_eq "-c 3 stops by itself" 0 $rc
expect_eq "-c 3: three events" 3 "$(grep -c ' tp:sched:sched_switch hit$' "$TMP/c.txt")"
check "text events print 'name = value'" grep -q '^    next->comm = ' "$TMP/c.txt"
start=$(date +%s)
timeout 30 $BPFDUMP trace -d 1 'tp:sched:sched_switch(prev->pid == 0, prev->pid == 1)' >/dev/null 2>&1
expect_eq "-d 1 stops by itself (exit 0)" 0 $?
check "-d 1 took less than 10 s" [ $(( $(date +%s) - start )) -lt 10 ]

# bad input: one line, non-zero exit, nothing attached (the suite checks links)
bad_input "unknown function" "not in kernel BTF" $BPFDUMP trace nosuch_function_x
bad_input "bad member names the struct" "struct task_struct has no member 'nosuch'" $BPFDUMP trace 'tp:sched:sched_switch(prev->nosuch)'
bad_input "predicate on a struct value" "cannot compare struct sched_entity" $BPFDUMP trace 'tp:sched:sched_switch(prev->se == 1)'
bad_input "a tracepoint has no return" "no field 'return'" $BPFDUMP trace 'tp:sched:sched_switch(return != 0)'
bad_input "--mode kprobe on a tracepoint" "applies to functions" $BPFDUMP trace --mode kprobe 'tp:sched:sched_switch'
bad_input "syntax error" "expected" $BPFDUMP trace 'vfs_read(count ==)'
if [ -e /sys/bus/event_source/devices/kprobe ]; then
	skip "this kernel has kprobes: the no-kprobe message is tested elsewhere"
else
	bad_input "fentry and kprobes missing here: both reasons" "kprobe/kretprobe: this kernel has no kprobes" $BPFDUMP trace vfs_read
	bad_input "--mode kprobe without kprobes says what is missing" "CONFIG_KPROBES" $BPFDUMP trace --mode kprobe vfs_read
fi
if id nobody >/dev/null 2>&1; then
	# the checkout may be private (a home directory is 0700): nobody runs a copy
	NB=$BPFDUMP
	if ! su -s /bin/sh nobody -c "test -x '$NB'"; then
		chmod 0711 "$TMP"
		install -m 0755 "$BPFDUMP" "$TMP/bpfdump-nobody"
		NB=$TMP/bpfdump-nobody
	fi
	bad_input "no privilege" "needs root" su -s /bin/sh nobody -c "$NB trace tp:sched:sched_switch"
fi
