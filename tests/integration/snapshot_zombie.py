#!/usr/bin/python3
# snapshot.sh: a parent holding a zombie child; prints the child's pid
import os, sys, time
p = os.fork()
if p == 0:
    os._exit(0)
time.sleep(0.2)
print(p, flush=True)
time.sleep(30)
