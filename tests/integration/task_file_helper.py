#!/usr/bin/python3
# task_file.sh: a process with known fds (files, /dev/null, a pipe, a socket, a memfd, an eventfd) and an extra thread; their numbers in DIR/fds; SIGUSR1 closes the eventfd
import os, socket, sys, json, threading, time, signal
d = sys.argv[1]
fds = {}
f = open(d + "/plain", "w"); f.write("hello"); f.flush(); fds["plain"] = f.fileno()
g = open(d + "/with space x", "w"); fds["space"] = g.fileno()
fds["null1"] = os.open("/dev/null", os.O_RDONLY)
fds["null2"] = os.open("/dev/null", os.O_WRONLY)
fds["pipe_r"], fds["pipe_w"] = os.pipe()
s = socket.socket(); s.bind(("127.0.0.1", 0)); fds["sock"] = s.fileno()
fds["memfd"] = os.memfd_create("bdt-memfd")
fds["eventfd"] = os.eventfd(0)
inos = {k: os.fstat(v).st_ino for k, v in fds.items()}
def usr1(sig, frm):
    os.close(fds["eventfd"])
    open(d + "/closed.tmp", "w").close(); os.rename(d + "/closed.tmp", d + "/closed")
signal.signal(signal.SIGUSR1, usr1)
threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
with open(d + "/fds.tmp", "w") as o:
    json.dump({"fds": fds, "inos": inos}, o)
os.rename(d + "/fds.tmp", d + "/fds")
for _ in range(3600):
    time.sleep(1)
