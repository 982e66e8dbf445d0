#!/usr/bin/env bash
# Every iterator target this kernel offers dumps with its default columns, as a table and
# as JSON, never an error (a preset member the kernel lacks is replaced or left out), and
# agrees with the kernel's own ground truth where there is one: task vs /proc, tcp
# listeners vs ss, bpf_link/bpf_map/bpf_prog vs bpftool. Portable: runs on any kernel
# (the host, or a guest of tests/kernels/run.sh).
source "$(dirname "$0")/../lib.sh"
# the system's python first: a pyenv shim (python3 via bash and pyenv exec) was seen to
# hang in the 6.1 guest
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH

if [ "$(id -u)" != 0 ]; then
	skip "needs root (iterators)"
	exit 77
fi
if [ ! -x "$BPFDUMP" ]; then
	fail "no $BPFDUMP: build first"
	exit 1
fi

# a pinned dumper gives a link, a program and maps that stay while the test runs
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
PIN=/sys/fs/bpf/bdtargets-$$	# bpffs takes no '.' in names
mkdir "$PIN" 2>/dev/null || PIN=
at_exit "rm -rf '$TMP'"
if [ -n "$PIN" ]; then
	at_exit "rmdir '$PIN' 2>/dev/null"
	if timeout 60 "$BPFDUMP" pin task "$PIN/task" 2>"$TMP/pin.err"; then
		at_exit "'$BPFDUMP' rm '$PIN/task' 2>/dev/null"
	else
		skip "no pinned dumper for the bpf_* checks: $(head -c 200 "$TMP/pin.err")"
	fi
fi
if command -v bpftool >/dev/null && [ -n "$PIN" ] &&
	bpftool map create "$PIN/map" type hash key 4 value 8 entries 4 name bdtgt_map 2>/dev/null; then
	at_exit "rm -f '$PIN/map'"
fi
# a process and a listener of known identity
sleep 600 </dev/null &
SP=$!
at_exit "kill $SP 2>/dev/null"
/usr/bin/python3 "$PYDIR/targets_listener.py" "$TMP/port" </dev/null >/dev/null 2>&1 &
LP=$!
at_exit "kill $LP 2>/dev/null"
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.1; done

ls /proc | grep -E '^[0-9]+$' >"$TMP/pids.before"
ss -Htln >"$TMP/ss.before" 2>/dev/null
targets=$(timeout 60 "$BPFDUMP" targets 2>"$TMP/targets.err")
if [ -z "$targets" ]; then
	fail "bpfdump targets listed nothing: $(head -c 200 "$TMP/targets.err")"
	exit 1
fi
ok "this kernel offers $(wc -w <<<"$targets") targets: $(tr '\n' ' ' <<<"$targets")"

# dump_target T ARGS...: table and JSON with the default columns; both exit 0, say nothing
# on stderr but -v notes, and the JSON parses
dump_target() {
	local t=$1 rc rcj
	shift
	timeout "${DUMP_TIMEOUT:-120}" "$BPFDUMP" -v dump "$t" "$@" >"$TMP/$t.txt" 2>"$TMP/$t.err"
	rc=$?
	timeout "${DUMP_TIMEOUT:-120}" "$BPFDUMP" dump "$t" -J "$@" >"$TMP/$t.json" 2>"$TMP/$t.jerr"
	rcj=$?
	grep "left out" "$TMP/$t.err" | sed "s/^/info $TEST_NAME: /"
	if [ $rc -ne 0 ] || [ $rcj -ne 0 ]; then
		fail "$t: default columns: exit $rc (table), $rcj (-J): $(head -1 "$TMP/$t.err") $(head -1 "$TMP/$t.jerr")"
		return 1
	fi
	if [ -s "$TMP/$t.jerr" ]; then
		fail "$t -J: said on stderr: $(head -c 200 "$TMP/$t.jerr")"
		return 1
	fi
	if ! json_valid <"$TMP/$t.json" 2>/dev/null; then
		fail "$t -J: not JSON lines: $(head -c 200 "$TMP/$t.json")"
		return 1
	fi
	ok "$t: default columns dump, table ($(($(wc -l <"$TMP/$t.txt") - 1)) rows) and -J ($(wc -l <"$TMP/$t.json") rows)"
}

# a refused iterator (this kernel or its config) is a skip naming why, not a pass
refused() {
	grep -qiE "operation not permitted|not supported|refus" "$TMP/$1.err" "$TMP/$1.jerr"
}

for t in $targets; do
	case $t in
	bpf_map_elem)
		if [ ! -e "$PIN/map" ]; then
			skip "$t: no map to read (bpftool map create failed)"
			continue
		fi
		if ! dump_target "$t" --map bdtgt_map >/dev/null && refused "$t"; then
			skip "$t: this kernel refuses the iterator: $(head -1 "$TMP/$t.err")"
		else
			dump_target "$t" --map bdtgt_map
		fi
		continue
		;;
	bpf_sk_storage_map | sockmap)
		skip "$t: needs a socket map (tests/vm/sk_maps_vm.sh makes one)"
		continue
		;;
	esac
	dump_target "$t"
done
ls /proc | grep -E '^[0-9]+$' >"$TMP/pids.after"
ss -Htln >"$TMP/ss.after" 2>/dev/null

# ground truth
/usr/bin/python3 "$PYDIR/targets_truth.py" "$TMP" "$SP" "$$" "$(cat "$TMP/port" 2>/dev/null)"

# a socket's state as ss names it, timewait sockets by their own state (FIN-WAIT-2)
/usr/bin/python3 "$PYDIR/targets_finwait.py" "$TMP/fwport" </dev/null >/dev/null 2>&1 &
FP=$!
at_exit "kill $FP 2>/dev/null"
for _ in $(seq 100); do [ -s "$TMP/fwport" ] && break; sleep 0.1; done
fport=$(cat "$TMP/fwport" 2>/dev/null)
if [ -z "$fport" ]; then
	fail "tcp states: the FIN-WAIT-2 helper did not start"
else
	states() { sort | uniq -c | awk '{ print $2, $1 }' | tr '\n' ' '; }
	want=$(ss -Htan "( sport = :$fport or dport = :$fport )" | awk '{ print $1 }' | states)
	got=$("$BPFDUMP" dump tcp -n -r -o 'state=tcpstate(sk_common->skc_state)' \
		-w "lport == $fport || rport == $fport" 2>"$TMP/fw.err" | states)
	expect_eq "tcp: the states of the test's sockets = ss -tan (FIN-WAIT-2 timewait ones too)" \
		"$want" "$got"
	check "tcp: FIN-WAIT-2 among them ($got)" grep -q 'FIN-WAIT-2 3' <<<"$got"
fi
exit 0
