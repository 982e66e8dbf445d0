#!/usr/bin/python3
# containers.sh: exe_file, pwd and root of the first JSON row on stdin
import json,sys; r=json.loads(sys.stdin.readline())
print(r["exe_file"]); print(r["pwd"]); print(r["root"])
