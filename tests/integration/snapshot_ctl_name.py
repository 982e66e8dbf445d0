#!/usr/bin/python3
# snapshot.sh: a process whose comm has a newline and an escape sequence
import ctypes, time
ctypes.CDLL(None).prctl(15, b"a\n1 0 root\x1b[31m", 0, 0, 0)
time.sleep(3600)
