#!/usr/bin/python3
# trace_stack.sh: each stack (a JSON list of frames per line) against kallsyms: a symbol, inside it, holding the functions wanted
# frames.py KSYMS STACKS.json WANT...: each line of STACKS.json a JSON list of frames;
# prints "ok" or what is wrong: a frame that is no symbol of kallsyms, an offset past
# the symbol's end, a stack without the functions WANT (a|b: either)
import bisect, json, re, sys
syms = json.load(open(sys.argv[1]))
addrs = sorted({a for a, _, _ in syms})
by_name = {}
for a, n, m in syms:
    by_name.setdefault((n, m), []).append(a)
want = sys.argv[3:]
stacks = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
if not stacks:
    sys.exit(print("no stacks"))
for st in stacks:
    if not st:
        sys.exit(print("an empty stack"))
    names = []
    for fr in st:
        m = re.fullmatch(r"(\S+)\+0x([0-9a-f]+)(?: \[(\S+)\])?", fr)
        if not m:
            sys.exit(print("not func+0xoff [mod]: %r" % fr))
        name, off, mod = m.group(1), int(m.group(2), 16), m.group(3) or ""
        if mod == "bpf":
            sys.exit(print("a BPF program's frame (the tracer's own?): %r" % fr))
        starts = by_name.get((name, mod))
        if not starts:
            sys.exit(print("not a text symbol of /proc/kallsyms: %r" % fr))
        inside = False
        for a in starts:
            i = bisect.bisect_right(addrs, a)
            if i == len(addrs) or a + off < addrs[i]:
                inside = True
        if not inside:
            sys.exit(print("past the end of %s (the next symbol starts before +0x%x)" % (name, off)))
        names.append(name)
    for w in want:
        if not any(n in w.split("|") or (w.endswith("*") and n.startswith(w[:-1])) for n in names):
            sys.exit(print("no %s in %s" % (w, names)))
print("ok")
