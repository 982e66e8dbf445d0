#!/usr/bin/python3
# trace_vm.sh: workload, once GO exists: stat() of the overlay probe file 3 times, of /etc/hostname twice
import os, socket, sys, time
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]

for p in ["/var/tmp/bdvm/bdmod-probe"] * 3 + ["/etc/hostname"] * 2: os.stat(p)
