#!/usr/bin/python3
# fields_funcs.sh: "lport rport inode" of the helper's sockets in /proc/net/tcp
import sys
for line in list(open("/proc/net/tcp"))[1:]:
    f = line.split()
    lp, rp = str(int(f[1].split(":")[1], 16)), str(int(f[2].split(":")[1], 16))
    if (lp == sys.argv[1] and rp in ("0",) + tuple(sys.argv[2:])) or (lp in sys.argv[2:] and rp == sys.argv[1]):
        print(lp, rp, f[9])
