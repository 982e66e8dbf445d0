#!/usr/bin/python3
# bpf_objs.sh: bpftool map dump -j (stdin) as KEY-BYTES<TAB>VALUE-BYTES lines, as bpfdump prints bytes without BTF
import json, sys
for e in json.load(sys.stdin):
    print(" ".join(b[2:].lower() for b in e["key"]) + "\t" + " ".join(b[2:].lower() for b in e["value"]))
