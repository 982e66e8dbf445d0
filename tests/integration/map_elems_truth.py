#!/usr/bin/python3
# map_elems.sh: the elements: a bpftool batch file, and the truth (hex bytes)
import json, struct, sys
d, truth_f, batch_f = sys.argv[1:4]
maps = {}   # pinned path -> {key hex: value hex}
def put(path, k, v):
    maps.setdefault(path, {})[k.hex()] = v.hex()
for k in (1, 7, 300):
    put(d + "/hash", struct.pack("<I", k), struct.pack("<Q", k * 1000 + 5))
    put(d + "/pcpu", struct.pack("<I", k), struct.pack("<i", -k))
    put(d + "/lru", struct.pack("<Q", k << 33 | 9), struct.pack("<I", k))
    put(d + "/b/bdme_hash", struct.pack("<I", k), struct.pack("<IiQ", k * 10, -k, k << 40))
    put(d + "/b/bdme_pcpu", struct.pack("<I", k), struct.pack("<IiQ", k, -2 * k, 3 * k))
    put(d + "/b/bdme_lru", struct.pack("<HBB", 8000 + k, 6, k & 1), struct.pack("<i", -k))
for k in (0, 2):
    put(d + "/array", struct.pack("<I", k), struct.pack("<Q", 0xbd00 + k))
    put(d + "/b/bdme_arr", struct.pack("<I", k), struct.pack("<Q", 1 << 62 | k))
for k in range(1500):
    put(d + "/big", struct.pack("<I", k * 7919), struct.pack("<Q", k))
sp = lambda h: " ".join("0x" + h[i:i + 2] for i in range(0, len(h), 2))
with open(batch_f, "w") as f:
    for path, elems in maps.items():
        for k, v in elems.items():
            f.write("map update pinned %s key %s value %s\n" % (path, sp(k), sp(v)))
# arrays: every index exists; those not written are zeros
for path, n, vs in ((d + "/array", 4, 8), (d + "/b/bdme_arr", 4, 8)):
    for k in range(n):
        maps[path].setdefault(struct.pack("<I", k).hex(), "00" * vs)
json.dump(maps, open(truth_f, "w"))
