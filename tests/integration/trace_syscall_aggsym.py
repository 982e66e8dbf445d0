#!/usr/bin/python3
# trace_syscall.sh: -J count BY flags, return, mode, dfd of sc_counts' openat calls.
# argv[1]: bpfdump's output, argv[2]: the helper's lines
# (DFD PATH FLAGS FLAGS_NUM MODE RET RET_NUM COUNT). Each group must be one entry with
# the numbers in "key" and, in "symbolic", flags and mode as the helper named them,
# return when it is an error (-ENAME), and no name for the directory fd.
import json, sys

j = json.loads(open(sys.argv[1]).readline())
want = {}
for line in open(sys.argv[2]):
    dfd, _, flags, flags_num, mode, ret, ret_num, n = line.rstrip("\n").split("\t")
    key = {"flags": int(flags_num), "return": int(ret_num), "mode": int(mode, 8),
           "dfd": int(dfd)}
    sym = {"flags": flags, "mode": mode}
    if ret.startswith("-"):
        sym["return"] = ret
    want[json.dumps(key, sort_keys=True)] = (sym, int(n))
got = {}
for e in j["aggregates"][0]["entries"]:
    if not all(isinstance(v, int) for v in e["key"].values()):
        print("a key not a number: %r" % e); sys.exit()
    got[json.dumps(e["key"], sort_keys=True)] = (e["symbolic"], e["value"])
print("ok" if got == want else "want %r got %r" % (want, got))
