#!/usr/bin/python3
# sql_owners.sh: "lport rport inode" of /proc/net/FILE rows whose local port is given
import sys
ports = set(sys.argv[2:])
for line in list(open("/proc/net/" + sys.argv[1]))[1:]:
    f = line.split()
    lp, rp = str(int(f[1].rsplit(":", 1)[1], 16)), str(int(f[2].rsplit(":", 1)[1], 16))
    if lp in ports:
        print(lp, rp, f[9])
