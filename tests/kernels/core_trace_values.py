#!/usr/bin/python3
# core.sh: one value of each trace event
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(" ".join(str(e.get("values", {}).get(sys.argv[2])) for e in ev))
