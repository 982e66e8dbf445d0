#!/usr/bin/python3
# core.sh: "target:params" of each bpfdump show -J row on stdin
import json, sys
print(" ".join(r["target"] + ":" + r["params"] for r in map(json.loads, sys.stdin)))
