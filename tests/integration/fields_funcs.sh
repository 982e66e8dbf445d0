#!/usr/bin/env bash
# The field language's cast() and task functions against the kernel's own account: a
# process the test starts holds a listener, an accepted connection and a TIME_WAIT socket;
# /proc/net/tcp, /proc/PID/fd, /proc/PID/status, /proc/PID/exe and /proc/PID/cmdline
# are the ground truth.
source "$(dirname "$0")/../lib.sh"

# bd ARGS...: bpfdump, bounded; stderr to $TMP/bd.err
bd() { timeout 60 "$BPFDUMP" "$@" 2>"$TMP/bd.err"; }


PY=/usr/bin/python3
[ -x $PY ] || PY=python3
# A listener with one accepted connection, and a connection the helper closed first (its
# client end waits in TIME_WAIT); anonymous memory touched so VmRSS is well above 0.
cp "$PYDIR/fields_funcs_helper.py" "$TMP/helper.py"
$PY "$TMP/helper.py" "$TMP" "an argument with spaces" "" x </dev/null >/dev/null 2>&1 &
P=$!
at_exit "kill $P"
if ! wait_file "$TMP/ports"; then
	fail "helper process did not start"
	exit 1
fi
read -r LPORT CPORT TWPORT <"$TMP/ports"

# ---- cast() ----
# socket:[INODE] of each fd of the helper, from /proc/PID/fd
declare -A fd_ino
for f in /proc/$P/fd/*; do
	l=$(readlink "$f")
	case $l in socket:\[*\]) fd_ino[${f##*/}]=${l//[^0-9]/} ;; esac
done
want=""
for fd in $(printf '%s\n' "${!fd_ino[@]}" | sort -n); do want+="$fd ${fd_ino[$fd]}"$'\n'; done
got=$(bd dump task_file --pid $P -r -n -o 'fd,i=file->f_inode->i_ino' \
	-w '(file->f_inode->i_mode & 0170000) == 0140000' | awk '{ print $1, $2 }')
expect_eq "task_file: the socket fds and inodes of /proc/PID/fd" "${want%$'\n'}" "$got"

# the local ports of the helper's TCP sockets through file->private_data (a void *)
want=$(ss -tanpH 2>/dev/null | awk -v p="pid=$P," '$0 ~ p { n = split($4, a, ":"); print a[n] }' |
	sort -n | tr '\n' ' ')
got=$(bd dump task_file --pid $P -r -n \
	-o 'fd,port=cast(file->private_data, struct socket)->sk->__sk_common.skc_num' \
	-w '(file->f_inode->i_mode & 0170000) == 0140000' | awk '{ print $2 }' | sort -n |
	tr '\n' ' ')
if [ -z "$want" ]; then
	skip "cast(file->private_data, struct socket): ss -p shows no sockets"
else
	expect_eq "cast(file->private_data, struct socket)->sk: local ports as ss -tanp shows" \
		"$want" "$got"
fi

# sock_common to struct sock to socket_alloc: the inode /proc/net/tcp shows, 0 in TIME_WAIT
# (no struct sock behind it: the cast reads nothing there)
tcp_truth() { # the helper's ports: "lport rport inode" of /proc/net/tcp
	$PY "$PYDIR/fields_funcs_tcp_truth.py" "$LPORT" "$CPORT" "$TWPORT" | sort
}
# the helper's sockets by their two ports: an ephemeral port may be another connection's too
MINE="(lport == $LPORT && (rport == 0 || rport == $CPORT || rport == $TWPORT)) || ((lport == $CPORT || lport == $TWPORT) && rport == $LPORT)"
want=$(tcp_truth)
got=$(bd dump tcp -r -n -o 'lport,rport,i=cast(cast(sk_common, struct sock)->sk_socket, struct socket_alloc)->vfs_inode.i_ino' \
	-w "$MINE" | sort)
expect_eq "tcp: cast(sk_common, struct sock) to the socket inode, as /proc/net/tcp (TIME_WAIT 0)" \
	"$want" "$got"
tw_ino=$(echo "$got" | awk -v c="$TWPORT" '$1 == c { print $3 }')
tw_state=$(bd dump tcp -r -n -o state -w "lport == $TWPORT && rport == $LPORT")
expect_eq "tcp: the TIME_WAIT socket is there, its cast inode 0" "TIME-WAIT 0" "$tw_state $tw_ino"
# the same port through the cast: a full socket's own, TIME_WAIT's 0 (read through, it is the port)
got=$(bd dump tcp -r -n -o 'lport,n=cast(sk_common, struct sock)->__sk_common.skc_num' \
	-w "$MINE" | sort -u | tr '\n' ' ')
want=$(printf '%s\n' "$LPORT $LPORT" "$LPORT $LPORT" "$CPORT $CPORT" "$TWPORT 0" | sort -u | tr '\n' ' ')
expect_eq "tcp: cast(sk_common, struct sock) reads full sockets only" "$want" "$got"

bad_input "cast to an unknown struct names the nearest" "no struct 'sockt' in this kernel's BTF; nearest: sock" \
	"$BPFDUMP" dump tcp -o 'x=cast(sk_common, struct sockt)->sk_socket'
bad_input "cast of a non-pointer" "cast() needs a pointer, but the value is" \
	"$BPFDUMP" dump task -o 'x=cast(task->pid, struct sock)->sk_socket'

# ---- rss(task), exe(task) ----
# VmRSS of the helper (asleep, its memory touched) read before and after: rss() between
vmrss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
before=$(vmrss $P)
got=$(bd dump task -r -n -o 'rss=rss(task)' -w "task->pid == $P")
after=$(vmrss $P)
if [ -n "$got" ] && [ "$got" -ge "$(( before < after ? before : after ))" ] &&
   [ "$got" -le "$(( before > after ? before : after ))" ]; then
	ok "rss(task): /proc/PID/status VmRSS ($got kB; /proc: $before, $after)"
else
	fail "rss(task): '$got' kB, /proc/PID/status VmRSS $before then $after"
fi
# the counters' bare counts (what -o read before rss()): short of VmRSS by the per-CPU parts
bare=$(bd dump task -r -n -o 'a=task->mm->rss_stat[MM_FILEPAGES].count,b=task->mm->rss_stat[MM_ANONPAGES].count,c=task->mm->rss_stat[MM_SHMEMPAGES].count' \
	-w "task->pid == $P" | awk -v k=$(($(getconf PAGESIZE) / 1024)) '{ print ($1 + $2 + $3) * k }')
check "rss(task) counts the 8 MiB the helper touched ($got kB; the bare counts: ${bare:-?} kB)" \
	[ "${got:-0}" -gt 8192 ]
got=$(bd dump task -r -n -o pid -w "task->pid == $P && rss(task) > $((before / 2))")
expect_eq "rss(task) in a predicate (-w 'rss(task) > N')" "$P" "$got"
got=$(bd sql -r -n "SELECT \"rss(task)\" > 8192 FROM task WHERE tid = $P")
expect_eq "rss(task) as an SQL column" 1 "$got"
# a kernel thread (no mm): 0 and no name, as /proc shows (VmRSS absent, exe unreadable)
kt=$(bd dump task -r -n -o tid -w 'task->mm == 0' | head -1)
if [ -n "$kt" ] && [ -e "/proc/$kt/status" ] && ! grep -q '^VmRSS' "/proc/$kt/status"; then
	got=$(bd dump task -J -o 'rss=rss(task),exe=exe(task)' -w "task->pid == $kt")
	expect_eq "rss(task) and exe(task) of a kernel thread ($(cat /proc/$kt/comm)): 0 and empty" \
		'{"rss":0,"exe":""}' "$got"
else
	skip "kernel thread: none visible in /proc without VmRSS"
fi

want=$(readlink /proc/$P/exe)
got=$(bd dump task -r -n -o 'exe=exe(task)' -w "task->pid == $P")
expect_eq "exe(task): readlink /proc/PID/exe" "$want" "$got"
got=$(bd dump task_file --pid $P -r -n -o 'exe=exe(task)' | sort -u)
expect_eq "exe(task) in task_file rows" "$want" "$got"
want=$(readlink /proc/$$/exe)
got=$(bd sql -r -n "SELECT \"exe(task)\" FROM task WHERE tid = $$")
expect_eq "exe(task) as an SQL column (the test's shell)" "$want" "$got"

# ---- cmdline(task) ----
# ps -o args's form of /proc/PID/cmdline: NULs between arguments as spaces, the last dropped
proc_args() { $PY "$PYDIR/fields_funcs_proc_args.py" "$1"; }
want=$(proc_args $P)
got=$(bd dump task -J -o 'c=cmdline(task)' -w "task->pid == $P" |
	$PY -c 'import json, sys; print(json.loads(sys.stdin.readline())["c"])')
expect_eq "cmdline(task): /proc/PID/cmdline with spaces (an empty argument, spaces inside one)" \
	"$want" "$got"
expect_eq "cmdline(task): what ps -o args shows" "$(ps -o args= -p $P)" "$got"
# an argv longer than the slot: its first 4095 bytes
long=$(printf 'a%.0s' $(seq 5000))
$PY -c 'import time; time.sleep(600)' "$long" </dev/null >/dev/null 2>&1 &
LP=$!
at_exit "kill $LP"
for _ in $(seq 100); do [ "$(wc -c </proc/$LP/cmdline)" -gt 5000 ] && break; sleep 0.1; done
want=$(proc_args $LP)
got=$(bd dump task -J -o 'c=cmdline(task)' -w "task->pid == $LP" |
	$PY -c 'import json, sys; print(json.loads(sys.stdin.readline())["c"])')
expect_eq "cmdline(task) of a 5000-byte argv: its first 4095 bytes (${#got})" "$want" "$got"
got=$(bd sql -J "SELECT \"cmdline(task)\" AS args FROM task WHERE tid = $P" |
	$PY -c 'import json, sys; print(json.loads(sys.stdin.readline())["args"])')
expect_eq "cmdline(task) as an SQL column" "$(proc_args $P)" "$got"
got=$(bd dump task_file --pid $P -J -o 'c=cmdline(task)' |
	$PY -c 'import json, sys; print(*sorted({json.loads(l)["c"] for l in sys.stdin}))')
expect_eq "cmdline(task) in task_file rows" "$(proc_args $P)" "$got"
if [ -n "$kt" ]; then
	got=$(bd dump task -J -o 'c=cmdline(task)' -w "task->pid == $kt")
	expect_eq "cmdline(task) of a kernel thread: empty, as /proc/PID/cmdline" \
		"{\"c\":\"$(cat /proc/$kt/cmdline)\"}" "$got"
fi
bad_input "cmdline() of another task than the iterator's" "cmdline() needs the task of a task iterator's context" \
	"$BPFDUMP" dump task -o 'x=cmdline(task->real_parent)'

bad_input "rss() of a non-task names the type" "rss() needs a struct task_struct *, not struct mm_struct *" \
	"$BPFDUMP" dump task -o 'x=rss(task->mm)'
bad_input "exe() of a non-task names the type" "exe() needs a struct task_struct *, not struct file *" \
	"$BPFDUMP" dump task_file -o 'x=exe(file)'
