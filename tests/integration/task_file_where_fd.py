#!/usr/bin/python3
# task_file.sh: task_file -w 'fd == N': only fd N, and the test process's path
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
pid, fd = int(sys.argv[2]), int(sys.argv[3])
good = rows and all(r["fd"] == fd for r in rows) and [r["path"] for r in rows if r["pid"] == pid] == [sys.argv[4]]
print(("ok" if good else "FAIL") + " task_file: -w 'fd == N' over all tasks keeps only fd N, including the helper's"
      + ("" if good else ": %s" % rows[:3]))
