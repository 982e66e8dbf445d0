#!/usr/bin/env bash
# bpfdump snapshot's TCP state for checkpointing against what the kernel says
# another way: the test's own sockets (tests/helpers/tcp_repair.c) read in repair
# mode as CRIU reads them (TCP_REPAIR, TCP_REPAIR_QUEUE, TCP_QUEUE_SEQ,
# TCP_REPAIR_WINDOW), TCP_INFO, TCP_WINDOW_CLAMP, SIOCINQ/SIOCOUTQ/SIOCOUTQNSD,
# and ss -tie. Both ways: the open-coded iterators and the classic ones.
source "$(dirname "$0")/../lib.sh"

HELPER=$HELPERS/tcp_repair
if [ "$(id -u)" -ne 0 ]; then
	skip "needs root (repair mode needs CAP_NET_ADMIN, snapshot needs BPF)"
	exit 77
fi
if [ ! -x "$HELPER" ]; then
	fail "helper $HELPER missing (make $BUILD/tests/tcp_repair)"
	exit 1
fi

mkdir -p "$TMP/h"
"$HELPER" "$TMP/h" "$$" </dev/null >/dev/null 2>"$TMP/h/err" &
HP=$!
at_exit "kill $HP"
for _ in $(seq 200); do [ -e "$TMP/h/ready" ] && break; sleep 0.05; done
if [ ! -e "$TMP/h/ready" ]; then
	fail "tcp_repair did not start: $(head -c 300 "$TMP/h/err")"
	exit 1
fi

# compare LABEL JSON: every key the helper wrote, per fd, against the snapshot's tcp rows
compare() {
	/usr/bin/python3 "$PYDIR/snapshot_sockets_compare.py" "$1" "$2" "$TMP/h/truth"
}

# ss -tie's mss (tcp_info's snd_mss) and wscale of each connected socket, by its addresses
# (the server side of the connection not accepted is in no process: not in the snapshot)
ss_check() {
	local label=$1 json=$2
	ss -tieH state established "( sport = :$PORT or dport = :$PORT )" >"$TMP/ss" 2>/dev/null
	if ! [ -s "$TMP/ss" ]; then
		skip "$label: ss -tie: no output"
		return
	fi
	/usr/bin/python3 "$PYDIR/snapshot_sockets_ss.py" "$label" "$json" "$TMP/ss"
}

PORT=$(awk '$2 == "port" { print $3 }' "$TMP/h/truth")
OPEN_CODED=1
for way in open-coded classic; do
	env=()
	[ "$way" = classic ] && env=(BPFDUMP_SNAPSHOT_CLASSIC=1)
	if ! env "${env[@]}" timeout 60 "$BPFDUMP" -v snapshot -J "$HP" >"$TMP/$way.json" 2>"$TMP/$way.err"; then
		fail "$way: snapshot -J exits 0: $(head -c 300 "$TMP/$way.err")"
		continue
	fi
	ran=$(grep -o 'snapshot: \(classic\|open-coded\) iterators' "$TMP/$way.err" | head -1)
	if [ "$way" = open-coded ] && [ "$ran" != "snapshot: open-coded iterators" ]; then
		skip "open-coded: this kernel ran '${ran:-?}'"
		OPEN_CODED=""
		continue
	fi
	ok "$way: snapshot -J exits 0 ($ran)"
	compare "$way" "$TMP/$way.json"
	ss_check "$way" "$TMP/$way.json"
done

# text: the same rows, one table
if timeout 60 "$BPFDUMP" snapshot "$HP" >"$TMP/text" 2>"$TMP/text.err"; then
	C=$(awk '$1 == "client" { print $2 }' "$TMP/h/truth")
	WS=$(awk -v fd="$C" '$1 == fd && $2 == "write_seq" { print $3 }' "$TMP/h/truth")
	check "text: the tcp table has the client's write_seq" \
		awk -v fd="$C" -v ws="$WS" '/^-- tcp /{t=1; next} /^$/{t=0} t && $1 == fd && $5 == ws {f=1} END {exit !f}' "$TMP/text"
	check "text: the listener's backlog 1 of 8" \
		awk '/^-- tcp /{t=1; next} /^$/{t=0} t && $2 == "LISTEN" && $(NF-1) == 1 && $NF == 8 {f=1} END {exit !f}' "$TMP/text"
else
	fail "text: snapshot exits 0: $(head -c 300 "$TMP/text.err")"
fi

# --data: the bytes queued in the receive queues of sockets that never read
if [ -z "$OPEN_CODED" ]; then
	timeout 60 "$BPFDUMP" snapshot --data "$HP" >/dev/null 2>"$TMP/cl.err"
	rc=$?
	if [ $rc -ne 0 ] && [ "$(wc -l <"$TMP/cl.err")" = 1 ] &&
	   grep -q "snapshot --data: queued data needs the open-coded iterators" "$TMP/cl.err"; then
		ok "--data on a kernel without open-coded iterators: refused in one line"
	else
		fail "--data without open-coded iterators: exit $rc: $(head -c 300 "$TMP/cl.err")"
	fi
	skip "--data: the rest needs the open-coded iterators"
	exit 0
fi
cp "$PYDIR/snapshot_sockets_dgram.py" "$TMP/dgram.py"
python3 "$TMP/dgram.py" "$TMP" "$$" </dev/null >/dev/null 2>"$TMP/dgram.err" &
DP=$!
at_exit "kill $DP"
for _ in $(seq 200); do [ -e "$TMP/dgram.ready" ] && break; sleep 0.05; done
if [ ! -e "$TMP/dgram.ready" ]; then
	fail "datagram target did not start: $(head -c 300 "$TMP/dgram.err")"
	exit 1
fi

# qcheck LABEL JSON MAX: each datagram, in order, with its source; cut at MAX bytes per socket
qcheck() {
	/usr/bin/python3 "$PYDIR/snapshot_sockets_qcheck.py" "$1" "$2" "$3" "$TMP/dgram.json"
}

for max in 65536 777 100; do
	args=(--data)
	[ $max = 65536 ] || args+=(--data-max $max)
	if timeout 60 "$BPFDUMP" snapshot -J "${args[@]}" -o sockets "$DP" >"$TMP/d$max.json" 2>"$TMP/d$max.err"; then
		qcheck "--data (max $max)" "$TMP/d$max.json" $max
	else
		fail "snapshot --data (max $max) exits 0: $(head -c 300 "$TMP/d$max.err")"
	fi
done
# text: a hex dump with offsets of the first datagram, and where it was cut
if timeout 60 "$BPFDUMP" snapshot --data --data-max 20 -o sockets "$DP" >"$TMP/dtext" 2>&1; then
	UFD=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["udp"][0])' "$TMP/dgram.json")
	H=$(python3 -c 'import json,sys; h=json.load(open(sys.argv[1]))["udp"][1][0][1]; print(" ".join(h[i:i+2] for i in range(0, 32, 2)))' "$TMP/dgram.json")
	check "text: hex dump of the first datagram at offset 0" grep -q "^  00000000  $H" "$TMP/dtext"
	check "text: the cut says where" grep -q "^fd $UFD receive #0: .* (cut at --data-max: 20 bytes shown)" "$TMP/dtext"
else
	fail "text: snapshot --data exits 0: $(head -c 300 "$TMP/dtext")"
fi

# TCP receive queues: every byte each holds (in page fragments, copied through
# the verified page translation): the client's, the three segments the
# accepted side wrote (rx.bin); the accepted side's, the client's 20480 'x'
if timeout 60 "$BPFDUMP" snapshot -J --data -o sockets "$HP" >"$TMP/tcpq.json" 2>"$TMP/tcpq.err"; then
	/usr/bin/python3 "$PYDIR/snapshot_sockets_tcpq.py" "$TMP/tcpq.json" "$TMP/h/truth" "$TMP/h/rx.bin"
	check "--data: every byte read: nothing said not read" \
		python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["queued_not_read"] != [])' "$TMP/tcpq.json"
else
	fail "--data of the TCP sockets exits 0: $(head -c 300 "$TMP/tcpq.err")"
fi

# without --data: no queued data at all
timeout 60 "$BPFDUMP" snapshot -J -o sockets "$DP" >"$TMP/nodata.json" 2>/dev/null
check "without --data: no queued section" \
	python3 -c 'import json,sys; sys.exit("queued" in json.load(open(sys.argv[1])))' "$TMP/nodata.json"

# the classic iterators: one line saying why --data cannot run there
BPFDUMP_SNAPSHOT_CLASSIC=1 timeout 60 "$BPFDUMP" snapshot --data "$DP" >"$TMP/cl.out" 2>"$TMP/cl.err"
rc=$?
if [ $rc -ne 0 ] && [ "$(wc -l <"$TMP/cl.err")" = 1 ] && grep -q "snapshot --data: queued data needs the open-coded iterators" "$TMP/cl.err"; then
	ok "classic: --data refused in one line ($(cat "$TMP/cl.err"))"
else
	fail "classic: --data: exit $rc: $(head -c 300 "$TMP/cl.err")"
fi
