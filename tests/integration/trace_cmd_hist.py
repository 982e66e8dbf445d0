#!/usr/bin/python3
# trace_cmd.sh and trace_cmd_vm.sh: the hist(latency) buckets within the workload's
# brackets. Arguments: JSON CLOCK USEC [COMM] (COMM: the one key, for 'BY comm').
import json, sys
j = json.loads(open(sys.argv[1]).readline())
clk = [tuple(map(int, l.split())) for l in open(sys.argv[2])]
lo, hi = int(sys.argv[3]) * 1000, max(t1 - t0 for t0, t1 in clk)
ent = j["aggregates"][0]["entries"]
if len(sys.argv) > 4 and (len(ent) != 1 or ent[0]["key"]["comm"] != sys.argv[4]):
    print("keys: %s" % [e["key"] for e in ent]); sys.exit()
n = 0
for e in ent:
    for b in e["value"]:
        if b["max"] < lo or b["min"] > hi:
            print("bucket [%d, %d] outside [%d, %d]" % (b["min"], b["max"], lo, hi)); sys.exit()
        n += b["count"]
print("ok %d" % n)
