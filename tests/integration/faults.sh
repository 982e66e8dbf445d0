#!/usr/bin/env bash
# Faults: every bpf() call of a dump, a pin/cat/rm cycle and a trace made to fail in
# turn (EPERM, ENOMEM, EINVAL, E2BIG, EAGAIN; tests/helpers/fault_inject.c); then the
# environment taken away under the CLI: bpffs missing (mounted) or read-only, cgroup2 missing,
# processes exiting and sockets closing while they are dumped.
source "$(dirname "$0")/../lib.sh"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
DIR=/sys/fs/bpf/bpfdump-faults-$$
mkdir -p "$DIR" && at_exit "rm -rf $DIR"

for s in dump pin trace; do
	"$HELPERS/fault_inject" $s "$DIR" || true
done

# bpffs missing (bpfdump mounts it, as bpftool does) / read-only, in a private mount namespace
unshare -m sh -c "umount -l /sys/fs/bpf 2>/dev/null; ! mountpoint -q /sys/fs/bpf && \
	'$BPFDUMP' pin task /sys/fs/bpf/bdfault-x && test -e /sys/fs/bpf/bdfault-x && \
	'$BPFDUMP' rm /sys/fs/bpf/bdfault-x" >"$TMP/o" 2>"$TMP/e"
rc=$?
check "pin with bpffs unmounted: mounts it, says so, pins and removes ($(head -c 200 "$TMP/e"))" \
	sh -c "[ $rc -eq 0 ] && grep -q 'mounted bpffs at /sys/fs/bpf' '$TMP/e'"
unshare -m sh -c "mount -o bind '$DIR' '$DIR' && mount -o remount,bind,ro '$DIR' && \
	'$BPFDUMP' pin task '$DIR/ro'" >"$TMP/o" 2>"$TMP/e"
rc=$?
check "pin into a read-only bpffs: exit $rc, one line ($(head -c 200 "$TMP/e"))" \
	sh -c "[ $rc -ne 0 ] && [ \$(wc -l <'$TMP/e') -eq 1 ] && grep -qi 'read-only' '$TMP/e'"
check "read-only bpffs: nothing left behind" [ -z "$(ls -A "$DIR")" ]

# cgroup2 missing
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
unshare -m sh -c "umount -l '$CG2' 2>/dev/null; '$BPFDUMP' dump cgroup --cgroup '$CG2'" \
	>"$TMP/o" 2>"$TMP/e"
rc=$?
check "dump cgroup with cgroup2 unmounted: exit $rc, one line ($(head -c 200 "$TMP/e"))" \
	sh -c "[ $rc -ne 0 ] && [ \$(wc -l <'$TMP/e') -eq 1 ]"

# processes exiting while task and task_file are dumped: no crash, every row whole
(end=$((SECONDS + 4)); while [ $SECONDS -lt $end ]; do for _ in $(seq 20); do sleep 0.01 & done; wait; done) &
STORM=$!
at_exit "kill $STORM"
bad=0 rows=0
for _ in $(seq 15); do
	$BPFDUMP dump task_file -J >"$TMP/tf.json" 2>"$TMP/tf.err" || { bad=$((bad + 1)); cat "$TMP/tf.err"; }
	json_valid <"$TMP/tf.json" || bad=$((bad + 1))
	rows=$((rows + $(wc -l <"$TMP/tf.json")))
	$BPFDUMP dump task -n >/dev/null 2>"$TMP/t.err" || { bad=$((bad + 1)); cat "$TMP/t.err"; }
done
wait $STORM 2>/dev/null
expect_eq "15 task_file and task dumps while processes come and go: all succeed, valid JSON ($rows rows)" 0 "$bad"

# sockets opening and closing while tcp is dumped
/usr/bin/python3 "$PYDIR/faults_churn.py" &
CHURN=$!
bad=0
for _ in $(seq 15); do
	$BPFDUMP dump tcp -J >"$TMP/tcp.json" 2>"$TMP/tcp.err" || { bad=$((bad + 1)); cat "$TMP/tcp.err"; }
	json_valid <"$TMP/tcp.json" || bad=$((bad + 1))
done
wait $CHURN
expect_eq "15 tcp dumps while sockets open and close: all succeed, valid JSON" 0 "$bad"
