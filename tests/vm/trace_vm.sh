#!/usr/bin/env bash
# bpfdump trace with fentry/fexit and kprobe/kretprobe, in the VM: values the
# test itself drives (write sizes, failing opens, UDP datagram lengths, stat calls
# into a module's function).
source "$(dirname "$0")/../lib.sh"
TEST_NAME=trace-vm
ip link set lo up 2>/dev/null
# the distribution's interpreter: a pyenv shim on PATH starts slowly under TCG
PY=/usr/bin/python3
[ -x $PY ] || PY=python3

# start_trace MODE ARGS...: bpfdump trace in the background, JSON into $TMP/ev.json
start_trace() {
	local mode=$1
	shift
	rm -f "$TMP/ev.json" "$TMP/ev.err" "$TMP/go"
	timeout 120 "$BPFDUMP" trace --mode "$mode" -J -d 60 "$@" >"$TMP/ev.json" 2>"$TMP/ev.err" &
	TRACER=$!
	# attached when it says so on stderr (a loaded TCG guest may take a while)
	for _ in $(seq 1200); do grep -q "tracing" "$TMP/ev.err" 2>/dev/null && break
		kill -0 $TRACER 2>/dev/null || break; sleep 0.1; done
	touch "$TMP/go"
}
stop_trace() { sleep 0.5; kill -INT $TRACER 2>/dev/null; wait $TRACER 2>/dev/null; rm -f "$TMP/go"; }

# run_traced MODE SPEC NAME [ARGS]: the workload trace_vm_NAME.py runs once the tracer (-p of
# it) is attached; its stdout goes to $TMP/wl.out, its arguments are sys.argv[2:]
run_traced() {
	local mode=$1 spec=$2 name=$3
	shift 3
	$PY "$PYDIR/trace_vm_$name.py" "$TMP/go" "$@" >"$TMP/wl.out" &
	W=$!
	start_trace "$mode" -p $W "$spec"
	wait $W
	stop_trace
	grep -q "tracing" "$TMP/ev.err" || fail "$mode: $spec: did not attach: $(head -c 300 "$TMP/ev.err")"
}

# verdict MODE NAME: trace_vm_NAME_check.py's checks over ev (the events), out (the
# workload's stdout), pid (the workload's); res(NAME, OK, WHY) prints the result line
verdict() {
	/usr/bin/python3 "$PYDIR/trace_vm_$2_check.py" "$TMP/ev.json" "$1" "$TMP/wl.out" "$W"
}

mkdir -p /var/tmp/bdvm && touch /var/tmp/bdvm/bdmod-probe	# on the guest's overlay root
for mode in fentry kprobe; do
	# 1. ksys_write(count == N, fd): exactly the writes of N bytes, with their fd
	run_traced $mode 'ksys_write(count == 77, fd, count)' write "$TMP/out.txt"
	verdict $mode write

	# 2. stash on entry, emit on return only when it failed
	run_traced $mode 'do_sys_openat2(dfd, ustr(filename), return < 0)' openat
	verdict $mode openat

	# 3. ip_send_skb(skb->len == L): one UDP datagram of 100 bytes = 128 with headers
	run_traced $mode 'ip_send_skb(skb->len == 128, skb->len, skb)' skb
	verdict $mode skb

	# 4. a module function (overlay, the guest's root fs), typed by the module's BTF:
	#    stat() of one file 3 times, of another twice; predicate on a vmlinux struct behind it
	run_traced $mode 'ovl_getattr(path->dentry->d_iname == "bdmod-probe", request_mask, path(path), return)' ovl
	verdict $mode ovl

	# 5. path(file), walked in the program: from the traced task's root, as d_path
	#    (and /proc/PID/fd) gives it; the workload reads, then chroots to /var/tmp and reads
	run_traced $mode 'vfs_read(count == 4321, path(file))' chroot
	verdict $mode chroot
done
# 6. missed kretprobes (more sleepers than kretprobe instances) leave stash slots behind;
#    they are dropped by stack position, so every later solo call still pairs up
run_traced kprobe 'hrtimer_nanosleep(rqtp < 100000, rqtp, return)' kretprobe
verdict kprobe kretprobe
check "missed kretprobes: no stash overflow reported ($(grep -i lost "$TMP/ev.err"))" \
	sh -c "! grep -qi lost '$TMP/ev.err'"

check "info on a module function names its module" sh -c \
	"$BPFDUMP info ovl_getattr | grep -q 'int ovl_getattr(.*/\\* module overlay \\*/'"

# 7. bare function: entry with every argument, then the return value. The workload reads
#    /etc/hostname three times with a count of its own; only those calls are judged (an
#    interpreter still starting up may be inside other reads when the links attach)
run_traced fentry ksys_read read
verdict bare read
links=$("$HELPERS/bpf_ids" | cut -d' ' -f3)
expect_eq "no links left after the traces" 0 "$links"
