#!/usr/bin/python3
# trace.sh: after GO exists: two opens of /etc/hostname and a failing one; prints its errno and the flags
import os,time,sys
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]
for _ in range(2): os.close(os.open("/etc/hostname", os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC))
try: os.open("/nonexistent-bpfdump-tp", os.O_RDONLY)
except OSError as e: print(e.errno)
print(os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
