#!/usr/bin/python3
# kernel_lists.sh: dump cgroup -J: every cgroup directory under the mount, with its inode as id, level and name
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
