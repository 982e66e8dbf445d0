#!/usr/bin/python3
# kernel_lists.sh: dump netlink -J against /proc/net/netlink read before and after
import json, sys, collections
tmp = sys.argv[1]
def res(name, good, why=""):
    print(("ok " if good else "FAIL ") + "kernel_lists: " + name + ("" if good else ": " + why))
def proc(n):
    out = []
    for l in open(tmp + "/" + n).readlines()[1:]:
        f = l.split()
        out.append((int(f[1]), int(f[2]), int(f[4])))
    return out
pa, pb = proc("nl.a"), proc("nl.b")
try:
    rows = [json.loads(l) for l in open(tmp + "/nl.json") if l.strip()]
except ValueError:
    rows = []
got = collections.Counter((r.get("protocol"), r.get("portid")) for r in rows)
stable = collections.Counter((p, i) for p, i, _ in pa) & collections.Counter((p, i) for p, i, _ in pb)
res("netlink: every (protocol, portid) of /proc/net/netlink is listed (%d sockets)" % sum(stable.values()),
    rows and not stable - got, str(list(stable - got)[:4]))
res("netlink: no rows beyond /proc/net/netlink (but the dumping process's own)",
    sum((got - collections.Counter((p, i) for p, i, _ in pa + pb)).values()) <= 2,
    str(list(got - collections.Counter((p, i) for p, i, _ in pa + pb))[:4]))
a, b, g = json.load(open(tmp + "/nl.ids"))
mine = sorted((r.get("protocol"), r.get("portid"), r.get("dst_portid"), r.get("rmem")) for r in rows
              if (r.get("protocol"), r.get("portid")) in ((2, a), (2, b), (16, g)))
rmem = {(p, i): m for p, i, m in pa}
res("netlink: the helper's sockets: protocols 2/2/16, dst_portid of the connected one, rmem as in /proc",
    mine == sorted([(2, a, 0, rmem.get((2, a))), (2, b, a, 0), (16, g, 0, 0)]) and rmem.get((2, a), 0) > 0,
    "got %s, /proc rmem %s" % (mine, rmem.get((2, a))))
