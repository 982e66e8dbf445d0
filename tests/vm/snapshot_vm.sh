#!/usr/bin/env bash
# The snapshot's CO-RE program on another kernel (the VM's stock Debian kernel): the
# host suite runs the variant built for the host kernel, so only here does libbpf
# relocate the program against a kernel it was not compiled for.
source "$(dirname "$0")/../lib.sh"
TEST_NAME=snapshot-vm
python3 -c '
import os, socket, sys, time
f = open("/etc/hostname"); f.read(3)
r, w = os.pipe()
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
open(sys.argv[1], "w").close()
time.sleep(300)' "$TMP/ready" &
P=$!
at_exit "kill $P"
for _ in $(seq 100); do [ -e "$TMP/ready" ] && break; sleep 0.1; done
"$BPFDUMP" -vv snapshot -J "$P" >"$TMP/s.json" 2>"$TMP/s.err"
check "snapshot -J exits 0 ($(grep -v '^libbpf' "$TMP/s.err" | tail -1 | head -c 200))" [ $? -eq 0 ]
check "the CO-RE program ran (another kernel build than the host's)" \
	bash -c "! grep -q 'built for this kernel' '$TMP/s.err'"
check "-v says which way ran ($(grep -o 'snapshot: [a-z-]* iterators' "$TMP/s.err" | head -1))" \
	grep -q 'snapshot: \(open-coded\|classic\) iterators' "$TMP/s.err"
# the classic iterators' programs, CO-RE as well, on this kernel too
BPFDUMP_SNAPSHOT_CLASSIC=1 "$BPFDUMP" -v snapshot -J "$P" >"$TMP/c.json" 2>"$TMP/c.err"
check "classic iterators: snapshot -J exits 0 ($(tail -1 "$TMP/c.err" | head -c 200))" [ $? -eq 0 ]
for doc in s c; do
python3 - "$TMP/$doc.json" "$P" "$doc" <<'PY'
import json, os, sys
doc = json.load(open(sys.argv[1]))
pid = int(sys.argv[2])
way = "" if sys.argv[3] == "s" else " (classic iterators)"
fds = {f["fd"]: f.get("path", "") for f in doc["files"]}
want = {int(fd): os.readlink("/proc/%d/fd/%s" % (pid, fd)) for fd in os.listdir("/proc/%d/fd" % pid)}
ok = sorted(fds) == sorted(want) and all(fds[k] == want[k] for k in want if want[k].startswith("/"))
print(("ok " if ok else "FAIL ") + "snapshot-vm: files equal /proc/PID/fd (%d fds)%s" % (len(want), way)
      + ("" if ok else ": %s vs %s" % (fds, want)))
# [vsyscall] is the gate area, no vma
maps = [l for l in open("/proc/%d/maps" % pid) if "[vsyscall]" not in l]
ok = len(doc["memory"]["vmas"]) == len(maps)
print(("ok " if ok else "FAIL ") + "snapshot-vm: one vma per /proc/PID/maps line (%d)%s" % (len(maps), way))
st = {l.split(":")[0]: l.split(":", 1)[1].split() for l in open("/proc/%d/status" % pid)}
ok = doc["task"]["pid"] == pid and doc["creds"]["uid"] == int(st["Uid"][0])
print(("ok " if ok else "FAIL ") + "snapshot-vm: task pid and uid match /proc/PID/status" + way)
PY
done
