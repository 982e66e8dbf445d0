#!/usr/bin/env bash
# bpfdump snapshot --keep / --fresh / --drop: the program kept loaded in bpffs, checked
# against bpftool (what is pinned and loaded), /proc/PID/{fd,maps} of a process the test
# starts, and a snapshot that loads its own program.
source "$(dirname "$0")/../lib.sh"

ROOT=/sys/fs/bpf/bpfdump/@snapshot
if [ "$(id -u)" -ne 0 ]; then
	skip "needs root"
	exit 77
fi
for h in snap_target snap_leftover; do
	if [ ! -x "$HELPERS/$h" ]; then
		fail "helper $HELPERS/$h missing (make $BUILD/tests/$h)"
		exit 1
	fi
done
"$BPFDUMP" snapshot --drop >/dev/null 2>&1
at_exit "'$BPFDUMP' snapshot --drop"

mkdir -p "$TMP/t"
"$HELPERS/snap_target" "$TMP/t" fds 300 vmas 200 </dev/null >/dev/null 2>"$TMP/t/err" &
P=$!
at_exit "kill $P"
for _ in $(seq 200); do [ -e "$TMP/t/ready" ] && break; sleep 0.05; done
[ -e "$TMP/t/ready" ] || { fail "snap_target did not start: $(head -c 300 "$TMP/t/err" | tr "\n" " ")"; exit 1; }

# JSON snapshot FILE vs /proc/P: "fds=N vmas=M paths=ok|bad"
vs_proc() {
	/usr/bin/python3 "$PYDIR/snapshot_keep_vs_proc.py" "$1" "$P"
}

# --- keep: pinned, root only, what bpftool sees
"$BPFDUMP" snapshot --keep >"$TMP/keep.out" 2>"$TMP/keep.err"
RC=$?
check "--keep exits 0 ($(head -c 200 "$TMP/keep.err" | tr "\n" " "))" [ "$RC" -eq 0 ]
DIR=$(ls -d "$ROOT"/*/ 2>/dev/null | head -1)
DIR=${DIR%/}
check "--keep pins the program and its maps under $ROOT/KEY" \
	test -n "$DIR" -a -e "$DIR/prog" -a -e "$DIR/bss" -a -e "$DIR/rings"
expect_eq "$ROOT is root's alone (0700)" "700 root" "$(stat -c '%a %U' "$ROOT" 2>/dev/null)"
expect_eq "bpftool: the pinned program is a tracing program named snapshot" "tracing snapshot" \
	"$(bpftool prog show pinned "$DIR/prog" 2>/dev/null | awk 'NR==1 { print $2, $4 }')"
PROG_ID=$(bpftool prog show pinned "$DIR/prog" 2>/dev/null | awk -F: 'NR==1 { print $1 }')
"$BPFDUMP" snapshot --keep 2>"$TMP/keep2.err"
expect_eq "--keep again: nothing new ($(head -c 200 "$TMP/keep2.err" | tr "\n" " "))" "1" \
	"$(ls -d "$ROOT"/*/ | wc -l)"

# --- a snapshot uses it, and says the same as one that loads its own
"$BPFDUMP" -vv snapshot -J "$P" >"$TMP/kept.json" 2>"$TMP/kept.err"
check "snapshot with the kept program exits 0" [ $? -eq 0 ]
check "-vv: it used the kept program, no load" grep -q "the program kept at $DIR" "$TMP/kept.err"
check "-vv: no verifier run (no 'open+load')" bash -c "! grep -q 'open+load' '$TMP/kept.err'"
vs_proc "$TMP/kept.json" >"$TMP/kept.vs" 2>"$TMP/proc.vs"
expect_eq "kept: files and vmas equal /proc/PID/{fd,maps}" "$(cat "$TMP/proc.vs")" "$(cat "$TMP/kept.vs")"
check "the first kept snapshot keeps its ring buffer (ringN)" bash -c "ls '$DIR' | grep -q '^ring[0-9]'"
"$BPFDUMP" -vv snapshot --fresh -J "$P" >"$TMP/fresh.json" 2>"$TMP/fresh.err"
check "--fresh loads its own program" grep -q "open+load" "$TMP/fresh.err"
strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps([d["files"], d["memory"]["vmas"], d["creds"], d["namespaces"], d["limits"]], sort_keys=True))' "$1"; }
expect_eq "kept and fresh programs: the same files, vmas, creds, namespaces, limits" \
	"$(strip "$TMP/fresh.json")" "$(strip "$TMP/kept.json")"
"$BPFDUMP" snapshot "$P" >"$TMP/kept.txt" 2>&1
check "kept: the text report has every fd" \
	test "$(grep -cE '^ *[0-9]+ ' <(sed -n '/^-- files/,/^$/p' "$TMP/kept.txt"))" -eq "$(ls /proc/$P/fd | wc -l)"

# --- a snapshot that stopped before draining left records in the kept ring: dropped
RING=$(ls "$DIR" | grep '^ring[0-9]' | head -1)
LEFT=$("$HELPERS/snap_leftover" "$DIR" "$RING" "$P" 2>"$TMP/left.err")
check "a pass left $LEFT records in $RING, undrained ($(head -c 200 "$TMP/left.err" | tr "\n" " "))" test "${LEFT:-0}" -gt 300
"$BPFDUMP" -vv snapshot -J "$P" >"$TMP/after.json" 2>"$TMP/after.err"
check "the next snapshot drops them (-vv says so)" grep -q "an earlier snapshot left: dropped" "$TMP/after.err"
vs_proc "$TMP/after.json" >"$TMP/after.vs" 2>/dev/null
expect_eq "... and its files and vmas still equal /proc (none twice)" "$(cat "$TMP/proc.vs")" "$(cat "$TMP/after.vs")"

# --- in use: another snapshot loads its own and is just as right
# the holder is one process (the subshell becomes sleep): killing it drops the lock
( exec 9<"$DIR"; flock 9; touch "$TMP/locked"; exec sleep 30 ) &
HOLD=$!
at_exit "kill $HOLD"
for _ in $(seq 100); do [ -e "$TMP/locked" ] && break; sleep 0.05; done
"$BPFDUMP" -vv snapshot -J "$P" >"$TMP/busy.json" 2>"$TMP/busy.err"
check "kept program in use: exit 0, a program of its own ($(grep -o 'in use[^:]*' "$TMP/busy.err" | head -1))" \
	grep -q "in use by another snapshot: loading one" "$TMP/busy.err"
vs_proc "$TMP/busy.json" >"$TMP/busy.vs" 2>/dev/null
expect_eq "... its files and vmas equal /proc" "$(cat "$TMP/proc.vs")" "$(cat "$TMP/busy.vs")"
kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null

# --- a small --ring-size is honored (losses said), not replaced by the kept ring
"$BPFDUMP" snapshot --ring-size 4096 "$P" >/dev/null 2>"$TMP/small.err"
RC=$?
check "--ring-size 4096 with a kept program: exit 1, the losses named (exit $RC)" \
	bash -c "[ $RC -eq 1 ] && grep -q 'records lost' '$TMP/small.err'"

# --- a kept directory missing its program (a --keep that failed half-way): removed, made again
rm -f "$DIR/prog"
"$BPFDUMP" -v snapshot --keep 2>"$TMP/repair.err"
check "--keep over an incomplete directory: exit 0, the old one removed ($(head -c 160 "$TMP/repair.err" | tr "\n" " "))" \
	grep -q "incomplete: removed" "$TMP/repair.err"
check "... and a whole one made again" test -e "$DIR/prog" -a -e "$DIR/bss" -a -e "$DIR/rings"
PROG_ID=$(bpftool prog show pinned "$DIR/prog" 2>/dev/null | awk -F: 'NR==1 { print $1 }')
"$BPFDUMP" -vv snapshot -J "$P" >"$TMP/repaired.json" 2>"$TMP/repaired.err"
check "... which the next snapshot uses" grep -q "the program kept at $DIR" "$TMP/repaired.err"

# --- other options keep another program; --drop removes them all
"$BPFDUMP" snapshot --keep -o files 2>/dev/null
expect_eq "--keep -o files keeps a second program" "2" "$(ls -d "$ROOT"/*/ | wc -l)"
"$BPFDUMP" snapshot --drop >"$TMP/drop.out" 2>"$TMP/drop.err"
expect_eq "--drop: says how many" "2 kept snapshot programs removed" "$(cat "$TMP/drop.out")"
check "--drop: nothing left under $ROOT" bash -c "! ls -d '$ROOT'/*/ 2>/dev/null | grep -q ."
check "bpftool: the kept program is gone from the kernel (id $PROG_ID)" \
	bash -c "! bpftool prog show id '$PROG_ID' >/dev/null 2>&1"
"$BPFDUMP" -vv snapshot -J "$P" >"$TMP/gone.json" 2>"$TMP/gone.err"
check "after --drop a snapshot loads its own" grep -q "open+load" "$TMP/gone.err"

# --- bad input
bad_input "--drop takes nothing else" "--drop takes nothing else" "$BPFDUMP" snapshot --drop "$P"
bad_input "--keep and --fresh together" "--keep and --fresh" "$BPFDUMP" snapshot --keep --fresh "$P"
if id nobody >/dev/null 2>&1; then
	bad_input "--keep as nobody" "needs root" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BPFDUMP" snapshot --keep
fi
