#!/usr/bin/python3
# trace_cmd.sh: how many of bpftool's links (JSON on stdin) the given pid holds
import json, sys
d = sys.argv[1]
print(sum(1 for l in json.load(sys.stdin) for p in l.get("pids", []) if str(p["pid"]) == d))
