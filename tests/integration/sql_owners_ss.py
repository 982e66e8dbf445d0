#!/usr/bin/python3
# sql_owners.sh: "pid fd lport [rport]" of the given pids' sockets in ss -p (on stdin)
import re, sys
r, pids = sys.argv[1] == "1", set(sys.argv[2:])
for line in sys.stdin:
    f = line.split()
    loc = [x for x in f if re.search(r":\d+$", x) or x.endswith(":*")]
    if len(loc) < 2:
        continue
    lp, rp = loc[0].rsplit(":", 1)[1], loc[1].rsplit(":", 1)[1]
    for pid, fd in re.findall(r"pid=(\d+),fd=(\d+)", line):
        if pid in pids:
            print(pid, fd, lp, *( [rp] if r else []))
