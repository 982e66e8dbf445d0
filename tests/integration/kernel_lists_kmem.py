#!/usr/bin/python3
# kernel_lists.sh: dump kmem_cache -J against /proc/slabinfo read before and after
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
