#!/usr/bin/python3
# snapshot_vm.sh: a snapshot document's files, task and creds against /proc
import json, os, sys
doc = json.load(open(sys.argv[1]))
pid = int(sys.argv[2])
way = "" if sys.argv[3] == "s" else " (classic iterators)"
fds = {f["fd"]: f.get("path", "") for f in doc["files"]}
want = {int(fd): os.readlink("/proc/%d/fd/%s" % (pid, fd)) for fd in os.listdir("/proc/%d/fd" % pid)}
ok = sorted(fds) == sorted(want) and all(fds[k] == want[k] for k in want if want[k].startswith("/"))
print(("ok " if ok else "FAIL ") + "snapshot-vm: files equal /proc/PID/fd (%d fds)%s" % (len(want), way)
      + ("" if ok else ": %s vs %s" % (fds, want)))
# [vsyscall] is the gate area, no vma
maps = [l for l in open("/proc/%d/maps" % pid) if "[vsyscall]" not in l]
ok = len(doc["memory"]["vmas"]) == len(maps)
print(("ok " if ok else "FAIL ") + "snapshot-vm: one vma per /proc/PID/maps line (%d)%s" % (len(maps), way))
st = {l.split(":")[0]: l.split(":", 1)[1].split() for l in open("/proc/%d/status" % pid)}
ok = doc["task"]["pid"] == pid and doc["creds"]["uid"] == int(st["Uid"][0])
print(("ok " if ok else "FAIL ") + "snapshot-vm: task pid and uid match /proc/PID/status" + way)
