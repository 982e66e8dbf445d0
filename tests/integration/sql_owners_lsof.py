#!/usr/bin/python3
# sql_owners.sh: "fd port" of lsof -F fn's internet fds (on stdin)
import sys
fd = None
for line in sys.stdin:
    line = line.strip()
    if line[:1] == "f":
        fd = line[1:]
    elif line[:1] == "n" and fd:
        print(fd, line[1:].split("->")[0].rsplit(":", 1)[1])
