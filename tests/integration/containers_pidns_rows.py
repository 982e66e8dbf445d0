#!/usr/bin/python3
# containers.sh: pid:ppid of each task row (JSON lines on stdin)
import json, sys
print(" ".join("%d:%d" % (r["pid"], r["ppid"]) for r in map(json.loads, sys.stdin)))
