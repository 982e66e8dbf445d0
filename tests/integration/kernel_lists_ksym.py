#!/usr/bin/python3
# kernel_lists.sh: dump ksym -J against /proc/kallsyms read before and after
import json, sys, random, collections
tmp = sys.argv[1]
def res(name, good, why=""):
    print(("ok " if good else "FAIL ") + "kernel_lists: " + name + ("" if good else ": " + why))
def kallsyms(n):
    out = []
    for l in open(tmp + "/" + n):
        f = l.split()
        out.append((int(f[0], 16), f[1], f[2], f[3].strip("[]") if len(f) > 3 else ""))
    return out
a, b = kallsyms("kallsyms.a"), kallsyms("kallsyms.b")
try:
    rows = [json.loads(l) for l in open(tmp + "/ksym.json") if l.strip()]
    got = [(int(r["addr"], 16), r["type"], r["name"], r["module"]) for r in rows]
except (ValueError, KeyError, TypeError) as e:
    rows, got = [], []
    print("FAIL kernel_lists: ksym rows have addr (hex), type, name, module: %s" % e)
gotc = collections.Counter(got)
# BPF programs (bpfdump's own among them) come and go between the reads
stable = collections.Counter(a) & collections.Counter(b)
sample = random.sample(sorted(stable.elements()), min(1000, sum(stable.values())))
miss = [s for s in sample if s not in gotc]
res("ksym: 1000 random /proc/kallsyms symbols found with the same address, type, name, module",
    len(sample) == 1000 and not miss, "%d missing, e.g. %s" % (len(miss), [(hex(x[0]),) + x[1:] for x in miss[:3]]))
res("ksym: total count %d within 50 of /proc/kallsyms (%d)" % (len(got), len(a)), abs(len(got) - len(a)) <= 50)
core = lambda c: collections.Counter({k: v for k, v in c.items() if k[3] != "bpf"})
diff_a, diff_b = core(gotc) - core(stable), core(stable) - core(gotc)
res("ksym: every symbol outside [bpf] matches /proc/kallsyms exactly (%d)" % sum(core(stable).values()),
    rows and not diff_a and not diff_b, "only bpfdump %s; only kallsyms %s" % (list(diff_a)[:3], list(diff_b)[:3]))
