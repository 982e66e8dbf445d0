#!/usr/bin/python3
# fields_funcs.sh: ps -o args's form of /proc/PID/cmdline
import sys
raw = open("/proc/%s/cmdline" % sys.argv[1], "rb").read()[:4095]
raw = raw[:-1] if raw.endswith(b"\0") else raw
sys.stdout.write(raw.replace(b"\0", b" ").decode())
