#!/usr/bin/python3
# trace_vm.sh: workload, once GO exists: 24 threads sleep together 20 times (missed kretprobes), then nanosleep one at a time
import os, socket, sys, time
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]

import ctypes, threading
libc = ctypes.CDLL(None, use_errno=True)
class timespec(ctypes.Structure): _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]
go = threading.Barrier(24)
turn = [threading.Event() for _ in range(26)]
def worker(k):
	for _ in range(20):	# time.sleep: an absolute deadline, rqtp is huge
		go.wait(); time.sleep(0.05)
	turn[k].wait()		# one at a time, the others wait on a futex
	libc.nanosleep(ctypes.byref(timespec(0, k * 1000)), None)	# relative: rqtp = k us
	turn[k + 1].set()
ts = [threading.Thread(target=worker, args=(k,)) for k in range(1, 25)]
[t.start() for t in ts]; turn[1].set(); [t.join() for t in ts]
