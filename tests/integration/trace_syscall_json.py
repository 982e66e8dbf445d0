#!/usr/bin/python3
# trace_syscall.sh: each openat event's arguments and return against the helper's truth
import json, os, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
truth = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if not l.startswith("seq")]
ev = ev[-len(truth):]
errs = {"-ENOENT": -2, "-EEXIST": -17}
flags = {"O_RDONLY": 0, "O_WRONLY": os.O_WRONLY, "O_RDWR": os.O_RDWR, "O_CLOEXEC": os.O_CLOEXEC,
         "O_DIRECTORY": os.O_DIRECTORY, "O_PATH": os.O_PATH, "O_NOFOLLOW": os.O_NOFOLLOW,
         "O_CREAT": os.O_CREAT, "O_EXCL": os.O_EXCL, "O_TRUNC": os.O_TRUNC}
for e, (dfd, path, fl, mode, ret) in zip(ev, truth):
    v, s = e["values"], e["symbolic"]
    want_ret = errs[ret] if ret in errs else int(ret)
    want_fl = 0
    for f in fl.split("|"):
        want_fl |= flags[f]
    got = (e["func"], e["event"], v["filename"], v["flags"], v["mode"], v["return"], s["flags"])
    want = ("syscall:openat", "syscall", path, want_fl, int(mode, 8), want_ret, fl)
    if got != want:
        print("got %r want %r" % (got, want)); break
    if (ret in errs) != (s.get("return") == ret) or (dfd == "AT_FDCWD") != (s.get("dfd") == "AT_FDCWD"):
        print("symbolic %r for %r" % (s, (dfd, ret))); break
else:
    print("ok" if len(ev) == len(truth) == 7 else "%d events for %d calls" % (len(ev), len(truth)))
