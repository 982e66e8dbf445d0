#!/usr/bin/env bash
# Leaks and load: every command many times (LOAD_CMD_LOOPS, default 200: a program, map
# or link left by one run shows in the global counts after it) with the global counts
# of BPF programs, maps and links and the pins checked after; the library's dump, pin
# and trace paths LOAD_LOOPS (1000) times in one process (fds and RSS); 32 concurrent
# dumps of one process's files, and 32 concurrent readers of one pinned dumper, each
# compared with /proc/PID/fd and with a serial read.
source "$(dirname "$0")/../lib.sh"
N=${LOAD_LOOPS:-1000}
NCMD=${LOAD_CMD_LOOPS:-200}
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
DIR=/sys/fs/bpf/bpfdump-load-$$
mkdir -p "$DIR" && at_exit "rm -rf $DIR"

# a process with known files: 40 fds on /dev/null and 10 on its own temp files
/usr/bin/python3 "$PYDIR/load_holder.py" "$TMP" &
HOLDER=$!
at_exit "kill $HOLDER"
for _ in $(seq 100); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
truth=$(for f in /proc/$HOLDER/fd/*; do echo "${f##*/} $(readlink "$f")"; done | sort -n)

# 1. the library, in one process
for s in dump pin trace; do
	"$HELPERS/fault_inject" --loop "$N" $s "$DIR" || true
done

# 2. every command NCMD times
ids0=$("$HELPERS/bpf_ids")
$BPFDUMP pin task_file "$DIR/tf" --pid $HOLDER -o 'fd=fd,path=file->f_path' 2>/dev/null
cmds=(
	"targets" "targets task_file" "dump task -n" "dump tcp -J" "dump task_file --pid $HOLDER"
	"dump task -o pid=task->tgid,vm=task->mm->total_vm -w task->mm->total_vm>1000"
	"pin task $DIR/p" "cat $DIR/tf" "show $DIR" "info ksys_read"
	"trace -c 1 tp:sched:sched_switch(prev->pid)"
)
for c in "${cmds[@]}"; do
	bad=0
	for ((i = 0; i < NCMD; i++)); do
		# shellcheck disable=SC2086
		timeout 30 $BPFDUMP $c >/dev/null 2>"$TMP/err" || { bad=$((bad + 1)); [ $bad -eq 1 ] && cp "$TMP/err" "$TMP/err1"; }
		[ -e "$DIR/p" ] && $BPFDUMP rm "$DIR/p"	# pin's pair
	done
	expect_eq "$NCMD x 'bpfdump $c': all exit 0$([ $bad -gt 0 ] && echo " ($(head -c 200 "$TMP/err1"))")" 0 "$bad"
done
$BPFDUMP rm "$DIR/tf"
sleep 0.5	# links go after their last fd, asynchronously
ids1=$("$HELPERS/bpf_ids")
read -r p0 m0 l0 <<<"$ids0"; read -r p1 m1 l1 <<<"$ids1"
check "after ${#cmds[@]} x $NCMD commands: no more BPF progs/maps/links than before ($ids0 -> $ids1)" \
	[ "$p1" -le "$p0" -a "$m1" -le "$m0" -a "$l1" -le "$l0" ]
check "after the loops: no pin left" [ -z "$(ls -A "$DIR")" ]

# 3. 32 concurrent dumps of the holder's files, each equal to /proc/PID/fd
pids=()
for i in $(seq 32); do
	$BPFDUMP dump task_file --pid $HOLDER -n -r -o 'fd=fd,path=file->f_path' >"$TMP/c$i" 2>&1 &
	pids+=($!)
done
wait "${pids[@]}"	# not the holder
bad=0
for i in $(seq 32); do [ "$(sort -n "$TMP/c$i")" == "$truth" ] || bad=$((bad + 1)); done
expect_eq "32 concurrent dumps: each lists exactly /proc/$HOLDER/fd ($(echo "$truth" | wc -l) fds)" 0 "$bad"

# 4. 32 concurrent readers of one pinned dumper (cat and bpfdump cat), each complete
$BPFDUMP pin task_file "$DIR/tf" --pid $HOLDER -o 'fd=fd,path=file->f_path' --mode 0444
serial=$(cat "$DIR/tf"); serial_b=$($BPFDUMP cat "$DIR/tf" -n -r)
pids=()
for i in $(seq 24); do cat "$DIR/tf" >"$TMP/r$i" & pids+=($!); done
for i in $(seq 25 32); do $BPFDUMP cat "$DIR/tf" -n -r >"$TMP/r$i" & pids+=($!); done
wait "${pids[@]}"
bad=0
for i in $(seq 24); do [ "$(cat "$TMP/r$i")" == "$serial" ] || bad=$((bad + 1)); done
for i in $(seq 25 32); do [ "$(cat "$TMP/r$i")" == "$serial_b" ] || bad=$((bad + 1)); done
expect_eq "32 concurrent readers of one pinned dumper: each read is the whole serial one" 0 "$bad"
$BPFDUMP rm "$DIR/tf"
