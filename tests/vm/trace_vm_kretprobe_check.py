#!/usr/bin/python3
# trace_vm.sh: checks that the solo sleeps pair entry and return after missed kretprobes
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mode, out, pid = sys.argv[2], open(sys.argv[3]).read(), int(sys.argv[4])
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace-vm: %s: %s" % (mode, n) + ("" if ok else ": " + str(why)[:300]))

solo = [e for e in ev if e["event"] == "return" and e["values"]["rqtp"] < 100000]
res("after missed kretprobes, all 24 solo sleeps pair entry and return", len(solo) == 24 and sorted(e["values"]["rqtp"] for e in solo) == [k * 1000 for k in range(1, 25)] and all(e["values"]["return"] == 0 for e in solo), [(e["tid"], e["values"]) for e in solo])
