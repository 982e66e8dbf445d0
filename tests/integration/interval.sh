#!/usr/bin/env bash
# dump and sql --interval SECS --rounds N: N blocks, each with its time; the program is
# loaded once (the same program ids held through every round); a process started between
# rounds is in the later rounds and not the earlier ones.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then skip "needs root"; exit 77; fi

# wait_for CMD...: up to 30 s (a hang detector, not a time limit on the code)
wait_for() { local i; for i in $(seq 300); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
rounds_in() { grep -c '^# time ' "$1"; }
# at_least N FILE: FILE has N rounds yet (for wait_for: evaluated at each try)
at_least() { [ "$(rounds_in "$2")" -ge "$1" ]; }

# a process of a known comm: a copy of sleep named by a marker
MARK0=bdi0$$
cp /bin/sleep "$TMP/$MARK0" && "$TMP/$MARK0" 120 &
M0=$!
at_exit "kill $M0"

# ---- dump: rounds and their times ----
timeout 60 "$BPFDUMP" dump task -o 'comm=task->comm' -w "task->comm == \"$MARK0\"" --interval 0.2 --rounds 3 \
	>"$TMP/d.txt" 2>"$TMP/d.err"
expect_eq "dump --rounds 3: exit 0" "0" "$?"
expect_eq "dump --rounds 3: three blocks" 3 "$(rounds_in "$TMP/d.txt")"
expect_eq "dump: each block has the marker process" 3 "$(grep -c "^$MARK0\$" "$TMP/d.txt")"
check "dump: each block's time is RFC 3339 UTC, round numbered" \
	test "$(grep -cE '^# time [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z round [123]$' "$TMP/d.txt")" -eq 3
check "dump: the blocks' times increase" \
	sh -c "grep '^# time ' '$TMP/d.txt' | awk '{print \$3}' | sort -c"

timeout 60 "$BPFDUMP" dump task -J -o 'comm=task->comm' -w "task->comm == \"$MARK0\"" --interval 0.2 \
	--rounds 2 >"$TMP/dj.txt" 2>&1
if /usr/bin/python3 "$PYDIR/interval_rounds.py" "$TMP/dj.txt" "$MARK0"
then ok "dump -J: a time and a round field in every object, valid JSON"
else fail "dump -J: $(head -c 300 "$TMP/dj.txt")"; fi

# ---- a process started between rounds: in the later rounds only ----
# the command runs 6 rounds 0.5 s apart; the test waits for round 2's block, then starts
# a process named by a marker comm, and expects it in some later round and never before
MARK=bdiv$$
timeout 120 "$BPFDUMP" sql -r -n --interval 0.5 --rounds 6 \
	"SELECT comm FROM task WHERE comm = '$MARK'" >"$TMP/s.txt" 2>"$TMP/s.err" &
SQ=$!
at_exit "kill $SQ"
if wait_for at_least 2 "$TMP/s.txt"; then
	before=$(rounds_in "$TMP/s.txt")
	# a process's comm is its program's file name: a copy of sleep named MARK
	cp /bin/sleep "$TMP/$MARK" && "$TMP/$MARK" 60 &
	M2=$!
	at_exit "kill $M2"
	wait $SQ
	rc=$?
	expect_eq "sql --interval --rounds 6: exit 0" 0 "$rc"
	expect_eq "sql --rounds 6: six blocks" 6 "$(rounds_in "$TMP/s.txt")"
	awk '/^# time / {r = $5; next} NF {print r, $1}' "$TMP/s.txt" >"$TMP/seen"
	first=$(awk -v m="$MARK" '$2 == m {print $1; exit}' "$TMP/seen")
	check "the process started after round $before is not in rounds 1..$before" \
		test -n "$first" -a "${first:-0}" -gt "$before"
	expect_eq "the process is in every round from its first on" "$((6 - ${first:-6} + 1))" \
		"$(awk -v m="$MARK" '$2 == m' "$TMP/seen" | wc -l)"
else
	fail "sql --interval printed no second round: $(head -c 300 "$TMP/s.err")"
fi

# ---- the programs are loaded once: the same program ids in every round ----
timeout 60 "$BPFDUMP" sql -r -n --interval 0.5 --rounds 8 'SELECT count(*) FROM task_file' \
	>"$TMP/p.txt" 2>&1 &
PQ=$!
ids=()
for i in 2 4 6; do
	wait_for at_least $i "$TMP/p.txt"
	BQ=$(pgrep -P $PQ)	# bpfdump, under timeout
	ids+=("$(grep -h '^prog_id:' /proc/${BQ:-$PQ}/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -nu | xargs)")
done
wait $PQ
expect_eq "sql --rounds 8: exit 0" 0 "$?"
check "sql --interval: a program held between rounds (${ids[0]})" test -n "${ids[0]}"
expect_eq "sql --interval: the same programs in later rounds (not reloaded)" "${ids[0]} ${ids[0]}" "${ids[1]} ${ids[2]}"

# ---- SIGINT ends a run without --rounds ----
timeout 60 "$BPFDUMP" dump task -o 'comm=task->comm' -w "task->comm == \"$MARK0\"" --interval 0.2 \
	>"$TMP/i.txt" 2>&1 &
IQ=$!
wait_for at_least 2 "$TMP/i.txt"
kill -INT $IQ
wait $IQ
expect_eq "without --rounds: SIGINT ends it, exit 0" 0 "$?"

# ---- bad input ----
bad_input "--rounds without --interval" "--rounds needs --interval" timeout 60 "$BPFDUMP" dump task --rounds 2
bad_input "--interval 0" "--interval: '0' is not a number of seconds" timeout 60 "$BPFDUMP" sql --interval 0 'SELECT 1'
bad_input "--rounds -1" "--rounds: '-1' is not a positive number" timeout 60 "$BPFDUMP" sql --interval 1 --rounds -1 'SELECT 1'
bad_input "pin --interval" "applies to dump only" timeout 60 "$BPFDUMP" pin task /sys/fs/bpf/x --interval 1
bad_input "sql --interval: two statements" "one statement only" timeout 60 "$BPFDUMP" sql --interval 1 --rounds 1 'SELECT 1; SELECT 2'
