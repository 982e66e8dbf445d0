#!/usr/bin/python3
# containers.sh: the distinct paths of the task_vma JSON rows on stdin
import json,sys
print("\n".join(sorted({json.loads(l)["path"] for l in sys.stdin if l.strip()} - {""})))
