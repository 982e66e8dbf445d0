#!/usr/bin/python3
# task.sh: a parent named bdtest-parent with three threads and two children named
# bdtest-child0 and bdtest-child1, all sleeping an hour. SIGTERM to the parent ends the
# children it forked, by their pids, then the parent.
import ctypes, os, signal, threading, time
libc = ctypes.CDLL(None)
def name(n): libc.prctl(15, n.encode(), 0, 0, 0)
kids = []
def stop(sig, frame):
    for k in kids:
        try:
            os.kill(k, signal.SIGTERM)
        except ProcessLookupError:
            pass
    os._exit(0)
signal.signal(signal.SIGTERM, stop)
for i in range(2):
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        name("bdtest-child%d" % i); time.sleep(3600); os._exit(0)
    kids.append(pid)
name("bdtest-parent")
for i in range(3):
    threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
time.sleep(3600)
