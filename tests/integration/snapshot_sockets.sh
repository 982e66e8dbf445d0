#!/usr/bin/env bash
# bpfdump snapshot's TCP state for checkpointing against what the kernel says
# another way: the test's own sockets (tests/helpers/tcp_repair.c) read in repair
# mode as CRIU reads them (TCP_REPAIR, TCP_REPAIR_QUEUE, TCP_QUEUE_SEQ,
# TCP_REPAIR_WINDOW), TCP_INFO, TCP_WINDOW_CLAMP, SIOCINQ/SIOCOUTQ/SIOCOUTQNSD,
# and ss -tie. Both ways: the open-coded iterators and the classic ones.
source "$(dirname "$0")/../lib.sh"

HELPER=$HELPERS/tcp_repair
if [ "$(id -u)" -ne 0 ]; then
	skip "needs root (repair mode needs CAP_NET_ADMIN, snapshot needs BPF)"
	exit 77
fi
if [ ! -x "$HELPER" ]; then
	fail "helper $HELPER missing (make $BUILD/tests/tcp_repair)"
	exit 1
fi

mkdir -p "$TMP/h"
"$HELPER" "$TMP/h" "$$" </dev/null >/dev/null 2>"$TMP/h/err" &
HP=$!
at_exit "kill $HP"
for _ in $(seq 200); do [ -e "$TMP/h/ready" ] && break; sleep 0.05; done
if [ ! -e "$TMP/h/ready" ]; then
	fail "tcp_repair did not start: $(head -c 300 "$TMP/h/err")"
	exit 1
fi

# compare LABEL JSON: every key the helper wrote, per fd, against the snapshot's tcp rows
compare() {
	python3 - "$1" "$2" "$TMP/h/truth" <<'EOF'
import json, sys
label, snap, truthf = sys.argv[1:4]
d = json.load(open(snap))
rows = {r["fd"]: r for r in d.get("tcp", [])}
truth, roles = {}, {}
for line in open(truthf):
    a = line.split()
    if a[0] in ("client", "accepted", "pending"):
        roles[a[0]] = int(a[1])
        continue
    truth.setdefault(int(a[0]), {})[a[1]] = a[2]
def show(v):
    return "true" if v is True else "false" if v is False else str(v)
for fd, kv in sorted(truth.items()):
    r = rows.get(fd)
    role = "listener" if "port" in kv else [k for k, v in roles.items() if v == fd][0]
    if r is None:
        print("FAIL snapshot_sockets: %s: fd %d (%s): no tcp row" % (label, fd, role))
        continue
    bad = []
    for k, v in sorted(kv.items()):
        if k in ("port", "inq", "outq", "tcpi_snd_wnd"):
            continue
        got = r.get(k)
        if k == "ca_state":
            v = ["open", "disorder", "cwr", "recovery", "loss"][int(v)]
        if show(got) != v:
            bad.append("%s %s, kernel says %s" % (k, show(got), v))
    # the windows TCP_INFO reports too
    if "tcpi_snd_wnd" in kv and show(r.get("snd_wnd")) != kv["tcpi_snd_wnd"]:
        bad.append("snd_wnd %s, TCP_INFO says %s" % (show(r.get("snd_wnd")), kv["tcpi_snd_wnd"]))
    # what ss shows as Recv-Q/Send-Q is the same sequence arithmetic
    if "inq" in kv and (r["rcv_nxt"] - r["copied_seq"]) % 2**32 != int(kv["inq"]):
        bad.append("rcv_nxt - copied_seq != SIOCINQ %s" % kv["inq"])
    if "outq" in kv and (r["write_seq"] - r["snd_una"]) % 2**32 != int(kv["outq"]):
        bad.append("write_seq - snd_una != SIOCOUTQ %s" % kv["outq"])
    n = len([k for k in kv if k not in ("port",)])
    if bad:
        print("FAIL snapshot_sockets: %s: fd %d (%s): %s" % (label, fd, role, "; ".join(bad)))
    else:
        print("ok snapshot_sockets: %s: fd %d (%s): %d values as the kernel reports them" % (label, fd, role, n))
pend = rows.get(roles.get("pending"))
if pend is None or pend["state"] != "ESTAB" or pend["mss"] in (None, 0):
    print("FAIL snapshot_sockets: %s: pending client: %s" % (label, pend))
else:
    print("ok snapshot_sockets: %s: the connection not accepted is listed with its state" % label)
EOF
}

# ss -tie's mss (tcp_info's snd_mss) and wscale of each connected socket, by its addresses
# (the server side of the connection not accepted is in no process: not in the snapshot)
ss_check() {
	local label=$1 json=$2
	ss -tieH state established "( sport = :$PORT or dport = :$PORT )" >"$TMP/ss" 2>/dev/null
	if ! [ -s "$TMP/ss" ]; then
		skip "$label: ss -tie: no output"
		return
	fi
	python3 - "$label" "$json" "$TMP/ss" <<'EOF'
import json, re, sys
label, snap, ssf = sys.argv[1:4]
d = json.load(open(snap))
socks = {(s["local"], s["remote"]): s["fd"] for s in d["sockets"] if s.get("local")}
tcp = {r["fd"]: r for r in d["tcp"]}
text = open(ssf).read()
# ss -e prints a connection's line and its info on the next line(s)
entries = re.split(r"\n(?=\S)", text.strip())
if not any("mss:" in e for e in entries):
    print("skip snapshot_sockets: %s: ss -tie shows no TCP info here (no inet_diag?)" % label)
    sys.exit(0)
n = 0
for e in entries:
    f = e.split()
    local, remote = (f[2], f[3]) if f[0].isdigit() else (f[3], f[4])
    fd = socks.get((local, remote))
    if fd is None:
        continue
    r = tcp[fd]
    m = re.search(r"\bmss:(\d+)", e)
    w = re.search(r"\bwscale:(\d+),(\d+)", e)
    want = (m and int(m.group(1)), w and (int(w.group(1)), int(w.group(2))))
    got = (r["mss"], (r["snd_wscale"], r["rcv_wscale"]))
    if want != got:
        print("FAIL snapshot_sockets: %s: %s: ss -tie says mss, wscale %s, snapshot %s" % (label, local, want, got))
    else:
        n += 1
print(("ok snapshot_sockets: %s: mss and wscale as ss -tie shows them (%d sockets)" % (label, n))
      if n >= 3 else "FAIL snapshot_sockets: %s: only %d sockets matched in ss -tie" % (label, n))
EOF
}

PORT=$(awk '$2 == "port" { print $3 }' "$TMP/h/truth")
OPEN_CODED=1
for way in open-coded classic; do
	env=()
	[ "$way" = classic ] && env=(BPFDUMP_SNAPSHOT_CLASSIC=1)
	if ! env "${env[@]}" timeout 60 "$BPFDUMP" -v snapshot -J "$HP" >"$TMP/$way.json" 2>"$TMP/$way.err"; then
		fail "$way: snapshot -J exits 0: $(head -c 300 "$TMP/$way.err")"
		continue
	fi
	ran=$(grep -o 'snapshot: \(classic\|open-coded\) iterators' "$TMP/$way.err" | head -1)
	if [ "$way" = open-coded ] && [ "$ran" != "snapshot: open-coded iterators" ]; then
		skip "open-coded: this kernel ran '${ran:-?}'"
		OPEN_CODED=""
		continue
	fi
	ok "$way: snapshot -J exits 0 ($ran)"
	compare "$way" "$TMP/$way.json"
	ss_check "$way" "$TMP/$way.json"
done

# text: the same rows, one table
if timeout 60 "$BPFDUMP" snapshot "$HP" >"$TMP/text" 2>"$TMP/text.err"; then
	C=$(awk '$1 == "client" { print $2 }' "$TMP/h/truth")
	WS=$(awk -v fd="$C" '$1 == fd && $2 == "write_seq" { print $3 }' "$TMP/h/truth")
	check "text: the tcp table has the client's write_seq" \
		awk -v fd="$C" -v ws="$WS" '/^-- tcp /{t=1; next} /^$/{t=0} t && $1 == fd && $5 == ws {f=1} END {exit !f}' "$TMP/text"
	check "text: the listener's backlog 1 of 8" \
		awk '/^-- tcp /{t=1; next} /^$/{t=0} t && $2 == "LISTEN" && $(NF-1) == 1 && $NF == 8 {f=1} END {exit !f}' "$TMP/text"
else
	fail "text: snapshot exits 0: $(head -c 300 "$TMP/text.err")"
fi

# --data: the bytes queued in the receive queues of sockets that never read
if [ -z "$OPEN_CODED" ]; then
	timeout 60 "$BPFDUMP" snapshot --data "$HP" >/dev/null 2>"$TMP/cl.err"
	rc=$?
	if [ $rc -ne 0 ] && [ "$(wc -l <"$TMP/cl.err")" = 1 ] &&
	   grep -q "snapshot --data: queued data needs the open-coded iterators" "$TMP/cl.err"; then
		ok "--data on a kernel without open-coded iterators: refused in one line"
	else
		fail "--data without open-coded iterators: exit $rc: $(head -c 300 "$TMP/cl.err")"
	fi
	skip "--data: the rest needs the open-coded iterators"
	exit 0
fi
cat >"$TMP/dgram.py" <<'PY'
import json, os, random, socket, sys, time
d, seed = sys.argv[1], int(sys.argv[2])
rnd = random.Random(seed)
truth = {}
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
r.bind(("127.0.0.1", 0))
keep, sent = [], []
for i in range(5):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    b = rnd.randbytes(rnd.randrange(40, 1400))
    s.sendto(b, r.getsockname())
    sent.append(["%s:%d" % s.getsockname(), b.hex()])
    keep.append(s)
truth["udp"] = [r.fileno(), sent]
u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
name = "\0bpfdump-test-%d" % os.getpid()
u.bind(name)
sent = []
for i in range(3):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("\0bpfdump-test-%d-%d" % (os.getpid(), i))
    b = rnd.randbytes(rnd.randrange(1, 300))
    s.sendto(b, name)
    sent.append(["@bpfdump-test-%d-%d" % (os.getpid(), i), b.hex()])
    keep.append(s)
truth["unix"] = [u.fileno(), sent]
json.dump(truth, open(d + "/dgram.json", "w"))
open(d + "/dgram.ready", "w").close()
time.sleep(3600)
PY
python3 "$TMP/dgram.py" "$TMP" "$$" </dev/null >/dev/null 2>"$TMP/dgram.err" &
DP=$!
at_exit "kill $DP"
for _ in $(seq 200); do [ -e "$TMP/dgram.ready" ] && break; sleep 0.05; done
if [ ! -e "$TMP/dgram.ready" ]; then
	fail "datagram target did not start: $(head -c 300 "$TMP/dgram.err")"
	exit 1
fi

# qcheck LABEL JSON MAX: each datagram, in order, with its source; cut at MAX bytes per socket
qcheck() {
	python3 - "$1" "$2" "$3" "$TMP/dgram.json" <<'PY'
import base64, json, sys
label, snap, cap, truthf = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
d, truth = json.load(open(snap)), json.load(open(truthf))
for kind, (fd, sent) in sorted(truth.items()):
    bufs = [q for q in d["queued"] if q["fd"] == fd and "index" in q]
    end = [q for q in d["queued"] if q["fd"] == fd and "buffers" in q]
    bad, left, want_bufs = [], cap, []
    for i, (src, hx) in enumerate(sent):
        b = bytes.fromhex(hx)
        if left <= 0 and want_bufs and want_bufs[-1][3]:
            break
        n = min(len(b), left)
        want_bufs.append((i, src, b[:n], n < len(b)))
        left -= n
        if n < len(b):
            break
    got = [(q["index"], q["source"], base64.b64decode(q["data"]), q["cut"]) for q in bufs]
    if got != want_bufs:
        bad.append("buffers %s, sent %s" % ([(g[0], g[1], len(g[2]), g[3]) for g in got],
                                             [(w[0], w[1], len(w[2]), w[3]) for w in want_bufs]))
    total = sum(len(bytes.fromhex(h)) for _, h in sent)
    if len(end) != 1 or end[0]["buffers"] != len(sent) or end[0]["bytes"] != total or \
       end[0]["cut"] != (total > cap):
        bad.append("summary %s, sent %d datagrams of %d bytes" % (end, len(sent), total))
    if bad:
        print("FAIL snapshot_sockets: %s: %s fd %d: %s" % (label, kind, fd, "; ".join(bad)))
    else:
        print("ok snapshot_sockets: %s: %s fd %d: %d datagrams in order with their sources, "
              "%d bytes copied" % (label, kind, fd, len(sent), sum(len(w[2]) for w in want_bufs)))
PY
}

for max in 65536 777 100; do
	args=(--data)
	[ $max = 65536 ] || args+=(--data-max $max)
	if timeout 60 "$BPFDUMP" snapshot -J "${args[@]}" -o sockets "$DP" >"$TMP/d$max.json" 2>"$TMP/d$max.err"; then
		qcheck "--data (max $max)" "$TMP/d$max.json" $max
	else
		fail "snapshot --data (max $max) exits 0: $(head -c 300 "$TMP/d$max.err")"
	fi
done
# text: a hex dump with offsets of the first datagram, and where it was cut
if timeout 60 "$BPFDUMP" snapshot --data --data-max 20 -o sockets "$DP" >"$TMP/dtext" 2>&1; then
	UFD=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["udp"][0])' "$TMP/dgram.json")
	H=$(python3 -c 'import json,sys; h=json.load(open(sys.argv[1]))["udp"][1][0][1]; print(" ".join(h[i:i+2] for i in range(0, 32, 2)))' "$TMP/dgram.json")
	check "text: hex dump of the first datagram at offset 0" grep -q "^  00000000  $H" "$TMP/dtext"
	check "text: the cut says where" grep -q "^fd $UFD receive #0: .* (cut at --data-max: 20 bytes shown)" "$TMP/dtext"
else
	fail "text: snapshot --data exits 0: $(head -c 300 "$TMP/dtext")"
fi

# TCP receive queues: every byte each holds (in page fragments, copied through
# the verified page translation): the client's, the three segments the
# accepted side wrote (rx.bin); the accepted side's, the client's 20480 'x'
if timeout 60 "$BPFDUMP" snapshot -J --data -o sockets "$HP" >"$TMP/tcpq.json" 2>"$TMP/tcpq.err"; then
	python3 - "$TMP/tcpq.json" "$TMP/h/truth" "$TMP/h/rx.bin" <<'PY'
import base64, json, sys
d = json.load(open(sys.argv[1]))
t, roles = {}, {}
for l in open(sys.argv[2]):
    a = l.split()
    if a[0] in ("client", "accepted"):
        roles[a[0]] = int(a[1])
    elif a[0].isdigit() and a[1] in ("inq", "outq"):
        t.setdefault(int(a[0]), {})[a[1]] = int(a[2])
want = {roles["client"]: open(sys.argv[3], "rb").read(), roles["accepted"]: b"x" * 20480}
for fd, kv in sorted(t.items()):
    for queue, n in (("receive", kv["inq"]), ("send", kv["outq"])):
        end = [q for q in d["queued"] if q["fd"] == fd and q["queue"] == queue and "buffers" in q]
        bufs = [q for q in d["queued"] if q["fd"] == fd and q["queue"] == queue and "index" in q]
        data = b"".join(base64.b64decode(q["data"]) for q in bufs)
        exp = want[fd] if queue == "receive" else b""
        ok = len(end) == 1 and end[0]["bytes"] == n == len(exp) and data == exp
        print(("ok" if ok else "FAIL") + " snapshot_sockets: --data: TCP fd %d %s queue: %s bytes "
              "as SIOCINQ/SIOCOUTQ say (%d), %d copied, %s as written" % (
                  fd, queue, end[0]["bytes"] if end else None, n, len(data),
                  "the same" if data == exp else "NOT the same"))
PY
	check "--data: every byte read: nothing said not read" \
		python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["queued_not_read"] != [])' "$TMP/tcpq.json"
else
	fail "--data of the TCP sockets exits 0: $(head -c 300 "$TMP/tcpq.err")"
fi

# without --data: no queued data at all
timeout 60 "$BPFDUMP" snapshot -J -o sockets "$DP" >"$TMP/nodata.json" 2>/dev/null
check "without --data: no queued section" \
	python3 -c 'import json,sys; sys.exit("queued" in json.load(open(sys.argv[1])))' "$TMP/nodata.json"

# the classic iterators: one line saying why --data cannot run there
BPFDUMP_SNAPSHOT_CLASSIC=1 timeout 60 "$BPFDUMP" snapshot --data "$DP" >"$TMP/cl.out" 2>"$TMP/cl.err"
rc=$?
if [ $rc -ne 0 ] && [ "$(wc -l <"$TMP/cl.err")" = 1 ] && grep -q "snapshot --data: queued data needs the open-coded iterators" "$TMP/cl.err"; then
	ok "classic: --data refused in one line ($(cat "$TMP/cl.err"))"
else
	fail "classic: --data: exit $rc: $(head -c 300 "$TMP/cl.err")"
fi
