#!/usr/bin/python3
# bpf_objs.sh: bpfdump's JSON rows (stdin) as KEY<TAB>VALUE lines, lower case
import json, sys
for l in sys.stdin:
    if l.strip():
        r = json.loads(l); print(str(r.get("key")).lower() + "\t" + str(r.get("value")).lower())
