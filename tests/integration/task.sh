#!/usr/bin/env bash
# task target vs /proc: a process tree the test forks, with threads.
source "$(dirname "$0")/../lib.sh"

# a parent with 3 threads and two children, all with known comms
/usr/bin/python3 "$PYDIR/task_tree.py" &
PARENT=$!
# the parent ends its children by their pids (task_tree.py), never by name
at_exit "kill $PARENT"
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

/usr/bin/python3 "$PYDIR/task_vs_proc.py" "$TMP/all.json" "$PARENT"

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
