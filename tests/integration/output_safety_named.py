#!/usr/bin/python3
# output_safety.sh: a process whose comm holds a newline and an escape sequence; prints its pid
import ctypes, os, sys, time
ctypes.CDLL(None).prctl(15, b"a\n1 0 root\x1b[31m", 0, 0, 0)	# PR_SET_NAME
print(os.getpid(), flush=True)
time.sleep(120)
