#!/usr/bin/python3
# trace_vm.sh: workload, once GO exists: writes of 77, 5, 77 and 9 bytes to FILE; prints the fd
import os, socket, sys, time
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]

fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT)
for n in (77, 5, 77, 9): os.write(fd, b"x" * n)
print(fd)
