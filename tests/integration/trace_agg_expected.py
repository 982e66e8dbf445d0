#!/usr/bin/python3
# trace_agg.sh: the sum, max and log2 histogram of i % MOD for i < N, as trace --agg computes them
import sys
n, mod = map(int, sys.argv[1:])
vals = [i % mod for i in range(n)]
h = {}
for v in vals:
    b = 1 if v == 0 else 2 + v.bit_length() - 1
    h[b] = h.get(b, 0) + 1
print(sum(vals), max(vals), ",".join("%d:%d" % kv for kv in sorted(h.items())))
