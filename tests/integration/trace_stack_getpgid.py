#!/usr/bin/python3
# trace_stack.sh: once GO exists, N getpgid calls, then touches DONE and stays
import os, sys, time
[time.sleep(0.02) for _ in range(3000) if not os.path.exists(sys.argv[1])]
for i in range(int(sys.argv[2])):
    os.getpgid(0)
open(sys.argv[3], "w").close()
time.sleep(600)
