#!/usr/bin/env bash
# A user's own iterator objects (tests/bpf/*.bpf.c) through run, pin, cat, show and rm,
# against ground truth: bpftool iter pin + cat of the same object, /proc/kallsyms,
# /proc/PID/comm, bpftool map show, ls -l/stat of the pins, and the kernel's own
# refusals. A pinned object is PATH plus a root 0600 PATH@meta bound to its link; an
# unprivileged user the test makes, owning the pin's directory, swaps and links @meta.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip "needs root"
	exit 77
fi
if ! command -v bpftool >/dev/null; then
	skip "bpftool not installed"
	exit 77
fi
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
OBJS=$PWD/$BUILD/tests
KSYM=$OBJS/ksym_iter.bpf.o TWO=$OBJS/two_iters.bpf.o MEI=$OBJS/map_elem_iter.bpf.o
for o in "$KSYM" "$TWO" "$MEI"; do
	[ -e "$o" ] || make -s "$o" >/dev/null 2>&1
	if [ ! -e "$o" ]; then
		fail "test object $o missing (make $o)"
		exit 1
	fi
done
R=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
D=/sys/fs/bpf/bduo-$$
mkdir -p "$D/tool"
at_exit "rm -rf $D"
sleep 600 &
MINE=$!
at_exit "kill $MINE"

# run_rc NAME WANT-RC OUT ARGS...: bpfdump ARGS (bounded) to OUT, stderr to $TMP/bad.err
run_rc() {
	local name=$1 want=$2 out=$3 rc
	shift 3
	timeout 60 "$BPFDUMP" "$@" >"$out" 2>"$TMP/bad.err"
	rc=$?
	if [ $rc -eq "$want" ]; then ok "$name: exit $rc"; else fail "$name: exit $rc, not $want: $(head -c 300 "$TMP/bad.err")"; fi
}

# ---- 1. the same bytes as bpftool iter pin + cat -----------------------------------------------
if ! "$BPFDUMP" targets 2>/dev/null | grep -qw ksym; then
	skip "this kernel has no ksym iterator: the ksym object's checks"
else
	bpftool iter pin "$KSYM" "$D/tool/ksym" 2>"$TMP/tool.err"
	timeout 60 cat "$D/tool/ksym" >"$TMP/tool.ksym"
	check "bpftool iter pin + cat of ksym_iter.bpf.o gives lines ($(wc -l <"$TMP/tool.ksym"))" \
		test -s "$TMP/tool.ksym"
	awk 'NF == 3 && $3 ~ /^bpf_iter_/ { print $3, $2 }' /proc/kallsyms | sort >"$TMP/kallsyms"
	expect_eq "ksym_iter's lines are /proc/kallsyms' core bpf_iter_* symbols and types" \
		"$(cat "$TMP/kallsyms")" "$(sort "$TMP/tool.ksym")"
	run_rc "run ksym_iter.bpf.o" 0 "$TMP/run.ksym" run "$KSYM"
	check "run: the same bytes as bpftool iter pin + cat" cmp -s "$TMP/tool.ksym" "$TMP/run.ksym"
	check "run: nothing on stderr (one iterator program: no warning)" test ! -s "$TMP/bad.err"

	# missing directories are made, as for a target's pin
	run_rc "pin ksym_iter.bpf.o into missing directories" 0 /dev/null pin "$KSYM" "$D/a/b/ksym" --mode 0444
	expect_eq "pin made the directories (stat: type, mode)" "directory 755 directory 755" \
		"$(stat -c '%F %a' "$D/a" "$D/a/b" | xargs)"
	expect_eq "ls: the pin and its @meta, no @bin" "ksym ksym@meta" "$(ls "$D/a/b" | xargs)"
	expect_eq "stat: PATH is root's 0444 as --mode said, @meta root's 0600" "root 444 root 600" \
		"$(stat -c '%U %a' "$D/a/b/ksym" "$D/a/b/ksym@meta" | xargs)"
	timeout 60 cat "$D/a/b/ksym" >"$TMP/pin.ksym"
	check "cat of bpfdump's pin: the same bytes as bpftool's" cmp -s "$TMP/tool.ksym" "$TMP/pin.ksym"
	run_rc "bpfdump cat of the object's pin" 0 "$TMP/bcat.ksym" cat "$D/a/b/ksym"
	check "bpfdump cat of the object's pin: the same bytes as cat" cmp -s "$TMP/tool.ksym" "$TMP/bcat.ksym"

	# show: bpfdump's pin is bpfdump's (and names the object), bpftool's is someone else's
	run_rc "show -J" 0 "$TMP/show.json" show -J "$D"
	got=$(/usr/bin/python3 "$PYDIR/user_objs_show.py" "$TMP/show.json" "$D")
	expect_eq "show: the object's pin made by bpfdump from ksym_iter.bpf.o; bpftool's by no one known" \
		"ksym bpf_iter_syms bpfdump $("$BPFDUMP" --version | awk 'NR == 1 { print $2 }') from ksym_iter.bpf.o|ksym bpf_iter_syms -" \
		"$(tr '\n' '|' <<<"$got" | sed 's/|$//')"

	bad_input "cat -J of the object's pin: its program writes its own text" \
		"-J, -r and -n do not apply" "$BPFDUMP" cat -J "$D/a/b/ksym"
	bad_input "cat of bpftool's pin: no @meta, read it with plain cat" \
		"read it with plain cat" "$BPFDUMP" cat "$D/tool/ksym"
	bad_input "rm of bpftool's pin without --force: refused" "not a bpfdump dumper" \
		"$BPFDUMP" rm "$D/tool/ksym"
	check "the refused rm left bpftool's pin" test -e "$D/tool/ksym"
	bad_input "pin over the object's pin without --force: refused" "exists (give --force" \
		"$BPFDUMP" pin "$KSYM" "$D/a/b/ksym"
	old=$(bpftool link show pinned "$D/a/b/ksym" -j | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	run_rc "pin --force over the object's pin" 0 /dev/null pin "$KSYM" "$D/a/b/ksym" --force
	new=$(bpftool link show pinned "$D/a/b/ksym" -j | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	check "pin --force: a new link at PATH (bpftool: $old -> $new)" [ -n "$new" -a "$new" != "$old" ]
	run_rc "bpfdump cat after --force (the new @meta binds the new link)" 0 "$TMP/bcat2.ksym" cat "$D/a/b/ksym"
	run_rc "rm of the object's pin, no --force" 0 /dev/null rm "$D/a/b/ksym"
	expect_eq "rm: ls shows the directory empty (pin and @meta gone)" "" "$(ls -A "$D/a/b")"

	# /dev/full and a closed stdout or pipe: write errors, never read errors
	run_rc "run > /dev/full" 1 /dev/full run "$KSYM"
	judge_message "run > /dev/full: one line, a write error" "write error: No space left on device"
	check "run > /dev/full: not called a read error" bash -c "! grep -q 'read failed' $TMP/bad.err"
	timeout 60 "$BPFDUMP" run "$KSYM" >&- 2>"$TMP/bad.err"
	expect_eq "run with stdout closed: exit 1" 1 $?
	judge_message "run with stdout closed: a write error" "write error: Bad file descriptor"
	# a reader that has gone (SIGPIPE ignored, as a shell's caller may): EPIPE
	/usr/bin/python3 "$PYDIR/user_objs_epipe.py" "$BPFDUMP" "$KSYM" "$TMP/bad.err" >"$TMP/pipe.rc"
	expect_eq "run into a closed pipe (SIGPIPE ignored): exit 1" 1 "$(cat "$TMP/pipe.rc")"
	judge_message "run into a closed pipe: a write error" "write error: Broken pipe"
	run_rc "pin again, for cat's write errors" 0 /dev/null pin "$KSYM" "$D/a/b/ksym"
	run_rc "bpfdump cat of the object's pin > /dev/full" 1 /dev/full cat "$D/a/b/ksym"
	judge_message "bpfdump cat > /dev/full: a write error" "write error: No space left on device"
fi

# ---- 2. several iterator programs: --prog -------------------------------------------------------
bad_input "run without --prog: the object's iterator programs are named" \
	"2 iterator programs (test_maps, task_comm): choose one with --prog NAME" "$BPFDUMP" run "$TWO"
bad_input "run --prog nope: refused, the programs it has are named" \
	"no iterator program 'nope' (it has: test_maps, task_comm)" "$BPFDUMP" run "$TWO" --prog nope
run_rc "run --prog task_comm --pid" 0 "$TMP/comm.out" run "$TWO" --prog task_comm --pid $MINE
expect_eq "run --prog task_comm --pid: the process's tgid and /proc/PID/comm" \
	"$MINE $(cat /proc/$MINE/comm)" "$(cat "$TMP/comm.out")"
check "run --prog: nothing on stderr" test ! -s "$TMP/bad.err"
M=bdui_$R
bpftool map create "$D/tool/$M" type array key 4 value 4 entries 1 name "$M" 2>"$TMP/bt.err"
MID=$(bpftool map show pinned "$D/tool/$M" -j 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
run_rc "run --prog=test_maps" 0 "$TMP/maps.out" run "$TWO" --prog=test_maps
expect_eq "run --prog=test_maps: bpftool's map id and name" "$MID $M" "$(grep " $M\$" "$TMP/maps.out")"
# bpftool iter pin takes an object's first program: test_maps
bpftool iter pin "$TWO" "$D/tool/two" 2>"$TMP/tool.err"
timeout 60 cat "$D/tool/two" >"$TMP/tool.two"
run_rc "run --prog test_maps again" 0 "$TMP/maps2.out" run "$TWO" --prog test_maps
check "run --prog test_maps: the same bytes as bpftool iter pin + cat ($(wc -l <"$TMP/tool.two") lines)" \
	cmp -s "$TMP/tool.two" "$TMP/maps2.out"
run_rc "pin --prog task_comm --pid" 0 /dev/null pin "$TWO" "$D/two/comm" --prog task_comm --pid $MINE
expect_eq "pin --prog task_comm: cat gives the process's line" "$MINE $(cat /proc/$MINE/comm)" \
	"$(timeout 60 cat "$D/two/comm")"
expect_eq "pin --prog task_comm: bpftool names the pinned program's target task" "task" \
	"$(bpftool link show pinned "$D/two/comm" -j | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("target_name"))')"
bad_input "pin --prog nope: refused" "no iterator program 'nope'" "$BPFDUMP" pin "$TWO" "$D/nope/x" --prog nope
check "the refused pin made no directory" test ! -e "$D/nope"

# ---- 3. path checks: the same messages as a target's pin ----------------------------------------
for p in "$D/bad.name" "$TMP/notbpffs/x" "relative/x"; do
	timeout 60 "$BPFDUMP" pin tcp "$p" >/dev/null 2>"$TMP/t.err"
	trc=$?
	timeout 60 "$BPFDUMP" pin "$KSYM" "$p" >/dev/null 2>"$TMP/o.err"
	orc=$?
	expect_eq "pin OBJ '$p': the exit code and message of pin tcp '$p'" "$trc $(cat "$TMP/t.err")" \
		"$orc $(cat "$TMP/o.err")"
done
check "no directory left for the refused paths" test ! -e "$TMP/notbpffs" -a ! -e relative

# ---- 4. --pid of no process, no argument ----------------------------------------------------------
sh -c 'exit 0' &
EXITED=$!
wait $EXITED
check "ground truth: pid $EXITED has exited (kill -0 fails)" bash -c "! kill -0 $EXITED 2>/dev/null"
run_rc "run --pid of a process that exited" 1 "$TMP/gone.out" run "$OBJS/user_iter.bpf.o" --pid $EXITED
judge_message "run --pid of a process that exited: as dump says it" "no such process $EXITED"
run_rc "run with no argument: a usage error" 2 /dev/null run
judge_message "run with no argument: asks for a BPF object" "needs a BPF object"

# ---- 5. a map_elem object: loaded where the kernel allows it, else the policy is named -----------
H=bduo_$R
bpftool map create "$D/tool/$H" type hash key 4 value 4 entries 4 name "$H" 2>"$TMP/bt.err" &&
	bpftool map update pinned "$D/tool/$H" key 7 0 0 0 value 1 0 0 0 &&
	bpftool map update pinned "$D/tool/$H" key 9 0 0 0 value 2 0 0 0
HID=$(bpftool map show pinned "$D/tool/$H" -j 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
if bpftool iter pin "$MEI" "$D/tool/mei" map pinned "$D/tool/$H" 2>"$TMP/tool.err"; then
	run_rc "run map_elem_iter.bpf.o --map ID (the kernel allows it)" 0 "$TMP/mei.out" run "$MEI" --map "$HID"
	expect_eq "run map_elem_iter: the keys bpftool inserted" "7 9" "$(sort -n "$TMP/mei.out" | xargs)"
else
	check "ground truth: the kernel refuses bpftool's load of map_elem_iter.bpf.o with EPERM" \
		grep -q "load failed: Operation not permitted" "$TMP/tool.err"
	run_rc "run map_elem_iter.bpf.o --map ID (refused by the kernel)" 1 /dev/null run "$MEI" --map "$HID"
	judge_message "run map_elem_iter: the refusal is explained as dump explains it" \
		"(as root, before the verifier ran: a security policy forbids it)"
fi

# ---- 6. @meta attacked by the user who owns the pin's directory ----------------------------------
if ! command -v useradd >/dev/null; then
	skip "useradd missing: the @meta attacks"
else
	U=bduo$$
	if ! useradd -M -N -r -s /usr/sbin/nologin "$U"; then
		skip "useradd failed: the @meta attacks"
	else
		at_exit "userdel $U"
		AS_U=(setpriv --reuid="$U" --regid=nogroup --clear-groups)
		mkdir "$D/user" && chown "$U" "$D/user"
		"$BPFDUMP" pin "$TWO" "$D/user/k1" --prog task_comm --pid $MINE --owner "$U" --mode 0440
		"$BPFDUMP" pin "$TWO" "$D/user/k2" --prog task_comm --pid $$
		expect_eq "--owner: PATH is the user's 0440, @meta stays root's 0600" "$U 440 root 600" \
			"$(stat -c '%U %a' "$D/user/k1" "$D/user/k1@meta" | xargs)"
		"${AS_U[@]}" cat "$D/user/k1@meta" >/dev/null 2>"$TMP/err"
		check "the user cannot read k1@meta (kernel: Permission denied)" grep -q "Permission denied" "$TMP/err"
		expect_eq "the user reads k1 with plain cat" "$MINE $(cat /proc/$MINE/comm)" \
			"$("${AS_U[@]}" cat "$D/user/k1" 2>&1)"
		# a symlink to the genuine @meta, planted by the user: not followed
		"${AS_U[@]}" sh -c "mv '$D/user/k1@meta' '$D/user/saved' && ln -s '$D/user/saved' '$D/user/k1@meta'"
		check "the user replaced k1@meta by a symlink (ls -l: $(stat -c %F "$D/user/k1@meta"))" \
			test -L "$D/user/k1@meta"
		bad_input "cat refuses a @meta that is a symlink" "not root's with mode 0600, or not a bpffs file" \
			"$BPFDUMP" cat "$D/user/k1"
		# another object pin's genuine @meta, moved in by the user: the ids do not match
		"${AS_U[@]}" sh -c "rm '$D/user/k1@meta' && mv '$D/user/k2@meta' '$D/user/k1@meta'"
		expect_eq "the user moved k2's root 0600 @meta to k1@meta" "root 600" \
			"$(stat -c '%U %a' "$D/user/k1@meta")"
		bad_input "cat refuses another pin's @meta" "belongs to another dumper" "$BPFDUMP" cat "$D/user/k1"
		"${AS_U[@]}" sh -c "rm '$D/user/k1@meta' && mv '$D/user/saved' '$D/user/k1@meta'"
		run_rc "cat works again with k1's own @meta back" 0 "$TMP/k1.out" cat "$D/user/k1"
		expect_eq "cat of k1: the process's line" "$MINE $(cat /proc/$MINE/comm)" "$(cat "$TMP/k1.out")"
	fi
fi
