#!/usr/bin/python3
# map_elems.sh: the table and -r -n rows show the JSON rows' cells
import json, sys
tab, js, raw, env = sys.argv[1:5]
lines = open(tab).read().splitlines()
rows = [json.loads(l) for l in open(js)]
cells = sorted((r["key"], r["value"]) for r in rows)
# the table: header, then key at column 0, value where the header's VALUE starts
hdr = lines[0] if lines else ""
at = hdr.find("VALUE")
tabrows = sorted((l[:at].rstrip(), l[at:]) for l in lines[1:])
rawrows = sorted(tuple(c.replace("\\x20", " ") for c in l.split(" ", 1)) for l in open(raw).read().splitlines())
ok = hdr.split() == ["KEY", "VALUE"] and tabrows == cells and rawrows == cells and len(cells) == 3
print(("ok " if ok else "FAIL ") + "map_elems: bdme_hash (BPFDUMP_MAP_SYSCALLS=%s): the table and -r -n show the JSON's cells" % env
      + ("" if ok else ": %s / %s / %s" % (tabrows, rawrows, cells)))
