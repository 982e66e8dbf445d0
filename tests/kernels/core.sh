#!/usr/bin/env bash
# The portable core, run on every kernel of the matrix (tests/kernels/run.sh): -o/-w on
# task, task_file, task_vma and tcp; sql (a listening socket's owner) and metrics
# --textfile; pin, cat, bpfdump cat, show and rm; a view mount; info; trace in every
# mode the kernel has (and one line naming what is missing for the others). Ground
# truth: a process the test starts (its /proc/PID/{status,fd,maps}, its listening socket
# as ss sees it) and the writes it makes.
source "$(dirname "$0")/../lib.sh"
TEST_NAME=core
ip link set lo up 2>/dev/null
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
LOCKDOWN=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown 2>/dev/null)

# The process under test: a listening TCP socket, an open file, a mapped file.
start_held || { fail "the test process did not start"; exit 1; }

# ---- -o/-w ------------------------------------------------------------------------------------
out=$($BPFDUMP dump task -n -o 'pid=task->tgid,tid=task->pid,comm=task->comm' -w "task->tgid == $HOLD" 2>&1)
expect_eq "task -o/-w: the process, as /proc/PID/status names it" \
	"$HOLD $HOLD $(sed -n 's/^Name:\t//p' /proc/$HOLD/status)" "$(xargs <<<"$out")"
want=$(ls /proc/$HOLD/fd | sort -n | awk '$1 >= 3' | xargs)
got=$($BPFDUMP dump task_file --pid $HOLD -n -o 'fd' -w 'fd >= 3' 2>&1 | sort -n | xargs)
expect_eq "task_file --pid -o fd -w 'fd >= 3' = /proc/PID/fd" "$want" "$got"
got=$($BPFDUMP dump task_file --pid $HOLD -n -o 'fd,path(file)' -w "fd >= 3" 2>&1 | awk -v f="$TMP/held" '$2 == f { print $1 }')
want=$(for fd in /proc/$HOLD/fd/*; do [ "$(readlink "$fd")" = "$TMP/held" ] && basename "$fd"; done | sort -n | xargs)
expect_eq "task_file path(file): the held file's fds" "$want" "$(xargs <<<"$got")"
# (the vsyscall page is in maps but is no vma)
want=$(awk '$2 ~ /x/ && $6 != "[vsyscall]" { split($1, a, "-"); print a[1] }' /proc/$HOLD/maps |
	sed 's/^0*//' | sort | xargs)
got=$($BPFDUMP dump task_vma --pid $HOLD -n -o 'start=hex(vma->vm_start)' -w 'vma->vm_flags & VM_EXEC' 2>&1 |
	awk '{ print $1 }' | sed 's/^0x//; s/^0*//' | sort | xargs)
expect_eq "task_vma -w 'vm_flags & VM_EXEC' = the x mappings of /proc/PID/maps" "$want" "$got"
got=$($BPFDUMP dump tcp -n -o 'state=tcpstate(sk_common->skc_state),lport=sk_common->skc_num' \
	-w "sk_common->skc_num == $PORT" 2>&1 | xargs)
want=$(ss -Htln "sport = :$PORT" 2>/dev/null | awk '{ print $1 }' | head -1)
expect_eq "tcp -w 'skc_num == PORT': the listener ss shows ($want)" "LISTEN $PORT" "$got"

# ---- sql, its socket owners, metrics ------------------------------------------------------------
want=$(ls /proc/$HOLD/fd | awk '$1 >= 3' | wc -l)
got=$($BPFDUMP sql -r -n "SELECT count(*) FROM task_file WHERE pid = $HOLD AND fd >= 3" 2>&1)
expect_eq "sql: the process's fds >= 3, as /proc/PID/fd" "$want" "$got"
got=$($BPFDUMP sql -r -n "SELECT pid, state FROM listening WHERE lport = $PORT" 2>&1 | xargs)
expect_eq "sql: listening names the process holding the port (as ss -tlnp)" "$HOLD LISTEN" "$got"
printf '[held_fds]\nhelp  = the test process'"'"'s open files\ntype  = gauge\nquery = SELECT count(*) AS value FROM task_file WHERE pid = %s\n' \
	"$HOLD" >"$TMP/metrics.conf"
mkdir -p "$TMP/textfile"
if $BPFDUMP metrics --config "$TMP/metrics.conf" --textfile "$TMP/textfile" 2>"$TMP/metrics.err"; then
	expect_eq "metrics --textfile: the process's fds, as /proc/PID/fd" \
		"bpfdump_held_fds $(ls /proc/$HOLD/fd | wc -l)" \
		"$(grep '^bpfdump_held_fds' "$TMP/textfile/bpfdump.prom")"
else
	fail "metrics --textfile: $(head -c 300 "$TMP/metrics.err")"
fi

# ---- pins ---------------------------------------------------------------------------------------
P=/sys/fs/bpf/bdcore-$$
at_exit "rm -rf $P"
if $BPFDUMP pin task_file "$P/files" --pid $HOLD -o 'fd' --mode 0444 2>"$TMP/pin.err"; then
	ok "pin task_file --pid"
	want=$(ls /proc/$HOLD/fd | sort -n | xargs)
	expect_eq "cat of the pin = /proc/PID/fd" "$want" "$(tail -n +2 "$P/files" | sort -n | xargs)"
	expect_eq "bpfdump cat of the pin = /proc/PID/fd" "$want" \
		"$($BPFDUMP cat "$P/files" -n 2>&1 | sort -n | xargs)"
	got=$($BPFDUMP show -J "$P" 2>&1 | $PY "$PYDIR/core_show.py")
	expect_eq "show lists it with its target and pid" "task_file:pid=$HOLD" "$got"
	check "rm removes it and its twins" sh -c "'$BPFDUMP' rm '$P/files' && [ -z \"\$(ls '$P')\" ]"
else
	fail "pin task_file --pid: $(cat "$TMP/pin.err")"
fi

# ---- a view mount ----------------------------------------------------------------------------
[ -c /dev/fuse ] || modprobe fuse 2>/dev/null
if [ -c /dev/fuse ]; then
	M=$TMP/mnt
	mkdir -p "$M"
	"$BPFDUMP" view mount "$M" -f --config "$TMP/views.conf" 2>"$TMP/view.err" &
	VD=$!
	at_exit "umount -l $M; kill $VD"
	for _ in $(seq 300); do mountpoint -q "$M" && break; sleep 0.1; done
	if mountpoint -q "$M"; then
		check "view: tcp/_default lists the listener" grep -q " $PORT " "$M/tcp/_default"
		got=$(awk -v p=$HOLD '$1 == p { print $1 }' "$M/task/_default" | head -1)
		expect_eq "view: task/_default lists the process" "$HOLD" "$got"
		umount "$M"
	else
		fail "view mount: $(head -c 300 "$TMP/view.err")"
	fi
else
	skip "view: no /dev/fuse"
fi

# ---- info ---------------------------------------------------------------------------------------
got=$($BPFDUMP info vfs_write 2>&1)
check "info vfs_write: its signature from BTF ($got)" grep -q "vfs_write(struct file \*file, const char \*buf, size_t count, loff_t \*pos)" <<<"$got"

# ---- trace in every mode ------------------------------------------------------------------------
# The workload writes 77 bytes three times and 5 bytes once, once the tracer is attached.
features=$($BPFDUMP --version 2>&1)
trace_mode() { # MODE SPEC FIELD: exactly the three 77-byte writes of the workload
	local mode=$1 spec=$2 field=$3 tr w
	rm -f "$TMP/go" "$TMP/ev.json" "$TMP/ev.err"
	$PY "$PYDIR/core_writes.py" "$TMP/go" &
	w=$!
	timeout 120 "$BPFDUMP" trace --mode "$mode" -J -d 60 -p $w "$spec" >"$TMP/ev.json" 2>"$TMP/ev.err" &
	tr=$!
	for _ in $(seq 1200); do grep -q "tracing" "$TMP/ev.err" 2>/dev/null && break
		kill -0 $tr 2>/dev/null || break; sleep 0.1; done
	touch "$TMP/go"
	wait $w
	sleep 0.5
	kill -INT $tr 2>/dev/null
	wait $tr
	got=$($PY "$PYDIR/core_trace_values.py" "$TMP/ev.json" "$field" 2>&1)
	expect_eq "trace --mode $mode: the workload's three 77-byte writes" "77 77 77" "$got"
	[ "$got" = "77 77 77" ] || echo "# $(head -c 300 "$TMP/ev.err")"
}
if grep -q '^  fentry: yes' <<<"$features"; then
	trace_mode fentry 'vfs_write(count == 77, count)' count
else
	bad_input "trace --mode fentry where this kernel has none" "fentry" \
		timeout 60 "$BPFDUMP" trace --mode fentry -d 1 vfs_write
fi
if grep -q '^  kprobes: yes' <<<"$features"; then
	trace_mode kprobe 'vfs_write(count == 77, count)' count
else
	bad_input "trace --mode kprobe where this kernel has none" "kprobe" \
		timeout 60 "$BPFDUMP" trace --mode kprobe -d 1 vfs_write
fi
trace_mode tp_btf 'tp:raw_syscalls:sys_enter(id == 1, regs->dx == 77, regs->dx)' 'regs->dx'
trace_mode raw_tp 'tp:raw_syscalls:sys_enter(id == 1, regs->dx == 77, regs->dx)' 'regs->dx'
if [ "$LOCKDOWN" = confidentiality ]; then
	bad_input "trace --mode tracepoint under lockdown=confidentiality" "lockdown" \
		timeout 60 "$BPFDUMP" trace --mode tracepoint -d 1 'tp:syscalls:sys_enter_write'
else
	trace_mode tracepoint 'tp:syscalls:sys_enter_write(count == 77, count)' count
fi
