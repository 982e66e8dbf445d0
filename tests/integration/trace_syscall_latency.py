#!/usr/bin/python3
# trace_syscall.sh: every --latency -J event has latency_ns > 0
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
print("ok" if len(ev) >= 7 and all(e["values"]["latency_ns"] > 0 for e in ev) else ev)
