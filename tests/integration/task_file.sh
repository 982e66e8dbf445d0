#!/usr/bin/env bash
# task_file target vs /proc/PID/fd and /proc/PID/fdinfo: a process the test starts opens known files.
source "$(dirname "$0")/../lib.sh"

# as lib.sh's, but a multi-line value is shown with \n so the result stays on one line
expect_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else fail "$1: expected '${2//$'\n'/\\n}', got '${3//$'\n'/\\n}'"; fi
}

# dump_ok NAME OUTFILE ARGS...: run bpfdump ARGS (bounded), one result line, stderr shown on failure
dump_ok() {
	local name=$1 out=$2 rc
	shift 2
	timeout 60 "$BPFDUMP" "$@" >"$out" 2>"$TMP/dump.err"
	rc=$?
	if [ $rc -eq 0 ]; then ok "$name"; else fail "$name: exit $rc: $(head -c 300 "$TMP/dump.err")"; fi
}

# wait_file PATH: poll (bounded) until PATH exists

# The helper opens: a temp file (5 bytes written), a file with spaces in its name, /dev/null twice,
# a pipe, a TCP socket, a memfd and an eventfd; it runs one extra thread (threads share the fd
# table, so they must not duplicate rows). It writes its fd numbers as JSON to $TMP/fds, then waits.
# On SIGUSR1 it closes the eventfd and writes $TMP/closed.
cp "$PYDIR/task_file_helper.py" "$TMP/helper.py"
python3 "$TMP/helper.py" "$TMP" </dev/null >/dev/null 2>&1 &
P=$!
at_exit "kill $P"
if ! wait_file "$TMP/fds"; then
	fail "helper process did not start"
	exit 1
fi

# ground truth, taken while the helper is idle: fd -> readlink
snap_proc() {
	local f
	for f in /proc/$P/fd/*; do printf '%s\t%s\n' "${f##*/}" "$(readlink "$f")"; done | sort -n
}
snap_proc >"$TMP/proc.tsv"

dump_ok "dump task_file --pid -J exits 0" "$TMP/pid.json" dump task_file --pid "$P" -J
check "JSON parses" json_valid <"$TMP/pid.json"
(cd /proc && printf '%s\n' [0-9]*) >"$TMP/pids.before"
dump_ok "dump task_file -J (all tasks) exits 0" "$TMP/all.json" dump task_file -J
dump_ok "dump task_file --tid -J exits 0" "$TMP/tid.json" dump task_file --tid "$P" -J
snap_proc >"$TMP/proc2.tsv"
check "ground truth stable during the dumps" cmp -s "$TMP/proc.tsv" "$TMP/proc2.tsv"

/usr/bin/python3 "$PYDIR/task_file_vs_proc.py" "$TMP" "$P"

spacefd=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fds"]["space"])' "$TMP/fds")
plainfd=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fds"]["plain"])' "$TMP/fds")
evfd=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fds"]["eventfd"])' "$TMP/fds")

# -w selects exactly one fd
out=$(timeout 60 "$BPFDUMP" dump task_file -r -n -o 'fd=fd,path=path(file)' -w "task->tgid == $P && fd == $plainfd")
expect_eq "-w 'tgid == P && fd == N' selects one row" "$plainfd $TMP/plain" "$out"
out=$(timeout 60 "$BPFDUMP" dump task_file --pid "$P" -r -n -o 'fd' -w "fd == $plainfd")
expect_eq "--pid with -w 'fd == N'" "$plainfd" "$out"
timeout 60 "$BPFDUMP" dump task_file -J -w "fd == $plainfd" >"$TMP/w.json"
/usr/bin/python3 "$PYDIR/task_file_where_fd.py" "$TMP/w.json" "$P" "$plainfd" "$TMP/plain"

# -r escapes spaces in cells
out=$(timeout 60 "$BPFDUMP" dump task_file --pid "$P" -r -n -w "fd == $spacefd")
expect_eq "-r escapes spaces as \\x20" \
	"$P python3 $spacefd ${TMP}/with\\x20space\\x20x $(stat -L -c %i "/proc/$P/fd/$spacefd")" "$out"
# header names in table mode, no header with -n
hdr=$(timeout 60 "$BPFDUMP" dump task_file --pid "$P" -r | head -1)
expect_eq "table header" "PID COMM FD PATH INODE" "$hdr"
n=$(timeout 60 "$BPFDUMP" dump task_file --pid "$P" -n | wc -l)
expect_eq "-n prints one line per fd" "$(ls /proc/$P/fd | wc -l)" "$n"

# file members: position, inode and flags vs /proc/PID/fdinfo
timeout 60 "$BPFDUMP" dump task_file --pid "$P" -J -o 'fd=fd,pos=file->f_pos,ino=file->f_inode->i_ino,flags=file->f_flags' >"$TMP/fi.json"
/usr/bin/python3 "$PYDIR/task_file_fdinfo.py" "$TMP/fi.json" "$P" "$plainfd"

# closing an fd removes its row
kill -USR1 "$P"
if wait_file "$TMP/closed"; then
	n=$(timeout 60 "$BPFDUMP" dump task_file --pid "$P" -n -r -o fd -w "fd == $evfd" | wc -l)
	m=$(timeout 60 "$BPFDUMP" dump task_file --pid "$P" -n | wc -l)
	expect_eq "closed fd disappears; row count follows /proc/PID/fd" "0 $(ls /proc/$P/fd | wc -l)" "$n $m"
else
	fail "closed fd disappears: helper did not close the eventfd"
fi

# the path cache: 4000 fds on 1000 files (some with long names, one renamed), so
# three records in four say "same path as before", and first sightings end at a
# full seq buffer (the kernel shows those objects again: keys the dropped attempt
# cached must not stay cached). Every fd's path must still equal /proc/PID/fd, with
# the cache, without it, and read back from a pinned program by another process.
mkdir -p "$TMP/pc"
/usr/bin/python3 "$PYDIR/task_file_many_fds.py" "$TMP/pc" &
PC=$!
at_exit "kill $PC"
if wait_file "$TMP/pc/ready"; then
	(for f in /proc/$PC/fd/*; do echo "${f##*/} $(readlink "$f")"; done) | sort -n >"$TMP/pc.truth"
	q=(dump task_file --pid "$PC" -n -r -o 'fd=fd,path=path(file)')
	timeout 60 "$BPFDUMP" "${q[@]}" | sort -n >"$TMP/pc.on"
	BPFDUMP_PATH_CACHE=0 timeout 60 "$BPFDUMP" "${q[@]}" | sort -n >"$TMP/pc.off"
	PCPIN=/sys/fs/bpf/bdtf-pc-$$
	timeout 60 "$BPFDUMP" pin task_file "$PCPIN" --pid "$PC" -o 'fd=fd,path=path(file)'
	at_exit "$BPFDUMP rm $PCPIN"
	timeout 60 "$BPFDUMP" cat "$PCPIN" -n -r | sort -n >"$TMP/pc.pin"
	expect_eq "path cache: 4000 fds on 1000 files, every path equals /proc/PID/fd" \
		"$(wc -l <"$TMP/pc.truth") 0" "$(wc -l <"$TMP/pc.on") $(diff "$TMP/pc.truth" "$TMP/pc.on" | wc -l)"
	check "path cache: the same rows with BPFDUMP_PATH_CACHE=0" cmp -s "$TMP/pc.on" "$TMP/pc.off"
	check "path cache: bpfdump cat of a pinned program decodes the cached rows" cmp -s "$TMP/pc.on" "$TMP/pc.pin"
	timeout 60 "$BPFDUMP" dump task_file --pid "$PC" -J -o 'fd=fd,path=path(file)' | json_valid >/dev/null
	check "path cache: the JSON is valid" [ "${PIPESTATUS[0]}${PIPESTATUS[1]}" == "00" ]
else
	fail "path cache: the holder did not start"
fi
