#!/usr/bin/env bash
# The library's typed rows (examples/rows.c, built as a user builds it) against /proc:
# processes the test starts with known names, and every process alive before and after.
source "$(dirname "$0")/../lib.sh"

EX=$PWD/$BUILD/examples/rows
if [ "$(id -u)" != 0 ]; then skip "needs root"; exit 77; fi
if [ ! -x "$EX" ]; then fail "no $EX (make BUILD=$BUILD $BUILD/examples/rows)"; exit 1; fi

# two processes with names the test chooses (comm is the executable's name, <= 15 bytes)
cp /bin/sleep "$TMP/bdrows_a$$" && cp /bin/sleep "$TMP/bdrows b"
"$TMP/bdrows_a$$" 300 & A=$!
"$TMP/bdrows b" 300 & B=$!
at_exit "kill $A $B"
comm_a=$(cat /proc/$A/comm); comm_b=$(cat /proc/$B/comm)

ls /proc | grep -E '^[0-9]+$' | sort >"$TMP/before"
timeout 60 "$EX" >"$TMP/rows" 2>"$TMP/rows.err"
rc=$?
ls /proc | grep -E '^[0-9]+$' | sort >"$TMP/after"
expect_eq "example exits 0" 0 "$rc"
check "example reports its counts on stderr" grep -qE '^rows: [0-9]+ threads, [0-9]+ processes$' "$TMP/rows.err"

expect_eq "typed pid and comm of a started process" "$A $comm_a" "$(grep -E "^$A " "$TMP/rows")"
expect_eq "a comm with a blank, as a string cell" "$B bdrows b" "$(grep -E "^$B " "$TMP/rows")"

# every process alive before and after the read is listed, with /proc's comm (user
# processes: /proc shows kernel threads' full names and workqueues, the task its 15 bytes)
timeout 60 "$BPFDUMP" dump task -n -r -o 'pid=task->tgid' | sort -u >"$TMP/dump_pids"
missing= wrong= unseen=
for p in $(comm -12 "$TMP/before" "$TMP/after"); do
	c=$(cat /proc/$p/comm 2>/dev/null) || continue
	[ -n "$(head -c1 /proc/$p/cmdline 2>/dev/null)" ] || continue
	line=$(grep -E "^$p " "$TMP/rows")
	if [ -z "$line" ]; then
		# not in the kernel's task list as iterators walk it: dump does not list it either
		if grep -qx "$p" "$TMP/dump_pids"; then missing+=" $p"; else unseen+=" $p"; fi
	elif [ "$line" != "$p $c" ]; then
		# a process may rename itself (prctl) between the read and now
		[ "$(cat /proc/$p/comm 2>/dev/null)" = "$c" ] && wrong+=" $p($line vs $c)"
	fi
done
expect_eq "processes alive before and after the read: all listed" "" "$missing"
expect_eq "their comm as /proc/PID/comm" "" "$wrong"
[ -n "$unseen" ] && skip "pids in /proc that no task iterator walks here (dump neither):$unseen"

# no pid twice (one row per process: the example keeps main threads only)
expect_eq "one row per process" "" "$(cut -d' ' -f1 "$TMP/rows" | sort | uniq -d | head -3)"
# rows the library hands out are the rows dump prints (same query, same kernel read path)
n_dump=$(timeout 60 "$BPFDUMP" dump task -n -r -o 'pid=task->tgid,tid=task->pid' \
	-w "task->tgid == $A" | wc -l)
expect_eq "dump agrees on the started process's threads" 1 "$n_dump"
