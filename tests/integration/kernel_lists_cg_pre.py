#!/usr/bin/python3
# kernel_lists.sh: cgroup --order descendants_pre: every parent before its children
import sys
ids = [int(l.split()[0]) for l in sys.argv[1].splitlines() if l.strip()]
d, a, b, c, e, f = (int(x) for x in sys.argv[2].split())
pos = {i: n for n, i in enumerate(ids)}
good = len(ids) == 6 and ids[0] == d and pos[a] < pos[b] < pos[c] and pos[a] < pos[e] and pos[d] < pos[f]
print(("ok" if good else "FAIL") + " kernel_lists: descendants_pre: every parent before its children" + ("" if good else ": %s" % ids))
