#!/usr/bin/python3
# snapshot.sh: the snapshot document against the /proc/PID files and ss output copied beside it (g1/)
import json, os, re, sys
tmp, pid, cg2, cg = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
g = tmp + "/g1/"
def res(name, good, why=""):
    print(("ok " if good else "FAIL ") + "snapshot: " + name + ("" if good else ": " + str(why)[:400]))
try:
    s = json.load(open(tmp + "/snap.json"))
    res("output is one JSON document", True)
except ValueError as e:
    res("output is one JSON document", False, e)
    sys.exit(0)
st = {}
for l in open(g + "status"):
    k, _, v = l.partition(":")
    st[k] = v.strip()
stat = open(g + "stat").read()
statf = stat[stat.rindex(")") + 2:].split()

t = s.get("task", {})
res("task: pid, tgid, ppid, comm, state as /proc/PID/status",
    (t.get("pid"), t.get("tgid"), t.get("ppid"), t.get("comm"), t.get("state")) ==
    (pid, int(st["Tgid"]), int(st["PPid"]), st["Name"], st["State"]), (t, st["State"]))
res("task: nr_threads = Threads", t.get("nr_threads") == int(st["Threads"]), t.get("nr_threads"))
res("task: start time in clock ticks = stat field 22",
    t.get("start_time_ns", -1) // 10**7 == int(statf[19]), (t.get("start_time_ns"), statf[19]))
res("task: flags = stat field 9", int(t.get("flags", "0"), 16) == int(statf[6]), (t.get("flags"), statf[6]))
thr = sorted((x["tid"], x["comm"]) for x in t.get("threads", []))
exp = sorted((int(a), b) for a, b in (l.rstrip("\n").split(" ", 1) for l in open(g + "threads")))
res("threads: every tid and comm as /proc/PID/task/*/comm (%d)" % len(exp), thr == exp, (thr, exp))
res("threads: the three named workers are there",
    {"snap_worker_a", "snap_worker_b", "snap_worker_c"} <= {c for _, c in thr}, thr)

c = s.get("creds", {})
u = [int(x) for x in st["Uid"].split()]
gi = [int(x) for x in st["Gid"].split()]
res("creds: uid/euid/suid/fsuid and gid/egid/sgid/fsgid as Uid:/Gid:",
    [c.get(k) for k in ("uid", "euid", "suid", "fsuid")] == u and
    [c.get(k) for k in ("gid", "egid", "sgid", "fsgid")] == gi, (c, u, gi))
res("creds: supplementary groups as Groups:",
    sorted(c.get("groups", [])) == sorted(int(x) for x in st["Groups"].split()), (c.get("groups"), st["Groups"]))
capk = {"CapInh": "cap_inheritable", "CapPrm": "cap_permitted", "CapEff": "cap_effective",
        "CapBnd": "cap_bounding", "CapAmb": "cap_ambient"}
bad = [(k, st[k], c.get(v, {}).get("mask")) for k, v in capk.items() if c.get(v, {}).get("mask") != st[k]]
res("creds: the five capability sets as Cap*: masks", not bad, bad)
names = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
         "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
         "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
         "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
         "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME"]
eff = int(st["CapEff"], 16)
want = [n for i, n in enumerate(names) if eff >> i & 1]
res("creds: effective capability names decode CapEff's bits (linux/capability.h numbering)",
    [n for n in c.get("cap_effective", {}).get("names", []) if n in names] == want, c.get("cap_effective"))
res("creds: no_new_privs and seccomp as NoNewPrivs:/Seccomp:",
    (c.get("no_new_privs"), c.get("seccomp")) == (int(st["NoNewPrivs"]), int(st["Seccomp"])), c)

m = s.get("memory", {})
mm = m.get("mm", {})
kb = mm.get("page_kb", 4)
pairs = [("VmSize", "total_vm"), ("VmLck", "locked_vm"), ("VmPin", "pinned_vm"), ("VmData", "data_vm"),
         ("VmStk", "stack_vm"), ("RssAnon", "rss_anon"), ("RssFile", "rss_file"), ("RssShmem", "rss_shmem"),
         ("VmSwap", "rss_swapents")]
bad = [(a, st[a], mm.get(b, 0) * kb) for a, b in pairs if int(st[a].split()[0]) != mm.get(b, -1) * kb]
res("memory: mm totals and rss by type as /proc/PID/status (%s)" % ", ".join(a for a, _ in pairs), not bad, bad)
maps = []
for l in open(g + "maps"):
    f = l.rstrip("\n").split(None, 5)
    a, b = (int(x, 16) for x in f[0].split("-"))
    if a >= 0xffffffffff600000:
        continue    # [vsyscall]: the gate area, not a VMA of the mm
    dmaj, dmin = (int(x, 16) for x in f[3].split(":"))
    maps.append((a, b, f[1], int(f[2], 16), "%d:%d" % (dmaj, dmin), int(f[4]), f[5].strip() if len(f) > 5 else ""))
vm = [(int(v["start"], 16), int(v["end"], 16), v["perms"],
       int(v["pgoff"], 16) * 4096 if v["kind"] == "file" else 0, v["dev"], v["inode"], v["path"])
      for v in m.get("vmas", [])]
diff = [(x, y) for x, y in zip(vm, maps) if x != y]
res("memory: every vma (start, end, perms, offset, dev, inode, path) as /proc/PID/maps (%d)" % len(maps),
    len(vm) == len(maps) and not diff, diff[:3] or (len(vm), len(maps)))
res("memory: mm map_count = vmas", mm.get("map_count") == len(vm), (mm.get("map_count"), len(vm)))
data = [v for v in m.get("vmas", []) if v["path"] == tmp + "/t/data"]
res("memory: the target's MAP_SHARED file mapping is rw-s of 3 pages",
    len(data) == 1 and data[0]["perms"] == "rw-s" and int(data[0]["end"], 16) - int(data[0]["start"], 16) == 3 * 4096, data)

fdl = {int(a): b for a, b in (l.rstrip("\n").split(" ", 1) for l in open(g + "fd"))}
info = {}
for blk in open(g + "fdinfo").read().split("== ")[1:]:
    lines = blk.splitlines()
    info[int(lines[0])] = dict((k.strip(), v.strip()) for k, _, v in (x.partition(":") for x in lines[1:]))
files = {x["fd"]: x for x in s.get("files", [])}
res("files: the fd set equals /proc/PID/fd (%d)" % len(fdl), sorted(files) == sorted(fdl), (sorted(files), sorted(fdl)))
bad = [(n, files[n]["path"], fdl[n]) for n in fdl if n in files and files[n]["path"] != fdl[n]]
res("files: every path equals readlink /proc/PID/fd/N (files, pipes, sockets, anon inodes)", not bad, bad)
bad = [(n, files[n], info[n]) for n in info if n in files and
       (files[n]["pos"] != int(info[n]["pos"]) or files[n]["flags"] != info[n]["flags"] or
        files[n]["mnt_id"] != int(info[n]["mnt_id"]) or files[n]["inode"] != int(info[n]["ino"]))]
res("files: pos, flags (octal, O_CLOEXEC included), mnt_id, inode as /proc/PID/fdinfo", not bad, bad[:2])
kinds = {}
for n, p in fdl.items():
    if p.startswith("pipe:"): kinds[n] = "pipe"
    elif p.startswith("socket:"): kinds[n] = "socket"
    elif p == "anon_inode:[eventfd]": kinds[n] = "eventfd"
    elif p == "anon_inode:[timerfd]": kinds[n] = "timerfd"
    elif p == "anon_inode:[eventpoll]": kinds[n] = "epoll"
bad = [(n, files.get(n, {}).get("kind"), k) for n, k in kinds.items() if files.get(n, {}).get("kind") != k]
res("files: kinds pipe/socket/eventfd/timerfd/epoll (%d)" % len(kinds),
    not bad and {"pipe", "socket", "eventfd", "timerfd", "epoll"} <= set(kinds.values()), bad)
reg = [x for x in files.values() if x["path"] == tmp + "/t/data"]
res("files: the regular file is REG at position 1234, opened O_RDWR",
    len(reg) == 1 and reg[0]["type"] == "REG" and reg[0]["pos"] == 1234 and int(reg[0]["flags"], 8) & 3 == 2, reg)

socks = s.get("sockets", [])
sockfd = {n: int(p[8:-1]) for n, p in fdl.items() if p.startswith("socket:[")}
res("sockets: one per socket fd, inode as readlink socket:[N] (%d)" % len(sockfd),
    sorted((x["fd"], x["inode"]) for x in socks) == sorted(sockfd.items()), (socks, sockfd))
ssi = {}
for l in open(g + "ss_inet"):
    f = l.split()
    mo = re.search(r"ino:(\d+)", l)
    if mo:
        ssi[int(mo.group(1))] = f
bad, seen = [], 0
for x in socks:
    if x["family"] != "inet" or x["inode"] not in ssi:
        continue
    f = ssi[x["inode"]]
    seen += 1
    proto, state, rq, wq, la, ra = f[0], f[1], int(f[2]), int(f[3]), f[4], f[5]
    if ra.endswith(":*"):
        ra = ra[:-1] + "0"
    got = (x["protocol"], x["state"], x["recv_q"], x["send_q"], x["local"], x["remote"])
    if got != (proto, state, rq, wq, la, ra):
        bad.append((got, f[:6]))
res("sockets: TCP/UDP protocol, state, Recv-Q, Send-Q, local and remote as ss -tanue (%d)" % seen,
    seen >= 4 and not bad, bad)
unread = [x for x in socks if x["protocol"] == "tcp" and x["recv_q"] == 100]
res("sockets: the accepted TCP socket holds the 100 unread bytes", len(unread) == 1, unread)
ssu = {}
for l in open(g + "ss_unix"):
    f = l.split()
    ssu[int(f[5])] = f
ux = [x for x in socks if x["family"] == "unix"]
bad = [(x, ssu.get(x["inode"])) for x in ux if x["inode"] not in ssu or
       ssu[x["inode"]][0] != x["type"] or ssu[x["inode"]][1] != x["state"] or
       (ssu[x["inode"]][4] if ssu[x["inode"]][4] != "*" else "") != x["local"] or
       (ssu[x["inode"]][7] not in ("*", "0") and int(ssu[x["inode"]][7]) != x["peer_inode"])]
res("sockets: unix type (Netid), state, path and peer inode as ss -xan (%d)" % len(ux), len(ux) == 3 and not bad, bad)

cgl = [l.strip().split(":", 2)[2] for l in open(g + "cgroup") if l.startswith("0::")]
cgs = s.get("cgroups", {})
res("cgroups: path as the 0:: line of /proc/PID/cgroup", cgl and cgs.get("path") == cgl[0], (cgs.get("path"), cgl))
anc = cgs.get("ancestors", [])
bad = [a for a in anc if os.stat(cg2 + (a["path"] if a["path"] != "/" else "")).st_ino != a["id"]]
res("cgroups: every ancestor's id is its cgroup2 directory's inode, levels 0..N (%d)" % len(anc),
    anc and not bad and [a["level"] for a in anc] == list(range(len(anc))), bad or anc)
if cg:
    res("cgroups: the test's cgroup and its parent are the last two ancestors",
        [a["path"] for a in anc[-2:]] == [cg[len(cg2):].rsplit("/", 1)[0], cg[len(cg2):]], anc)

ns = s.get("namespaces", {})
bad = []
for l in open(g + "ns"):
    k, v = l.split()
    key = k
    if key in ns and "%s:[%d]" % (k.replace("_for_children", ""), ns[key]) != v:
        bad.append((k, v, ns[key]))
    if key not in ns:
        bad.append((k, v, None))
res("namespaces: every /proc/PID/ns/* inode (%d)" % len(open(g + "ns").readlines()), not bad, bad)

lim = {x["name"]: x for x in s.get("limits", [])}
bad = []
for l in open(g + "limits").readlines()[1:]:
    name = l[:26].strip()
    soft, hard = l[26:47].split()[0], l[47:68].split()[0]
    x = lim.get(name)
    if x is None or str(x["soft"]) != soft or str(x["hard"]) != hard:
        bad.append((name, soft, hard, x))
res("limits: every rlimit as /proc/PID/limits (%d)" % len(lim), len(lim) == 16 and not bad, bad)
res("complete, nothing lost", s.get("complete") is True and s.get("lost") == 0 and s.get("absent") == [], s.get("lost"))
