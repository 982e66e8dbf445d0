#!/usr/bin/python3
# snapshot_vm.sh: a process with a file, a pipe and a listening socket; touches READY
import os, socket, sys, time
f = open("/etc/hostname"); f.read(3)
r, w = os.pipe()
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
open(sys.argv[1], "w").close()
time.sleep(300)
