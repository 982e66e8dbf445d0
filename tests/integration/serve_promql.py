#!/usr/bin/python3
# serve.sh: a Prometheus query's result (stdin) as LABELS VALUE lines
import json, sys
r = json.load(sys.stdin)
assert r["status"] == "success", r
for s in r["data"]["result"]:
    m = s["metric"]
    print(",".join("%s=%s" % (k, m[k]) for k in sorted(m) if k not in ("__name__", "job", "instance")), s["value"][1])
