#!/usr/bin/python3
# serve.sh: N sequential scrapes of URL; prints how many failed
import sys, urllib.request
url, n = sys.argv[1], int(sys.argv[2])
bad = 0
for i in range(n):
    with urllib.request.urlopen(url, timeout=20) as r:
        body = r.read()
        if r.status != 200 or b"bpfdump_holder_fds{" not in body:
            bad += 1
print(bad)
