#!/usr/bin/python3
# view.sh: id, name and nr_descendants of the first cgroup stat row
import json, sys; r=json.loads(open(sys.argv[1]).readline())
print(r['id'], r['name'], r['nr_descendants'])
