#!/usr/bin/python3
# output_safety.sh: the keys of the first JSON object on stdin, space-separated
import json, sys; print(" ".join(json.loads(sys.stdin.readline())))
