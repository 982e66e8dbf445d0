#!/usr/bin/python3
# bpf_objs.sh: bpf_map, bpf_prog, bpf_link rows (TMP/*.json) against bpftool's lists and the ids made by the test
import json, sys
tmp = sys.argv[1]
hid, aid, bid, sf, cg, lid = (int(x) for x in sys.argv[2:8])
R = sys.argv[8]
def res(name, good, why=""):
    print(("ok " if good else "FAIL ") + "bpf_objs: " + name + ("" if good else ": " + why))
def load(n):
    try:
        return [json.loads(l) for l in open(tmp + "/" + n) if l.strip()]
    except ValueError:
        return []
def tool(n):
    try:
        return json.load(open(tmp + "/" + n))
    except ValueError:
        return []
def stable(kind):
    b = {o["id"]: o for o in tool(kind + ".before")}
    a = {o["id"]: o for o in tool(kind + ".after")}
    return {i: o for i, o in b.items() if i in a}

# maps
def mrow(o):   # bpftool's map as bpfdump prints it
    return dict(id=o["id"], type="BPF_MAP_TYPE_" + o["type"].upper(), name=o.get("name", ""),
                key_size=o["bytes_key"], value_size=o["bytes_value"], max_entries=o["max_entries"],
                flags=hex(o["flags"]))
maps = {r.get("id"): r for r in load("map.json")}
st = stable("map")
exp = {i: mrow(o) for i, o in st.items()}
bad = [(maps.get(i), e) for i, e in exp.items() if maps.get(i) != e]
res("bpf_map: every map alive before and after equals bpftool map show (%d maps)" % len(exp),
    exp and not bad, str(bad[:2]))
res("bpf_map: the test's maps: hash 4/8/16 flags 0x1, array 4/4/4, BTF hash 4/16/8",
    [maps.get(i, {}).get(k) for i in (hid, aid, bid) for k in ("name", "type", "key_size", "value_size", "max_entries", "flags")]
    == ["bdt_" + R, "BPF_MAP_TYPE_HASH", 4, 8, 16, "0x1", "bdta_" + R, "BPF_MAP_TYPE_ARRAY", 4, 4, 4, "0x0",
        "bdt%s_btf" % R, "BPF_MAP_TYPE_HASH", 4, 16, 8, "0x0"], str([maps.get(i) for i in (hid, aid, bid)]))
extra = [r for i, r in maps.items() if i not in st]
res("bpf_map: rows bpftool does not list are bpfdump's own (%d)" % len(extra),
    all(str(r.get("name", "")).startswith("bpfdump") for r in extra), str(extra[:3]))

# programs
def prow(o):
    return dict(id=o["id"], type="BPF_PROG_TYPE_" + o["type"].upper(), name=o.get("name", ""), tag=o["tag"],
                insns=o["bytes_xlated"] // 8, jited=1 if o.get("jited") else 0)
progs = {r.get("id"): r for r in load("prog.json")}
st = stable("prog")
exp = {i: prow(o) for i, o in st.items()}
bad = [(progs.get(i), e) for i, e in exp.items() if progs.get(i) != e]
res("bpf_prog: every program alive before and after equals bpftool prog show: id, type, name, tag, insns, jited (%d)" % len(exp),
    exp and not bad, str(bad[:2]))
res("bpf_prog: the helper's socket_filter and cgroup_skb programs",
    [progs.get(i, {}).get(k) for i in (sf, cg) for k in ("name", "type", "insns")]
    == ["bdt%s_sf" % R, "BPF_PROG_TYPE_SOCKET_FILTER", 2, "bdt%s_cg" % R, "BPF_PROG_TYPE_CGROUP_SKB", 2],
    str([progs.get(i) for i in (sf, cg)]))
extra = [r for i, r in progs.items() if i not in st]
res("bpf_prog: rows bpftool does not list are bpfdump's own (%d)" % len(extra),
    extra and all(str(r.get("name", "")).startswith("bd_") for r in extra), str(extra[:3]))

# links
def lrow(o):
    return dict(id=o["id"], type="BPF_LINK_TYPE_" + o["type"].upper(), prog_id=o["prog_id"],
                attach_type="BPF_" + o["attach_type"].upper())
links = {r.get("id"): r for r in load("link.json")}
st = stable("link")
exp = {i: lrow(o) for i, o in st.items() if "attach_type" in o}
bad = [(links.get(i), e) for i, e in exp.items() if links.get(i) != e]
res("bpf_link: every link alive before and after equals bpftool link show (%d)" % len(exp), exp and not bad, str(bad[:2]))
res("bpf_link: the helper's cgroup link -> its cgroup_skb program, BPF_CGROUP_INET_INGRESS",
    links.get(lid) == dict(id=lid, type="BPF_LINK_TYPE_CGROUP", prog_id=cg, attach_type="BPF_CGROUP_INET_INGRESS"),
    str(links.get(lid)))
extra = [r for i, r in links.items() if i not in st]
stp = stable("prog")
res("bpf_link: the one row bpftool does not list is bpfdump's own iterator link",
    len(extra) == 1 and extra[0].get("type") == "BPF_LINK_TYPE_ITER" and extra[0].get("attach_type") == "BPF_TRACE_ITER"
    and extra[0].get("prog_id") not in stp, str(extra))
