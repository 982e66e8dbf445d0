#!/usr/bin/python3
# property.sh: a workload process (comm prop_wN, nice, files with known flags, TCP and UDP sockets)
import os, socket, sys, threading, time, struct
d, i = sys.argv[1], int(sys.argv[2])
with open("/proc/self/comm", "w") as c:
    c.write("prop_w%d" % i)
os.nice(5 * i)
keep = [os.open("/dev/null", os.O_RDONLY),
        os.open(d + "/w%d" % i, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
        os.open(d + "/rw%d" % i, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK, 0o600),
        os.open("/dev/zero", os.O_RDONLY | os.O_CLOEXEC)]
keep += list(os.pipe())
os.write(keep[2], b"x" * (100 * (i + 1)))   # f_pos and i_size differ per process
lin = struct.pack("ii", 1, 0)   # SO_LINGER 0: reset at exit, no TIME-WAIT left behind
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, lin)
l.bind(("127.0.0.1", 0)); l.listen(4)
c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, lin)
c.connect(l.getsockname())
a, _ = l.accept()
a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, lin)
u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u1.bind(("127.0.0.1", 0))
u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u2.bind(("0.0.0.0", 0))
u2.connect(u1.getsockname())
keep += [l, c, a, u1, u2]
if i == 1:
    threading.Thread(target=lambda: time.sleep(3600), daemon=True).start()
ready = open(d + "/ready%d" % i, "w")   # opened before dropping root, written after
if i == 2:
    os.setresuid(65534, 65534, 65534)
ready.write("1"); ready.close()
time.sleep(3600)
