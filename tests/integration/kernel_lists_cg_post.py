#!/usr/bin/python3
# kernel_lists.sh: cgroup --order descendants_post: the subtree, every child before its parent
import sys
ids = [int(l.split()[0]) for l in sys.argv[1].splitlines() if l.strip()]
d, a, b, c, e, f = (int(x) for x in sys.argv[2].split())
pos = {i: n for n, i in enumerate(ids)}
good = sorted(ids) == sorted([d, a, b, c, e, f]) and ids[-1] == d and pos[c] < pos[b] < pos[a] and pos[e] < pos[a] and pos[f] < pos[d]
print(("ok" if good else "FAIL") + " kernel_lists: descendants_post: the subtree, every child before its parent" + ("" if good else ": %s" % ids))
