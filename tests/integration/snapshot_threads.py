#!/usr/bin/python3
# snapshot.sh: comm:uid of each thread of a --all-threads snapshot
import json,sys
d=json.load(open(sys.argv[1]))
print(" ".join(sorted("%s:%s" % (t["comm"], t["creds"]["uid"]) for t in d["thread_details"])))
