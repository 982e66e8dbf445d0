#!/usr/bin/python3
# snapshot.sh: the target process: the files given mapped, a pipe, a listening socket, two threads; touches READY
import mmap, os, socket, sys, threading, time
maps = []
for p in sys.argv[2:]:
    f = open(p, "rb")
    maps.append((f, mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)))
r, w = os.pipe()
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
for _ in range(2):
    threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
time.sleep(0.2)
open(sys.argv[1], "w").close()
time.sleep(3600)
