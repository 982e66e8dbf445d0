#!/usr/bin/python3
# kernel_lists.sh: routes in a network namespace of the test's (veth, routes) against /proc/net/{route,ipv6_route}
import json, sys, ipaddress, collections, os
tmp, sub, m1, m2 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def res(name, good, why=""):
    print(("ok " if good else "FAIL ") + "kernel_lists: " + name + ("" if good else ": " + why))
def proc(n):
    out = []
    for l in open(tmp + "/" + n):
        f = l.split()
        # /proc adds RTF_GATEWAY (0x2) when the nexthop has a gateway; rt->fib6_flags lacks it
        out.append((ipaddress.ip_address(bytes.fromhex(f[0])), int(f[1], 16), ipaddress.ip_address(bytes.fromhex(f[4])),
                    int(f[5], 16), int(f[8], 16) & ~2, f[9]))
    return out
def load(n):
    try:
        rows = [json.loads(l) for l in open(tmp + "/" + n) if l.strip()]
        return [(ipaddress.ip_address(r["dst"]), r["plen"], ipaddress.ip_address(r["gateway"]), r["metric"],
                 int(r["flags"], 16) & ~2, r["dev"]) for r in rows]
    except (ValueError, KeyError, TypeError, OSError):
        return []
a = proc("r6.host.a")
if a != proc("r6.host.b"):
    print("skip kernel_lists: ipv6_route host: table changed during the dump")
else:
    got = load("r6.host.json")
    res("ipv6_route: host table equals /proc/net/ipv6_route: dst, plen, gateway, metric, flags (but RTF_GATEWAY), dev (%d routes)" % len(a),
        sorted(got) == sorted(a) and a, "got %s; expected %s" % (sorted(got)[:3], sorted(a)[:3]))
if os.path.exists(tmp + "/r6.ns"):
    t, got = proc("r6.ns"), load("r6.ns.json")
    res("ipv6_route: netns table equals its /proc/net/ipv6_route (%d routes)" % len(t), sorted(got) == sorted(t) and t,
        "only bpfdump %s; only /proc %s" % (sorted(set(got) - set(t))[:3], sorted(set(t) - set(got))[:3]))
    ip = ipaddress.ip_address
    want = [(ip("2001:db8:%s::" % sub), 48, ip("2001:db8:ff::2"), m1, "bdt0"),
            (ip("2001:db8:%s:1::5" % sub), 128, ip("::"), m2, "bdt1"),
            (ip("2001:db8:%s:2::" % sub), 64, ip("::"), 1024, "bdt0")]
    have = [(d, p, g, m, dev) for d, p, g, m, _, dev in got]
    res("ipv6_route: the test's routes: gateway route metric %d, /128 on bdt1, table-100 route" % m1,
        all(w in have for w in want), "missing %s" % [w for w in want if w not in have])
else:
    res("ipv6_route: netns table equals its /proc/net/ipv6_route", False, "netns setup failed")
