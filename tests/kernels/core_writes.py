#!/usr/bin/python3
# core.sh: once GO exists, writes of 77, 5, 77 and 77 bytes to /dev/null
import os, sys, time
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]
fd = os.open("/dev/null", os.O_WRONLY)
for n in (77, 5, 77, 77): os.write(fd, b"x" * n)
