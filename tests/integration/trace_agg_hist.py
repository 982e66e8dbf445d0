#!/usr/bin/python3
# trace_agg.sh: trace --agg hist's buckets as BUCKET:COUNT
import json, sys
j = json.loads(open(sys.argv[1]).readline())
out = []
for b in j["aggregates"][0]["entries"][0]["value"]:
    lo = b["min"]
    out.append("%d:%d" % (1 if lo == 0 else 2 + lo.bit_length() - 1, b["count"]))
print(",".join(out))
