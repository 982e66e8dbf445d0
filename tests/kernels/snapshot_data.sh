#!/usr/bin/env bash
# Portable (any kernel): bpfdump snapshot --data against the bytes the running
# kernel holds for a process this test starts (see the checks below). Where only
# the classic iterators run (kernels before 6.7), --data must be refused in one
# line. Apart from kernels/snapshot.sh, which takes most of a VM run's time.
source "$(dirname "$0")/../lib.sh"
TEST_NAME=snapshot-data-kernel

[ -x "$BPFDUMP" ] || { skip "no $BPFDUMP (build first)"; exit 77; }
# which way snapshots run here: the open-coded iterators, or the classic ones
"$BPFDUMP" -v snapshot -J -o task $$ >/dev/null 2>"$TMP/way.err"
WAY=open-coded
grep -q 'snapshot: classic iterators' "$TMP/way.err" && WAY=classic
P=$$

# --data against what the kernel holds: a TCP receiver that never reads holds
# exactly the first SIOCINQ bytes its peer wrote (random, several segments, in
# page fragments), the sender exactly the tail not acknowledged (SIOCOUTQ
# bytes: unsent ones in sk_write_queue; then, after writes in repair mode,
# which "send" without sending, in tcp_rtx_queue; the sender in repair mode,
# quiet, as CRIU's repair-mode peek of the send queue reads it); a pipe and a FIFO hold the bytes written to
# them; --data-max cuts each queue exactly there.
cp "$PYDIR/snapshot_data_qd.py" "$TMP/qd.py"
# qd_check LABEL JSON TRUTH MAX: one line per queue
qd_check() {
	/usr/bin/python3 "$PYDIR/snapshot_data_check.py" "$@"
}
# fresh OUT: a reading of the truth taken after now, copied to OUT
fresh() {
	touch "$QD/ask"
	for _ in $(seq 1000); do
		[ -e "$QD/ask" ] || { cp "$QD/qd.json" "$1"; return 0; }
		sleep 0.02
	done
	return 1
}
# qd_snap LABEL PHASE MAX [DIR]: a snapshot between two equal readings of the truth,
# checked; with DIR, its bytes written to files there (--data-dir), read back from them
qd_snap() {
	local label=$1 phase=$2 max=$3 dir=${4:-} i
	local out=(--data)
	[ -n "$dir" ] && out=(--data-dir "$dir")
	for i in $(seq 10); do
		fresh "$QD/t1.json" || break
		[ -n "$dir" ] && { rm -rf "$dir"; mkdir "$dir"; }
		if ! timeout 120 "$BPFDUMP" snapshot -J "${out[@]}" --data-max "$max" -o sockets "$QP" \
			>"$QD/s.json" 2>"$QD/s.err"; then
			fail "$label: snapshot --data exits 0: $(head -c 300 "$QD/s.err")"
			return
		fi
		fresh "$QD/t2.json" || break
		if cmp -s "$QD/t1.json" "$QD/t2.json"; then
			cp "$QD/s.json" "$QD/s.$phase.$max.json"
			qd_check "$label" "$QD/s.json" "$QD/t1.json" "$max" $dir
			return
		fi
	done
	fail "$label: the queues did not hold still around a snapshot in 10 tries"
}
QD=$TMP/qd
mkdir -p "$QD"
if [ "$WAY" = classic ]; then
	"$BPFDUMP" snapshot --data "$P" >/dev/null 2>"$TMP/qd.err"
	check "classic: --data refused in one line: $(head -c 200 "$TMP/qd.err")" \
		[ "$(wc -l <"$TMP/qd.err")" = 1 -a -n "$(grep 'queued data needs the open-coded' "$TMP/qd.err")" ]
else
	/usr/bin/python3 "$TMP/qd.py" "$QD" "$$" </dev/null >/dev/null 2>"$QD/err" &
	QP=$!
	at_exit "kill $QP"
	for _ in $(seq 600); do [ -e "$QD/qd1.ready" ] && break; sleep 0.1; done
	if [ ! -e "$QD/qd1.ready" ]; then
		fail "--data: the target did not start: $(head -c 300 "$QD/err")"
	else
		qd_snap "--data-max 16000000" 1 16000000
		qd_snap "--data-max 5000" 1 5000
		qd_snap "--data-dir (files)" 1 16000000 "$QD/files"
		qd_snap "--data-dir --data-max 5000" 1 5000 "$QD/files5000"
		# a link placed where a queue's file goes is never written through
		pfd=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pipe"])' \
			"$QD/t1.json")
		mkdir "$QD/trap" && echo victim >"$QD/victim" &&
			ln -s "$QD/victim" "$QD/trap/$QP.$pfd.pipe"
		bad_input "--data-dir: a link where a queue's file goes" "$QP.$pfd.pipe: File exists" \
			timeout 120 "$BPFDUMP" snapshot --data-dir "$QD/trap" -o sockets "$QP"
		expect_eq "--data-dir: the link's target untouched" victim "$(cat "$QD/victim")"
		touch "$QD/qd.go"
		for _ in $(seq 600); do [ -e "$QD/qd2.ready" ] && break; sleep 0.1; done
		if [ ! -e "$QD/qd2.ready" ]; then
			fail "--data: repair-mode writes: $(tail -1 "$QD/err" | head -c 200)"
		else
			qd_snap "repair-mode writes (tcp_rtx_queue)" 2 16000000
		fi
	fi
fi
exit 0
