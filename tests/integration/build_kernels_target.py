#!/usr/bin/python3
# build_kernels.sh: the snapshot's target: FILE mapped, a pipe, two threads; touches READY
import mmap, os, sys, threading, time
f = open(sys.argv[1], "rb"); m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
r, w = os.pipe()
for _ in range(2):
    threading.Thread(target=time.sleep, args=(300,), daemon=True).start()
open(sys.argv[2], "w").close()
time.sleep(300)
