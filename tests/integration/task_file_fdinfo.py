#!/usr/bin/python3
# task_file.sh: task_file's file->f_pos, f_inode->i_ino and f_flags against /proc/PID/fdinfo
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
pid = int(sys.argv[2])
bad = []
for r in rows:
    info = {}
    for l in open("/proc/%d/fdinfo/%d" % (pid, r["fd"])):
        k, _, v = l.partition(":")
        info[k] = v.strip()
    # fdinfo adds O_CLOEXEC (02000000) from the fd table
    if (r["pos"] != int(info["pos"]) or r["ino"] != int(info["ino"])
            or r["flags"] & ~0o2000000 != int(info["flags"], 8) & ~0o2000000):
        bad.append((r, info.get("pos"), info.get("ino"), info.get("flags")))
plain = [r["pos"] for r in rows if r["fd"] == int(sys.argv[3])]
good = rows and not bad and plain == [5]
print(("ok" if good else "FAIL") + " task_file: file->f_pos, f_inode->i_ino, f_flags match /proc/PID/fdinfo (%d fds)" % len(rows)
      + ("" if good else ": %s plain pos %s" % (bad[:3], plain)))
