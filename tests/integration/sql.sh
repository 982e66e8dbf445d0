#!/usr/bin/env bash
# bpfdump sql against ground truth: ss -tan, /proc/PID/fd, python over /proc, lsof +L1;
# push-down and the one-read-per-table rule through -v.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then skip "needs root"; exit 77; fi
sql() { timeout 60 "$BPFDUMP" sql "$@"; }

# a process with a known set of fds: 20 files, one unlinked file held open, a listener
cp "$PYDIR/sql_holder.py" "$TMP/holder.py"
mkdir "$TMP/h"
python3 "$TMP/holder.py" "$TMP/h" & H=$!
at_exit "kill $H"
for _ in $(seq 100); do [ -s "$TMP/h/port" ] && break; sleep 0.05; done
# two more with 7 and 3 extra fds, for GROUP BY/ORDER BY/LIMIT
python3 -c 'import time; f=[open("/dev/null") for i in range(7)]; time.sleep(300)' & P2=$!
python3 -c 'import time; f=[open("/dev/null") for i in range(3)]; time.sleep(300)' & P3=$!
at_exit "kill $P2 $P3"
sleep 0.5

# fds of a process vs /proc/PID/fd
want=$(ls /proc/$H/fd | sort -n | xargs)
got=$(sql -n -r "SELECT fd FROM task_file($H) ORDER BY fd" | xargs)
expect_eq "task_file(PID): fds = /proc/PID/fd" "$want" "$got"
want=$(for f in /proc/$H/fd/*; do echo "${f##*/} $(readlink "$f")"; done | sort -n | md5sum)
got=$(sql -J "SELECT fd, path FROM task_file($H) ORDER BY fd" |
      python3 -c 'import json,sys; [print(o["fd"], o["path"]) for o in map(json.loads, sys.stdin)]' | md5sum)
expect_eq "task_file(PID): paths = readlink /proc/PID/fd/N" "$want" "$got"

# GROUP BY / ORDER BY / LIMIT vs python over /proc
want=$(/usr/bin/python3 "$PYDIR/sql_fd_counts.py" "$H" "$P2" "$P3")
got=$(sql -n -r "SELECT pid, count(*) AS n FROM task_file WHERE pid IN ($H, $P2, $P3)
	GROUP BY pid ORDER BY n DESC LIMIT 2")
expect_eq "GROUP BY pid ORDER BY count DESC LIMIT 2 = python over /proc/PID/fd" "$want" "$got"

# a field path as a quoted column: total_vm pages = VmSize kB / page size
want=$(( $(awk '/^VmSize/ { print $2 }' /proc/$H/status) * 1024 / $(getconf PAGESIZE) ))
got=$(sql -n -r "SELECT \"task->mm->total_vm\" FROM task WHERE pid = $H AND tid = $H")
expect_eq "\"task->mm->total_vm\" = /proc/PID/status VmSize" "$want" "$got"

# rss, cmdline and exe by name: hidden columns in SQL, bare names in dump -o
want="$(awk '/^VmRSS:/ { print $2 }' /proc/$H/status) $(tr '\0' ' ' </proc/$H/cmdline |
	sed 's/ $//') $(readlink /proc/$H/exe)"
cells() { python3 -c 'import json,sys; [print(o["rss"], o["cmdline"], o["exe"]) for o in map(json.loads, sys.stdin)]'; }
got=$(sql -J "SELECT rss, cmdline, exe FROM task WHERE pid = $H AND tid = $H" | cells)
expect_eq "rss, cmdline, exe columns = VmRSS, /proc/PID/cmdline, /proc/PID/exe" "$want" "$got"
got=$(timeout 60 "$BPFDUMP" dump task -J -o rss,cmdline,exe -w "pid == $H && tid == $H" | cells)
expect_eq "dump task -o rss,cmdline,exe: the same" "$want" "$got"
got=$(sql -J "SELECT * FROM task WHERE pid = $H AND tid = $H")
check "SELECT * has no hidden rss, cmdline, exe" [ -n "$got" ] &&
	! grep -qE '"(rss|cmdline|exe)"' <<<"$got"

# counts per TCP state vs ss -tan (sockets come and go: three tries for one stable answer)
for try in 1 2 3; do
	want=$(ss -tan | awk 'NR > 1 { print $1 }' | sort | uniq -c | awk '{ print $2, $1 }')
	got=$(sql -n -r 'SELECT state, count(*) FROM tcp GROUP BY state ORDER BY state')
	want2=$(ss -tan | awk 'NR > 1 { print $1 }' | sort | uniq -c | awk '{ print $2, $1 }')
	[ "$want" = "$want2" ] && [ "$want" = "$got" ] && break
done
expect_eq "TCP sockets per state = ss -tan" "$want" "$got"
port=$(cat "$TMP/h/port")
expect_eq "the test's listener, by a pushed lport" "LISTEN 127.0.0.1" \
	"$(sql -n -r "SELECT state, laddr FROM tcp WHERE lport = $port")"

# the deleted view vs lsof +L1 and /proc (an unlinked file the test holds)
got=$(sql -J "SELECT fd, path FROM deleted WHERE pid = $H" |
      python3 -c 'import json,sys; [print(o["fd"], o["path"]) for o in map(json.loads, sys.stdin)]')
want=$(for f in /proc/$H/fd/*; do l=$(readlink "$f"); [[ $l == *" (deleted)" ]] && echo "${f##*/} $l"; done)
expect_eq "deleted view: the unlinked file held open, as /proc/PID/fd shows it" "$want" "$got"
if command -v lsof >/dev/null; then
	want=$(lsof -a -n -P +L1 -p $H 2>/dev/null | awk 'NR > 1 { sub(/[a-z]$/, "", $4); print $4 }' |
	       sort -n | xargs)
	got=$(sql -n -r "SELECT fd FROM deleted WHERE pid = $H ORDER BY fd" | xargs)
	expect_eq "deleted view = lsof +L1 for that process" "$want" "$got"
else
	skip "lsof +L1: no lsof"
fi
check "--views lists fds and deleted with their SQL" bash -c \
	"'$BPFDUMP' sql --views | grep -q '^fds: SELECT' && '$BPFDUMP' sql --views | grep -q '^deleted: SELECT'"

# push-down: what -v says, and the rows are the same without it
timeout 60 "$BPFDUMP" -v sql -n -r "SELECT pid, comm FROM task WHERE pid = $H AND comm = 'python3'" \
	>"$TMP/on" 2>"$TMP/on.err"
check "-v: pid and comm pushed down" grep -q "pushed down: task->tgid == $H && task->comm == \"python3\"" "$TMP/on.err"
BPFDUMP_SQL_PUSHDOWN=0 timeout 60 "$BPFDUMP" -v sql -n -r "SELECT pid, comm FROM task WHERE pid = $H AND comm = 'python3'" \
	>"$TMP/off" 2>"$TMP/off.err"
check "BPFDUMP_SQL_PUSHDOWN=0: nothing pushed, SQLite evaluates" \
	grep -q "pushed down: nothing; SQLite evaluates: pid =, comm =" "$TMP/off.err"
expect_eq "push-down on and off: the same rows" "$(cat "$TMP/off")" "$(cat "$TMP/on")"
expect_eq "those rows: the process (one thread)" "$H python3" "$(cat "$TMP/on")"
check "-v: a LIKE stays with SQLite" bash -c "'$BPFDUMP' -v sql \"SELECT pid FROM task WHERE comm LIKE 'py%' AND pid = $H\" 2>&1 >/dev/null | grep -q 'SQLite evaluates: .*comm LIKE'"

# each target's iterator runs once whatever the join order (one -v line per run; the
# program loads counted in -vv's loader lines)
q="SELECT count(*) FROM task t JOIN task_file f ON f.pid = t.pid WHERE t.pid IN ($H, $P2, $P3)"
runs=$(timeout 60 "$BPFDUMP" -v sql -n "$q" 2>&1 >/dev/null | grep -c 'iterator run')
expect_eq "a join: two tables, two iterator runs" 2 "$runs"
q="SELECT pid FROM task t WHERE (SELECT count(*) FROM task_file f WHERE f.pid = t.pid) > 5
	AND t.pid = t.tid"
timeout 60 "$BPFDUMP" -vv sql -n "$q" >"$TMP/corr" 2>"$TMP/corr.err"
expect_eq "a correlated subquery: task_file read once" 1 \
	"$(grep -c "sql: table task_file: iterator run" "$TMP/corr.err")"
expect_eq "... and its program loaded once" 1 "$(grep -c "target 'task_file': loaded" "$TMP/corr.err")"
want=$(/usr/bin/python3 "$PYDIR/sql_many_fds.py" "$H" "$P2" "$P3")
got=$(tr -d " " <"$TMP/corr" | grep -xE "$H|$P2|$P3" | sort -n)
expect_eq "... with python's answer for the test's processes" "$want" "$got"
runs=$(timeout 60 "$BPFDUMP" -v sql -n "SELECT count(*) FROM task a, task b WHERE a.pid = $H AND b.pid = $H AND a.tid = b.tid" 2>&1 >/dev/null |
       grep -c 'iterator run')
expect_eq "a self-join, the same predicate on both sides: one run" 1 "$runs"

# output through dump's printers
sql -J "SELECT pid, comm FROM task WHERE pid = $H AND tid = $H" >"$TMP/json"
check "-J: valid JSON with a number and a string" bash -c \
	"python3 -c 'import json,sys; o=json.loads(sys.stdin.readline()); assert o == {\"pid\": $H, \"comm\": \"python3\"}, o' <'$TMP/json'"
expect_eq "-r -n: raw rows, no header" "$H python3" "$(sql -r -n "SELECT pid, comm FROM task WHERE pid = $H AND tid = $H")"
expect_eq "table: header and aligned cells" "PID COMM" "$(sql "SELECT pid, comm FROM task WHERE pid = $H AND tid = $H" | head -1 | tr -s ' ' | sed 's/^ //')"

# integers as SQLite keeps them: an unsigned one past int64 (RLIMIT_CPU unlimited,
# RLIM_INFINITY) as its decimal, a small one as a number; /proc/PID/limits for both
lim() { awk -v k="$1" 'index($0, k) == 1 { print $(NF - 2) }' /proc/$H/limits; }
cpu=$(lim "Max cpu time"); nofile=$(lim "Max open files")
[ "$cpu" = unlimited ] && cpu=18446744073709551615
expect_eq "u64 past int64 and a small limit, as /proc/PID/limits" "$H $cpu $nofile" \
	"$(sql -r -n "SELECT pid, \"task->signal->rlim[0].rlim_cur\", \"task->signal->rlim[7].rlim_cur\" FROM task WHERE pid = $H AND tid = $H")"
check "... the small one compares as a number" test "$(sql -r -n "SELECT count(*) FROM task WHERE pid = $H AND tid = $H AND \"task->signal->rlim[7].rlim_cur\" = $nofile")" = 1
