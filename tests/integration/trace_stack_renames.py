#!/usr/bin/python3
# trace_stack.sh: once GO exists, N prctl(PR_SET_NAME) renames
import ctypes, os, sys, time
[time.sleep(0.02) for _ in range(3000) if not os.path.exists(sys.argv[1])]
libc = ctypes.CDLL(None)
for i in range(int(sys.argv[2])):
    libc.prctl(15, b"bdstk%d" % (i % 7), 0, 0, 0)
