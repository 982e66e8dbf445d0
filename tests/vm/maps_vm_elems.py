#!/usr/bin/python3
# maps_vm.sh: bpf_map_elem rows are the inserted keys and values
import json, sys
rows = sorted((r["key"], r["value"]) for r in map(json.loads, open(sys.argv[1])))
want = sorted(("%02x 00 00 00" % k, "%02x 00 00 00 00 00 00 %02x" % (k * 10, k)) for k in (1, 2, 3))
ok = rows == want
print(("ok " if ok else "FAIL ") + "maps-vm: bpf_map_elem shows exactly the inserted keys and values (hex: no BTF)" + ("" if ok else ": %s vs %s" % (rows, want)))
