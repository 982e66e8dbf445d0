#!/usr/bin/env bash
# Dumpers: pin, cat, bpfdump cat, show, rm, run/pin of a user's object, unprivileged readers.
source "$(dirname "$0")/../lib.sh"

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
DIR=/sys/fs/bpf/bpfdump-test-$$
at_exit "rm -rf $DIR"
OBJ=$PWD/$BUILD/tests/user_iter.bpf.o

# the marker is written once python's start-up has closed what it opened
/usr/bin/python3 "$PYDIR/pin_holder.py" "$TMP/py.ready" &
P=$!
at_exit "kill $P"
for _ in $(seq 200); do [ -e "$TMP/py.ready" ] && break; sleep 0.05; done
links0=$($HELPERS/bpf_ids | cut -d" " -f3)

# 1. pinned text dumper == dump -r, row for row; both == /proc
COLS='pid=task->tgid,fd=fd,path=file->f_path'
$BPFDUMP pin task_file $DIR/task_file/open_files --pid $P -o "$COLS"
check "pin task_file exits 0" [ $? -eq 0 ]
check "pin made the dumper" [ -e $DIR/task_file/open_files ]
cat $DIR/task_file/open_files >"$TMP/cat.txt"
$BPFDUMP dump task_file --pid $P -r -o "$COLS" >"$TMP/dump.txt"
check "cat of the pin equals dump -r row for row" cmp -s "$TMP/cat.txt" "$TMP/dump.txt"
(echo "PID FD PATH"; for fd in $(ls /proc/$P/fd | sort -n); do echo "$P $fd $(readlink /proc/$P/fd/$fd)"; done) >"$TMP/proc.txt"
check "pinned rows equal /proc/PID/fd" cmp -s "$TMP/cat.txt" "$TMP/proc.txt"
$BPFDUMP cat $DIR/task_file/open_files -J >"$TMP/bcat.json"
check "bpfdump cat -J parses" json_valid <"$TMP/bcat.json"
n=$(python3 -c "import json,sys; r=[json.loads(l) for l in open('$TMP/bcat.json')]; print(sum(1 for x in r if x['pid']==$P))")
expect_eq "bpfdump cat gives every fd" "$(ls /proc/$P/fd | wc -l)" "$n"

# 2. kernel-side formatting of names, addresses and states equals user space
/usr/bin/python3 "$PYDIR/pin_listeners.py" >"$TMP/ports" &
S=$!
at_exit "kill $S"
for _ in $(seq 50); do [ "$(cat "$TMP/ports" 2>/dev/null | wc -l)" = 2 ] && break; sleep 0.1; done
P4=$(sed -n 1p "$TMP/ports"); P6=$(sed -n 2p "$TMP/ports")
$BPFDUMP pin tcp $DIR/tcp/listen -w 'sk_common->skc_state == TCP_LISTEN' --mode 0444
check "pin tcp with a predicate" [ $? -eq 0 ]
cat $DIR/tcp/listen >"$TMP/tcp.txt"
$BPFDUMP dump tcp -r -w 'sk_common->skc_state == TCP_LISTEN' >"$TMP/tcpd.txt"
# the kernel prints IPv6 uncompressed (bpf_seq_printf has no %pI6c): compare canonical forms
canon_v6() { /usr/bin/python3 "$PYDIR/pin_canon_v6.py"; }
canon_v6 <"$TMP/tcp.txt" >"$TMP/tcpc.txt"
check "tcp text dumper (family, state, addresses) equals dump -r" cmp -s "$TMP/tcpc.txt" "$TMP/tcpd.txt"
check "tcp dumper shows 127.0.0.1:$P4" grep -q "^inet LISTEN 127.0.0.1 $P4 0.0.0.0 0 " "$TMP/tcp.txt"
check "tcp dumper shows [::1]:$P6" grep -q "^inet6 LISTEN 0000:0000:0000:0000:0000:0000:0000:0001 $P6 " "$TMP/tcp.txt"
n=$(ss -Htln | wc -l); m=$(($(wc -l <"$TMP/tcp.txt") - 1))
expect_eq "listening sockets: pinned dumper vs ss -tln" "$n" "$m"
$BPFDUMP pin task $DIR/task/mine -o 'pid=task->tgid,comm=task->comm,state=taskstate(task),vm=task->mm->total_vm' -w "task->tgid == $P"
cat $DIR/task/mine >"$TMP/t.txt"
$BPFDUMP dump task -r -o 'pid=task->tgid,comm=task->comm,state=taskstate(task),vm=task->mm->total_vm' -w "task->tgid == $P" >"$TMP/td.txt"
check "task text dumper (state letter, mm) equals dump -r" cmp -s "$TMP/t.txt" "$TMP/td.txt"

# 3. show lists them with target, ids, params, mode
$BPFDUMP show -J $DIR >"$TMP/show.json"
check "show -J parses" json_valid <"$TMP/show.json"
/usr/bin/python3 "$PYDIR/pin_show.py" "$TMP/show.json" "$DIR" "$P"

# 4. unprivileged readers: 0444 lets nobody read; the 0600 default denies
if id nobody >/dev/null 2>&1; then
	out=$(su -s /bin/sh nobody -c "cat $DIR/tcp/listen" 2>/dev/null)
	expect_eq "nobody reads a 0444 dumper" "$(cat $DIR/tcp/listen)" "$out"
	su -s /bin/sh nobody -c "cat $DIR/task_file/open_files" >/dev/null 2>&1
	check "nobody is denied a 0600 dumper" [ $? -ne 0 ]
	$BPFDUMP pin tcp $DIR/tcp/owned --owner nobody --mode 0400
	out=$(su -s /bin/sh nobody -c "cat $DIR/tcp/owned" 2>/dev/null | head -1)
	expect_eq "--owner nobody --mode 0400: the owner reads" "FAMILY STATE LADDR LPORT RADDR RPORT UID INODE" "$out"
	# bpfdump cat by a user the kernel refuses bpf() to: the text plain cat reads
	UB=$(mktemp -d /tmp/bdpin-XXXXXX) && chmod 755 "$UB" && cp "$BPFDUMP" "$UB/bpfdump"
	at_exit "rm -rf $UB"
	$BPFDUMP pin task $DIR/task/held --pid $P -o 'pid=task->tgid,comm=task->comm' --mode 0444
	out=$(su -s /bin/sh nobody -c "$UB/bpfdump cat $DIR/task/held" 2>"$TMP/err")
	expect_eq "nobody's bpfdump cat: the text plain cat reads $(head -c 200 "$TMP/err")" \
		"$(cat $DIR/task/held)" "$out"
	su -s /bin/sh nobody -c "$UB/bpfdump cat -J $DIR/task/held" >/dev/null 2>"$TMP/err"
	rc=$?
	check "nobody's bpfdump cat -J fails in one line naming what -J needs" \
		sh -c "[ $rc -ne 0 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q -- '-J, -r and -n need' '$TMP/err'"
	$BPFDUMP rm $DIR/task/held
	$BPFDUMP rm $DIR/tcp/owned
else
	skip "no user nobody"
fi

# 5. bad input leaves nothing behind
bad_input "pin over an existing path" "exists" $BPFDUMP pin tcp $DIR/tcp/listen
bad_input "pin outside bpffs" "not" $BPFDUMP pin tcp /tmp/bpfdump-not-bpffs-$$/x
check "no directory left outside bpffs" [ ! -e /tmp/bpfdump-not-bpffs-$$ ]
bad_input "pin with a bad name" "bad name" $BPFDUMP pin tcp "$DIR/tcp/a.b"
bad_input "pin a bad field: no half-made pin" "no member" $BPFDUMP pin task $DIR/half/x -o 'task->nope'
check "failed pin left no directory" [ ! -e $DIR/half ]
bad_input "rm of a path that does not exist" "No such file" $BPFDUMP rm $DIR/nothing
$BPFDUMP pin tcp $DIR/tcp/listen --force -w 'sk_common->skc_state == TCP_LISTEN'
check "--force replaces a dumper" [ $? -eq 0 ]

# 6. a user's own object: run and pin, with parameters
if [ -f "$OBJ" ]; then
	$BPFDUMP run "$OBJ" --pid $P | sort -n -k2 >"$TMP/run.txt"
	(for fd in $(ls /proc/$P/fd | sort -n); do echo "$P $fd"; done) >"$TMP/runp.txt"
	check "run user_iter.bpf.o --pid equals /proc/PID/fd" cmp -s "$TMP/run.txt" "$TMP/runp.txt"
	$BPFDUMP pin "$OBJ" $DIR/mine --pid $P
	check "pin of a user's object" [ -e $DIR/mine ]
	sort -n -k2 $DIR/mine | cmp -s - "$TMP/runp.txt"
	check "cat of the pinned user object equals /proc" [ $? -eq 0 ]
	check "the object's pin has its @meta, root's 0600" \
		[ "$(stat -c '%U %a' $DIR/mine@meta 2>/dev/null)" = "root 600" ]
	$BPFDUMP rm $DIR/mine
	check "rm removes the object's pin and its @meta (no --force)" \
		[ ! -e $DIR/mine -a ! -e $DIR/mine@meta ]
	bad_input "run: object without an iterator program" "no iterator program" $BPFDUMP run $BUILD/tests/no_iter.bpf.o
	bad_input "run: verifier rejection shows the log line" "invalid mem access" $BPFDUMP run $BUILD/tests/bad_verifier.bpf.o
	bad_input "run: not an ELF file" "cannot open as a BPF ELF object" $BPFDUMP run /etc/hostname
	# truncated and corrupted copies of a real object: an error, never a crash
	sz=$(stat -c %s "$OBJ"); crashes=0; total=0
	for cut in 0 16 64 200 $((sz / 3)) $((sz / 2)) $((sz - 100)) $((sz - 1)); do
		head -c $cut "$OBJ" >"$TMP/cut.bpf.o"
		timeout 20 $BPFDUMP run "$TMP/cut.bpf.o" >/dev/null 2>&1; rc=$?
		total=$((total + 1)); [ $rc -gt 2 ] && crashes=$((crashes + 1))
	done
	for seed in $(seq 1 24); do
		/usr/bin/python3 "$PYDIR/pin_corrupt_obj.py" "$OBJ" "$TMP/bad.bpf.o" $seed
		timeout 20 $BPFDUMP run "$TMP/bad.bpf.o" >/dev/null 2>&1; rc=$?
		total=$((total + 1)); [ $rc -gt 2 ] && [ $rc -ne 0 ] && crashes=$((crashes + 1))
	done
	expect_eq "truncated/corrupted objects: no crash in $total runs" 0 "$crashes"
else
	fail "user_iter.bpf.o was not built"
fi

# 7. rm removes the pin; the link goes away
for p in task_file/open_files tcp/listen task/mine; do $BPFDUMP rm $DIR/$p; done
check "rm removed the pins and their twins" [ -z "$(find $DIR -type f)" ]
sleep 0.3
links1=$($HELPERS/bpf_ids | cut -d" " -f3)
check "links back to where they started ($links0 -> $links1)" [ "$links1" -le "$links0" ]
