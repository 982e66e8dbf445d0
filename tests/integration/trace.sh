#!/usr/bin/env bash
# info and trace on this host: tracepoints (tp_btf, raw_tp) with values the test
# drives; fentry/kprobe errors as this kernel gives them. (fentry/kprobe tracing
# itself is tested in the VM: tests/vm/trace_vm.sh.)
source "$(dirname "$0")/../lib.sh"

out=$($BPFDUMP info ip_send_skb)
expect_eq "info ip_send_skb" "int ip_send_skb(struct net *net, struct sk_buff *skb);" "$out"
out=$($BPFDUMP info tp:sched:sched_switch)
expect_eq "info of a tracepoint: typed, named arguments" \
	"tp:sched:sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state);" "$out"
$BPFDUMP info -J vfs_read >"$TMP/info.json"
python3 - "$TMP/info.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
ok = j["return"] == "ssize_t" and [a["name"] for a in j["args"]] == ["file", "buf", "count", "pos"]
print(("ok " if ok else "FAIL ") + "trace: info -J vfs_read: return type and argument names" + ("" if ok else ": %s" % j))
# traceable as reading available_filter_functions here says: true/false, or null and why
try:
    names = {l.split()[0] for l in open("/sys/kernel/tracing/available_filter_functions")}
    want, why = "vfs_read" in names, None
except OSError as e:
    want, why = None, e.strerror
got = (j.get("traceable"), j.get("traceable_unknown"))
ok = got[0] == want and (why is None and got[1] is None or why is not None and got[1] and why in got[1])
print(("ok " if ok else "FAIL ") + "trace: info -J vfs_read: traceable %s as available_filter_functions (%s)"
      % (got[0], why or "readable") + ("" if ok else ": %s" % (got,)))
PY
bad_input "info: unknown function suggests close names" "nearest: vfs_read" $BPFDUMP info vfs_reed
bad_input "info: unknown tracepoint" "not in BTF" $BPFDUMP info tp:sched:nosuch

# start_trace ARGS...: bpfdump trace -J in the background, attached when it says so
start_trace() {
	rm -f "$TMP/ev.json" "$TMP/ev.err" "$TMP/go"
	timeout 60 "$BPFDUMP" trace -J -d 30 "$@" >"$TMP/ev.json" 2>"$TMP/ev.err" &
	TRACER=$!
	for _ in $(seq 200); do grep -q "tracing" "$TMP/ev.err" 2>/dev/null && break
		kill -0 $TRACER 2>/dev/null || break; sleep 0.05; done
	touch "$TMP/go"
}
stop_trace() { sleep 0.3; kill -INT $TRACER 2>/dev/null; wait $TRACER; rm -f "$TMP/go"; }

for mode in tp_btf raw_tp; do
	# an exec the test makes: its pid and file name; the predicate drops others
	start_trace --mode $mode 'tp:sched:sched_process_exec(p->comm == "true", p->pid, bprm->filename)'
	check "$mode: says which mode it attached with" grep -q "with $mode" "$TMP/ev.err"
	/bin/true & T1=$!; wait $T1
	/bin/ls / >/dev/null
	/bin/true & T2=$!; wait $T2
	stop_trace
	python3 - "$TMP/ev.json" $T1 $T2 $mode <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
pids, mode = {int(sys.argv[2]), int(sys.argv[3])}, sys.argv[4]
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace: %s: %s" % (mode, n) + ("" if ok else ": " + why))
res("sched_process_exec: exactly the two execs of true", len(ev) == 2 and {e["values"]["p->pid"] for e in ev} == pids, str(ev)[:300])
res("values: bprm->filename and the event header", all(e["values"]["bprm->filename"] == "/bin/true" and e["pid"] in pids and e["event"] == "hit" for e in ev), str(ev)[:300])
PY
done

# raw syscalls: the writes of 77 bytes of a process the test runs, with their fd
python3 -c 'import os,time,sys
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[2])]
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT)
for n in (77, 5, 77): os.write(fd, b"x" * n)
print(fd)' "$TMP/w.txt" "$TMP/go" >"$TMP/fd.txt" &
W=$!
start_trace -p $W 'tp:raw_syscalls:sys_enter(id == 1, regs->dx == 77, regs->di, regs->dx)'
wait $W
stop_trace
python3 - "$TMP/ev.json" "$(cat "$TMP/fd.txt")" $W <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
fd, pid = int(sys.argv[2]), int(sys.argv[3])
ok = len(ev) == 2 and all(e["values"]["regs->di"] == fd and e["values"]["regs->dx"] == 77 and e["pid"] == pid for e in ev)
print(("ok " if ok else "FAIL ") + "trace: sys_enter(id == 1, regs->dx == 77) with -p: the two writes, their fd" + ("" if ok else ": %s" % str(ev)[:300]))
PY

# tracefs not mounted (machines without systemd): bpfdump mounts it, as it does bpffs
if mountpoint -q /sys/kernel/tracing && umount /sys/kernel/tracing 2>/dev/null; then
	at_exit "mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing"
fi
if ! mountpoint -q /sys/kernel/tracing && ! [ -r /sys/kernel/debug/tracing/trace ]; then
	out=$($BPFDUMP -v info tp:syscalls:sys_enter_openat 2>&1)
	check "tracefs missing: info of a syscall tracepoint mounts it and answers" \
		bash -c 'mountpoint -q /sys/kernel/tracing && grep -q "^tp:syscalls:sys_enter_openat(" <<<"$1" &&
			grep -q "mounted tracefs at /sys/kernel/tracing" <<<"$1"' sh "$out"
else
	skip "tracefs is mounted and busy here: its mounting is not tested"
fi

# syscall tracepoints: no BTF type; fields from tracefs's format, typed from BTF
fmt=/sys/kernel/tracing/events/syscalls/sys_enter_openat/format
[ -r $fmt ] || fmt=/sys/kernel/debug/tracing/events/syscalls/sys_enter_openat/format
if [ ! -r $fmt ]; then
	skip "syscall tracepoints: no tracefs (events/syscalls/sys_enter_openat/format)"
else
	# info: the format's fields, in order, minus the common header and __syscall_nr
	want=$(sed -n 's/^\tfield:\(.*\);\toffset.*/\1/p' $fmt | grep -v -e common_ -e __syscall_nr |
		sed 's/ \*/*/g; s/\* /*/g; s/  */ /g' | paste -sd, | sed 's/,/, /g')
	got=$($BPFDUMP info tp:syscalls:sys_enter_openat | sed 's/^[^(]*(//; s/);$//; s/ \*/*/g; s/\* /*/g')
	expect_eq "info tp:syscalls:sys_enter_openat: the fields of its tracefs format" "$want" "$got"
	# every syscall tracepoint: info -J names the format's fields, in order
	python3 - "$BPFDUMP" "$(dirname "$fmt")/.." <<'PY'
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
PY
	# the opens the test makes (flags O_RDONLY|O_NOFOLLOW|O_CLOEXEC, from AT_FDCWD) and the
	# failing one's return, from a process the test runs
	/usr/bin/python3 -c 'import os,time,sys
[time.sleep(0.05) for _ in range(2400) if not os.path.exists(sys.argv[1])]
for _ in range(2): os.close(os.open("/etc/hostname", os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC))
try: os.open("/nonexistent-bpfdump-tp", os.O_RDONLY)
except OSError as e: print(e.errno)
print(os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)' "$TMP/go" >"$TMP/tp.txt" &
	W=$!
	start_trace -p $W 'tp:syscalls:sys_enter_openat(ustr(filename) == "/etc/hostname", ustr(filename), flags, dfd)' \
		'tp:syscalls:sys_exit_openat(ret < 0, ret)'
	wait $W
	stop_trace
	check "syscall tracepoints: say they attached as perf tracepoints" grep -q "with tracepoint" "$TMP/ev.err"
	python3 - "$TMP/ev.json" "$TMP/tp.txt" $W <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
errno, flags = [int(x) for x in open(sys.argv[2]).read().split()]
pid = int(sys.argv[3])
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace: " + n + ("" if ok else ": " + str(why)[:300]))
ent = [e for e in ev if e["func"] == "tp:syscalls:sys_enter_openat"]
ret = [e for e in ev if e["func"] == "tp:syscalls:sys_exit_openat"]
res("sys_enter_openat(ustr(filename) == ...): exactly the two opens of /etc/hostname", len(ent) == 2 and all(e["pid"] == pid and e["values"]["ustr(filename)"] == "/etc/hostname" for e in ent), ent)
res("sys_enter_openat: flags and dfd (AT_FDCWD) as the test passed them", ent and all(e["values"]["flags"] == flags and e["values"]["dfd"] == -100 for e in ent), ent)
res("sys_exit_openat(ret < 0): the failing open's -errno (%d), last" % -errno, ret and ret[-1]["values"]["ret"] == -errno and all(e["values"]["ret"] < 0 for e in ret), ret)
PY
	bad_input "unknown syscall tracepoint names BTF and tracefs" "nor in tracefs (no events/syscalls/sys_enter_nosuch)" \
		$BPFDUMP trace 'tp:syscalls:sys_enter_nosuch'
	bad_input "a tracepoint group that is a path reads no file" "nor in tracefs" \
		$BPFDUMP info 'tp:../syscalls:sys_enter_openat'
	bad_input "--mode tp_btf on a tracepoint without BTF" "applies to tracepoints with a BTF type" \
		$BPFDUMP trace --mode tp_btf 'tp:syscalls:sys_enter_openat'
	bad_input "--mode tracepoint on a BTF tracepoint" "applies to tracepoints without a BTF type" \
		$BPFDUMP trace --mode tracepoint 'tp:sched:sched_switch'
	bad_input "a syscall tracepoint has no return: its fields are listed" "no field 'return'; its fields: dfd, filename, flags, mode" \
		$BPFDUMP trace 'tp:syscalls:sys_enter_openat(return)'
fi

# -c stops after COUNT events; text output has name = value lines
timeout 30 $BPFDUMP trace -c 3 'tp:sched:sched_switch(prev->pid, next->comm)' >"$TMP/c.txt" 2>/dev/null &
C=$!
wait $C; rc=$?
expect_eq "-c 3 stops by itself" 0 $rc
expect_eq "-c 3: three events" 3 "$(grep -c ' tp:sched:sched_switch hit$' "$TMP/c.txt")"
check "text events print 'name = value'" grep -q '^    next->comm = ' "$TMP/c.txt"
start=$(date +%s)
timeout 30 $BPFDUMP trace -d 1 'tp:sched:sched_switch(prev->pid == 0, prev->pid == 1)' >/dev/null 2>&1
expect_eq "-d 1 stops by itself (exit 0)" 0 $?
check "-d 1 took less than 10 s" [ $(( $(date +%s) - start )) -lt 10 ]

# bad input: one line, non-zero exit, nothing attached (the suite checks links)
bad_input "unknown function" "not in kernel BTF" $BPFDUMP trace nosuch_function_x
bad_input "bad member names the struct" "struct task_struct has no member 'nosuch'" $BPFDUMP trace 'tp:sched:sched_switch(prev->nosuch)'
bad_input "predicate on a struct value" "cannot compare struct sched_entity" $BPFDUMP trace 'tp:sched:sched_switch(prev->se == 1)'
bad_input "a tracepoint has no return" "no field 'return'" $BPFDUMP trace 'tp:sched:sched_switch(return != 0)'
bad_input "--mode kprobe on a tracepoint" "applies to functions" $BPFDUMP trace --mode kprobe 'tp:sched:sched_switch'
bad_input "syntax error" "expected" $BPFDUMP trace 'vfs_read(count ==)'
if [ -e /sys/bus/event_source/devices/kprobe ]; then
	skip "this kernel has kprobes: the no-kprobe message is tested elsewhere"
else
	bad_input "fentry and kprobes missing here: both reasons" "kprobe/kretprobe: this kernel has no kprobes" $BPFDUMP trace vfs_read
	bad_input "--mode kprobe without kprobes says what is missing" "CONFIG_KPROBES" $BPFDUMP trace --mode kprobe vfs_read
fi
if id nobody >/dev/null 2>&1; then
	# the checkout may be private (a home directory is 0700): nobody runs a copy
	NB=$BPFDUMP
	if ! su -s /bin/sh nobody -c "test -x '$NB'"; then
		chmod 0711 "$TMP"
		install -m 0755 "$BPFDUMP" "$TMP/bpfdump-nobody"
		NB=$TMP/bpfdump-nobody
	fi
	bad_input "no privilege" "needs root" su -s /bin/sh nobody -c "$NB trace tp:sched:sched_switch"
fi
