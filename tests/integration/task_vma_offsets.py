#!/usr/bin/python3
# task_vma.sh: a pinned task_vma's pgoff against /proc/PID/maps' offsets, in bytes
import sys
cat = [l.split() for l in open(sys.argv[1])][1:]
maps = [l.split() for l in open(sys.argv[2]) if not l.startswith("ffffffffff600000")]
got = [(int(f[1], 16), int(f[4], 16)) for f in cat]
exp = [(int(f[0].split("-")[0], 16), int(f[2], 16)) for f in maps]
print("same" if got == exp and got else "differ: %s vs %s" % (got[:3], exp[:3]))
