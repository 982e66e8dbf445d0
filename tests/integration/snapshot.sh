#!/usr/bin/env bash
# bpfdump snapshot vs what the kernel says another way: /proc/PID/{status,stat,maps,fd,fdinfo,
# cgroup,limits,ns/*,task/*/comm}, ss, and the state tests/helpers/snap_target.c creates.
source "$(dirname "$0")/../lib.sh"

TARGET=$HELPERS/snap_target
if [ "$(id -u)" -ne 0 ]; then
	skip "needs root"
	exit 77
fi
if [ ! -x "$TARGET" ]; then
	fail "helper $TARGET missing (make build/tests/snap_target)"
	exit 1
fi


# start_target DIR [ARGS]: sets TPID
start_target() {
	mkdir -p "$1"
	"$TARGET" "$@" </dev/null >/dev/null 2>"$1/err" &
	TPID=$!
	at_exit "kill $TPID"
	if ! wait_file "$1/ready"; then
		fail "snap_target did not start: $(head -c 300 "$1/err")"
		exit 1
	fi
}

# snap NAME OUT ARGS...: bounded run, one result line
snap() {
	local name=$1 out=$2 rc
	shift 2
	timeout 120 "$BPFDUMP" snapshot "$@" >"$out" 2>"$out.err"
	rc=$?
	if [ $rc -eq 0 ]; then ok "$name"; else fail "$name: exit $rc: $(head -c 300 "$out.err")"; fi
}

start_target "$TMP/t"
P=$TPID

# its own cgroup under the cgroup2 mount
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
CG=""
if [ -n "$CG2" ] && mkdir "$CG2/bpfdump-snap-$$" 2>/dev/null && mkdir "$CG2/bpfdump-snap-$$/inner"; then
	CG="$CG2/bpfdump-snap-$$/inner"
	at_exit "rmdir '$CG2/bpfdump-snap-$$'"
	at_exit "rmdir '$CG'"
	at_exit "echo $P > '$CG2/cgroup.procs'"
	echo "$P" >"$CG/cgroup.procs" || CG=""
fi
[ -n "$CG" ] || skip "cgroup2: no writable cgroup2 mount; the cgroup is the one the target has"

# ground truth first, then the snapshot, then ground truth again (it must not have moved)
truth() {
	local d=$1 f
	mkdir -p "$d"
	for f in status stat maps cgroup limits; do cat "/proc/$P/$f" >"$d/$f"; done
	for f in /proc/$P/fd/*; do echo "$(basename "$f") $(readlink "$f")"; done >"$d/fd"
	for f in /proc/$P/fdinfo/*; do echo "== $(basename "$f")"; cat "$f"; done >"$d/fdinfo"
	for f in /proc/$P/ns/*; do echo "$(basename "$f") $(readlink "$f")"; done >"$d/ns"
	for f in /proc/$P/task/*; do echo "$(basename "$f") $(cat "$f/comm")"; done >"$d/threads"
	ss -tanueH >"$d/ss_inet" 2>/dev/null
	ss -xanH >"$d/ss_unix" 2>/dev/null
}
truth "$TMP/g1"
snap "snapshot -J of the target exits 0" "$TMP/snap.json" -J "$P"
truth "$TMP/g2"
moved=""
for f in status maps fd fdinfo cgroup; do
	# context switch counts move, and SigQ counts the signals queued to all of the
	# user's processes; the rest of what the waiting target has must not
	cmp -s <(grep -v '^\(voluntary_ctxt\|nonvoluntary_ctxt\|SigQ\)' "$TMP/g1/$f") \
		<(grep -v '^\(voluntary_ctxt\|nonvoluntary_ctxt\|SigQ\)' "$TMP/g2/$f") || moved+=" $f"
done
expect_eq "ground truth stable around the snapshot (status, maps, fd, fdinfo, cgroup)" "" "$moved"

# the two programs: built for this kernel (no CO-RE) where the build id matches, and the
# CO-RE one (BPFDUMP_SNAPSHOT_CORE=1) that runs on every other kernel, give the same
timeout 120 "$BPFDUMP" -vv snapshot -o files,sockets,memory,namespaces "$P" >"$TMP/v1" 2>"$TMP/v1.err"
BPFDUMP_SNAPSHOT_CORE=1 timeout 120 "$BPFDUMP" -vv snapshot -o files,sockets,memory,namespaces "$P" \
	>"$TMP/v2" 2>"$TMP/v2.err"
variant=$(grep -c 'built for this kernel' "$TMP/v1.err"; grep -c 'built for this kernel' "$TMP/v2.err")
if [ "$(echo $variant)" == "0 0" ]; then
	skip "the program built for this kernel: not this kernel (another build id), CO-RE only"
else
	expect_eq "the program built for this kernel is used here, the CO-RE one when forced" "1 0" "$(echo $variant)"
fi
check "files, sockets, memory, namespaces: the same from both programs" cmp -s "$TMP/v1" "$TMP/v2"

python3 - "$TMP" "$P" "$CG2" "$CG" <<'PY'
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
PY

# sections, threads, text
snap "-o files,sockets exits 0" "$TMP/fs.json" -J -o files,sockets "$P"
keys=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(k for k in ("task","creds","memory","files","sockets","cgroups","namespaces","limits") if k in d))' "$TMP/fs.json")
expect_eq "-o files,sockets: only those sections" "files sockets" "$keys"
snap "--all-threads exits 0" "$TMP/at.json" -J --all-threads "$P"
out=$(python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
print(" ".join(sorted("%s:%s" % (t["comm"], t["creds"]["uid"]) for t in d["thread_details"])))' "$TMP/at.json")
expect_eq "--all-threads: each thread's own task and creds" \
	"snap_worker_a:0 snap_worker_b:0 snap_worker_c:0" "$out"
TID=$(ls /proc/$P/task | sort -n | tail -1)
snap "a thread id exits 0" "$TMP/tid.json" -J "$TID"
out=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["pid"], d["task"]["pid"], len(d["task"]["threads"]))' "$TMP/tid.json")
expect_eq "a thread id: the snapshot of its process, every thread" "$P $P $(ls /proc/$P/task | wc -l)" "$out"
snap "text report exits 0" "$TMP/snap.txt" "$P"
hdr=$(grep '^== ' "$TMP/snap.txt" | tr '\n' ' ')
expect_eq "text report: the sections in order" \
	"== task == == creds == == memory == == files == == sockets == == cgroups == == namespaces == == limits == " "$hdr"
n=$(awk '/^-- files/ { getline; f = 1; next } /^$/ { f = 0 } f' "$TMP/snap.txt" | wc -l)
expect_eq "text report: one files row per fd" "$(wc -l <"$TMP/g1/fd")" "$n"

# a big process: ~20000 fds (as many as the hard RLIMIT_NOFILE allows) and 20000 mappings,
# no loss with the ring sized from the process
nfd=$(($(ulimit -Hn) - 100))
[ "$nfd" -gt 20000 ] && nfd=20000
start_target "$TMP/big" fds "$nfd" vmas 20000
B=$TPID
t0=$(date +%s%N)
snap "snapshot of a process with $nfd extra fds and 20000 extra vmas exits 0" "$TMP/big.json" -J "$B"
t1=$(date +%s%N)
echo "# snapshot of the big process: $(((t1 - t0) / 1000000)) ms" >&2
out=$(python3 -c '
import json,sys,os
d=json.load(open(sys.argv[1])); p=sys.argv[2]
nv=sum(1 for l in open("/proc/%s/maps" % p) if not l.startswith("ffffffffff600000"))
print(d["lost"], len(d["files"]) == len(os.listdir("/proc/%s/fd" % p)), len(d["memory"]["vmas"]) == nv, len(d["files"]) > int(sys.argv[3]))' "$TMP/big.json" "$B" "$nfd")
expect_eq "big process: 0 lost, every fd and every vma there" "0 True True True" "$out"
timeout 120 "$BPFDUMP" snapshot -J --ring-size 65536 "$B" >"$TMP/small.json" 2>"$TMP/small.err"
rc=$?
lost=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["lost"] > 0, d["complete"])' "$TMP/small.json" 2>&1)
expect_eq "a ring too small: exit 1, lost > 0 in the JSON, not complete" "1 True False" "$rc $lost"
check "a ring too small: stderr says how many records were lost" grep -q "records lost" "$TMP/small.err"

# the ring is sized from /proc/PID/status (fds, threads) plus 512 KiB for mappings: 20000
# mappings and no fds do not fit, so the pass runs again with the size it measured
start_target "$TMP/vm" vmas 20000
V=$TPID
timeout 120 "$BPFDUMP" -v snapshot -J "$V" >"$TMP/vm.json" 2>"$TMP/vm.json.err"
expect_eq "20000 mappings, a ring sized from status: exits 0" 0 $?
check "... the first pass did not fit: it ran again with a bigger ring (-v says so)" \
	grep -q "did not fit .* again with" "$TMP/vm.json.err"
out=$(python3 -c '
import json,sys
d=json.load(open(sys.argv[1])); p=sys.argv[2]
nv=sum(1 for l in open("/proc/%s/maps" % p) if not l.startswith("ffffffffff600000"))
print(d["lost"], d["complete"], len(d["memory"]["vmas"]) == nv)' "$TMP/vm.json" "$V")
expect_eq "... and nothing is lost: every vma of /proc/PID/maps" "0 True True" "$out"

# several processes, one loaded program: in order, a gone pid named and skipped
G0=$(sh -c 'echo $$')
timeout 120 "$BPFDUMP" snapshot -J "$P" "$G0" "$V" "$B" >"$TMP/many.json" 2>"$TMP/many.err"
rc=$?
out=$(python3 -c '
import json,sys,os
docs=[json.loads(l) for l in open(sys.argv[1])]
print(len(docs), " ".join(str(d["pid"]) for d in docs),
      all(len(d["files"]) == len(os.listdir("/proc/%d/fd" % d["pid"])) for d in docs),
      all(d["complete"] for d in docs))' "$TMP/many.json")
expect_eq "snapshot P GONE V B -J: three documents, one per line, in order, files = /proc/PID/fd" \
	"3 $P $V $B True True" "$out"
expect_eq "... exit 1, one stderr line naming the gone pid" \
	"1 1 process $G0: no such process" "$rc $(wc -l <"$TMP/many.err") $(sed 's/^bpfdump: //' "$TMP/many.err")"
timeout 120 "$BPFDUMP" snapshot -o task,files "$P" "$V" >"$TMP/many.txt" 2>/dev/null
expect_eq "two text reports, one after another: their pid lines" "pid $P|pid $V" \
	"$(awk '$1 == "pid" { print $1, $2 }' "$TMP/many.txt" | paste -sd'|')"
expect_eq "... each under a line naming the process as /proc/PID/comm does" \
	"=== process $P ($(cat /proc/$P/comm)) ===|=== process $V ($(cat /proc/$V/comm)) ===" \
	"$(grep '^=== process' "$TMP/many.txt" | paste -sd'|')"
# a name with control bytes: escaped as dump's tables do, no line forged
/usr/bin/python3 -c 'import ctypes, time
ctypes.CDLL(None).prctl(15, b"a\n1 0 root\x1b[31m", 0, 0, 0)
time.sleep(3600)' &
CB=$!
at_exit "kill $CB"
for _ in $(seq 50); do [ "$(head -c 1 /proc/$CB/comm)" = a ] && break; sleep 0.1; done
timeout 120 "$BPFDUMP" snapshot -o task "$CB" "$V" >"$TMP/cb.txt" 2>/dev/null
expect_eq "a comm with a newline and an escape: title and comm line as \\xNN" \
	"=== process $CB (a\\x0a1 0 root\\x1b[31m) ===|comm a\\x0a1 0 root\\x1b[31m" \
	"$(sed -n "/^=== process $CB /p; /^comm /{s/  */ /;p;q}" "$TMP/cb.txt" | paste -sd'|')"
check "... and no control byte in the whole report" \
	test "$(tr -d '\n' <"$TMP/cb.txt" | LC_ALL=C grep -c '[[:cntrl:]]')" = 0

# kernel thread, zombie, gone, bad input, no privilege
kt=$(ps -eo pid=,comm= | awk '$2 == "kthreadd" { print $1; exit }')
if [ -n "$kt" ]; then
	snap "kernel thread (kthreadd) exits 0" "$TMP/kt.json" -J "$kt"
	out=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["task"]["kernel_thread"], "memory" in d["absent"], "memory" in d)' "$TMP/kt.json")
	expect_eq "kernel thread: memory absent and said so" "True True False" "$out"
	timeout 60 "$BPFDUMP" snapshot "$kt" 2>/dev/null | grep -q '^absent: .*memory' &&
		ok "kernel thread: the report names the absent sections" ||
		fail "kernel thread: no 'absent:' line in the report"
else
	skip "kernel thread: no kthreadd in this pid namespace"
fi
python3 -c '
import os, sys, time
p = os.fork()
if p == 0:
    os._exit(0)
time.sleep(0.2)
print(p, flush=True)
time.sleep(30)' >"$TMP/zpid" &
ZP=$!
at_exit "kill $ZP"
for _ in $(seq 200); do [ -s "$TMP/zpid" ] && break; sleep 0.05; done	# written, not just created
Z=$(cat "$TMP/zpid")
snap "zombie exits 0" "$TMP/z.json" -J "$Z"
out=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["task"]["state"], ",".join(d["absent"]))' "$TMP/z.json")
expect_eq "zombie: state Z, memory/files/sockets/namespaces absent" "Z (zombie) memory,files,sockets,namespaces" "$out"
kill $ZP 2>/dev/null
# (not 'sleep & kill': a subshell killed before its exec would run our EXIT trap)
G=$(sh -c 'echo $$')
bad_input "a pid that exited" "no such process" "$BPFDUMP" snapshot "$G"
bad_input "a pid that never existed" "no such process" "$BPFDUMP" snapshot 2147483646
bad_input "PID not a number" "'abc' is not a positive number" "$BPFDUMP" snapshot abc
bad_input "no PID" "needs a PID" "$BPFDUMP" snapshot
bad_input "unknown section" "section 'bogus': unknown" "$BPFDUMP" snapshot -o files,bogus "$P"
bad_input "ring size not a power of 2" "not a power of 2" "$BPFDUMP" snapshot --ring-size 5000 "$P"
bad_input "as nobody" "needs root" setpriv --reuid=65534 --regid=65534 --clear-groups "$BPFDUMP" snapshot "$P"
# exits while we look: each run is either whole or 'no such process', never a crash or a hang
bad=""
for i in 1 2 3 4 5; do
	S=$(sh -c "sleep 0.0$i >/dev/null & echo \$!")
	timeout 60 "$BPFDUMP" snapshot -J "$S" >"$TMP/race.json" 2>"$TMP/race.err"
	rc=$?
	if [ $rc -eq 0 ]; then
		python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/race.json" || bad="$bad run $i: bad JSON;"
	elif [ $rc -ne 1 ] || ! grep -q "no such process" "$TMP/race.err"; then
		bad="$bad run $i: exit $rc $(head -c 100 "$TMP/race.err");"
	fi
done
expect_eq "a process that exits during the snapshot: whole or 'no such process'" "" "$bad"
