#!/usr/bin/python3
# sql.sh: a process with a known set of fds: 20 files, one unlinked file held open, a listener
import os, socket, sys, time
d = sys.argv[1]
keep = [open(os.path.join(d, "f%d" % i), "w") for i in range(20)]
gone = open(os.path.join(d, "gone"), "w"); os.unlink(os.path.join(d, "gone"))
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
open(os.path.join(d, "port"), "w").write(str(s.getsockname()[1]))
time.sleep(3000)
