#!/usr/bin/python3
# trace_stack.sh: each user stack's first frame is libc's getpgid, inside it by nm's symbol size, in the file the frame names
import json, re, subprocess, sys
stacks = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
if not stacks:
    sys.exit(print("no stacks"))
syms = {}
for st in stacks:
    if not st:
        sys.exit(print("an empty user stack"))
    m = re.fullmatch(r"(\S+)\+0x([0-9a-f]+) \((/\S+)\)", st[0])
    if not m:
        sys.exit(print("first frame not func+0xoff (file): %r" % st[0]))
    name, off, path = m.group(1), int(m.group(2), 16), m.group(3)
    if path not in syms:
        out = subprocess.run(["nm", "-D", "--defined-only", "-S", path], capture_output=True,
                             text=True).stdout
        syms[path] = [l.split() for l in out.splitlines() if len(l.split()) == 4]
    at = {(int(a, 16), int(z, 16)) for a, z, t, n in syms[path] if n.split("@")[0] == "getpgid"}
    names = {n.split("@")[0] for a, z, t, n in syms[path] if any(int(a, 16) == x for x, _ in at)}
    if name not in names or not any(off < z for _, z in at):
        sys.exit(print("first frame %r is not getpgid (%s) of %s" % (st[0], sorted(names), path)))
print("ok")
