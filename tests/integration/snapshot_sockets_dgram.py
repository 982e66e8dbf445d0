#!/usr/bin/python3
# snapshot_sockets.sh: a UDP and a unix dgram socket holding random datagrams from several sources, unread; writes the truth
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
