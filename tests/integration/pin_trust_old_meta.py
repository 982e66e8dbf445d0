#!/usr/bin/python3
# pin_trust.sh: rewrites a @meta map as an older bpfdump wrote it
import subprocess, sys
text = b"created_by=bpfdump 0.1.0\ntarget=task\n"
val = list(text) + [0] * (8192 - len(text))
subprocess.run(["bpftool", "map", "update", "pinned", sys.argv[1], "key", "0", "0", "0", "0",
		"value"] + [str(b) for b in val], check=True, capture_output=True)
