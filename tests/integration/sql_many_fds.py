#!/usr/bin/python3
# sql.sh: those of the given pids with more than 5 fds, as python counts /proc/PID/fd
import os, sys
H, P2, P3 = map(int, sys.argv[1:4])
for p in sorted(int(x) for x in os.listdir('/proc') if x.isdigit()):
    try: n = len(os.listdir('/proc/%d/fd' % p))
    except OSError: continue
    if n > 5 and p in (H, P2, P3): print(p)
