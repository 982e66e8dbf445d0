#!/usr/bin/python3
# trace_vm.sh: workload, once GO exists: UDP datagrams of 100, 50 and 100 bytes
import os, socket, sys, time
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for n in (100, 50, 100): s.sendto(b"y" * n, ("127.0.0.1", 9))
