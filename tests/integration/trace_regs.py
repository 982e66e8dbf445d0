#!/usr/bin/python3
# trace.sh: tp:raw_syscalls:sys_enter with a filter on registers: the two writes the test made
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
fd, pid = int(sys.argv[2]), int(sys.argv[3])
ok = len(ev) == 2 and all(e["values"]["regs->di"] == fd and e["values"]["regs->dx"] == 77 and e["pid"] == pid for e in ev)
print(("ok " if ok else "FAIL ") + "trace: sys_enter(id == 1, regs->dx == 77) with -p: the two writes, their fd" + ("" if ok else ": %s" % str(ev)[:300]))
