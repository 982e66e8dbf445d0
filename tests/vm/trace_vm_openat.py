#!/usr/bin/python3
# trace_vm.sh: workload, once GO exists: opens /etc/hostname, a file that does not exist, /etc/hostname
import os, socket, sys, time
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]

open("/etc/hostname").close()
try: open("/nonexistent-bpfdump-vm")
except OSError: pass
open("/etc/hostname").close()
