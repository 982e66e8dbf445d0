#!/usr/bin/env bash
# ksym, kmem_cache, netlink, ipv6_route, cgroup and dmabuf targets vs what /proc and /sys say.
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

# ---- ksym vs /proc/kallsyms
cp /proc/kallsyms "$TMP/kallsyms.a"
dump_ok "dump ksym -J exits 0" "$TMP/ksym.json" dump ksym -J
cp /proc/kallsyms "$TMP/kallsyms.b"
python3 - "$TMP" <<'PY'
import json, sys, random, collections
tmp = sys.argv[1]
def res(name, good, why=""):
    print(("ok " if good else "FAIL ") + "kernel_lists: " + name + ("" if good else ": " + why))
def kallsyms(n):
    out = []
    for l in open(tmp + "/" + n):
        f = l.split()
        out.append((int(f[0], 16), f[1], f[2], f[3].strip("[]") if len(f) > 3 else ""))
    return out
a, b = kallsyms("kallsyms.a"), kallsyms("kallsyms.b")
try:
    rows = [json.loads(l) for l in open(tmp + "/ksym.json") if l.strip()]
    got = [(int(r["addr"], 16), r["type"], r["name"], r["module"]) for r in rows]
except (ValueError, KeyError, TypeError) as e:
    rows, got = [], []
    print("FAIL kernel_lists: ksym rows have addr (hex), type, name, module: %s" % e)
gotc = collections.Counter(got)
# BPF programs (bpfdump's own among them) come and go between the reads
stable = collections.Counter(a) & collections.Counter(b)
sample = random.sample(sorted(stable.elements()), min(1000, sum(stable.values())))
miss = [s for s in sample if s not in gotc]
res("ksym: 1000 random /proc/kallsyms symbols found with the same address, type, name, module",
    len(sample) == 1000 and not miss, "%d missing, e.g. %s" % (len(miss), [(hex(x[0]),) + x[1:] for x in miss[:3]]))
res("ksym: total count %d within 50 of /proc/kallsyms (%d)" % (len(got), len(a)), abs(len(got) - len(a)) <= 50)
core = lambda c: collections.Counter({k: v for k, v in c.items() if k[3] != "bpf"})
diff_a, diff_b = core(gotc) - core(stable), core(stable) - core(gotc)
res("ksym: every symbol outside [bpf] matches /proc/kallsyms exactly (%d)" % sum(core(stable).values()),
    rows and not diff_a and not diff_b, "only bpfdump %s; only kallsyms %s" % (list(diff_a)[:3], list(diff_b)[:3]))
PY
sym=$(awk '$2 == "T" && $3 == "vfs_read" { print $1; exit }' /proc/kallsyms)
out=$(timeout 60 "$BPFDUMP" dump ksym -r -n -o 'addr=hex(ksym->value),name=ksym->name' -w 'ksym->name == "vfs_read"')
expect_eq "ksym -w on the name finds vfs_read at its kallsyms address" "0x$sym vfs_read" "$out"

# ---- kmem_cache vs /proc/slabinfo and /sys/kernel/slab
tail -n +3 /proc/slabinfo | awk '{ print $1, $4 }' | sort >"$TMP/slab.a"
dump_ok "dump kmem_cache -J exits 0" "$TMP/kmem.json" dump kmem_cache -J
tail -n +3 /proc/slabinfo | awk '{ print $1, $4 }' | sort >"$TMP/slab.b"
python3 - "$TMP" <<'PY'
import json, sys, os, collections
tmp = sys.argv[1]
def res(name, good, why=""):
    print(("ok " if good else "FAIL ") + "kernel_lists: " + name + ("" if good else ": " + why))
try:
    rows = [json.loads(l) for l in open(tmp + "/kmem.json") if l.strip()]
except ValueError:
    rows = []
a = [l.split() for l in open(tmp + "/slab.a")]
if a != [l.split() for l in open(tmp + "/slab.b")]:
    print("skip kernel_lists: kmem_cache: caches changed during the dump")
else:
    got = sorted(r.get("name") for r in rows)
    exp = sorted(n for n, _ in a)
    res("kmem_cache: names equal /proc/slabinfo (%d caches)" % len(exp), got == exp,
        "only bpfdump %s; only slabinfo %s" % (sorted(set(got) - set(exp))[:4], sorted(set(exp) - set(got))[:4]))
    objsize = dict((n, int(s)) for n, s in a)
    bad = [r for r in rows if objsize.get(r.get("name")) != r.get("size")]
    res("kmem_cache: size equals the slabinfo objsize column (slab object size with metadata)", rows and not bad, str(bad[:3]))
bad, n = [], 0
for r in rows:
    d = "/sys/kernel/slab/" + str(r.get("name"))
    if not os.path.isdir(d):
        continue
    n += 1
    sysv = [int(open(d + "/" + f).read()) for f in ("slab_size", "object_size", "align")]
    if sysv != [r.get("size"), r.get("object_size"), r.get("align")]:
        bad.append((r, sysv))
res("kmem_cache: size, object_size, align equal /sys/kernel/slab/NAME/{slab_size,object_size,align} (%d)" % n,
    n > 0 and not bad, str(bad[:3]))
PY
out=$(timeout 60 "$BPFDUMP" dump kmem_cache -r -n -o 'name=s->name,os=s->object_size' -w 's->name == "kmalloc-64"')
expect_eq "kmem_cache -w on the name" "kmalloc-64 $(cat /sys/kernel/slab/kmalloc-64/object_size)" "$out"

# ---- netlink vs /proc/net/netlink, on sockets a helper opens: two NETLINK_USERSOCK sockets,
# the second connected to the first and having sent it 100 bytes (rmem), and a NETLINK_GENERIC one
cat >"$TMP/nl.py" <<'PY'
import socket, sys, os, json, time
a = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2); a.bind((0, 0))
b = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2); b.bind((0, 0))
b.connect((a.getsockname()[0], 0)); b.send(b"x" * 100)
g = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16); g.bind((0, 0))
with open(sys.argv[1] + ".tmp", "w") as f:
    json.dump([s.getsockname()[0] for s in (a, b, g)], f)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
for _ in range(120):
    time.sleep(1)
PY
python3 "$TMP/nl.py" "$TMP/nl.ids" </dev/null >/dev/null 2>&1 &
NLP=$!
at_exit "kill $NLP"
if wait_file "$TMP/nl.ids"; then
	cp /proc/net/netlink "$TMP/nl.a"
	dump_ok "dump netlink -J exits 0" "$TMP/nl.json" dump netlink -J
	cp /proc/net/netlink "$TMP/nl.b"
	python3 - "$TMP" <<'PY'
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
PY
	a=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0])' "$TMP/nl.ids")
	n=$(timeout 60 "$BPFDUMP" dump netlink -r -n -o 'p=sk->sk.sk_protocol' -w "sk->dst_portid == $a" | wc -l)
	expect_eq "netlink -w 'sk->dst_portid == PORTID' finds the connected socket" 1 "$n"
else
	fail "netlink helper did not start"
fi

# ---- ipv6_route: the host's table, and a private network namespace with routes the test adds
cp /proc/net/ipv6_route "$TMP/r6.host.a"
dump_ok "dump ipv6_route -J exits 0" "$TMP/r6.host.json" dump ipv6_route -J
cp /proc/net/ipv6_route "$TMP/r6.host.b"
M1=$((RANDOM % 1000 + 10)) M2=$((RANDOM % 1000 + 2000)) SUB=$(printf '%x' $((RANDOM % 65000 + 1)))
cat >"$TMP/netns.sh" <<EOF
set -e
ip link set lo up
ip link add bdt0 type veth peer name bdt1
ip link set bdt0 up; ip link set bdt1 up
ip -6 addr add 2001:db8:ff::1/64 dev bdt0 nodad
ip -6 route add 2001:db8:$SUB::/48 via 2001:db8:ff::2 dev bdt0 metric $M1
ip -6 route add 2001:db8:$SUB:1::5/128 dev bdt1 metric $M2
ip -6 route add 2001:db8:$SUB:2::/64 dev bdt0 table 100
cat /proc/net/ipv6_route >"$TMP/r6.ns"
"$BPFDUMP" dump ipv6_route -J >"$TMP/r6.ns.json"
EOF
# the namespace, its veth pair and routes vanish when unshare's shell exits
if timeout 60 unshare -n bash "$TMP/netns.sh" 2>"$TMP/netns.err"; then ns=1; else ns=0; fi
check "netns with veth and routes set up, bpfdump ran inside ($(head -c 200 "$TMP/netns.err"))" [ $ns -eq 1 ]
python3 - "$TMP" "$SUB" "$M1" "$M2" <<'PY'
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
PY

# ---- cgroup: a subtree the test makes under the cgroup2 mount
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$CG2" ]; then
	fail "cgroup: no cgroup2 mount in /proc/mounts"
	exit 0
fi
# level of the mount's root: its depth in the hierarchy (mountinfo field 4)
ROOTLV=$(awk -v m="$CG2" '$5 == m { r = $4; gsub("[^/]", "", r); print (r == "/" ? 0 : length(r)); exit }' /proc/self/mountinfo)
T=bdt_cg_$$
D=$CG2/$T
at_exit "rmdir $D/a/b/c $D/a/b $D/a/e $D/a $D/f $D"
mkdir -p "$D/a/b/c" "$D/a/e" "$D/f"
ino() { stat -c %i "$1"; }
lv() { local r=${1#"$CG2"} s; s=${r//[^\/]/}; echo $((ROOTLV + ${#s})); }
row() { echo "$(ino "$1") $(lv "$1") $(basename "$1")"; }
find "$CG2" -type d >"$TMP/cgdirs" 2>/dev/null
dump_ok "dump cgroup -J exits 0" "$TMP/cg.json" dump cgroup -J
check "JSON parses (cgroup)" json_valid <"$TMP/cg.json"
out=$(timeout 60 "$BPFDUMP" dump cgroup --cgroup "$D" --order self -r -n)
expect_eq "--order self: exactly the one cgroup, id = inode, level, name" "$(row "$D")" "$out"
exp=$(for p in "$D" "$D/a" "$D/a/b" "$D/a/b/c" "$D/a/e" "$D/f"; do row "$p"; done | sort)
out=$(timeout 60 "$BPFDUMP" dump cgroup --cgroup "$D" --order descendants_pre -r -n)
expect_eq "--order descendants_pre lists the subtree (ids = stat -c %i, levels, names)" "$exp" "$(sort <<<"$out")"
python3 - "$out" "$(ino "$D") $(ino "$D/a") $(ino "$D/a/b") $(ino "$D/a/b/c") $(ino "$D/a/e") $(ino "$D/f")" pre <<'PY'
import sys
ids = [int(l.split()[0]) for l in sys.argv[1].splitlines() if l.strip()]
d, a, b, c, e, f = (int(x) for x in sys.argv[2].split())
pos = {i: n for n, i in enumerate(ids)}
good = len(ids) == 6 and ids[0] == d and pos[a] < pos[b] < pos[c] and pos[a] < pos[e] and pos[d] < pos[f]
print(("ok" if good else "FAIL") + " kernel_lists: descendants_pre: every parent before its children" + ("" if good else ": %s" % ids))
PY
out=$(timeout 60 "$BPFDUMP" dump cgroup --cgroup "$D" --order descendants_post -r -n)
python3 - "$out" "$(ino "$D") $(ino "$D/a") $(ino "$D/a/b") $(ino "$D/a/b/c") $(ino "$D/a/e") $(ino "$D/f")" <<'PY'
import sys
ids = [int(l.split()[0]) for l in sys.argv[1].splitlines() if l.strip()]
d, a, b, c, e, f = (int(x) for x in sys.argv[2].split())
pos = {i: n for n, i in enumerate(ids)}
good = sorted(ids) == sorted([d, a, b, c, e, f]) and ids[-1] == d and pos[c] < pos[b] < pos[a] and pos[e] < pos[a] and pos[f] < pos[d]
print(("ok" if good else "FAIL") + " kernel_lists: descendants_post: the subtree, every child before its parent" + ("" if good else ": %s" % ids))
PY
out=$(timeout 60 "$BPFDUMP" dump cgroup --cgroup "$D/a/b/c" --order ancestors_up -r -n -o 'id=cgroup->kn->id')
exp=$(p=$D/a/b/c; while :; do ino "$p"; [ "$p" = "$CG2" ] && break; p=$(dirname "$p"); done)
# above the mount's root (a cgroup namespace) there may be more ancestors
expect_eq "--order ancestors_up: c, b, a, the test dir ... up to the mount root" "$exp" "$(head -n "$(wc -l <<<"$exp")" <<<"$out")"
out=$(timeout 60 "$BPFDUMP" dump cgroup --cgroup "$D" -r -n -o 'name=cgroup->kn->name' -w 'cgroup->level == '"$(lv "$D/a/b")")
expect_eq "-w on the level inside the subtree" "$(printf 'b\ne')" "$(sort <<<"$out")"
python3 - "$TMP/cg.json" "$CG2" "$ROOTLV" "$TMP/cgdirs" <<'PY'
import json, sys, os
path, root, rootlv = sys.argv[1], sys.argv[2], int(sys.argv[3])
before = {l.rstrip("\n") for l in open(sys.argv[4])}
try:
    rows = [json.loads(l) for l in open(path) if l.strip()]
except ValueError:
    rows = []
got = {r.get("id"): (r.get("level"), r.get("name")) for r in rows}
bad, n = [], 0
for d, dirs, _ in os.walk(root):
    if d not in before:
        continue    # made by someone else after the dump started
    rel = os.path.relpath(d, root)
    lv = rootlv + (0 if rel == "." else rel.count("/") + 1)
    try:
        i = os.stat(d).st_ino
    except OSError:
        continue
    n += 1
    name = "" if rel == "." and rootlv == 0 else os.path.basename(d)
    if got.get(i) != (lv, name) and os.path.exists(d):
        bad.append((d, i, lv, got.get(i)))
print(("ok" if rows and not bad else "FAIL") +
      " kernel_lists: cgroup without --cgroup: every cgroup2 directory listed with id = inode, level, name (%d)" % n
      + ("" if rows and not bad else ": %s" % bad[:3]))
PY
rmdir "$D/f"
out=$(timeout 60 "$BPFDUMP" dump cgroup --cgroup "$D" --order descendants_pre -r -n -o 'name=cgroup->kn->name' | sort | tr '\n' ' ')
expect_eq "a removed cgroup is gone" "$(printf '%s\n' a b c e "$T" | sort | tr '\n' ' ')" "$out"

# ---- dmabuf: there may be none; each /proc/*/fdinfo entry with exp_name is one
dump_ok "dump dmabuf -J exits 0" "$TMP/dmabuf.json" dump dmabuf -J
check "dmabuf JSON parses" json_valid <"$TMP/dmabuf.json"
nbuf=$(cat /proc/[0-9]*/fdinfo/* 2>/dev/null | grep -c '^exp_name:')
if [ "$nbuf" -eq 0 ]; then
	expect_eq "dmabuf: no dma-bufs open anywhere, so no JSON rows" 0 "$(grep -c . "$TMP/dmabuf.json")"
	out=$(timeout 60 "$BPFDUMP" dump dmabuf -r)
	expect_eq "dmabuf: table has only the header" "SIZE EXP_NAME NAME INODE" "$out"
else
	n=$(grep -c . "$TMP/dmabuf.json")
	check "dmabuf: at least one row per distinct buffer in fdinfo ($n rows, $nbuf fd refs)" [ "$n" -ge 1 ]
fi
