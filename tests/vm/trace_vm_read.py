#!/usr/bin/python3
# trace_vm.sh: workload, once GO exists: reads /etc/hostname, then three 4321-byte reads of it; prints its size
import os, socket, sys, time
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]

data = open("/etc/hostname", "rb").read()
for _ in range(3):
	fd = os.open("/etc/hostname", os.O_RDONLY); os.read(fd, 4321); os.close(fd)
print(len(data))
