#!/usr/bin/python3
# snapshot.sh: lost, complete, and every vma of /proc/PID/maps there
import json,sys
d=json.load(open(sys.argv[1])); p=sys.argv[2]
nv=sum(1 for l in open("/proc/%s/maps" % p) if not l.startswith("ffffffffff600000"))
print(d["lost"], d["complete"], len(d["memory"]["vmas"]) == nv)
