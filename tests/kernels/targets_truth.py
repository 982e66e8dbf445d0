#!/usr/bin/python3
# targets.sh: the targets' rows against ground truth: /proc, ss -tln, bpftool and the test's own processes
import json, os, subprocess, sys
tmp, sp, me, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def res(name, good, why=""):
    print(("ok " if good else "FAIL ") + "targets: " + name + ("" if good else ": " + why))
def load(t):
    try:
        return [json.loads(l) for l in open("%s/%s.json" % (tmp, t)) if l.strip()]
    except (OSError, ValueError):
        return None
def bpftool(*a):
    try:
        return json.loads(subprocess.run(["bpftool", "-j"] + list(a), capture_output=True,
                                         text=True, timeout=60).stdout or "null")
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None

rows = load("task")
if rows is not None:
    pids = {r.get("pid") for r in rows}
    def ns(p):
        try:
            return os.readlink("/proc/%s/ns/pid" % p)
        except OSError:
            return None
    # processes of this pid namespace alive before and after the dumps are all in them
    both = set(open(tmp + "/pids.before").read().split()) & set(open(tmp + "/pids.after").read().split())
    mine = ns("self")
    stable = sorted(int(p) for p in both if ns(p) == mine)
    miss = [p for p in stable if p not in pids]
    res("task: every process of /proc alive before and after the dumps is in them (%d)" % len(stable),
        stable and not miss, str(miss[:5]))
    r = [x for x in rows if x.get("pid") == sp and x.get("tid") == sp]
    st = open("/proc/%d/status" % sp).read()
    ppid = int([l.split()[1] for l in st.splitlines() if l.startswith("PPid:")][0])
    uid = int([l.split()[1] for l in st.splitlines() if l.startswith("Uid:")][0])
    res("task: the test's sleep has /proc's ppid, uid, state S and comm",
        len(r) == 1 and r[0].get("ppid") == ppid and r[0].get("uid") == uid and
        r[0].get("state") == "S" and r[0].get("comm") == "sleep", str(r))

rows = load("tcp")
if rows is not None and port:
    mine = [x for x in rows if x.get("lport") == int(port) and x.get("state") == "LISTEN"]
    res("tcp: the test's listener on 127.0.0.1:%s is LISTEN" % port,
        len(mine) == 1 and mine[0].get("laddr") == "127.0.0.1", str(mine))
    def ports(f):
        try:
            return {int(l.split()[3].rsplit(":", 1)[1]) for l in open(tmp + "/" + f) if l.strip()}
        except (OSError, ValueError, IndexError):
            return None
    before, after = ports("ss.before"), ports("ss.after")
    if not before:
        print("skip targets: tcp vs ss -tln: no ss output")
    else:
        got = {x.get("lport") for x in rows if x.get("state") == "LISTEN"}
        res("tcp: listening ports equal ss -tln's (%d in both of its runs, %d dumped)" % (len(before & after), len(got)),
            before & after <= got <= before | after,
            "missing %s, extra %s" % (sorted((before & after) - got), sorted(got - (before | after))))

def compare(target, tool, keys, what):
    rows = load(target)
    if rows is None:
        return
    truth = bpftool(*tool)
    if truth is None:
        print("skip targets: %s vs bpftool: no bpftool output" % target)
        return
    after = bpftool(*tool) or []
    ids_after = {x["id"] for x in after}
    stable = [x for x in truth if x["id"] in ids_after]
    by = {r.get("id"): r for r in rows}
    bad = []
    for x in stable:
        r = by.get(x["id"])
        if r is None:
            # made after the dump started
            continue
        for k, tk in keys:
            if r.get(k) != x.get(tk):
                bad.append((x["id"], k, r.get(k), x.get(tk)))
    seen = [x for x in stable if x["id"] in by]
    res("%s: %s equal bpftool's (%d of %d objects in both)" % (target, what, len(seen), len(stable)),
        seen and not bad, str(bad[:4]) if bad else "no object in both")

compare("bpf_link", ["link", "show"], [("prog_id", "prog_id")], "ids and prog ids")
compare("bpf_map", ["map", "show"], [("name", "name"), ("key_size", "bytes_key"),
                                     ("value_size", "bytes_value"), ("max_entries", "max_entries")],
        "ids, names, key/value sizes, max entries")
compare("bpf_prog", ["prog", "show"], [("name", "name"), ("tag", "tag")], "ids, names and tags")
links = load("bpf_link") or []
res("bpf_link: attach_type is set on every link (BPF_TRACE_ITER for iterators)",
    links and all(r.get("attach_type") not in (None, "") for r in links) and
    all(r.get("attach_type") == "BPF_TRACE_ITER" for r in links if r.get("type") == "BPF_LINK_TYPE_ITER"),
    str([r for r in links if r.get("type") == "BPF_LINK_TYPE_ITER"][:2]))
