#!/usr/bin/python3
# load.sh: a process with 40 fds on /dev/null and 10 on files in DIR; touches DIR/ready
import os, sys, time
for i in range(40): os.open("/dev/null", os.O_RDONLY)
for i in range(10): os.open("%s/f%d" % (sys.argv[1], i), os.O_CREAT | os.O_RDWR)
open(sys.argv[1] + "/ready", "w").close()
time.sleep(7200)
