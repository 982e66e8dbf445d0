#!/usr/bin/env bash
# Portable (any kernel): bpfdump snapshot of a process this test starts, with known
# threads, fds and mappings (one of a file on an overlay mount the test makes),
# against the running kernel's own /proc: task and creds vs /proc/PID/status and
# /proc/PID/task, every vma (range, perms, offset, dev, inode, path) vs
# /proc/PID/maps, every fd vs /proc/PID/fd. Each way the kernel can run is checked:
# the open-coded iterators where it has them, and the classic iterators
# (BPFDUMP_SNAPSHOT_CLASSIC=1 asks for them there; kernels before 6.7 have only
# them). Under lockdown=confidentiality (the kernel forbids bpf_probe_read_kernel) the
# classic iterators' programs built to read through bpf_rdonly_cast run, and the same
# checks hold; elsewhere BPFDUMP_LOCKDOWN=confidentiality runs that variant too (or, on
# a kernel without bpf_rdonly_cast, must refuse in one line). Under lockdown, the mode
# file hidden (in the VM), the verifier's refusal leads there as well. Then --keep: kept and used, or one line saying why not.
source "$(dirname "$0")/../lib.sh"
TEST_NAME=snapshot-kernel

[ -x "$BPFDUMP" ] || { skip "no $BPFDUMP (build first)"; exit 77; }
LOCKDOWN=""
grep -q '\[confidentiality\]' /sys/kernel/security/lockdown 2>/dev/null && LOCKDOWN=1

# an overlay: lower/a (stays in the lower layer), b written through the mount (upper)
OV=$TMP/ov
mkdir -p "$OV/lower" "$OV/upper" "$OV/work" "$OV/merged"
head -c 16384 /dev/urandom >"$OV/lower/a"
OVERLAY=""
if mount -t overlay overlay -o "lowerdir=$OV/lower,upperdir=$OV/upper,workdir=$OV/work" \
	"$OV/merged" 2>"$TMP/mount.err"; then
	at_exit "umount -l '$OV/merged'"
	head -c 16384 /dev/urandom >"$OV/merged/b"
	OVERLAY=$OV/merged
else
	skip "overlay mount: $(head -c 200 "$TMP/mount.err"): mappings of overlay files not checked"
fi
head -c 8192 /dev/urandom >"$TMP/plain"

# the target: 2 more threads, a file, a pipe, a listening socket; the plain file and
# the overlay files mapped
python3 - "$TMP/ready" "$TMP/plain" ${OVERLAY:+"$OVERLAY/a" "$OVERLAY/b"} <<'PY' &
import mmap, os, socket, sys, threading, time
maps = []
for p in sys.argv[2:]:
    f = open(p, "rb")
    maps.append((f, mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)))
r, w = os.pipe()
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
for _ in range(2):
    threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
time.sleep(0.2)
open(sys.argv[1], "w").close()
time.sleep(3600)
PY
P=$!
at_exit "kill $P"
for _ in $(seq 100); do [ -e "$TMP/ready" ] && break; sleep 0.1; done
[ -e "$TMP/ready" ] || { fail "the target process did not start"; exit 1; }

# compare LABEL JSON: the checks, one line each
compare() {
	python3 - "$1" "$2" "$P" "${OVERLAY:-}" "$2.status" <<'PY'
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
PY
}

# snap LABEL [ENV...]: one snapshot; prints which way ran (open-coded or classic)
snap() {
	local label=$1
	shift
	cat "/proc/$P/status" >"$TMP/$label.json.status"
	env "$@" "$BPFDUMP" -v snapshot -J "$P" >"$TMP/$label.json" 2>"$TMP/$label.err"
	local rc=$?
	if [ $rc -ne 0 ]; then
		fail "$label: snapshot -J exits $rc: $(grep -v '^libbpf' "$TMP/$label.err" | tail -1 | head -c 300)"
		return 1
	fi
	ok "$label: snapshot -J exits 0 ($(grep -o 'snapshot: \(classic\|open-coded\) iterators[^:]*' "$TMP/$label.err" | head -1))"
	compare "$label" "$TMP/$label.json"
}

snap default
WAY=open-coded
grep -q 'snapshot: classic iterators' "$TMP/default.err" && WAY=classic
if [ -n "$LOCKDOWN" ]; then
	check "lockdown=confidentiality: the programs that read through bpf_rdonly_cast ran" \
		grep -q 'forbids bpf_probe_read_kernel: loads through bpf_rdonly_cast' "$TMP/default.err"
	# the mode unreadable (an empty file bound over the lockdown file, in the VM only: it
	# would hide the mode machine-wide): the verifier's refusal of probe reads in the
	# open-coded program leads to the same programs. (A mount namespace of its own
	# would not do: paths end at the reader's root, a copy of the target's there.)
	if [ "${VM_GUEST:-}" != 1 ]; then
		skip "lockdown unseen: hides the lockdown file machine-wide: only in the VM"
	elif : >"$TMP/nomode" && mount --bind "$TMP/nomode" /sys/kernel/security/lockdown; then
		at_exit "umount /sys/kernel/security/lockdown"
		snap unseen
		umount /sys/kernel/security/lockdown
		check "lockdown unseen: the verifier's refusal leads to the direct reads" \
			grep -q 'the verifier refused bpf_probe_read_kernel.*bpf_rdonly_cast' "$TMP/unseen.err"
	else
		skip "lockdown unseen: the lockdown file could not be hidden"
	fi
elif grep -q 'this kernel has no bpf_iter' "$TMP/default.err"; then
	ok "classic iterators chosen by probing: $(grep -o 'this kernel has no [a-z_]*()' "$TMP/default.err")"
else
	snap classic BPFDUMP_SNAPSHOT_CLASSIC=1
fi
if [ -z "$LOCKDOWN" ]; then
	# the lockdown variant on a kernel that allows probe reads: the same checks, or
	# one line saying the kernel has no bpf_rdonly_cast
	cat "/proc/$P/status" >"$TMP/direct.json.status"
	BPFDUMP_LOCKDOWN=confidentiality "$BPFDUMP" -v snapshot -J "$P" >"$TMP/direct.json" 2>"$TMP/direct.err"
	rc=$?
	if [ $rc -eq 0 ]; then
		check "BPFDUMP_LOCKDOWN=confidentiality: the programs that read through bpf_rdonly_cast ran" \
			grep -q 'forbids bpf_probe_read_kernel: loads through bpf_rdonly_cast' "$TMP/direct.err"
		compare direct "$TMP/direct.json"
	else
		# again without -v: the error alone
		BPFDUMP_LOCKDOWN=confidentiality "$BPFDUMP" snapshot -J "$P" >"$TMP/direct.json" 2>"$TMP/direct.err"
		rc=$?
		msg=$(cat "$TMP/direct.err")
		check "BPFDUMP_LOCKDOWN=confidentiality without bpf_rdonly_cast: exit 1, one line ($msg)" \
			[ $rc -eq 1 -a "$(wc -l <<<"$msg")" -eq 1 ]
		check "... naming lockdown and bpf_rdonly_cast" \
			grep -q 'lockdown=confidentiality.*no bpf_rdonly_cast' <<<"$msg"
		check "... and no snapshot printed" [ ! -s "$TMP/direct.json" ]
	fi
fi

# --keep: where the classic iterators run, one line saying why nothing is kept
ROOT=/sys/fs/bpf/bpfdump/@snapshot
KEPT_BEFORE=$(ls -A "$ROOT" 2>/dev/null)
# what this test keeps (and a --keep that should have kept nothing) is dropped at the end
[ -z "$KEPT_BEFORE" ] && at_exit "'$BPFDUMP' snapshot --drop"
keep_classic() {
	local label=$1
	shift
	env "$@" "$BPFDUMP" snapshot --keep >"$TMP/keep.out" 2>"$TMP/keep.err"
	local rc=$?
	check "$label: snapshot --keep: exit 1, one line: $(head -c 200 "$TMP/keep.err")" \
		[ $rc -eq 1 -a "$(wc -l <"$TMP/keep.err")" -eq 1 ]
	check "$label: ... which says why (classic iterators, open-coded needed)" \
		grep -q "nothing kept: the classic iterators.*open-coded" "$TMP/keep.err"
	check "$label: ... and keeps nothing" [ "$(ls -A "$ROOT" 2>/dev/null)" = "$KEPT_BEFORE" ]
	env "$@" "$BPFDUMP" snapshot -J --keep "$P" >"$TMP/keepp.json" 2>"$TMP/keepp.err"
	rc=$?
	check "$label: snapshot --keep PID: exit 0, the snapshot, one warning line ($(head -c 200 "$TMP/keepp.err"))" \
		[ $rc -eq 0 -a "$(grep -c 'nothing kept' "$TMP/keepp.err")" -eq 1 -a -s "$TMP/keepp.json" ]
}
if [ "$WAY" = classic ]; then
	keep_classic default
else
	keep_classic classic BPFDUMP_SNAPSHOT_CLASSIC=1
	if [ -n "$KEPT_BEFORE" ]; then
		skip "open-coded: --keep: programs are kept already (not this test's to drop)"
	else
		"$BPFDUMP" snapshot --keep 2>"$TMP/keep.err"
		check "open-coded: snapshot --keep exits 0 and keeps a program ($(head -c 200 "$TMP/keep.err"))" \
			[ -n "$(ls -A "$ROOT" 2>/dev/null)" ]
		cat "/proc/$P/status" >"$TMP/kept.json.status"
		"$BPFDUMP" -v snapshot -J "$P" >"$TMP/kept.json" 2>"$TMP/kept.err"
		check "open-coded: the next snapshot uses it" grep -q "the program kept at" "$TMP/kept.err"
		[ -s "$TMP/kept.json" ] && compare kept "$TMP/kept.json"
	fi
fi
exit 0
