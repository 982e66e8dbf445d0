#!/usr/bin/env bash
# Portable (any kernel): bpfdump snapshot --data against the bytes the running
# kernel holds for a process this test starts (see the checks below). Where only
# the classic iterators run (kernels before 6.7), --data must be refused in one
# line. Apart from kernels/snapshot.sh, which takes most of a VM run's time.
source "$(dirname "$0")/../lib.sh"
TEST_NAME=snapshot-data-kernel

[ -x "$BPFDUMP" ] || { skip "no $BPFDUMP (build first)"; exit 77; }
# which way snapshots run here: the open-coded iterators, or the classic ones
"$BPFDUMP" -v snapshot -J -o task $$ >/dev/null 2>"$TMP/way.err"
WAY=open-coded
grep -q 'snapshot: classic iterators' "$TMP/way.err" && WAY=classic
P=$$

# --data against what the kernel holds: a TCP receiver that never reads holds
# exactly the first SIOCINQ bytes its peer wrote (random, several segments, in
# page fragments), the sender exactly the tail not acknowledged (SIOCOUTQ
# bytes: unsent ones in sk_write_queue; then, after writes in repair mode,
# which "send" without sending, in tcp_rtx_queue; the sender in repair mode,
# quiet, as CRIU's repair-mode peek of the send queue reads it); a pipe and a FIFO hold the bytes written to
# them; --data-max cuts each queue exactly there.
cat >"$TMP/qd.py" <<'PY'
import fcntl, hashlib, json, os, random, socket, struct, sys, time
d = sys.argv[1]
rnd = random.Random(int(sys.argv[2]))
TCP_REPAIR, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE = 19, 20, 2
SIOCINQ, SIOCOUTQ = 0x541B, 0x5411
def ioc(s, req):
    return struct.unpack("i", fcntl.ioctl(s.fileno(), req, b"\0" * 4))[0]
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
c = socket.socket()
c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
c.connect(l.getsockname())
a, _ = l.accept()
c.setblocking(False)
wrote = b""
while True:
    b = rnd.randbytes(rnd.randrange(1000, 30000))
    try:
        n = c.send(b)
    except BlockingIOError:
        break
    wrote += b[:n]
prev, same = None, 0
for _ in range(200):
    time.sleep(0.05)
    now = (ioc(a, SIOCINQ), ioc(c, SIOCOUTQ))
    same = same + 1 if now == prev else 0
    prev = now
    if same >= 3:
        break
r, w = os.pipe()
pipe = b""
for n in (3000, 3000, 4000):
    b = rnd.randbytes(n); os.write(w, b); pipe += b
fifo = d + "/fifo"
os.mkfifo(fifo)
fr = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
fw = os.open(fifo, os.O_WRONLY)
fifob = rnd.randbytes(5000)
os.write(fw, fifob)
# the truth, each time the test asks for it (DIR/ask: removed when written):
# the sender's probes of the closed window may still move bytes, so the test
# takes a snapshot between two equal readings
def truth(phase, repair):
    t = {"phase": phase, "sender": c.fileno(), "receiver": a.fileno(),
         "inq": ioc(a, SIOCINQ), "outq": ioc(c, SIOCOUTQ), "pipe": r, "fifo": fr, "peek": ""}
    if repair and t["outq"]:
        # the send queue as the kernel gives it in repair mode (CRIU's way)
        t["peek"] = hashlib.sha256(c.recv(t["outq"], socket.MSG_PEEK)).hexdigest()
    json.dump(t, open("%s/qd.json" % d, "w"))
    os.unlink(d + "/ask")
def serve(phase, repair, until):
    while not os.path.exists(until):
        if os.path.exists(d + "/ask"):
            truth(phase, repair)
        time.sleep(0.01)
open(d + "/wrote1", "wb").write(wrote)
open(d + "/pipe", "wb").write(pipe)
open(d + "/fifo.bytes", "wb").write(fifob)
open(d + "/qd1.ready", "w").close()
serve(1, False, d + "/qd.go")
# repair mode (as CRIU): writes to the send queue are "sent" (moved to
# tcp_rtx_queue, the unsent bytes before them too) without leaving, so they stay
# unacknowledged; several writes, several skbs
c.setblocking(True)
c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
c.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 1)
c.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE)
for _ in range(6):
    b = rnd.randbytes(rnd.randrange(20000, 70000))
    n = c.send(b)
    wrote += b[:n]
open(d + "/wrote2", "wb").write(wrote)
open(d + "/qd2.ready", "w").close()
serve(2, True, d + "/never")
PY
# qd_check LABEL JSON TRUTH MAX: one line per queue
qd_check() {
	python3 - "$@" <<'PY'
import base64, hashlib, json, sys
label, snapf, truthf, cap = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
d, t = json.load(open(snapf)), json.load(open(truthf))
dirn = truthf.rsplit("/", 1)[0]
wrote = open("%s/wrote%d" % (dirn, t["phase"]), "rb").read()
def q(fd, name):
    bufs = [x for x in d["queued"] if x["fd"] == fd and x["queue"] == name and "index" in x]
    end = [x for x in d["queued"] if x["fd"] == fd and x["queue"] == name and "buffers" in x]
    data = b"".join(base64.b64decode(x["data"]) for x in bufs)
    return bufs, end, data
def h(b):
    return hashlib.sha256(b).hexdigest()[:12]
def one(what, fd, name, want):
    bufs, end, data = q(fd, name)
    bad = []
    exp = want[:cap]
    if data != exp:
        bad.append("%d bytes copied (sha256 %s), want %d (%s)" % (len(data), h(data), len(exp), h(exp)))
    if len(end) != 1 or end[0]["bytes"] != len(want) or end[0]["cut"] != (len(want) > cap):
        bad.append("summary %s, the queue holds %d bytes" % (end, len(want)))
    if any(x["torn"] or x["skipped"] for x in bufs):
        bad.append("torn or skipped buffers")
    if bad:
        print("FAIL snapshot-data-kernel: %s: %s: %s" % (label, what, "; ".join(bad)))
    else:
        print("ok snapshot-data-kernel: %s: %s: %d of %d bytes in %d buffers, sha256 %s as written" %
              (label, what, len(data), len(want), len(bufs), h(data)))
inq, outq = t["inq"], t["outq"]
if inq + outq != len(wrote):
    print("FAIL snapshot-data-kernel: %s: SIOCINQ %d + SIOCOUTQ %d != %d written" % (label, inq, outq, len(wrote)))
one("TCP receiver (never reads): the first SIOCINQ=%d bytes written" % inq, t["receiver"], "receive", wrote[:inq])
one("TCP sender: the SIOCOUTQ=%d bytes not acknowledged, the tail written" % outq, t["sender"], "send", wrote[inq:])
if t["peek"]:
    # the repair-mode peek's sha256 against the bytes the snapshot copied
    bufs, end, data = q(t["sender"], "send")
    if hashlib.sha256(data).hexdigest() == t["peek"] and len(data) == outq:
        print("ok snapshot-data-kernel: %s: TCP sender: its send queue as a repair-mode peek reads it "
              "(%d bytes, sha256 %s)" % (label, outq, t["peek"][:12]))
    else:
        print("FAIL snapshot-data-kernel: %s: TCP sender: %d bytes copied (sha256 %s), a repair-mode "
              "peek reads %d (%s)" % (label, len(data), h(data), outq, t["peek"][:12]))
one("pipe: the bytes written, never read", t["pipe"], "pipe", open(dirn + "/pipe", "rb").read())
one("FIFO: the bytes written, never read", t["fifo"], "pipe", open(dirn + "/fifo.bytes", "rb").read())
PY
}
# fresh OUT: a reading of the truth taken after now, copied to OUT
fresh() {
	touch "$QD/ask"
	for _ in $(seq 1000); do
		[ -e "$QD/ask" ] || { cp "$QD/qd.json" "$1"; return 0; }
		sleep 0.02
	done
	return 1
}
# qd_snap LABEL PHASE MAX: a snapshot between two equal readings of the truth, checked
qd_snap() {
	local label=$1 phase=$2 max=$3 i
	for i in $(seq 10); do
		fresh "$QD/t1.json" || break
		if ! timeout 120 "$BPFDUMP" snapshot -J --data --data-max "$max" -o sockets "$QP" \
			>"$QD/s.json" 2>"$QD/s.err"; then
			fail "$label: snapshot --data exits 0: $(head -c 300 "$QD/s.err")"
			return
		fi
		fresh "$QD/t2.json" || break
		if cmp -s "$QD/t1.json" "$QD/t2.json"; then
			cp "$QD/s.json" "$QD/s.$phase.$max.json"
			qd_check "$label" "$QD/s.json" "$QD/t1.json" "$max"
			return
		fi
	done
	fail "$label: the queues did not hold still around a snapshot in 10 tries"
}
QD=$TMP/qd
mkdir -p "$QD"
if [ "$WAY" = classic ]; then
	"$BPFDUMP" snapshot --data "$P" >/dev/null 2>"$TMP/qd.err"
	check "classic: --data refused in one line: $(head -c 200 "$TMP/qd.err")" \
		[ "$(wc -l <"$TMP/qd.err")" = 1 -a -n "$(grep 'queued data needs the open-coded' "$TMP/qd.err")" ]
else
	/usr/bin/python3 "$TMP/qd.py" "$QD" "$$" </dev/null >/dev/null 2>"$QD/err" &
	QP=$!
	at_exit "kill $QP"
	for _ in $(seq 600); do [ -e "$QD/qd1.ready" ] && break; sleep 0.1; done
	if [ ! -e "$QD/qd1.ready" ]; then
		fail "--data: the target did not start: $(head -c 300 "$QD/err")"
	else
		qd_snap "--data-max 16000000" 1 16000000
		qd_snap "--data-max 5000" 1 5000
		touch "$QD/qd.go"
		for _ in $(seq 600); do [ -e "$QD/qd2.ready" ] && break; sleep 0.1; done
		if [ ! -e "$QD/qd2.ready" ]; then
			fail "--data: repair-mode writes: $(tail -1 "$QD/err" | head -c 200)"
		else
			qd_snap "repair-mode writes (tcp_rtx_queue)" 2 16000000
		fi
	fi
fi
exit 0
