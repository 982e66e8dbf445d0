#!/usr/bin/python3
# map_elems.sh: the sockmap slots bpftool reads a cookie from (its JSON on stdin)
import json, sys
print(" ".join(" ".join(b[2:] for b in e["key"]) for e in json.load(sys.stdin) if isinstance(e.get("value"), list)))
