#!/usr/bin/python3
# task.sh: dump task -J against /proc: the test's process tree, its threads, every task alive through the dump
import json, sys, os
rows = [json.loads(l) for l in open(sys.argv[1])]
parent = int(sys.argv[2])
def status(pid, tid):
    d = {}
    for l in open("/proc/%d/task/%d/status" % (pid, tid)):
        k, _, v = l.partition(":")
        d[k] = v.strip()
    return d
def res(name, good, why=""):
    print(("ok " if good else "FAIL ") + "task: " + name + ("" if good else ": " + why))
mine = [r for r in rows if r["pid"] == parent or r["ppid"] == parent]
tids = sorted(int(t) for t in os.listdir("/proc/%d/task" % parent))
got = sorted(r["tid"] for r in rows if r["pid"] == parent)
res("parent threads match /proc/PID/task", got == tids, "%s vs %s" % (got, tids))
kids = sorted(int(p) for p in open("/proc/%d/task/%d/children" % (parent, parent)).read().split())
got = sorted(r["pid"] for r in rows if r["ppid"] == parent and r["pid"] != parent)
res("children pids/ppid match /proc", got == kids, "%s vs %s" % (got, kids))
bad = []
for r in mine:
    st = status(r["pid"], r["tid"])
    if (r["comm"] != st["Name"] or r["uid"] != int(st["Uid"].split()[0]) or
        r["ppid"] != int(st["PPid"]) or r["pid"] != int(st["Tgid"]) or r["state"] != st["State"][0]):
        bad.append((r, st["Name"], st["Uid"], st["PPid"], st["State"]))
res("comm, uid, ppid, tgid, state match /proc/PID/task/TID/status for %d rows" % len(mine),
    not bad and len(mine) == len(tids) + len(kids), str(bad[:2]))
before = {int(l) for l in open(os.path.dirname(sys.argv[1]) + "/before") if l.strip()}
got = {r["tid"] for r in rows}
# alive before the dump and after it: alive through it; the kernel hides pid 1 here
missing = [t for t in before - got if os.path.exists("/proc/%d" % t) and t != 1]
res("every task alive through the dump is listed (%d of %d)" % (len(before & got), len(before)),
    not missing, "missing %s" % missing[:5])
