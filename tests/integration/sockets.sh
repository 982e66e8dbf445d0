#!/usr/bin/env bash
# tcp, udp and unix targets vs /proc/net/{tcp,tcp6,udp,udp6,unix} and ss, on sockets the test makes.
source "$(dirname "$0")/../lib.sh"

# as lib.sh's, but a multi-line value is shown with \n so the result stays on one line
expect_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else fail "$1: expected '${2//$'\n'/\\n}', got '${3//$'\n'/\\n}'"; fi
}

# dump_ok NAME OUTFILE ARGS...: run bpfdump ARGS (bounded), one result line, stderr shown on failure
dump_ok() {
	local name=$1 out=$2 rc
	shift 2
	timeout 60 "$BPFDUMP" "$@" >"$out" 2>"$TMP/dump.err"
	rc=$?
	if [ $rc -eq 0 ]; then ok "$name"; else fail "$name: exit $rc: $(head -c 300 "$TMP/dump.err")"; fi
}


# The helper picks random free ports and makes:
#  tcp: a listener on 127.0.0.1:T4 with an established pair, a listener on [::1]:T6 with a pair
#       whose client then shuts down writing (FIN-WAIT-2 / CLOSE-WAIT), an inet6 socket connected
#       to the v4 listener (::ffff:127.0.0.1), a listener created with euid nobody
#  udp: unconnected 127.0.0.1:U4, [::1]:U6 connected to [::1]:U4, one created with euid nobody
#  unix: stream listener whose path has a space, a client connected to it, seqpacket listener,
#       dgram bound to a path (euid nobody), abstract dgram
# Every TCP socket has SO_LINGER 0, so the kernel resets them at exit (no TIME-WAIT left behind).
cat >"$TMP/helper.py" <<'PY'
import socket, os, sys, json, time, random, struct
d = sys.argv[1]
L = struct.pack("ii", 1, 0)
keep = []
def sock(fam, typ):
    s = socket.socket(fam, typ)
    if typ == socket.SOCK_STREAM and fam != socket.AF_UNIX:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, L)
    keep.append(s)
    return s
def bind_random(s, host):
    for _ in range(200):
        p = random.randrange(20000, 60000)
        try:
            s.bind((host, p)); return p
        except OSError:
            pass
    s.bind((host, 0)); return s.getsockname()[1]
A4, A6 = socket.AF_INET, socket.AF_INET6
ST, DG = socket.SOCK_STREAM, socket.SOCK_DGRAM
o = {}
l4 = sock(A4, ST); o["t4"] = bind_random(l4, "127.0.0.1"); l4.listen()
c4 = sock(A4, ST); c4.connect(("127.0.0.1", o["t4"])); a4, _ = l4.accept(); keep.append(a4)
o["c4"] = c4.getsockname()[1]
l6 = sock(A6, ST); o["t6"] = bind_random(l6, "::1"); l6.listen()
c6 = sock(A6, ST); c6.connect(("::1", o["t6"])); a6, _ = l6.accept(); keep.append(a6)
o["c6"] = c6.getsockname()[1]
c6.shutdown(socket.SHUT_WR)
m = sock(A6, ST); m.connect(("::ffff:127.0.0.1", o["t4"])); am, _ = l4.accept(); keep.append(am)
o["mapped"] = m.getsockname()[1]
os.seteuid(65534)
ln = sock(A4, ST)
un = sock(A4, DG)
xn = sock(socket.AF_UNIX, DG)
os.seteuid(0)
o["tn"] = bind_random(ln, "127.0.0.1"); ln.listen()
o["un"] = bind_random(un, "127.0.0.1")
u4 = sock(A4, DG); o["u4"] = bind_random(u4, "127.0.0.1")
u6 = sock(A6, DG); o["u6"] = bind_random(u6, "::1"); u6.connect(("::1", o["u4"]))
xs = sock(socket.AF_UNIX, ST); xs.bind(d + "/stream sock"); xs.listen()
xc = sock(socket.AF_UNIX, ST); xc.connect(d + "/stream sock"); xa, _ = xs.accept(); keep.append(xa)
xq = sock(socket.AF_UNIX, socket.SOCK_SEQPACKET); xq.bind(d + "/seqpacket"); xq.listen()
xn.bind(d + "/dgram-nobody")
xb = sock(socket.AF_UNIX, DG); xb.bind("\0bdt-abstract-%d" % os.getpid())
o["unix_inos"] = {k: os.fstat(s.fileno()).st_ino for k, s in
                  dict(stream=xs, client=xc, accepted=xa, seq=xq, dgram=xn, abstract=xb).items()}
o["abstract"] = "@bdt-abstract-%d" % os.getpid()
with open(d + "/ports.tmp", "w") as f:
    json.dump(o, f)
os.rename(d + "/ports.tmp", d + "/ports.json")
for _ in range(120):
    time.sleep(1)
PY
python3 "$TMP/helper.py" "$TMP" </dev/null >/dev/null 2>"$TMP/helper.err" &
P=$!
at_exit "kill $P"
if ! wait_file "$TMP/ports.json"; then
	fail "helper did not start: $(head -c 300 "$TMP/helper.err")"
	exit 1
fi
port() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TMP/ports.json" "$1"; }
T4=$(port t4) T6=$(port t6) C6=$(port c6) U4=$(port u4) U6=$(port u6)

# the half-closed pair settles once the FIN is acked: wait for that state (bounded), not for time
for _ in $(seq 100); do
	ss -tanH state fin-wait-2 "( sport = :$C6 )" | grep -q . && break
	sleep 0.05
done

snap() {
	cat /proc/net/tcp /proc/net/tcp6 >"$TMP/$1.tcp"
	cat /proc/net/udp /proc/net/udp6 >"$TMP/$1.udp"
	cat /proc/net/unix >"$TMP/$1.unix"
	ss -tanH >"$TMP/$1.sst"; ss -uanH >"$TMP/$1.ssu"; ss -xanH >"$TMP/$1.ssx"
}
snap a
dump_ok "dump tcp -J exits 0" "$TMP/tcp.json" dump tcp -J
dump_ok "dump udp -J exits 0" "$TMP/udp.json" dump udp -J
dump_ok "dump unix -J exits 0" "$TMP/unix.json" dump unix -J
dump_ok "dump unix with the socket inode exits 0" "$TMP/unixino.json" dump unix -J -o 'ino=unix_sk->sk.sk_socket->file->f_inode->i_ino,type=socktype(unix_sk->sk),sk_type=unix_sk->sk.sk_type,state=tcpstate(unix_sk->sk.__sk_common.skc_state),uid=uid,path=sunpath(unix_sk)'
snap b
check "JSON parses (tcp, udp, unix)" json_valid < <(cat "$TMP/tcp.json" "$TMP/udp.json" "$TMP/unix.json")

python3 - "$TMP" <<'PY'
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
PY

# predicates compiled into the program
out=$(timeout 60 "$BPFDUMP" dump tcp -r -n -o 'state=tcpstate(sk_common->skc_state),lport=sk_common->skc_num' -w "sk_common->skc_num == $T4" | sort)
expect_eq "tcp -w 'skc_num == PORT': listener + accepted sockets" "$(printf 'ESTAB %s\nESTAB %s\nLISTEN %s' "$T4" "$T4" "$T4")" "$out"
n=$(timeout 60 "$BPFDUMP" dump tcp -r -n -w "sk_common->skc_num == $T4 || sk_common->skc_dport == $T4" | wc -l)
expect_eq "tcp -w on local or remote port counts like ss" "$(ss -tanH "( sport = :$T4 or dport = :$T4 )" | wc -l)" "$n"
out=$(timeout 60 "$BPFDUMP" dump tcp -r -n -o 'lport=sk_common->skc_num' -w "sk_common->skc_family == AF_INET6 && sk_common->skc_state == TCP_LISTEN && sk_common->skc_num == $T6")
expect_eq "tcp -w with named constants AF_INET6, TCP_LISTEN" "$T6" "$out"
out=$(timeout 60 "$BPFDUMP" dump udp -r -n -o 'lport=udp_sk->inet.sk.__sk_common.skc_num,rport=udp_sk->inet.sk.__sk_common.skc_dport' -w "udp_sk->inet.sk.__sk_common.skc_num == $U6")
expect_eq "udp -w on the local port" "$U6 $U4" "$out"
out=$(timeout 60 "$BPFDUMP" dump unix -r -n -o 'type=unix_sk->sk.sk_type' -w "unix_sk->addr->name[0].sun_path == \"$TMP/seqpacket\"")
expect_eq "unix -w on sun_path" "5" "$out"
out=$(timeout 60 "$BPFDUMP" dump unix -r -n -o 'type=socktype(unix_sk->sk),state=tcpstate(unix_sk->sk.__sk_common.skc_state)' -w "unix_sk->addr->name[0].sun_path == \"$TMP/seqpacket\"")
expect_eq "unix socktype() and tcpstate() as ss -xa names them" "$(ss -xlH src "$TMP/seqpacket" | awk '{print $1, $2}')" "$out"
out=$(timeout 60 "$BPFDUMP" dump unix -r -n -o type,path -w "type == SOCK_SEQPACKET && unix_sk->addr->name[0].sun_path == \"$TMP/seqpacket\"")
expect_eq "unix -w 'type == SOCK_SEQPACKET': the default column compares sk_type" "u_seq $TMP/seqpacket" "$out"
out=$(timeout 60 "$BPFDUMP" dump unix -r -n -o type -w "type == SOCK_STREAM && unix_sk->addr->name[0].sun_path == \"$TMP/seqpacket\"")
expect_eq "unix -w 'type == SOCK_STREAM' leaves the seqpacket socket out" "" "$out"
# the kernel-side text writer (a pinned dumper read by cat) names them the same
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
PIN=/sys/fs/bpf/bpfdump-sockets-$$
at_exit "rm -rf $PIN"
W="unix_sk->addr->name[0].sun_path == \"$TMP/seqpacket\" || unix_sk->addr->name[0].sun_path == \"$TMP/dgram-nobody\""
if timeout 60 "$BPFDUMP" pin unix "$PIN/unix" -w "$W" 2>"$TMP/pin.err"; then
	check "pinned unix dumper's cat (type, state names) equals dump -r" \
		cmp -s <(cat "$PIN/unix") <(timeout 60 "$BPFDUMP" dump unix -r -w "$W")
	out=$(awk 'NR > 1 {print $1, $2}' "$PIN/unix" | sort | tr '\n' ' ')
	expect_eq "pinned unix dumper shows u_dgr UNCONN and u_seq LISTEN" "u_dgr UNCONN u_seq LISTEN " "$out"
else
	fail "pin unix: $(head -c 300 "$TMP/pin.err")"
fi
out=$(timeout 60 "$BPFDUMP" dump unix -r -n -o 'path=unix_sk->addr->name[0].sun_path' -w "unix_sk->addr->name[0].sun_path == \"$TMP/stream sock\" && unix_sk->sk.__sk_common.skc_state == TCP_LISTEN")
expect_eq "unix -r escapes the space in a path" "$TMP/stream\\x20sock" "$out"

