#!/usr/bin/python3
# user_objs.sh: show -J: target, program name and creator of bpfdump's pin and bpftool's
import json, sys
rows = {}
for l in open(sys.argv[1]):
    if l.strip():
        r = json.loads(l); rows[r["path"]] = r
d = sys.argv[2]
for p in (d + "/a/b/ksym", d + "/tool/ksym"):
    r = rows.get(p, {})
    print(r.get("target"), r.get("prog_name"), r.get("created_by"))
