#!/usr/bin/python3
# snapshot_data.sh: TCP, pipe and FIFO queues holding known bytes, in two phases; writes the truth
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
