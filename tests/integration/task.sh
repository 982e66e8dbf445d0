#!/usr/bin/env bash
# task target vs /proc: a process tree the test forks, with threads.
source "$(dirname "$0")/../lib.sh"

# a parent with 3 threads and two children, all with known comms
python3 - <<'PY' &
import os, threading, time, ctypes
libc = ctypes.CDLL(None)
def name(n): libc.prctl(15, n.encode(), 0, 0, 0)
for i in range(2):
    if os.fork() == 0:
        name("bdtest-child%d" % i); time.sleep(3600); os._exit(0)
name("bdtest-parent")
for i in range(3):
    threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
time.sleep(3600)
PY
PARENT=$!
# its children by their parent's pid, never by name (another run's are not ours)
at_exit "pkill -P $PARENT; kill $PARENT"
# ready: two named children, the parent named with its three threads
for _ in $(seq 100); do
	[ "$(pgrep -c -P $PARENT)" = 2 ] &&
		[ "$(for c in $(pgrep -P $PARENT); do cat /proc/$c/comm; done | grep -c '^bdtest-child')" = 2 ] &&
		[ "$(cat /proc/$PARENT/comm 2>/dev/null)" = bdtest-parent ] &&
		[ "$(ls /proc/$PARENT/task 2>/dev/null | wc -l)" = 4 ] && break
	sleep 0.1
done

# the tasks alive before the dump (and still alive after it) must all be listed
for p in /proc/[0-9]*; do [ "$p" = /proc/1 ] || ls "$p/task" 2>/dev/null; done >"$TMP/before"
$BPFDUMP dump task -J >"$TMP/all.json" 2>"$TMP/err"
check "dump task -J exits 0" [ $? -eq 0 ]
check "JSON parses" json_valid <"$TMP/all.json"

python3 - "$TMP/all.json" "$PARENT" <<'PY'
import json, sys, os
rows = [json.loads(l) for l in open(sys.argv[1])]
parent = int(sys.argv[2])
def status(pid, tid):
    d = {}
    for l in open("/proc/%d/task/%d/status" % (pid, tid)):
        k, _, v = l.partition(":")
        d[k] = v.strip()
    return d
def res(name, good, why=""):
    print(("ok " if good else "FAIL ") + "task: " + name + ("" if good else ": " + why))
mine = [r for r in rows if r["pid"] == parent or r["ppid"] == parent]
tids = sorted(int(t) for t in os.listdir("/proc/%d/task" % parent))
got = sorted(r["tid"] for r in rows if r["pid"] == parent)
res("parent threads match /proc/PID/task", got == tids, "%s vs %s" % (got, tids))
kids = sorted(int(p) for p in open("/proc/%d/task/%d/children" % (parent, parent)).read().split())
got = sorted(r["pid"] for r in rows if r["ppid"] == parent and r["pid"] != parent)
res("children pids/ppid match /proc", got == kids, "%s vs %s" % (got, kids))
bad = []
for r in mine:
    st = status(r["pid"], r["tid"])
    if (r["comm"] != st["Name"] or r["uid"] != int(st["Uid"].split()[0]) or
        r["ppid"] != int(st["PPid"]) or r["pid"] != int(st["Tgid"]) or r["state"] != st["State"][0]):
        bad.append((r, st["Name"], st["Uid"], st["PPid"], st["State"]))
res("comm, uid, ppid, tgid, state match /proc/PID/task/TID/status for %d rows" % len(mine),
    not bad and len(mine) == len(tids) + len(kids), str(bad[:2]))
before = {int(l) for l in open(os.path.dirname(sys.argv[1]) + "/before") if l.strip()}
got = {r["tid"] for r in rows}
# alive before the dump and after it: alive through it; the kernel hides pid 1 here
missing = [t for t in before - got if os.path.exists("/proc/%d" % t) and t != 1]
res("every task alive through the dump is listed (%d of %d)" % (len(before & got), len(before)),
    not missing, "missing %s" % missing[:5])
PY

# --pid: only that process's threads
n=$($BPFDUMP dump task --pid "$PARENT" -n -o 'task->pid' | wc -l)
expect_eq "--pid lists the process's threads" "$(ls /proc/$PARENT/task | wc -l)" "$n"
n=$($BPFDUMP dump task --tid "$PARENT" -n -o 'task->pid' | wc -l)
expect_eq "--tid lists one thread" 1 "$n"

# -o and -w compiled into the kernel program
out=$($BPFDUMP dump task -r -n -o 'pid=task->tgid,comm=task->comm' -w "task->tgid == $PARENT && task->pid == $PARENT")
expect_eq "-w on tgid and pid selects one row" "$PARENT bdtest-parent" "$out"
out=$($BPFDUMP dump task -n -o 'task->pid' -w "(task->comm == \"bdtest-child0\" || task->comm == \"bdtest-child1\") && task->real_parent->tgid == $PARENT" | wc -l)
# (its parent's: the zombies of earlier runs, which this sandbox's pid 1 never reaps, keep the names)
expect_eq "string equality with ||" 2 "$out"
out=$($BPFDUMP dump task -n -o 'task->pid' -w "!(task->comm != \"bdtest-child0\") && task->real_parent->tgid == $PARENT" | wc -l)
expect_eq "! and parentheses" 1 "$out"
vm=$(awk '/VmSize/ {print $2}' /proc/$PARENT/status)
out=$($BPFDUMP dump task -r -n -o 'vm=task->mm->total_vm' -w "task->pid == $PARENT")
expect_eq "mm->total_vm pages match VmSize" "$((vm / 4))" "$out"
out=$($BPFDUMP dump task -n -o 'task->pid' -w "task->mm == NULL && task->pid == $PARENT" | wc -l)
expect_eq "NULL test on a user task's mm" 0 "$out"
kt=$($BPFDUMP dump task -n -o 'task->pid' -w 'task->mm == NULL && task->flags & PF_KTHREAD' | wc -l)
real=$(for p in /proc/[0-9]*; do [ -z "$(cat $p/cmdline 2>/dev/null | head -c1)" ] && grep -q '^PPid:\s*[02]$' $p/status 2>/dev/null && echo; done | wc -l)
check "kernel threads by & bit test ($kt vs ~$real)" [ "$kt" -ge $((real - 3)) ] 
out=$($BPFDUMP dump task -n -o 'task->pid' -w "task->__state & TASK_INTERRUPTIBLE && task->pid == $PARENT" | wc -l)
expect_eq "named constant TASK_INTERRUPTIBLE (sleeping parent)" 1 "$out"
