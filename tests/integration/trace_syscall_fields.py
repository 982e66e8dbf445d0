#!/usr/bin/python3
# trace.sh: every syscall tracepoint: info -J names its tracefs format's fields, in order
import glob, json, os, subprocess, sys
bad, dirs = [], sorted(glob.glob(os.path.join(sys.argv[2], "sys_*")))
for d in dirs:
    fields = [l.split("field:")[1].split(";")[0].split()[-1].lstrip("*")
              for l in open(os.path.join(d, "format")) if "field:" in l]
    fields = [f for f in fields if not f.startswith("common_") and f != "__syscall_nr"]
    r = subprocess.run([sys.argv[1], "info", "-J", "tp:syscalls:" + os.path.basename(d)],
                       capture_output=True, text=True)
    got = [a["name"] for a in json.loads(r.stdout)["args"]] if r.returncode == 0 else r.stderr
    if got != fields:
        bad.append((os.path.basename(d), fields, got))
ok = dirs and not bad
print(("ok " if ok else "FAIL ") + "trace: info -J of all %d syscall tracepoints: the format's fields" % len(dirs) + ("" if ok else ": %s" % str(bad[:3])[:300]))
