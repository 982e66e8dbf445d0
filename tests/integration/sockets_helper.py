#!/usr/bin/python3
# sockets.sh: a process holding known tcp, udp and unix sockets; writes their ports
import socket, os, sys, json, time, random, struct
d = sys.argv[1]
L = struct.pack("ii", 1, 0)
keep = []
def sock(fam, typ):
    s = socket.socket(fam, typ)
    if typ == socket.SOCK_STREAM and fam != socket.AF_UNIX:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, L)
    keep.append(s)
    return s
def bind_random(s, host):
    for _ in range(200):
        p = random.randrange(20000, 60000)
        try:
            s.bind((host, p)); return p
        except OSError:
            pass
    s.bind((host, 0)); return s.getsockname()[1]
A4, A6 = socket.AF_INET, socket.AF_INET6
ST, DG = socket.SOCK_STREAM, socket.SOCK_DGRAM
o = {}
l4 = sock(A4, ST); o["t4"] = bind_random(l4, "127.0.0.1"); l4.listen()
c4 = sock(A4, ST); c4.connect(("127.0.0.1", o["t4"])); a4, _ = l4.accept(); keep.append(a4)
o["c4"] = c4.getsockname()[1]
l6 = sock(A6, ST); o["t6"] = bind_random(l6, "::1"); l6.listen()
c6 = sock(A6, ST); c6.connect(("::1", o["t6"])); a6, _ = l6.accept(); keep.append(a6)
o["c6"] = c6.getsockname()[1]
c6.shutdown(socket.SHUT_WR)
m = sock(A6, ST); m.connect(("::ffff:127.0.0.1", o["t4"])); am, _ = l4.accept(); keep.append(am)
o["mapped"] = m.getsockname()[1]
os.seteuid(65534)
ln = sock(A4, ST)
un = sock(A4, DG)
xn = sock(socket.AF_UNIX, DG)
os.seteuid(0)
o["tn"] = bind_random(ln, "127.0.0.1"); ln.listen()
o["un"] = bind_random(un, "127.0.0.1")
u4 = sock(A4, DG); o["u4"] = bind_random(u4, "127.0.0.1")
u6 = sock(A6, DG); o["u6"] = bind_random(u6, "::1"); u6.connect(("::1", o["u4"]))
xs = sock(socket.AF_UNIX, ST); xs.bind(d + "/stream sock"); xs.listen()
xc = sock(socket.AF_UNIX, ST); xc.connect(d + "/stream sock"); xa, _ = xs.accept(); keep.append(xa)
xq = sock(socket.AF_UNIX, socket.SOCK_SEQPACKET); xq.bind(d + "/seqpacket"); xq.listen()
xn.bind(d + "/dgram-nobody")
xb = sock(socket.AF_UNIX, DG); xb.bind("\0bdt-abstract-%d" % os.getpid())
o["unix_inos"] = {k: os.fstat(s.fileno()).st_ino for k, s in
                  dict(stream=xs, client=xc, accepted=xa, seq=xq, dgram=xn, abstract=xb).items()}
o["abstract"] = "@bdt-abstract-%d" % os.getpid()
with open(d + "/ports.tmp", "w") as f:
    json.dump(o, f)
os.rename(d + "/ports.tmp", d + "/ports.json")
for _ in range(120):
    time.sleep(1)
