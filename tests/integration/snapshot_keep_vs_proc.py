#!/usr/bin/python3
# snapshot_keep.sh: a JSON snapshot's fds, vmas and paths against /proc/PID: prints "fds=N vmas=M paths=ok|bad"
import json, os, sys
doc = json.load(open(sys.argv[1]))
pid = int(sys.argv[2])
want = {int(fd): os.readlink("/proc/%d/fd/%s" % (pid, fd)) for fd in os.listdir("/proc/%d/fd" % pid)}
got = {f["fd"]: f.get("path", "") for f in doc["files"]}
maps = sum(1 for l in open("/proc/%d/maps" % pid) if "[vsyscall]" not in l)
same = sorted(got) == sorted(want) and all(got[k] == want[k] for k in want if want[k].startswith("/"))
print("fds=%d vmas=%d paths=%s" % (len(doc["files"]), len(doc["memory"]["vmas"]),
                                    "ok" if same and len(doc["files"]) == len(want) else "bad"))
print("fds=%d vmas=%d paths=ok" % (len(want), maps), file=sys.stderr)
