#!/usr/bin/python3
# trace.sh: sys_enter_openat/sys_exit_openat events of the test's opens, with their flags and errno
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
errno, flags = [int(x) for x in open(sys.argv[2]).read().split()]
pid = int(sys.argv[3])
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace: " + n + ("" if ok else ": " + str(why)[:300]))
ent = [e for e in ev if e["func"] == "tp:syscalls:sys_enter_openat"]
ret = [e for e in ev if e["func"] == "tp:syscalls:sys_exit_openat"]
res("sys_enter_openat(ustr(filename) == ...): exactly the two opens of /etc/hostname", len(ent) == 2 and all(e["pid"] == pid and e["values"]["ustr(filename)"] == "/etc/hostname" for e in ent), ent)
res("sys_enter_openat: flags and dfd (AT_FDCWD) as the test passed them", ent and all(e["values"]["flags"] == flags and e["values"]["dfd"] == -100 for e in ent), ent)
res("sys_exit_openat(ret < 0): the failing open's -errno (%d), last" % -errno, ret and ret[-1]["values"]["ret"] == -errno and all(e["values"]["ret"] < 0 for e in ret), ret)
