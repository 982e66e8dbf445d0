#!/usr/bin/python3
# snapshot.sh: a snapshot of the target process against its /proc entries
import json, os, sys
label, path, pid, overlay, before = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
doc = json.load(open(path))
def res(name, ok, why=""):
    print(("ok " if ok else "FAIL ") + "snapshot-kernel: %s: %s%s" % (label, name, "" if ok else ": " + why))

def status(p):
    return {l.split(":")[0]: l.split(":", 1)[1].split() for l in open(p)}
st = status("/proc/%d/status" % pid)
st0 = status(before) if os.path.exists(before) else st
t = doc["task"]
got = (t["pid"], t["tgid"], t["ppid"], t["comm"], t["nr_threads"])
want = (pid, pid, int(st["PPid"][0]), st["Name"][0], int(st["Threads"][0]))
res("task pid, tgid, ppid, comm, threads as /proc/PID/status", got == want, "%s vs %s" % (got, want))
tids = sorted(x["tid"] for x in t["threads"])
want = sorted(int(x) for x in os.listdir("/proc/%d/task" % pid))
res("one thread record per /proc/PID/task entry (%d)" % len(want), tids == want, "%s vs %s" % (tids, want))
c = doc["creds"]
got = ([c[k] for k in ("uid", "euid", "suid", "fsuid")], [c[k] for k in ("gid", "egid", "sgid", "fsgid")],
       int(c["cap_effective"]["mask"], 16), sorted(c["groups"]))
want = ([int(x) for x in st["Uid"]], [int(x) for x in st["Gid"]], int(st["CapEff"][0], 16),
        sorted(int(x) for x in st.get("Groups", [])))
res("creds: uids, gids, CapEff, groups as /proc/PID/status", got == want, "%s vs %s" % (got, want))
mm = doc["memory"]["mm"]
kb = mm["page_kb"]
# the resident count moves while the target runs (the VM's reclaim, its threads): the
# snapshot's lies between /proc's read just before and just after it
rss = (mm["rss_file"] + mm["rss_anon"] + mm["rss_shmem"]) * kb
lo, hi = sorted((int(st0["VmRSS"][0]), int(st["VmRSS"][0])))
res("memory: VmSize as /proc/PID/status", mm["total_vm"] * kb == int(st["VmSize"][0]),
    "%d vs %s" % (mm["total_vm"] * kb, st["VmSize"][0]))
res("memory: VmRSS within /proc/PID/status's before and after (%d..%d kB)" % (lo, hi), lo <= rss <= hi,
    "%d kB" % rss)

# every mapping as /proc/PID/maps says it ([vsyscall] is the gate area: no vma)
page = os.sysconf("SC_PAGE_SIZE")
maps = []
for l in open("/proc/%d/maps" % pid):
    f = l.split(None, 5)
    if len(f) > 5 and f[5].strip() == "[vsyscall]":
        continue
    s, e = f[0].split("-")
    ma, mi = f[3].split(":")
    maps.append((int(s, 16), int(e, 16), f[1], int(f[2], 16), "%d:%d" % (int(ma, 16), int(mi, 16)),
                 int(f[4]), f[5].strip() if len(f) > 5 else ""))
vmas = doc["memory"]["vmas"]
res("one vma per /proc/PID/maps line (%d)" % len(maps), len(vmas) == len(maps), "%d vs %d" % (len(vmas), len(maps)))
bad = []
for v, m in zip(vmas, maps):
    # /proc shows an offset for file mappings only (an anonymous one's pgoff is its address)
    off = int(v["pgoff"], 16) * page if v["kind"] == "file" else 0
    got = (int(v["start"], 16), int(v["end"], 16), v["perms"], off, v["dev"], v["inode"])
    if got != m[:6] or (v["kind"] == "file" and v.get("path", "") != m[6].replace(" (deleted)", "")):
        bad.append("%s %s vs %s" % (got, v.get("path"), m))
res("every vma's range, perms, offset, dev, inode and path as /proc/PID/maps", not bad, "; ".join(bad[:3]))
if overlay:
    for name in ("a", "b"):
        p = os.path.join(overlay, name)
        stt = os.stat(p)
        want = [m[4:6] for m in maps if m[6] == p]
        got = [(v["dev"], v["inode"]) for v in vmas if v.get("path") == p]
        user = ("%d:%d" % (os.major(stt.st_dev), os.minor(stt.st_dev)), stt.st_ino)
        res("overlay file %s (%s layer): vma dev and inode as /proc/PID/maps %s" %
            (name, "lower" if name == "a" else "upper", want[:1]),
            bool(want) and got == want, "%s vs %s (the overlay's stat: %s)" % (got, want, user))

# every fd as /proc/PID/fd says it
fds = {f["fd"]: f for f in doc["files"]}
want = {int(fd): os.readlink("/proc/%d/fd/%s" % (pid, fd)) for fd in os.listdir("/proc/%d/fd" % pid)}
res("one file per /proc/PID/fd entry (%d)" % len(want), sorted(fds) == sorted(want),
    "%s vs %s" % (sorted(fds), sorted(want)))
bad = []
for fd, link in want.items():
    f = fds.get(fd)
    stt = os.stat("/proc/%d/fd/%d" % (pid, fd))
    dev = "%d:%d" % (os.major(stt.st_dev), os.minor(stt.st_dev))
    if not f or f["inode"] != stt.st_ino or f["dev"] != dev or (link.startswith("/") and f.get("path") != link):
        bad.append("fd %d: %s vs %s %s:%d" % (fd, f and (f.get("path"), f["dev"], f["inode"]), link, dev, stt.st_ino))
res("every fd's path, dev and inode as /proc/PID/fd", not bad, "; ".join(bad[:3]))
res("complete, nothing lost, no section absent", doc["complete"] and not doc["lost"] and not doc["absent"],
    "complete %s lost %s absent %s" % (doc["complete"], doc["lost"], doc["absent"]))
