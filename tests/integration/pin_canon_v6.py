#!/usr/bin/python3
# pin.sh: stdin with uncompressed IPv6 addresses in canonical form
import sys,ipaddress
for l in sys.stdin:
    print(" ".join(str(ipaddress.ip_address(w)) if w.count(":") == 7 else w for w in l.split()))
