#!/usr/bin/env bash
# bpfdump trace with fentry/fexit and kprobe/kretprobe, in the VM: values the
# test itself drives (write sizes, failing opens, UDP datagram lengths).
source "$(dirname "$0")/../lib.sh"
TEST_NAME=trace-vm
ip link set lo up 2>/dev/null
echo "ok $TEST_NAME: kernel $(uname -r)" >/dev/null

# trace MODE SPEC... : run bpfdump trace in the background, JSON into $TMP/ev.json
start_trace() {
	local mode=$1
	shift
	rm -f "$TMP/ev.json" "$TMP/ev.err" "$TMP/go"
	timeout 120 "$BPFDUMP" trace --mode "$mode" -J -d 60 "$@" >"$TMP/ev.json" 2>"$TMP/ev.err" &
	TRACER=$!
	# attached when it says so on stderr
	for _ in $(seq 300); do grep -q "tracing" "$TMP/ev.err" 2>/dev/null && break
		kill -0 $TRACER 2>/dev/null || break; sleep 0.1; done
	touch "$TMP/go"
}
stop_trace() { sleep 0.5; kill -INT $TRACER 2>/dev/null; wait $TRACER 2>/dev/null; rm -f "$TMP/go"; }

for mode in fentry kprobe; do
	# 1. ksys_write(count == N, fd): exactly the writes of N bytes, with their fd
	python3 -c 'import os,time,sys
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT)
for n in (77, 5, 77, 9): os.write(fd, b"x" * n)
print(fd)' "$TMP/go" "$TMP/out.txt" >"$TMP/fd.txt" &
	W=$!
	start_trace $mode -p $W 'ksys_write(count == 77, fd, count)'
	wait $W
	stop_trace
	if grep -q "tracing" "$TMP/ev.err"; then
		python3 - "$TMP/ev.json" "$(cat "$TMP/fd.txt")" "$mode" "$W" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
fd, mode, pid = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace-vm: %s: %s" % (mode, n) + ("" if ok else ": " + why))
res("ksys_write(count == 77): exactly the two 77-byte writes", len(ev) == 2, str(ev)[:300])
res("events show fd and count the test used", all(e["values"]["fd"] == fd and e["values"]["count"] == 77 and e["pid"] == pid for e in ev), str(ev)[:300])
res("JSON events have comm, cpu, time", all("comm" in e and "cpu" in e and e["time_ns"] > 0 for e in ev))
PY
	else
		fail "$mode: trace did not attach: $(head -c 300 "$TMP/ev.err")"
	fi

	# 2. stash on entry, emit on return only when it failed
	python3 -c 'import os,time,sys
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]
open("/etc/hostname").close()
try: open("/nonexistent-bpfdump-vm")
except OSError: pass
open("/etc/hostname").close()' "$TMP/go" &
	W=$!
	start_trace $mode -p $W 'do_sys_openat2(dfd, ustr(filename), return < 0)'
	wait $W
	stop_trace
	python3 - "$TMP/ev.json" "$mode" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mode = sys.argv[2]
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace-vm: %s: %s" % (mode, n) + ("" if ok else ": " + why))
mine = [e for e in ev if e["values"].get("ustr(filename)") == "/nonexistent-bpfdump-vm"]
res("stash mode: the failing open appears once, with its file name", len(mine) == 1, str(ev)[:300])
res("stash mode: return = -2 (ENOENT), event at return", mine and mine[0]["values"].get("return") == -2 and mine[0]["event"] == "return", str(mine)[:300])
res("stash mode: no successful open is emitted (%d events)" % len(ev), all(e["values"].get("return", 0) < 0 for e in ev) and not any(e["values"].get("ustr(filename)") == "/etc/hostname" for e in ev), str(ev)[:300])
PY

	# 3. ip_send_skb(skb->len == L): one UDP datagram of 100 bytes = 128 with headers
	python3 -c 'import socket,time,sys,os
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for n in (100, 50, 100): s.sendto(b"y" * n, ("127.0.0.1", 9))' "$TMP/go" &
	W=$!
	start_trace $mode -p $W 'ip_send_skb(skb->len == 128, skb->len, skb)'
	wait $W
	stop_trace
	python3 - "$TMP/ev.json" "$mode" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mode = sys.argv[2]
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace-vm: %s: %s" % (mode, n) + ("" if ok else ": " + why))
res("ip_send_skb(skb->len == 128): the two 100-byte datagrams", len(ev) == 2 and all(e["values"]["skb->len"] == 128 for e in ev), str(ev)[:300])
res("skb pretty-printed by BTF", ev and ev[0]["values"]["skb"].startswith("(struct sk_buff){"), str(ev)[:200])
PY
done

# 4. bare function: entry with every argument, then the return value
python3 -c 'import os,time,sys
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]
os.close(os.open("/etc/hostname", os.O_RDONLY))' "$TMP/go" &
W=$!
start_trace fentry -p $W ksys_read
wait $W
stop_trace
n=$(grep -c '"event":"entry"' "$TMP/ev.json"); m=$(grep -c '"event":"return"' "$TMP/ev.json")
# the trace may stop between an entry and its return
d=$((n - m))
check "bare ksys_read: entry and return events pair up ($n/$m)" test "$n" -ge 1 -a "$d" -ge 0 -a "$d" -le 2
links=$("$HELPERS/bpf_ids" | cut -d' ' -f3)
expect_eq "no links left after the traces" 0 "$links"
