#!/usr/bin/python3
# task_file.sh: dump task_file -J against /proc/PID/fd and fdinfo
import json, sys, os
tmp, pid = sys.argv[1], int(sys.argv[2])
def res(name, good, why=""):
    print(("ok " if good else "FAIL ") + "task_file: " + name + ("" if good else ": " + why))
def load(n):
    try:
        return [json.loads(l) for l in open(tmp + "/" + n) if l.strip()]
    except ValueError as e:
        return []
rows = load("pid.json")
proc = {}
for l in open(tmp + "/proc.tsv"):
    fd, _, p = l.rstrip("\n").partition("\t")
    proc[int(fd)] = p
known = json.load(open(tmp + "/fds"))
fds, inos = known["fds"], known["inos"]

got = sorted(r.get("fd") for r in rows)
res("--pid: fd set matches /proc/PID/fd (%d fds), no duplicates from the helper's 2 threads" % len(proc),
    got == sorted(proc), "got %s, /proc %s" % (got, sorted(proc)))
bad = [(r.get("fd"), r.get("path"), proc.get(r.get("fd"))) for r in rows if proc.get(r.get("fd")) != r.get("path")]
res("--pid: every path equals readlink /proc/PID/fd/N", rows and not bad, str(bad[:4]))
comm = open("/proc/%d/comm" % pid).read().strip()
bad = [r for r in rows if r.get("pid") != pid or r.get("comm") != comm]
res("--pid: pid and comm (%s) on every row" % comm, rows and not bad, str(bad[:2]))
byfd = {r.get("fd"): r.get("path") for r in rows}
exp = {
    "plain": tmp + "/plain", "space": tmp + "/with space x",
    "null1": "/dev/null", "null2": "/dev/null",
    "pipe_r": "pipe:[%d]" % inos["pipe_r"], "pipe_w": "pipe:[%d]" % inos["pipe_w"],
    "sock": "socket:[%d]" % inos["sock"], "memfd": "/memfd:bdt-memfd (deleted)",
    "eventfd": "anon_inode:[eventfd]",
}
bad = [(k, fds[k], byfd.get(fds[k]), v) for k, v in exp.items() if byfd.get(fds[k]) != v]
res("the helper's files by fd: temp file, /dev/null x2, pipe/socket inodes (fstat), memfd, eventfd",
    not bad, "(what, fd, got, expected) %s" % bad[:4])
res("path with spaces is exact in JSON", byfd.get(fds["space"]) == tmp + "/with space x",
    repr(byfd.get(fds["space"])))

mine = sorted((r.get("fd"), r.get("path"), r.get("comm")) for r in load("all.json") if r.get("pid") == pid)
res("without --pid: the helper's rows equal the --pid rows",
    mine and mine == sorted((r.get("fd"), r.get("path"), r.get("comm")) for r in rows), "%d vs %d rows" % (len(mine), len(rows)))
allrows = load("all.json")
pids = {r.get("pid") for r in allrows}
# every process alive before and after the dump that has open files should be listed
before = {int(l) for l in open(tmp + "/pids.before") if l.strip()}
others = sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and p != "1" and int(p) != pid and int(p) in before)
missing = []
for p in others:
    try:
        if os.listdir("/proc/%d/fd" % p) and p not in pids and os.path.exists("/proc/%d" % p):
            missing.append(p)
    except OSError:
        pass
res("without --pid: every live process with open fds is listed (%d pids)" % len(pids), len(missing) <= 2,
    "missing %s" % missing[:5])
tid = sorted((r.get("fd"), r.get("path")) for r in load("tid.json"))
res("--tid of the main thread gives the same rows", tid and tid == sorted((r.get("fd"), r.get("path")) for r in rows),
    "%d vs %d rows" % (len(tid), len(rows)))
