#!/usr/bin/python3
# task_vma.sh: the task_vma dumps against /proc/PID/maps and the helper's record
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
