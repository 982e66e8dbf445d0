#!/usr/bin/python3
# interval.sh: dump -J --interval --rounds 2: two rounds, each object with a time and a round
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 2, rows
assert [r["round"] for r in rows] == [1, 2], rows
assert all(r["comm"] == sys.argv[2] and r["time"].endswith("Z") for r in rows), rows
assert list(rows[0])[:2] == ["time", "round"], rows
