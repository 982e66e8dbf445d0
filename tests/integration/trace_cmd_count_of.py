#!/usr/bin/python3
# trace_cmd.sh: "pid:count" of each entry of the first aggregate
import json, sys
j = json.loads(open(sys.argv[1]).readline())
print(" ".join("%s:%d" % (e["key"].get("pid", "-"), e["value"])
               for e in j["aggregates"][0]["entries"]))
