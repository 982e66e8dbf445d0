#!/usr/bin/python3
# sockets.sh: the tcp, udp and unix dumps against the helper's sockets and ss
import json, sys, socket, ipaddress
tmp = sys.argv[1]
o = json.load(open(tmp + "/ports.json"))
def res(name, good, why=""):
    print(("ok " if good else "FAIL ") + "sockets: " + name + ("" if good else ": " + why))
def load(n):
    try:
        return [json.loads(l) for l in open(tmp + "/" + n) if l.strip()]
    except ValueError:
        return []
NAMES = {1: "ESTAB", 2: "SYN-SENT", 3: "SYN-RECV", 4: "FIN-WAIT-1", 5: "FIN-WAIT-2", 6: "TIME-WAIT",
         7: "UNCONN", 8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING"}
def addr(h):
    a, p = h.split(":")
    b = b"".join(bytes.fromhex(a[i:i + 8])[::-1] for i in range(0, len(a), 8))
    a = ipaddress.ip_address(b)
    if a.version == 6 and a.ipv4_mapped:
        return "::ffff:" + str(a.ipv4_mapped), int(p, 16)   # as ss and inet_ntop print it
    return str(a), int(p, 16)
def procnet(fn):
    out = []
    for l in open(tmp + "/" + fn):
        f = l.split()
        if not f or f[0] == "sl":
            continue
        la, lp = addr(f[1]); ra, rp = addr(f[2])
        out.append(dict(family="inet6" if len(f[1]) > 20 else "inet", state=NAMES[int(f[3], 16)],
                        laddr=la, lport=lp, raddr=ra, rport=rp, uid=int(f[7])))
    return out
KEYS = ("family", "state", "laddr", "lport", "raddr", "rport", "uid")
def norm(a):
    try:
        return ipaddress.ip_address(a)
    except ValueError:
        return a
def tup(r):
    return tuple(norm(r.get(k)) if k in ("laddr", "raddr") else r.get(k) for k in KEYS)

for proto, ports in (("tcp", {o["t4"], o["t6"], o["c4"], o["c6"], o["mapped"], o["tn"]}),
                     ("udp", {o["u4"], o["u6"], o["un"]})):
    truth = sorted(tup(r) for r in procnet("a." + proto) if r["lport"] in ports)
    got = sorted(tup(r) for r in load(proto + ".json") if r.get("lport") in ports)
    res("%s: the test's %d sockets match /proc/net/%s{,6} (family, state, addresses, ports, uid)" % (proto, len(truth), proto),
        got == truth and len(truth) >= (8 if proto == "tcp" else 3), "got %s; expected %s" % (got, truth))
    # sockets others open or close meanwhile: all in both snapshots must be listed, none outside them
    ta, tb = set(tup(r) for r in procnet("a." + proto)), set(tup(r) for r in procnet("b." + proto))
    allg = set(tup(r) for r in load(proto + ".json"))
    res("%s: the whole table matches /proc/net (%d sockets)" % (proto, len(ta & tb)),
        allg and not (ta & tb) - allg and not allg - (ta | tb),
        "only bpfdump %s, only /proc %s" % (sorted(allg - (ta | tb))[:3], sorted((ta & tb) - allg)[:3]))

# states and addresses as ss prints them
def ss_rows(fn):
    out = set()
    for l in open(tmp + "/" + fn):
        f = l.split()
        la, _, lp = f[3].rpartition(":"); ra, _, rp = f[4].rpartition(":")
        out.add((f[0], la.strip("[]").split("%")[0], lp, ra.strip("[]").split("%")[0], rp))
    return out
def our(r):
    return (r["state"], r["laddr"], str(r["lport"]), r["raddr"], str(r["rport"]) if r["rport"] else "*")
for proto, fn in (("tcp", "a.sst"), ("udp", "a.ssu")):
    ss = ss_rows(fn)
    mine = [r for r in load(proto + ".json") if r.get("lport") in (o["t4"], o["t6"], o["c6"], o["mapped"], o["u4"], o["u6"])]
    miss = [our(r) for r in mine if our(r) not in ss]
    res("%s: state names and address:port of the test's sockets as in ss -%san (%d)" % (proto, proto[0], len(mine)),
        mine and not miss, "not in ss: %s; ss has %s" % (miss[:3], sorted(ss)[:6]))

tcp = load("tcp.json")
def find(**kw):
    return [r for r in tcp if all(r.get(k) == v for k, v in kw.items())]
res("tcp: 127.0.0.1 listener, established pair", len(find(state="LISTEN", laddr="127.0.0.1", lport=o["t4"], family="inet")) == 1
    and len(find(state="ESTAB", lport=o["c4"], rport=o["t4"], raddr="127.0.0.1")) == 1
    and len(find(state="ESTAB", lport=o["t4"], rport=o["c4"])) == 1, str(find(lport=o["t4"])))
res("tcp: ::1 listener, half-closed pair FIN-WAIT-2 / CLOSE-WAIT",
    len(find(state="LISTEN", laddr="::1", lport=o["t6"], family="inet6")) == 1
    and len(find(state="FIN-WAIT-2", laddr="::1", lport=o["c6"], raddr="::1", rport=o["t6"])) == 1
    and len(find(state="CLOSE-WAIT", lport=o["t6"], rport=o["c6"])) == 1, str(find(family="inet6")))
res("tcp: inet6 socket connected to the v4 listener shows ::ffff:127.0.0.1",
    len(find(family="inet6", state="ESTAB", lport=o["mapped"], laddr="::ffff:127.0.0.1", raddr="::ffff:127.0.0.1", rport=o["t4"])) == 1,
    str(find(lport=o["mapped"])))
res("tcp: uid of a socket created with euid nobody is 65534", [r.get("uid") for r in find(lport=o["tn"])] == [65534],
    str(find(lport=o["tn"])))
udp = load("udp.json")
u = [r for r in udp if r.get("lport") in (o["u4"], o["u6"], o["un"])]
res("udp: UNCONN 127.0.0.1:U4, ESTAB [::1]:U6 -> [::1]:U4, uid 65534 on the nobody socket",
    sorted(tuple(r.get(k) for k in KEYS) for r in u) == sorted([("inet", "UNCONN", "127.0.0.1", o["u4"], "0.0.0.0", 0, 0),
                                          ("inet6", "ESTAB", "::1", o["u6"], "::1", o["u4"], 0),
                                          ("inet", "UNCONN", "127.0.0.1", o["un"], "0.0.0.0", 0, 65534)]), str(u))

# unix: /proc/net/unix by inode, ss for state names
def unixtab(n):
    out = {}
    for l in open(tmp + "/" + n):
        f = l.rstrip("\n").split(None, 7)
        if f[0] != "Num":
            out[int(f[6])] = dict(type=int(f[4], 16), path=f[7] if len(f) > 7 else "")
    return out
def sstab(n):
    out = {}
    for l in open(tmp + "/" + n):
        f = l.split()
        out[int(f[-3])] = dict(netid=f[0], state=f[1], path=" ".join(f[4:-3]))
    return out
pu, pub, ssx, ssxb = unixtab("a.unix"), unixtab("b.unix"), sstab("a.ssx"), sstab("b.ssx")
# sockets others open or close meanwhile: compare those alive in both snapshots
both = {i for i in pu if i in pub and i in ssx and i in ssxb and pu[i] == pub[i] and ssx[i] == ssxb[i]}
rows = load("unixino.json")
seen = {r.get("ino") for r in rows}
bad = [(r, pu.get(r.get("ino")), ssx.get(r.get("ino"))) for r in rows if r.get("ino") in both and
       (r.get("type") != ssx[r["ino"]]["netid"] or r.get("sk_type") != pu[r["ino"]]["type"]
        or r.get("state") != ssx[r["ino"]]["state"]
        or (not pu[r["ino"]]["path"].startswith("@") and r.get("path") != pu[r["ino"]]["path"]))]
extra = seen - set(pu) - set(pub)
res("unix: every socket's type (ss's Netid; sk_type as /proc/net/unix), state and path match (%d)" % len(both),
    rows and not bad and not both - seen and not extra,
    "missing %s, not in /proc %s, bad %s" % (sorted(both - seen)[:3], sorted(extra)[:3], bad[:3]))
inos = o["unix_inos"]
byino = {r.get("ino"): r for r in rows}
exp = {"stream": ("u_str", "LISTEN", 0, tmp + "/stream sock"), "client": ("u_str", "ESTAB", 0, ""),
       "accepted": ("u_str", "ESTAB", 0, tmp + "/stream sock"), "seq": ("u_seq", "LISTEN", 0, tmp + "/seqpacket"),
       "dgram": ("u_dgr", "UNCONN", 65534, tmp + "/dgram-nobody")}
bad = [(k, byino.get(inos[k]), v) for k, v in exp.items()
       if tuple(byino.get(inos[k], {}).get(x) for x in ("type", "state", "uid", "path")) != v]
res("unix: the test's sockets: types u_str/u_seq/u_dgr, LISTEN/ESTAB/UNCONN, uid 65534, paths with spaces", not bad, str(bad[:3]))
r = byino.get(inos["abstract"], {})
res("unix: abstract socket path shown as ss and /proc/net/unix do ('%s')" % o["abstract"],
    r.get("path") == o["abstract"], "got %r" % r.get("path"))
defl = load("unix.json")
named = sorted((r.get("type"), r.get("state"), r.get("path")) for r in defl if r.get("path", "").startswith(tmp))
res("unix: default columns show the named sockets", named == sorted(
    [("u_str", "LISTEN", tmp + "/stream sock"), ("u_str", "ESTAB", tmp + "/stream sock"),
     ("u_seq", "LISTEN", tmp + "/seqpacket"), ("u_dgr", "UNCONN", tmp + "/dgram-nobody")]), str(named))
