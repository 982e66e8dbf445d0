#!/usr/bin/python3
# view.sh: poll then read a view file: POLLIN at once, the dump's header
import os, select, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
p = select.poll(); p.register(fd, select.POLLIN)
ev = p.poll(10000)
data = b""
while True:
	b = os.read(fd, 65536)
	if not b: break
	data += b
print(bool(ev and ev[0][1] & select.POLLIN), data.split(b"\n")[0].split()[:2])
