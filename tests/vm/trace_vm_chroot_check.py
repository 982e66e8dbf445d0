#!/usr/bin/python3
# trace_vm.sh: checks of vfs_read's path(file), before and inside a chroot
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mode, out, pid = sys.argv[2], open(sys.argv[3]).read(), int(sys.argv[4])
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace-vm: %s: %s" % (mode, n) + ("" if ok else ": " + str(why)[:300]))

paths = [e["values"].get("path(file)") for e in sorted(ev, key=lambda e: e["time_ns"]) if e["pid"] == pid]
res("path(file): /proc/self/fd names it, then inside a chroot the path is the chroot's", paths == [out.strip(), "/bdvm/bdmod-probe"], paths)
