#!/usr/bin/python3
# pin_trust.sh: show -J lists a half-made pin (its @meta without its link) as incomplete
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
r = [x for x in rows if x["path"] == sys.argv[2]]
ok = len(r) == 1 and "incomplete" in r[0]["created_by"] and r[0]["target"] == "tcp"
print(("ok" if ok else "FAIL") + " pin_trust: show lists the interrupted pin once, as incomplete, with its target" + ("" if ok else ": " + str(r)))
