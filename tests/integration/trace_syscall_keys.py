#!/usr/bin/python3
# trace_syscall.sh: the JSON keys of the last openat event in a -J run (its top level,
# its values, its symbols) and the event kind, to compare one run's with another's
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ev = [e for e in ev if e.get("func") == "syscall:openat"]
if not ev:
    print("no syscall:openat event")
else:
    e = ev[-1]
    print(sorted(e), e["event"], sorted(e["values"]), sorted(e["symbolic"]))
