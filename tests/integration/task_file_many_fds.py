#!/usr/bin/python3
# task_file.sh: a process holding 4,000 fds on 1,000 names (long, renamed, in a subdirectory); writes DIR/ready
import os, sys, time, resource
d = sys.argv[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (5000, 5000))
os.makedirs(d + "/sub", exist_ok=True)
names = ["f%d%s" % (i, "x" * (150 if i % 7 == 0 else 0)) for i in range(1000)]
names[3] = "sub/three"
for i in range(4000):
    os.open("%s/%s" % (d, names[i % 1000]), os.O_RDONLY | os.O_CREAT, 0o644)
os.rename(d + "/f5", d + "/f5-renamed")
open(d + "/ready", "w").close()
time.sleep(600)
