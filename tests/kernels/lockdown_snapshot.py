#!/usr/bin/python3
# lockdown.sh: tgid, comm, threads, fds, mappings, absent and lost of a snapshot document
import json, sys
d = json.loads(sys.argv[1])
print(d["task"]["tgid"], d["task"]["comm"], len(d["task"]["threads"]), sorted(f["fd"] for f in d["files"]),
      len(d["memory"]["vmas"]), d["absent"], d["lost"])
