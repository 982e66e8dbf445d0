#!/usr/bin/python3
# user_objs.sh: bpfdump run writing to a pipe whose reader has gone, SIGPIPE ignored: EPIPE
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
with open(sys.argv[3], "wb") as err:
    p = subprocess.run(["timeout", "60", sys.argv[1], "run", sys.argv[2]], stdout=w,
                       stderr=err, restore_signals=False)
print(p.returncode)
