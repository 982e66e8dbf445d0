#!/usr/bin/python3
# view.sh: a process holding two files open; touches READY
import sys,time
f=[open("/etc/hostname"), open("/dev/null")]; open(sys.argv[1], "w").close(); time.sleep(300)
