#!/usr/bin/env bash
# trace --agg on this host: in-kernel counts, sums, extremes and histograms of a
# workload whose calls are known exactly (getpgid_loop N MOD: N getpgid calls, call i
# asks for pid i % MOD), against the numbers computed here; and the context values
# (comm, pid, tid, uid, gid, cpu, cgroup) as keys, values and predicates, against the
# processes, users, CPUs and cgroups the test itself sets up.
source "$(dirname "$0")/../lib.sh"

LOOP=$BUILD/tests/getpgid_loop
[ -x "$LOOP" ] || { skip "getpgid_loop not built (make $BUILD/tests/getpgid_loop)"; exit 0; }
NR=$("$LOOP" --nr)
N=$(( 10000 + RANDOM % 5000 ))
MOD=$(( 5 + RANDOM % 20 ))

# agg_start OUT ARGS...: bpfdump trace ARGS in the background, attached when it says so
agg_start() {
	local out=$1
	shift
	rm -f "$TMP/agg.err"
	# --foreground: timeout passes Ctrl-C on once (not to its whole group as well)
	timeout --foreground 60 "$BPFDUMP" trace -d 40 "$@" >"$out" 2>"$TMP/agg.err" &
	TRACER=$!
	for _ in $(seq 200); do grep -q "tracing" "$TMP/agg.err" 2>/dev/null && break
		kill -0 $TRACER 2>/dev/null || break; sleep 0.05; done
}
agg_stop() { kill -INT $TRACER 2>/dev/null; wait $TRACER; AGG_RC=$?; }

# --- count BY comm, pid: exactly N, for the workload's own pid ---------------------------------
for mode in tp_btf raw_tp; do
	agg_start "$TMP/count.txt" --mode $mode --agg 'count BY comm, pid' "tp:raw_syscalls:sys_enter(id == $NR)"
	"$LOOP" $N & W=$!; wait $W
	agg_stop
	expect_eq "$mode: exit 0 after Ctrl-C" 0 $AGG_RC
	expect_eq "$mode: count BY comm, pid: exactly the N=$N getpgid calls the workload made" \
		"@count[getpgid_loop, $W]: $N" "$(grep "^@count\[getpgid_loop, $W\]" "$TMP/count.txt")"
done

# --- what only the predicate reads is not part of the key ---------------------------------------
# regs->di is i % MOD: were it in the key, the one comm would be split MOD ways
agg_start "$TMP/unkey.txt" --agg 'count BY comm' "tp:raw_syscalls:sys_enter(id == $NR, regs->di < 1000000)"
"$LOOP" $N & W=$!; wait $W
agg_stop
expect_eq "count BY comm over a predicate on a varying argument: one key, exactly N=$N" \
	"@count[getpgid_loop]: $N" "$(grep '^@count\[getpgid_loop\]' "$TMP/unkey.txt" | paste -sd'|')"

# --- a bare SPEC: only the context keys are key (not its arguments: task_struct) --------------
agg_start "$TMP/bare.txt" --agg 'count BY pid' 'tp:task:task_rename'
K=$(( 5 + RANDOM % 20 ))
/usr/bin/python3 "$PYDIR/trace_agg_renamer.py" $K &
RN=$!
at_exit "kill $RN"
for _ in $(seq 100); do [ "$(cat /proc/$RN/comm)" = "bdagg$((K - 1))" ] && break; sleep 0.05; done
agg_stop
# K prctl renames and the one exec makes (python3's name replaces the shell's)
expect_eq "count BY pid over a bare tp:task:task_rename: the K=$K renames and the exec's" \
	"@count[$RN]: $((K + 1))" "$(grep "^@count\[$RN\]" "$TMP/bare.txt")$(grep -m1 'bytes' "$TMP/agg.err")"

# --- sum, min, max, avg, hist of an argument: exactly as computed here -------------------------
read -r SUM MAX HIST <<<"$(/usr/bin/python3 "$PYDIR/trace_agg_expected.py" $N $MOD)"
AVG=$(( SUM / N ))
agg_start "$TMP/sum.json" -J --agg 'sum(regs->di) BY comm' 'tp:raw_syscalls:sys_enter(id == '$NR', comm == "getpgid_loop")'
"$LOOP" $N $MOD
agg_stop
check "sum: JSON that parses" json_valid <"$TMP/sum.json"
expect_eq "sum(regs->di) BY comm: the sum of i % $MOD over $N calls" "$SUM" \
	"$(python3 -c 'import json,sys; j=json.loads(open(sys.argv[1]).readline()); print([e["value"] for e in j["aggregates"][0]["entries"] if e["key"]["comm"]=="getpgid_loop"])' "$TMP/sum.json" | tr -d '[]')"

agg_start "$TMP/avg.json" -J --agg 'avg(regs->di)' 'tp:raw_syscalls:sys_enter(id == '$NR', comm == "getpgid_loop")'
"$LOOP" $N $MOD
agg_stop
expect_eq "avg(regs->di): count, sum, min, max exactly" "$N $SUM 0 $MAX" \
	"$(python3 -c 'import json,sys; v=json.loads(open(sys.argv[1]).readline())["aggregates"][0]["entries"][0]["value"]; print(v["count"], v["sum"], v["min"], v["max"])' "$TMP/avg.json")"
for fn in min max avg; do
	agg_start "$TMP/$fn.txt" --agg "$fn(regs->di)" 'tp:raw_syscalls:sys_enter(id == '$NR', comm == "getpgid_loop")'
	"$LOOP" $N $MOD
	agg_stop
	want=0; [ $fn = max ] && want=$MAX; [ $fn = avg ] && want=$AVG
	expect_eq "$fn(regs->di) in text" "@$fn: $want" "$(cat "$TMP/$fn.txt")"
done

agg_start "$TMP/hist.json" -J --agg 'hist(regs->di) BY comm' 'tp:raw_syscalls:sys_enter(id == '$NR', comm == "getpgid_loop")'
"$LOOP" $N $MOD
agg_stop
got=$(/usr/bin/python3 "$PYDIR/trace_agg_hist.py" "$TMP/hist.json")
expect_eq "hist(regs->di): every power-of-two bucket's count exactly" "$HIST" "$got"
agg_start "$TMP/hist.txt" --agg 'hist(regs->di)' 'tp:raw_syscalls:sys_enter(id == '$NR', comm == "getpgid_loop")'
"$LOOP" $N $MOD
agg_stop
check "hist text: bpftrace's bucket lines with bars" grep -qE '^\[2, 4\) +[0-9]+ \|@+ *\|$' "$TMP/hist.txt"
expect_eq "hist text: the counts add up to N" $N "$(awk -F'|' '/^[[(]/ { split($1, a, " "); s += a[length(a)] } END { print s }' "$TMP/hist.txt")"

# --- a full map is counted and reported -------------------------------------------------------
agg_start "$TMP/full.json" -J --max-keys 2 --agg 'count BY regs->di' 'tp:raw_syscalls:sys_enter(id == '$NR', comm == "getpgid_loop")'
"$LOOP" $N $MOD
agg_stop
expect_eq "--max-keys 2: counted + not counted = N" $N "$(python3 -c 'import json,sys; j=json.loads(open(sys.argv[1]).readline()); print(sum(e["value"] for e in j["aggregates"][0]["entries"]) + j["not_counted"])' "$TMP/full.json")"
check "--max-keys 2: the full map is said on stderr" grep -q "not counted: the aggregation map is full (2 keys" "$TMP/agg.err"

# --- --top, -i --------------------------------------------------------------------------------
agg_start "$TMP/top.txt" --top 1 --agg 'count BY regs->di' 'tp:raw_syscalls:sys_enter(id == '$NR', comm == "getpgid_loop")'
"$LOOP" $N $MOD
agg_stop
# i % MOD: the first N % MOD residues are asked for once more than the others
expect_eq "--top 1: one line, the largest count" "1 $(( (N + MOD - 1) / MOD ))" \
	"$(wc -l <"$TMP/top.txt") $(sed -n 's/^@count\[[0-9]*\]: //p' "$TMP/top.txt")"
timeout 30 "$BPFDUMP" trace -i 0.2 -d 1.5 --agg count 'tp:raw_syscalls:sys_enter' >"$TMP/int.txt" 2>/dev/null
check "-i 0.2 -d 1.5: printed more than once" [ "$(grep -c '^@count: ' "$TMP/int.txt")" -ge 2 ]

# --- context values against what the test set up ----------------------------------------------
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
	agg_start "$TMP/cpu.txt" --agg 'count BY cpu, tid' 'tp:raw_syscalls:sys_enter(id == '$NR', comm == "getpgid_loop")'
	taskset -c 1 "$LOOP" $N & W=$!; wait $W
	agg_stop
	expect_eq "count BY cpu, tid: all on CPU 1 (taskset), tid = the pid" "@count[1, $W]: $N" "$(cat "$TMP/cpu.txt")"
else
	skip "count BY cpu: needs taskset and 2 CPUs"
fi
# an unprivileged user runs a copy of the workload
U=bdagg$$
if useradd -M -N -r -s /usr/sbin/nologin $U 2>/dev/null; then
	at_exit "userdel $U"
	UID_=$(id -u $U); GID_=$(id -g $U)
	chmod 0711 "$TMP"; install -m 0755 "$LOOP" "$TMP/getpgid_loop"
	agg_start "$TMP/uid.txt" --agg 'count BY uid, gid' "tp:raw_syscalls:sys_enter(id == $NR, uid == $UID_)"
	setpriv --reuid $UID_ --regid $GID_ --clear-groups "$TMP/getpgid_loop" $N
	"$LOOP" 7	# root's calls: not counted
	agg_stop
	expect_eq "uid == U: only the user's calls, keyed by its uid and gid" "@count[$UID_, $GID_]: $N" "$(cat "$TMP/uid.txt")"
else
	skip "uid/gid: cannot create a user"
fi
# a cgroup the test makes: by path in a predicate, its id (the inode) as a key
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)/bdagg$$
if [ "$CG" != /bdagg$$ ] && mkdir "$CG" 2>/dev/null; then
	at_exit "rmdir $CG"
	agg_start "$TMP/cg.txt" --agg 'count BY cgroup' "tp:raw_syscalls:sys_enter(id == $NR, cgroup == \"$CG\")"
	sh -c "echo \$\$ >$CG/cgroup.procs && exec $LOOP $N"
	"$LOOP" 5	# outside: not counted
	agg_stop
	expect_eq "cgroup == PATH: only its tasks; key = its id (inode)" "@count[$(stat -c %i "$CG")]: $N" "$(cat "$TMP/cg.txt")"
else
	skip "cgroup: cannot create a cgroup2 directory"
fi
agg_start "$TMP/ne.txt" --agg 'count BY comm' 'tp:raw_syscalls:sys_enter(id == '$NR', comm != "getpgid_loop")'
"$LOOP" $N
agg_stop
expect_eq "comm != NAME: that name never counted" 0 "$(grep -c 'getpgid_loop' "$TMP/ne.txt")"

# events carry the context values asked for
timeout 30 "$BPFDUMP" trace -J -c 3 'tp:raw_syscalls:sys_enter(id == '$NR', comm == "getpgid_loop", pid, tid, uid, gid, cgroup)' >"$TMP/ev.json" 2>"$TMP/ev.err" &
TRACER=$!
for _ in $(seq 200); do grep -q tracing "$TMP/ev.err" 2>/dev/null && break; sleep 0.05; done
"$LOOP" 5 & W=$!; wait $W
wait $TRACER
CGID=$(stat -c %i "$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)$(sed -n 's/^0:://p' /proc/$$/cgroup)")
expect_eq "events: pid, tid, uid, gid, cgroup values of the workload" "3 x $W $W 0 0 $CGID" \
	"$(python3 -c 'import json,sys; e=[json.loads(l)["values"] for l in open(sys.argv[1])]; s={(v["pid"],v["tid"],v["uid"],v["gid"],v["cgroup"]) for v in e}; print(len(e), "x", *list(s)[0]) if len(s)==1 else print(s)' "$TMP/ev.json")"

# --- an enum-typed key: the enumerator's name, as an event prints it; -J the number too -------
# K datagrams to a port no socket has: K kfree_skb with reason SKB_DROP_REASON_NO_SOCKET, whose
# value the kernel's BTF gives (bpftool's dump, not bpfdump's)
DROP=SKB_DROP_REASON_NO_SOCKET
DROPV=$(bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null |
	sed -n "/ENUM 'skb_drop_reason'/,/^\[/s/^\t'$DROP' val=\([0-9]*\)$/\1/p")
if [ -z "$DROPV" ]; then
	skip "enum key: no $DROP in the kernel's BTF (or no bpftool)"
elif ! "$BPFDUMP" info tp:skb:kfree_skb 2>/dev/null | grep -q 'enum skb_drop_reason reason'; then
	skip "enum key: no tp:skb:kfree_skb with a reason here"
else
	K=$(( 5 + RANDOM % 30 ))
	for mode in tp_btf raw_tp; do
		timeout 60 "$BPFDUMP" trace --mode $mode --agg 'count BY reason' 'tp:skb:kfree_skb' \
			-- /usr/bin/python3 "$PYDIR/trace_agg_drops.py" $K >"$TMP/enum.txt" 2>"$TMP/enum.err"
		expect_eq "$mode: count BY reason (enum skb_drop_reason): the K=$K drops by name" \
			"@count[$DROP]: $K" "$(grep "^@count\[$DROP\]" "$TMP/enum.txt")$(grep -v tracing "$TMP/enum.err")"
	done
	timeout 60 "$BPFDUMP" trace -J --agg 'count BY reason' 'tp:skb:kfree_skb' \
		-- /usr/bin/python3 "$PYDIR/trace_agg_drops.py" $K >"$TMP/enum.json" 2>"$TMP/enum.err"
	expect_eq "-J count BY reason: the number ($DROPV) in \"key\", the name in \"symbolic\", K=$K" \
		"[[{'reason': $DROPV}, {'reason': '$DROP'}, $K]]" \
		"$(python3 -c 'import json,sys; j=json.loads(open(sys.argv[1]).readline()); print([[e["key"], e["symbolic"], e["value"]] for e in j["aggregates"][0]["entries"] if e["symbolic"].get("reason") == sys.argv[2] or e["key"]["reason"] == int(sys.argv[3])])' "$TMP/enum.json" $DROP $DROPV)"
fi

# --- bad input: one line, non-zero exit, nothing attached -------------------------------------
bad_input "--agg: a key that does not resolve" "has no field 'nosuch'" $BPFDUMP trace --agg 'count BY nosuch' 'tp:raw_syscalls:sys_enter'
bad_input "--agg: return on a tracepoint" "no field 'return'" $BPFDUMP trace --agg 'hist(return)' 'tp:sched:sched_switch'
bad_input "--agg: a struct is not a number" "is not a number" $BPFDUMP trace --agg 'sum(prev)' 'tp:sched:sched_switch'
bad_input "--agg: comm is not a number" "comm is not a number" $BPFDUMP trace --agg 'sum(comm)' 'tp:sched:sched_switch'
bad_input "--agg: unknown function" "write count, sum(V)" $BPFDUMP trace --agg 'cnt' 'tp:sched:sched_switch'
bad_input "--agg: count takes no value" "count takes no value" $BPFDUMP trace --agg 'count(prev)' 'tp:sched:sched_switch'
bad_input "comm longer than a task's comm" "longer than 15" $BPFDUMP trace 'tp:sched:sched_switch(comm == "abcdefghijklmnopq")'
bad_input "comm compared with <" "comm compares only with == or !=" $BPFDUMP trace 'tp:sched:sched_switch(comm < "a")'
bad_input "--top without --agg" "--top applies to --agg" $BPFDUMP trace --top 3 'tp:sched:sched_switch'
