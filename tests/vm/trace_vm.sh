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

# run_traced MODE SPEC PYTHON-BODY [ARGS]: the body runs once the tracer (-p of it) is
# attached; its stdout goes to $TMP/wl.out, its arguments are sys.argv[2:]
run_traced() {
	local mode=$1 spec=$2 body=$3
	shift 3
	$PY -c "import os, socket, sys, time
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]
$body" "$TMP/go" "$@" >"$TMP/wl.out" &
	W=$!
	start_trace "$mode" -p $W "$spec"
	wait $W
	stop_trace
	grep -q "tracing" "$TMP/ev.err" || fail "$mode: $spec: did not attach: $(head -c 300 "$TMP/ev.err")"
}

# verdict MODE CHECKS: python checks over ev (the events), out (the workload's stdout),
# pid (the workload's); res(NAME, OK, WHY) prints the result line
verdict() {
	python3 - "$TMP/ev.json" "$1" "$TMP/wl.out" "$W" <<PY
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mode, out, pid = sys.argv[2], open(sys.argv[3]).read(), int(sys.argv[4])
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace-vm: %s: %s" % (mode, n) + ("" if ok else ": " + str(why)[:300]))
$2
PY
}

mkdir -p /var/tmp/bdvm && touch /var/tmp/bdvm/bdmod-probe	# on the guest's overlay root
for mode in fentry kprobe; do
	# 1. ksys_write(count == N, fd): exactly the writes of N bytes, with their fd
	run_traced $mode 'ksys_write(count == 77, fd, count)' '
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT)
for n in (77, 5, 77, 9): os.write(fd, b"x" * n)
print(fd)' "$TMP/out.txt"
	verdict $mode '
res("ksys_write(count == 77): exactly the two 77-byte writes", len(ev) == 2, ev)
res("events show fd and count the test used", all(e["values"]["fd"] == int(out) and e["values"]["count"] == 77 and e["pid"] == pid for e in ev), ev)
res("JSON events have comm, cpu, time", all("comm" in e and "cpu" in e and e["time_ns"] > 0 for e in ev))'

	# 2. stash on entry, emit on return only when it failed
	run_traced $mode 'do_sys_openat2(dfd, ustr(filename), return < 0)' '
open("/etc/hostname").close()
try: open("/nonexistent-bpfdump-vm")
except OSError: pass
open("/etc/hostname").close()'
	verdict $mode '
mine = [e for e in ev if e["values"].get("ustr(filename)") == "/nonexistent-bpfdump-vm"]
res("stash mode: the failing open appears once, with its file name", len(mine) == 1, ev)
res("stash mode: return = -2 (ENOENT), event at return", mine and mine[0]["values"].get("return") == -2 and mine[0]["event"] == "return", mine)
res("stash mode: no successful open is emitted (%d events)" % len(ev), all(e["values"].get("return", 0) < 0 for e in ev) and not any(e["values"].get("ustr(filename)") == "/etc/hostname" for e in ev), ev)'

	# 3. ip_send_skb(skb->len == L): one UDP datagram of 100 bytes = 128 with headers
	run_traced $mode 'ip_send_skb(skb->len == 128, skb->len, skb)' '
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for n in (100, 50, 100): s.sendto(b"y" * n, ("127.0.0.1", 9))'
	verdict $mode '
res("ip_send_skb(skb->len == 128): the two 100-byte datagrams", len(ev) == 2 and all(e["values"]["skb->len"] == 128 for e in ev), ev)
res("skb pretty-printed by BTF", ev and ev[0]["values"]["skb"].startswith("(struct sk_buff){"), ev)'

	# 4. a module function (overlay, the guest's root fs), typed by the module's BTF:
	#    stat() of one file 3 times, of another twice; predicate on a vmlinux struct behind it
	run_traced $mode 'ovl_getattr(path->dentry->d_iname == "bdmod-probe", request_mask, path(path), return)' '
for p in ["/var/tmp/bdvm/bdmod-probe"] * 3 + ["/etc/hostname"] * 2: os.stat(p)'
	verdict $mode '
rets = [e for e in ev if e["event"] == "return"]
res("module function ovl_getattr: the three stats of the probe file, each returning 0", len(rets) == 3 and all(e["values"]["return"] == 0 and e["pid"] == pid for e in rets), ev)
res("module function: request_mask is the statx mask stat() asks for", rets and all(e["values"]["request_mask"] & 0x7ff for e in rets), ev)
res("path(path) of a const struct path *: the file the test stat()s", rets and all(e["values"].get("path(path)") == "/var/tmp/bdvm/bdmod-probe" for e in rets), ev)'

	# 5. path(file), walked in the program: from the traced task's root, as d_path
	#    (and /proc/PID/fd) gives it; the workload reads, then chroots to /var/tmp and reads
	run_traced $mode 'vfs_read(count == 4321, path(file))' '
a = os.open("/var/tmp/bdvm/bdmod-probe", os.O_RDONLY); os.read(a, 4321)
print(os.readlink("/proc/self/fd/%d" % a))
os.chroot("/var/tmp"); os.read(a, 4321)'
	verdict $mode '
paths = [e["values"].get("path(file)") for e in sorted(ev, key=lambda e: e["time_ns"]) if e["pid"] == pid]
res("path(file): /proc/self/fd names it, then inside a chroot the path is the chroot'"'"'s", paths == [out.strip(), "/bdvm/bdmod-probe"], paths)'
done
# 6. missed kretprobes (more sleepers than kretprobe instances) leave stash slots behind;
#    they are dropped by stack position, so every later solo call still pairs up
run_traced kprobe 'hrtimer_nanosleep(rqtp < 100000, rqtp, return)' '
import ctypes, threading
libc = ctypes.CDLL(None, use_errno=True)
class timespec(ctypes.Structure): _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]
go = threading.Barrier(24)
turn = [threading.Event() for _ in range(26)]
def worker(k):
	for _ in range(20):	# time.sleep: an absolute deadline, rqtp is huge
		go.wait(); time.sleep(0.05)
	turn[k].wait()		# one at a time, the others wait on a futex
	libc.nanosleep(ctypes.byref(timespec(0, k * 1000)), None)	# relative: rqtp = k us
	turn[k + 1].set()
ts = [threading.Thread(target=worker, args=(k,)) for k in range(1, 25)]
[t.start() for t in ts]; turn[1].set(); [t.join() for t in ts]'
verdict kprobe '
solo = [e for e in ev if e["event"] == "return" and e["values"]["rqtp"] < 100000]
res("after missed kretprobes, all 24 solo sleeps pair entry and return", len(solo) == 24 and sorted(e["values"]["rqtp"] for e in solo) == [k * 1000 for k in range(1, 25)] and all(e["values"]["return"] == 0 for e in solo), [(e["tid"], e["values"]) for e in solo])'
check "missed kretprobes: no stash overflow reported ($(grep -i lost "$TMP/ev.err"))" \
	sh -c "! grep -qi lost '$TMP/ev.err'"

check "info on a module function names its module" sh -c \
	"$BPFDUMP info ovl_getattr | grep -q 'int ovl_getattr(.*/\\* module overlay \\*/'"

# 7. bare function: entry with every argument, then the return value. The workload reads
#    /etc/hostname three times with a count of its own; only those calls are judged (an
#    interpreter still starting up may be inside other reads when the links attach)
run_traced fentry ksys_read '
data = open("/etc/hostname", "rb").read()
for _ in range(3):
	fd = os.open("/etc/hostname", os.O_RDONLY); os.read(fd, 4321); os.close(fd)
print(len(data))'
verdict bare '
mine = [e for e in ev if e["event"] == "entry" and e["values"].get("count") == 4321]
pairs = []
for e in mine:
	later = [r for r in ev if r["event"] == "return" and r["tid"] == e["tid"] and r["time_ns"] > e["time_ns"]]
	pairs.append(min(later, key=lambda r: r["time_ns"])["values"].get("return") if later else None)
res("ksys_read: the three 4321-byte reads, each entry with its return (the file size)", len(mine) == 3 and pairs == [int(out)] * 3, (mine, pairs))'
links=$("$HELPERS/bpf_ids" | cut -d' ' -f3)
expect_eq "no links left after the traces" 0 "$links"
