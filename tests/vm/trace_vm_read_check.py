#!/usr/bin/python3
# trace_vm.sh: checks of the bare ksys_read: each 4321-byte read's entry with its return
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mode, out, pid = sys.argv[2], open(sys.argv[3]).read(), int(sys.argv[4])
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace-vm: %s: %s" % (mode, n) + ("" if ok else ": " + str(why)[:300]))

mine = [e for e in ev if e["event"] == "entry" and e["values"].get("count") == 4321]
pairs = []
for e in mine:
	later = [r for r in ev if r["event"] == "return" and r["tid"] == e["tid"] and r["time_ns"] > e["time_ns"]]
	pairs.append(min(later, key=lambda r: r["time_ns"])["values"].get("return") if later else None)
res("ksys_read: the three 4321-byte reads, each entry with its return (the file size)", len(mine) == 3 and pairs == [int(out)] * 3, (mine, pairs))
