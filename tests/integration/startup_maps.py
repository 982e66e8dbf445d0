"""NAME NO_PREALLOC MAX_ENTRIES of each map named bpfdump_agg or bpfdump_rb that process
PID holds: ids from /proc/PID/fdinfo, names and flags from `bpftool -j map show` (FILE)."""
import glob
import json
import sys

maps, pid = sys.argv[1], sys.argv[2]
held = set()
for f in glob.glob("/proc/%s/fdinfo/*" % pid):
    try:
        for line in open(f):
            if line.startswith("map_id:"):
                held.add(int(line.split()[1]))
    except OSError:
        pass
for m in json.load(open(maps)):
    if m["id"] in held and m.get("name") in ("bpfdump_agg", "bpfdump_rb"):
        print(m["name"], m.get("flags", 0) & 1, m.get("max_entries", 0))
