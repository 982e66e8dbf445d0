#!/usr/bin/python3
# trace_agg.sh: renames itself N times (task_rename events), then sleeps
import ctypes, sys, time
pr = ctypes.CDLL(None).prctl
for i in range(int(sys.argv[1])): pr(15, b"bdagg%d" % i, 0, 0, 0)
time.sleep(3600)
