#!/usr/bin/python3
# trace_cmd.sh and trace_cmd_vm.sh: each --latency event within its call's clock_gettime
# bracket. Arguments: JSON CLOCK USEC [EVENT] (EVENT: what each event must be, as "return"
# for fexit and kretprobe).
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
clk = [tuple(map(int, l.split())) for l in open(sys.argv[2])]
us = int(sys.argv[3])
want = sys.argv[4] if len(sys.argv) > 4 else None
if len(ev) != len(clk):
    print("%d events for %d calls" % (len(ev), len(clk))); sys.exit()
for e, (t0, t1) in zip(ev, clk):
    lat, end = e["values"]["latency_ns"], e["time_ns"]
    if want and e["event"] != want:
        print("a %s event, not %s" % (e["event"], want)); sys.exit()
    if not (us * 1000 <= lat <= t1 - t0):
        print("latency %d not in [%d, %d]" % (lat, us * 1000, t1 - t0)); sys.exit()
    if not (t0 <= end - lat and end <= t1):
        print("interval [%d, %d] not within [%d, %d]" % (end - lat, end, t0, t1)); sys.exit()
print("ok %d" % len(ev))
