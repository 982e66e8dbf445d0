#!/usr/bin/env bash
# Bad input: runs the matrix tests/bad_input.tsv (each row: the exit code, exactly one line
# on stderr naming the problem, never a crash or a hang), then the checks a row cannot say.
source "$(dirname "$0")/../lib.sh"

TABLE=$(dirname "$0")/../bad_input.tsv
B="timeout 60 $BPFDUMP"
NOBODY="timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups"

# ---- fixtures the rows name -------------------------------------------------------------------
PIN=/sys/fs/bpf/bdbad-$$
RO=$TMP/ro-bpffs
CONF=$TMP/views.conf
MNT=$TMP/mnt
mkdir -p "$TMP/full" "$TMP/m2" "$MNT" "$RO" && touch "$TMP/full/x"
: >"$TMP/empty.btf"
head -c 4096 /etc/services >"$TMP/text.btf" 2>/dev/null || printf 'not btf at all\n%.0s' $(seq 100) >"$TMP/text.btf"
head -c 300 "$BUILD/tests/user_iter.bpf.o" >"$TMP/truncated.bpf.o"
echo '[bad' >"$TMP/bad.conf"
# a library by libmicrohttpd's soname that has none of its functions
mkdir "$TMP/fakemhd"
echo 'int mhd_nothing;' | cc -shared -fPIC -x c - -o "$TMP/fakemhd/libmicrohttpd.so.12" \
	-Wl,-soname,libmicrohttpd.so.12

sh -c 'exit 0' &
EXITED=$!
wait $EXITED
sleep 300 &
LIVE=$!
at_exit "kill $LIVE"
# the child exits at once; its parent (now sleep) never reaps it
(sleep 0.05 & exec sleep 300) &
ZPARENT=$!
at_exit "kill $ZPARENT"
ZOMBIE=
for _ in $(seq 50); do
	ZOMBIE=$(pgrep -P $ZPARENT)
	[ -n "$ZOMBIE" ] && grep -q '^State:.Z' /proc/$ZOMBIE/status 2>/dev/null && break
	sleep 0.1
done
unshare --pid --fork --kill-child sleep 300 &
UNS=$!
disown $UNS
at_exit "kill -9 $UNS"
for _ in $(seq 50); do
	PNS_PID=$(pgrep -P $UNS)
	[ -n "$PNS_PID" ] && break
	sleep 0.1
done
PNS=/proc/$PNS_PID/ns/pid

"$HELPERS/sk_maps_hold" bdbad "$TMP/skids" &
at_exit "kill $!"
for _ in $(seq 50); do [ -s "$TMP/skids" ] && break; sleep 0.1; done

mkdir -p "$PIN"
at_exit "rm -rf $PIN"
$BPFDUMP pin tcp "$PIN/exists"
# pins whose twins root must not trust, and an interrupted pin's leftovers
$BPFDUMP pin tcp "$PIN/interrupted" && rm -f "$PIN/interrupted"
$BPFDUMP pin tcp "$PIN/untrusted" && chmod 0644 "$PIN/untrusted@meta"
$BPFDUMP pin tcp "$PIN/bigmeta" && rm -f "$PIN/bigmeta@meta" &&
	bpftool map create "$PIN/bigmeta@meta" type array key 4 value 65536 entries 1 name bpfdump_meta
bpftool iter pin "$BUILD/tests/floor_task_file.bpf.o" "$PIN/foreign"
mount -t bpf -o ro bpf "$RO"
at_exit "umount $RO"

$BPFDUMP view add open 'pid=task->tgid,comm=task->comm' --target task --config "$CONF"
$BPFDUMP view mount "$MNT" --config "$CONF"
at_exit "umount $MNT"

have_nobody() { id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; }
kprobes_missing() {
	$BPFDUMP --version 2>/dev/null | grep -q '^  fentry: no' &&
		$BPFDUMP --version 2>/dev/null | grep -q '^  kprobes: no'
}

# ---- the matrix ----------------------------------------------------------------------------------
# run_row NAME EXIT MESSAGE COMMAND
run_row() {
	local name=$1 want_rc=$2 msg=$3 cmd=$4 rc
	eval "$cmd" >"$TMP/bad.out" 2>"$TMP/bad.err" </dev/null
	rc=$?
	if [ "$rc" -ne "$want_rc" ]; then
		fail "$name: exit $rc, not $want_rc: $(head -c 300 "$TMP/bad.err" | tr '\n' ' ')"
	elif [ "$want_rc" -ne 0 ]; then
		judge_message "$name" "$msg"
	elif grep -qF -- "$msg" "$TMP/bad.out"; then
		ok "$name"
	else
		fail "$name: the output lacks '$msg'"
	fi
}

rows=0
while IFS=$'\t' read -r name want_rc needs msg cmd; do
	case $name in '#'* | '') continue ;; esac
	rows=$((rows + 1))
	# the table's $VARS are the fixtures above, expanded here (a message may name one)
	msg=$(eval "echo \"$msg\"")
	case $needs in
	-) ;;
	nobody) have_nobody || { skip "$name: no user nobody or no setpriv"; continue; } ;;
	kprobes-missing) kprobes_missing || { skip "$name: this kernel has fentry or kprobes"; continue; } ;;
	*) fail "$name: unknown NEEDS '$needs' in $TABLE"; continue ;;
	esac
	run_row "$name" "$want_rc" "$msg" "$cmd"
done <"$TABLE"
check "the matrix has its rows ($rows)" [ "$rows" -ge 90 ]

# ---- what a row cannot say ---------------------------------------------------------------------
run_row "unknown target (again, for its message)" 1 "targets: " "$B dump nosuchtarget"
targets=$($B targets)
missing=$(for t in $targets; do grep -qw -- "$t" "$TMP/bad.err" || echo "$t"; done | tr '\n' ' ')
[ -n "$targets" ] || missing="(bpfdump targets printed nothing)"
expect_eq "unknown target: every target of 'bpfdump targets' ($(wc -w <<<"$targets")) is in the message" "" "$missing"

run_row "--btf garbage (again, for its message)" 1 "cannot parse" "$B --btf $TMP/text.btf dump task"
check "--btf garbage: the message has no raw libbpf error number ($(cat "$TMP/bad.err"))" \
	sh -c 'grep -q . "$1" && ! grep -q "Unknown error" "$1"' sh "$TMP/bad.err"

check "failed pins left nothing: no $PIN/half, no $TMP/not-bpffs, no x or x@meta in the read-only bpffs" \
	sh -c '[ ! -e "$1/half" ] && [ ! -e "$2/not-bpffs" ] && [ -z "$(ls "$3" | grep "^x")" ]' sh "$PIN" "$TMP" "$RO"
check "refused view adds left the config as it was (one view)" \
	test "$($BPFDUMP view list --config "$CONF" 2>/dev/null | grep -c '^open\b')" -eq 1
check "the refused second daemon left the first one serving" grep -q . "$MNT/task/_default"
check "refused mounts left no mount" sh -c '! mountpoint -q "$1" && ! mountpoint -q "$2"' sh "$TMP/m2" "$TMP/full"
