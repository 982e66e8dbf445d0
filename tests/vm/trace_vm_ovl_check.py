#!/usr/bin/python3
# trace_vm.sh: checks of the module function ovl_getattr's events
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mode, out, pid = sys.argv[2], open(sys.argv[3]).read(), int(sys.argv[4])
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace-vm: %s: %s" % (mode, n) + ("" if ok else ": " + str(why)[:300]))

rets = [e for e in ev if e["event"] == "return"]
res("module function ovl_getattr: the three stats of the probe file, each returning 0", len(rets) == 3 and all(e["values"]["return"] == 0 and e["pid"] == pid for e in rets), ev)
res("module function: request_mask is the statx mask stat() asks for", rets and all(e["values"]["request_mask"] & 0x7ff for e in rets), ev)
res("path(path) of a const struct path *: the file the test stat()s", rets and all(e["values"].get("path(path)") == "/var/tmp/bdvm/bdmod-probe" for e in rets), ev)
