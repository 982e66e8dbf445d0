#!/usr/bin/python3
# trace_cmd.sh: "uid:gid=count" of each entry of the first aggregate
import json, sys
e = json.loads(open(sys.argv[1]).readline())["aggregates"][0]["entries"]
print(" ".join("%d:%d=%d" % (x["key"]["uid"], x["key"]["gid"], x["value"]) for x in e))
