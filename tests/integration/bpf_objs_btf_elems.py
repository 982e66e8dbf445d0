#!/usr/bin/python3
# bpf_objs.sh: bpf_map_elem of a map with BTF: the values bpfdump decodes equal bpftool's formatted dump
import json, sys, re
try:
    rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
except ValueError:
    rows = []
tool = {e["formatted"]["key"]: e["formatted"]["value"] for e in json.load(open(sys.argv[2]))}
def num(v, field):
    m = re.search(r"\b%s\s*=\s*(?:\([^)]*\)\s*)?(-?(?:0x[0-9a-f]+|\d+))" % field, str(v))
    return int(m.group(1), 0) if m else None
got = {}
for r in rows:
    try:
        k = int(re.sub(r"^\([^)]*\)", "", str(r.get("key"))), 0)	# "(__u32)1"
    except ValueError:
        k = r.get("key")
    v = r.get("value")
    got[k] = v if isinstance(v, dict) else {f: num(v, f) for f in ("a", "b", "c")}
good = got == tool and len(tool) == 3
print(("ok" if good else "FAIL") + " bpf_objs: bpf_map_elem BTF map decoded with its key/value types"
      + ("" if good else ": got %s, bpftool %s" % (rows[:3], tool)))
