#!/usr/bin/python3
# sk_maps_vm.sh: bpf_sk_storage_map rows: each socket once, its value decoded by BTF
import json, re, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
lp, cp, ap = map(int, sys.argv[2:5])
# each socket's (lport, rport) and its value {tag = 0xbd00 + i, port = its local port}
want = sorted([(lp, 0, 0xbd00, lp), (cp, lp, 0xbd01, cp), (ap, cp, 0xbd02, ap)])
got = []
for r in rows:
    m = re.search(r"\.tag = \(__u32\)(\d+),\.port = \(__u32\)(\d+)", r["value"])
    got.append((r["lport"], r["rport"], int(m.group(1)), int(m.group(2))) if m else r)
ok = sorted(got, key=str) == sorted(want, key=str) and all(r["family"] == "inet" for r in rows)
print(("ok " if ok else "FAIL ") + "sk-maps-vm: bpf_sk_storage_map lists each socket once, value decoded by the map's BTF" + ("" if ok else ": %s vs %s" % (got, want)))
