#!/usr/bin/python3
# pin_trust.sh: fills a @meta map's value with 'A' (no NUL) past a record's 8 KiB
import subprocess, sys
# fill the value with 'A' (no NUL anywhere), past the 8 KiB a record has
subprocess.run(["bpftool", "map", "update", "pinned", sys.argv[1], "key", "0", "0", "0", "0",
		"value"] + ["0x41"] * 65536, check=True, capture_output=True)
