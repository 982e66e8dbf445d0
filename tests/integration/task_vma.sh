#!/usr/bin/env bash
# task_vma target vs /proc/PID/maps: a process the test starts maps files and anonymous regions.
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


# The helper reserves a 64-page PROT_NONE area and maps into it with MAP_FIXED (gaps keep the
# mappings apart): a file MAP_SHARED rw at page offset 2, the same file MAP_PRIVATE r at offset 0,
# a file with spaces in its name r-x at offset 1, a file that is then unlinked, anonymous rw
# private, anonymous shared, and leaves PROT_NONE gaps. It runs one extra thread.
cat >"$TMP/helper.py" <<'PY'
import ctypes, os, sys, json, time, threading
d = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
PG = 4096
R, W, X = 1, 2, 4
SHARED, PRIVATE, FIXED, ANON = 1, 2, 0x10, 0x20
def mmap(addr, pages, prot, flags, fd=-1, pgoff=0):
    a = libc.mmap(addr, pages * PG, prot, flags, fd, pgoff * PG)
    if a in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "mmap")
    return a
def mkfile(name, pages):
    fd = os.open(os.path.join(d, name), os.O_RDWR | os.O_CREAT, 0o644)
    os.write(fd, b"x" * pages * PG)
    return fd
fa, fb, fc = mkfile("data", 8), mkfile("with space", 4), mkfile("gone", 2)
base = mmap(None, 64, 0, PRIVATE | ANON)
m = {}
m["file_shared_rw"] = (mmap(base + 1 * PG, 3, R | W, SHARED | FIXED, fa, 2), 3)
m["file_private_r"] = (mmap(base + 6 * PG, 2, R, PRIVATE | FIXED, fa, 0), 2)
m["space_rx"] = (mmap(base + 10 * PG, 2, R | X, PRIVATE | FIXED, fb, 1), 2)
m["deleted_r"] = (mmap(base + 14 * PG, 1, R, SHARED | FIXED, fc, 1), 1)
m["anon_rw"] = (mmap(base + 18 * PG, 5, R | W, PRIVATE | FIXED | ANON), 5)
m["anon_shared_rw"] = (mmap(base + 26 * PG, 2, R | W, SHARED | FIXED | ANON), 2)
m["anon_r"] = (mmap(base + 30 * PG, 3, R, PRIVATE | FIXED | ANON), 3)
os.unlink(os.path.join(d, "gone"))
ctypes.memset(m["anon_rw"][0], 1, PG)  # touch it
threading.Thread(target=time.sleep, args=(120,), daemon=True).start()
with open(d + "/maps.tmp", "w") as o:
    json.dump({"base": base, "maps": {k: [a, n] for k, (a, n) in m.items()}}, o)
os.rename(d + "/maps.tmp", d + "/maps.json")
for _ in range(120):
    time.sleep(1)
PY
python3 "$TMP/helper.py" "$TMP" </dev/null >/dev/null 2>"$TMP/helper.err" &
P=$!
at_exit "kill $P"
if ! wait_file "$TMP/maps.json"; then
	fail "helper process did not start: $(head -c 300 "$TMP/helper.err")"
	exit 1
fi

cp /proc/$P/maps "$TMP/maps1"
dump_ok "dump task_vma --pid -J exits 0" "$TMP/pid.json" dump task_vma --pid "$P" -J
check "JSON parses" json_valid <"$TMP/pid.json"
dump_ok "dump task_vma -J (all tasks) exits 0" "$TMP/all.json" dump task_vma -J
dump_ok "dump task_vma with dev(), ino() of vm_file exits 0" "$TMP/ino.json" dump task_vma --pid "$P" -J \
	-o 'start=vma->vm_start,ino=ino(vma->vm_file),dev=dev(vma->vm_file)'
cp /proc/$P/maps "$TMP/maps2"
check "ground truth stable during the dumps" cmp -s "$TMP/maps1" "$TMP/maps2"

python3 - "$TMP" "$P" <<'PY'
import json, sys
tmp, pid = sys.argv[1], int(sys.argv[2])
def res(name, good, why=""):
    print(("ok " if good else "FAIL ") + "task_vma: " + name + ("" if good else ": " + why))
def load(n):
    try:
        return [json.loads(l) for l in open(tmp + "/" + n) if l.strip()]
    except ValueError:
        return []
maps = []
for l in open(tmp + "/maps1"):
    f = l.rstrip("\n").split(None, 5)
    a, b = (int(x, 16) for x in f[0].split("-"))
    if a >= 0xffffffffff600000:
        continue        # [vsyscall] is the gate area, not a VMA of the mm
    dmaj, dmin = (int(x, 16) for x in f[3].split(":"))
    maps.append(dict(start=a, end=b, perms=f[1], off=int(f[2], 16), dev=(dmaj << 20) | dmin,
                     ino=int(f[4]), path=f[5].strip() if len(f) > 5 else ""))
rows = load("pid.json")
def h(x):
    try:
        return int(x, 16)
    except (TypeError, ValueError):
        return None
got = [(h(r.get("start")), h(r.get("end"))) for r in rows]
exp = [(m["start"], m["end"]) for m in maps]
res("start/end of every VMA match /proc/PID/maps in order (%d VMAs, one thread's worth)" % len(exp),
    got == exp, "first difference at %s" % next((i for i, (x, y) in enumerate(zip(got + [None] * 99, exp + [None] * 99)) if x != y), None))
res("start/end are hex strings '0x...'", rows and all(str(r.get("start")).startswith("0x") and str(r.get("end")).startswith("0x") for r in rows),
    str(rows[:1]))
bym = {m["start"]: m for m in maps}
bad = [(r.get("start"), r.get("perms"), bym[h(r["start"])]["perms"]) for r in rows
       if h(r.get("start")) in bym and r.get("perms") != bym[h(r["start"])]["perms"]]
res("perms match /proc/PID/maps on every row", rows and not bad, str(bad[:4]))
filebacked = [r for r in rows if h(r.get("start")) in bym and bym[h(r["start"])]["ino"] != 0]
inmaps = [r for r in rows if h(r.get("start")) in bym]
bad = [(r.get("start"), r.get("pgoff"), bym[h(r["start"])]["off"]) for r in inmaps
       if h(r.get("pgoff")) is None or h(r["pgoff"]) != bym[h(r["start"])]["off"]]
res("pgoff equals the maps offset in bytes on every row (%d, %d file-backed)" % (len(inmaps), len(filebacked)),
    filebacked and not bad, str(bad[:4]))
bad = [(r.get("start"), r.get("path"), bym[h(r["start"])]["path"]) for r in filebacked
       if r.get("path") != bym[h(r["start"])]["path"]]
res("path equals the maps path on every file-backed row", filebacked and not bad, str(bad[:4]))
anon = [r for r in rows if h(r.get("start")) in bym and bym[h(r["start"])]["ino"] == 0]
bad = [(r.get("start"), r.get("path"), bym[h(r["start"])]["path"]) for r in anon if r.get("path") != ""]
res("path is empty on anonymous rows ([heap], [stack], [vdso]... have no file) (%d)" % len(anon), anon and not bad, str(bad[:4]))
res("pid on every row", rows and all(r.get("pid") == pid for r in rows), str(rows[:1]))

# the helper's own mappings, from what it asked mmap for
hm = json.load(open(tmp + "/maps.json"))
byst = {h(r.get("start")): r for r in rows}
exp = {
    "file_shared_rw": ("rw-s", 2 * 4096, tmp + "/data"), "file_private_r": ("r--p", 0, tmp + "/data"),
    "space_rx": ("r-xp", 4096, tmp + "/with space"), "deleted_r": ("r--s", 4096, tmp + "/gone (deleted)"),
    "anon_rw": ("rw-p", 0, ""), "anon_r": ("r--p", 0, ""),
}
bad = []
for k, (perms, pgoff, path) in exp.items():
    a, n = hm["maps"][k]
    r = byst.get(a)
    if (r is None or h(r.get("end")) != a + n * 4096 or r.get("perms") != perms or r.get("path") != path
            or (pgoff is not None and h(r.get("pgoff")) != pgoff)):
        bad.append((k, r, perms, pgoff, path))
res("the helper's mmaps: address, length, perms, offset in bytes, path (incl. spaces, deleted)", not bad, str(bad[:3]))
a, n = hm["maps"]["anon_rw"]
r = byst.get(a)
res("anonymous private pgoff is 0 as maps shows (vm_pgoff is start >> 12 there)", r is not None and h(r.get("pgoff")) == 0, str(r))
a, n = hm["maps"]["anon_shared_rw"]
r = byst.get(a)
res("shared anonymous mapping is rw-s, path as in maps (%s)" % (bym.get(a, {}).get("path")),
    r is not None and r.get("perms") == "rw-s" and r.get("path") == bym.get(a, {}).get("path"), str(r))
gaps = [r for r in rows if hm["base"] <= h(r.get("start")) < hm["base"] + 64 * 4096 and r.get("perms") == "---p"]
res("PROT_NONE gaps in the reserved area appear as ---p (%d)" % len(gaps),
    len(gaps) == len([m for m in maps if hm["base"] <= m["start"] < hm["base"] + 64 * 4096 and m["perms"] == "---p"]) and gaps,
    str(gaps[:2]))

allrows = sorted((r.get("start"), r.get("end"), r.get("perms"), r.get("path")) for r in load("all.json") if r.get("pid") == pid)
res("without --pid: the helper's rows equal the --pid rows (threads not duplicated)",
    allrows and allrows == sorted((r.get("start"), r.get("end"), r.get("perms"), r.get("path")) for r in rows),
    "%d vs %d rows" % (len(allrows), len(rows)))

ino = load("ino.json")
bad = [(r, bym[r["start"]]) for r in ino if r.get("start") in bym and
       (r.get("ino") != bym[r["start"]]["ino"] or (bym[r["start"]]["ino"] and r.get("dev") != bym[r["start"]]["dev"]))]
res("ino(vm_file) and dev(vm_file) match the maps inode and device (%d rows)" % len(ino),
    len(ino) == len(maps) and not bad, str(bad[:2]))
PY

a=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["maps"]["file_shared_rw"][0])' "$TMP/maps.json")
out=$(timeout 60 "$BPFDUMP" dump task_vma -r -n -o 'pid=task->tgid,perms=vmflags(vma->vm_flags),pgoff=vma->vm_pgoff' -w "vma->vm_start == $a")
expect_eq "-w 'vma->vm_start == ADDR' over all tasks selects one VMA" "$P rw-s 2" "$out"
out=$(timeout 60 "$BPFDUMP" dump task_vma -r -n -o 'pgoff=fileoff(vma),pages=vma->vm_pgoff' -w "vma->vm_start == $a")
expect_eq "fileoff(vma) is vm_pgoff in bytes for a file mapping" "0x2000 2" "$out"
# the kernel-side text writer (a pinned dumper read by cat) prints the same as dump -r
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
PIN=/sys/fs/bpf/bpfdump-vma-$$
at_exit "rm -rf $PIN"
if timeout 60 "$BPFDUMP" pin task_vma "$PIN/maps" --pid "$P" 2>"$TMP/pin.err"; then
	cat "$PIN/maps" >"$TMP/vcat.txt"
	timeout 60 "$BPFDUMP" dump task_vma --pid "$P" -r >"$TMP/vdump.txt"
	# paths aside: -r writes a space in one as \x20, the kernel-side writer as is
	check "pinned task_vma's cat equals dump -r row for row (pid to pgoff)" \
		cmp -s <(cut -d" " -f1-5 "$TMP/vcat.txt") <(cut -d" " -f1-5 "$TMP/vdump.txt")
	# offsets in bytes, as /proc/PID/maps (the [vsyscall] gate area is no VMA of the mm)
	/usr/bin/python3 - "$TMP/vcat.txt" /proc/$P/maps >"$TMP/vcat.off" 2>&1 <<'PY'
import sys
cat = [l.split() for l in open(sys.argv[1])][1:]
maps = [l.split() for l in open(sys.argv[2]) if not l.startswith("ffffffffff600000")]
got = [(int(f[1], 16), int(f[4], 16)) for f in cat]
exp = [(int(f[0].split("-")[0], 16), int(f[2], 16)) for f in maps]
print("same" if got == exp and got else "differ: %s vs %s" % (got[:3], exp[:3]))
PY
	expect_eq "pinned task_vma's pgoff equals /proc/PID/maps' offset on every row" "same" "$(cat "$TMP/vcat.off")"
else
	fail "pin task_vma: $(head -c 300 "$TMP/pin.err")"
fi
n=$(timeout 60 "$BPFDUMP" dump task_vma --pid "$P" -n -w 'vma->vm_file == NULL' | wc -l)
expect_eq "-w 'vma->vm_file == NULL' counts anonymous VMAs" "$(awk '$5 == 0 && $1 !~ /^ffffffffff600000/' "$TMP/maps1" | wc -l)" "$n"
out=$(timeout 60 "$BPFDUMP" dump task_vma --pid "$P" -r -n -w "vma->vm_start == $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["maps"]["space_rx"][0])' "$TMP/maps.json")" | awk '{print $NF}')
expect_eq "-r escapes spaces in the path" "$TMP/with\\x20space" "$out"
hdr=$(timeout 60 "$BPFDUMP" dump task_vma --pid "$P" -r | head -1)
expect_eq "table header" "PID START END PERMS PGOFF PATH" "$hdr"

# A file mapped through an overlay mount (a container's root is one): /proc/PID/maps names
# the file the user opened (the overlay's device and inode, the merged path), not the
# layer's file the kernel maps (a backing file on kernels that have them).
O=$TMP/ovl
mkdir -p "$O/lower" "$O/upper" "$O/work" "$O/merged"
head -c 16384 /dev/zero >"$O/lower/low"
if ! mount -t overlay overlay -o "lowerdir=$O/lower,upperdir=$O/upper,workdir=$O/work" "$O/merged" \
	2>"$TMP/ovl.err"; then
	skip "overlay: cannot mount an overlay here: $(head -c 200 "$TMP/ovl.err")"
	exit 0
fi
at_exit "umount -l '$O/merged'"
head -c 8192 /dev/zero >"$O/merged/up"
python3 -c '
import mmap, os, sys, time
fs = [open(sys.argv[1] + "/merged/" + n, "rb") for n in ("low", "up")]
ms = [mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ) for f in fs]
open(sys.argv[1] + "/ready", "w").close()
time.sleep(120)' "$O" </dev/null >/dev/null 2>"$TMP/ovl_helper.err" &
OP=$!
at_exit "kill $OP"
if ! wait_file "$O/ready"; then
	fail "overlay: helper did not start: $(head -c 300 "$TMP/ovl_helper.err")"
	exit 1
fi
grep " $O/merged/" /proc/$OP/maps | while read -r _ _ _ dev ino path; do
	echo "$(( (16#${dev%%:*} << 20) | 16#${dev#*:} )) $ino $path"
done | sort >"$TMP/ovl.want"
timeout 60 "$BPFDUMP" dump task_vma --pid "$OP" -r -n -o 'dev=dev(vma->vm_file),ino=ino(vma->vm_file),path=path(vma->vm_file)' \
	2>"$TMP/ovl.err" | grep " $O/merged/" | sort >"$TMP/ovl.got"
expect_eq "overlay: both mapped files are in /proc/PID/maps" 2 "$(wc -l <"$TMP/ovl.want")"
expect_eq "overlay: dev(), ino(), path() of a file mapped from an overlay equal /proc/PID/maps" \
	"$(cat "$TMP/ovl.want")" "$(cat "$TMP/ovl.got")"
