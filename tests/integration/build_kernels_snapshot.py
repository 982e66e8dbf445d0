#!/usr/bin/python3
# build_kernels.sh: a snapshot made by a build for another kernel: tgid, threads, vmas, fds as /proc shows them
import json, os, sys
doc, pid, label = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
maps = [l for l in open("/proc/%d/maps" % pid) if not l.rstrip().endswith("[vsyscall]")]
got = (doc["task"]["tgid"], len(doc["task"]["threads"]), len(doc["memory"]["vmas"]),
       sorted(f["fd"] for f in doc["files"]), doc["complete"])
want = (pid, len(os.listdir("/proc/%d/task" % pid)), len(maps),
        sorted(int(x) for x in os.listdir("/proc/%d/fd" % pid)), True)
print("%s build_kernels: %s: snapshot's tgid, threads, vmas, fds as /proc%s" %
      ("ok" if got == want else "FAIL", label, "" if got == want else ": %s vs %s" % (got, want)))
