#!/usr/bin/python3
# snapshot.sh: the documents of a multi-pid snapshot: count, pids, files, complete
import json,sys,os
docs=[json.loads(l) for l in open(sys.argv[1])]
print(len(docs), " ".join(str(d["pid"]) for d in docs),
      all(len(d["files"]) == len(os.listdir("/proc/%d/fd" % d["pid"])) for d in docs),
      all(d["complete"] for d in docs))
