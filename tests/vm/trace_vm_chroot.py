#!/usr/bin/python3
# trace_vm.sh: workload, once GO exists: reads the probe file, prints its /proc/self/fd path, chroots to /var/tmp, reads again
import os, socket, sys, time
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]

a = os.open("/var/tmp/bdvm/bdmod-probe", os.O_RDONLY); os.read(a, 4321)
print(os.readlink("/proc/self/fd/%d" % a))
os.chroot("/var/tmp"); os.read(a, 4321)
