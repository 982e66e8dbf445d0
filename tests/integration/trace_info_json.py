#!/usr/bin/python3
# trace.sh: info -J vfs_read: return type and argument names
import json, sys
j = json.load(open(sys.argv[1]))
ok = j["return"] == "ssize_t" and [a["name"] for a in j["args"]] == ["file", "buf", "count", "pos"]
print(("ok " if ok else "FAIL ") + "trace: info -J vfs_read: return type and argument names" + ("" if ok else ": %s" % j))
# traceable as reading available_filter_functions here says: true/false, or null and why
try:
    names = {l.split()[0] for l in open("/sys/kernel/tracing/available_filter_functions")}
    want, why = "vfs_read" in names, None
except OSError as e:
    want, why = None, e.strerror
got = (j.get("traceable"), j.get("traceable_unknown"))
ok = got[0] == want and (why is None and got[1] is None or why is not None and got[1] and why in got[1])
print(("ok " if ok else "FAIL ") + "trace: info -J vfs_read: traceable %s as available_filter_functions (%s)"
      % (got[0], why or "readable") + ("" if ok else ": %s" % (got,)))
