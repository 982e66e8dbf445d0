#!/usr/bin/python3
# serve.sh: ---- ground truth: a process in its own network namespace with known sockets and fds ----
import os, socket, sys, time
d = sys.argv[1]
ls = []
for i in range(5):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); ls.append(s)
conns = []
for s in ls[:3]:
    c = socket.create_connection(s.getsockname()); a, _ = s.accept(); conns += [c, a]
files = [open(os.path.join(d, "f%d" % i), "w") for i in range(17)]
open(os.path.join(d, "ready"), "w").write("1")
time.sleep(600)
