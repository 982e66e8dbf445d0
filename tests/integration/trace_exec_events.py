#!/usr/bin/python3
# trace.sh: sched_process_exec events of the test's two execs of /bin/true
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
pids, mode = {int(sys.argv[2]), int(sys.argv[3])}, sys.argv[4]
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace: %s: %s" % (mode, n) + ("" if ok else ": " + why))
res("sched_process_exec: exactly the two execs of true", len(ev) == 2 and {e["values"]["p->pid"] for e in ev} == pids, str(ev)[:300])
res("values: bprm->filename and the event header", all(e["values"]["bprm->filename"] == "/bin/true" and e["pid"] in pids and e["event"] == "hit" for e in ev), str(ev)[:300])
