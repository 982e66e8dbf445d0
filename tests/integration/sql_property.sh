#!/usr/bin/env bash
# Push-down on random SQL filters: the rows with push-down on, with it off
# (BPFDUMP_SQL_PUSHDOWN=0), and SQLite's own evaluation of the unfiltered table
# (python's sqlite3 over the same rows) must be the same. The same for random joins
# (index lookups) and GROUP BY (grouped rows), which push-down off turns off too.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then skip "needs root"; exit 77; fi
N=${SQL_PROPERTY_CASES:-120}
SEED=${SQL_PROPERTY_SEED:-$RANDOM}

# stable rows: processes the test starts (named, a thread each more or less, fds)
cp /bin/sleep "$TMP/bdprop_a"; cp /bin/sleep "$TMP/bdprop_bb"
pids=()
for i in 1 2 3; do "$TMP/bdprop_a" 3000 & pids+=($!); done
for i in 1 2; do "$TMP/bdprop_bb" 3000 3</dev/null 4</dev/null & pids+=($!); done
/usr/bin/python3 "$PYDIR/sql_property_threads.py" & pids+=($!)
at_exit "kill ${pids[*]}"
sleep 0.5

timeout 1800 /usr/bin/python3 "$PYDIR/sql_property_run.py" "$BPFDUMP" "$N" "$SEED" "${pids[@]}" >"$TMP/prop.out"
rc=$?
sed "s/^/ /; s/^ \(ok\|FAIL\|skip\) /\1 $TEST_NAME: /" "$TMP/prop.out"
[ "$rc" = 0 ] || fail "the property checks ended with $rc (124: a hang)"
