#!/usr/bin/python3
# snapshot.sh: lost, and the fds and vmas of the big process all there
import json,sys,os
d=json.load(open(sys.argv[1])); p=sys.argv[2]
nv=sum(1 for l in open("/proc/%s/maps" % p) if not l.startswith("ffffffffff600000"))
print(d["lost"], len(d["files"]) == len(os.listdir("/proc/%s/fd" % p)), len(d["memory"]["vmas"]) == nv, len(d["files"]) > int(sys.argv[3]))
