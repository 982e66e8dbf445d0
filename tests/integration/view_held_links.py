#!/usr/bin/python3
# view.sh: ids of the links (bpftool link show -j on stdin) of the given program ids
import json,sys
p={int(x) for x in sys.argv[1].split()}
print(' '.join(str(l['id']) for l in json.load(sys.stdin) if l.get('prog_id') in p))
