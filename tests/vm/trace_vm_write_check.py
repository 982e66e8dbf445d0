#!/usr/bin/python3
# trace_vm.sh: checks of the ksys_write(count == 77) events
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mode, out, pid = sys.argv[2], open(sys.argv[3]).read(), int(sys.argv[4])
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace-vm: %s: %s" % (mode, n) + ("" if ok else ": " + str(why)[:300]))

res("ksys_write(count == 77): exactly the two 77-byte writes", len(ev) == 2, ev)
res("events show fd and count the test used", all(e["values"]["fd"] == int(out) and e["values"]["count"] == 77 and e["pid"] == pid for e in ev), ev)
res("JSON events have comm, cpu, time", all("comm" in e and "cpu" in e and e["time_ns"] > 0 for e in ev))
