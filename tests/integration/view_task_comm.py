#!/usr/bin/python3
# view.sh: the comm of the given tid's row in a file of task JSON rows
import json,sys
print([r['comm'] for r in map(json.loads, open(sys.argv[1])) if r['tid'] == int(sys.argv[2])][0])
