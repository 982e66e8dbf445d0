#!/usr/bin/python3
# trace_stack.sh: the kernel's text symbols from /proc/kallsyms, as JSON
import json, sys
syms = []
for line in open("/proc/kallsyms"):
    f = line.split()
    if len(f) >= 3 and f[1] in "tTwW" and int(f[0], 16):
        syms.append((int(f[0], 16), f[2], f[3][1:-1] if len(f) > 3 else ""))
json.dump(syms, open(sys.argv[1], "w"))
