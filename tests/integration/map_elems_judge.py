#!/usr/bin/python3
# map_elems.sh: bpfdump's rows of a map against the truth (and bpftool's)
import json, re, struct, sys
kind, path, rows_f = sys.argv[1:4]
tool_f, truth_f = sys.argv[4] if len(sys.argv) > 5 else None, sys.argv[-1]
truth = json.load(open(truth_f))[path]
ncpu = None
def canon(v):
    """btf_dump leaves zero members out: compare without them"""
    if isinstance(v, dict):
        v = {k: x for k, x in v.items() if x != 0}
    return json.dumps(v, sort_keys=True)
def parse(s):
    """btf_dump's compact text: (type)value, {.m = v,...} -> int / dict"""
    s = s.strip()
    m = re.match(r"^\([^()]*\)", s)
    if m:
        s = s[m.end():].strip()
    if s.startswith("{"):
        out, body = {}, s[1:-1]
        for mm in re.finditer(r"\.(\w+) = (\([^()]*\))?(-?\w+)", body):
            out[mm.group(1)] = int(mm.group(3), 0)
        return out
    return int(s, 0)
# what the truth's bytes mean in each map with BTF (Python's struct, independently)
layouts = {"bdme_hash": ("<I", "<IiQ", "abc"), "bdme_pcpu": ("<I", "<IiQ", "abc"),
           "bdme_arr": ("<I", "<Q", None), "bdme_lru": ("<HBB", "<i", None)}
keynames = {"bdme_lru": ("port", "proto", "flag")}
def decode(name, kh, vh):
    kf, vf, vnames = layouts[name]
    k = struct.unpack(kf, bytes.fromhex(kh))
    k = dict(zip(keynames[name], k)) if name in keynames else k[0]
    v = struct.unpack(vf, bytes.fromhex(vh))
    v = dict(zip(vnames, v)) if vnames else v[0]
    return canon(k), canon(v)
hexs = lambda h: " ".join(h[i:i + 2] for i in range(0, len(h), 2))
try:
    rows = [json.loads(l) for l in open(rows_f) if l.strip()]
except ValueError as e:
    rows = ["bad JSON: %s" % e]
name = path.rsplit("/", 1)[1]
btf = name in layouts
percpu = "pcpu" in name
got, want = [], []
for r in rows:
    if not isinstance(r, dict) or set(r) != {"key", "value"}:
        got.append(("bad row", str(r)))
        continue
    if percpu:
        parts = r["value"].split("; ")
        vals = [p.split(": ", 1)[1] for p in parts]
        ncpu = len(vals)
        vals = [canon(parse(v)) for v in vals] if btf else vals
        k = canon(parse(r["key"])) if btf else r["key"]
        got.append((k, tuple(vals)))
    elif btf:
        got.append((canon(parse(r["key"])), canon(parse(r["value"]))))
    else:
        got.append((r["key"], r["value"]))
for kh, vh in truth.items():
    if btf:
        k, v = decode(name, kh, vh)
    else:
        k, v = hexs(kh), hexs(vh)
    want.append((k, tuple([v] * (ncpu or 1))) if percpu else (k, v))
if kind == "truth":
    ok = sorted(got) == sorted(want) and len(got) == len(want)
    print(("ok " if ok else "FAIL ") + "map_elems: %s: the rows are the %d inserted keys and values%s"
          % (name, len(want), "" if ok else ": got %s, want %s" % (sorted(got)[:4], sorted(want)[:4])))
else:
    tool = json.load(open(tool_f))
    conv = []
    for e in tool:
        if btf:
            f = e["formatted"]
            k = canon(f["key"])
            if percpu:
                conv.append((k, tuple(canon(c["value"]) for c in f["values"])))
            else:
                conv.append((k, canon(f["value"])))
        else:
            b = lambda l: " ".join(x[2:].lower() for x in l)
            if percpu:
                conv.append((b(e["key"]), tuple(b(c["value"]) for c in e["values"])))
            else:
                conv.append((b(e["key"]), b(e["value"])))
    ok = sorted(got) == sorted(conv)
    print(("ok " if ok else "FAIL ") + "map_elems: %s: the rows are bpftool map dump's (%d)%s"
          % (name, len(conv), "" if ok else ": got %s, bpftool %s" % (sorted(got)[:4], sorted(conv)[:4])))
