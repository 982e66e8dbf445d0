#!/usr/bin/python3
# trace_syscall.sh: "return:count" of each entry of the count BY return aggregate
import json, sys
j = json.loads(open(sys.argv[1]).readline())
print(" ".join(sorted("%d:%d" % (e["key"]["return"], e["value"]) for e in j["aggregates"][0]["entries"])) + " ")
