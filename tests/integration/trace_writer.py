#!/usr/bin/python3
# trace.sh: after GO exists: writes of 77, 5 and 77 bytes to FILE; prints the fd
import os,time,sys
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[2])]
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT)
for n in (77, 5, 77): os.write(fd, b"x" * n)
print(fd)
