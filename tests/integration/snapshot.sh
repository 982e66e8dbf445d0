#!/usr/bin/env bash
# bpfdump snapshot vs what the kernel says another way: /proc/PID/{status,stat,maps,fd,fdinfo,
# cgroup,limits,ns/*,task/*/comm}, ss, and the state tests/helpers/snap_target.c creates.
source "$(dirname "$0")/../lib.sh"

TARGET=$HELPERS/snap_target
if [ "$(id -u)" -ne 0 ]; then
	skip "needs root"
	exit 77
fi
if [ ! -x "$TARGET" ]; then
	fail "helper $TARGET missing (make build/tests/snap_target)"
	exit 1
fi


# start_target DIR [ARGS]: sets TPID
start_target() {
	mkdir -p "$1"
	"$TARGET" "$@" </dev/null >/dev/null 2>"$1/err" &
	TPID=$!
	at_exit "kill $TPID"
	if ! wait_file "$1/ready"; then
		fail "snap_target did not start: $(head -c 300 "$1/err")"
		exit 1
	fi
}

# snap NAME OUT ARGS...: bounded run, one result line
snap() {
	local name=$1 out=$2 rc
	shift 2
	timeout 120 "$BPFDUMP" snapshot "$@" >"$out" 2>"$out.err"
	rc=$?
	if [ $rc -eq 0 ]; then ok "$name"; else fail "$name: exit $rc: $(head -c 300 "$out.err")"; fi
}

start_target "$TMP/t"
P=$TPID

# its own cgroup under the cgroup2 mount
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
CG=""
if [ -n "$CG2" ] && mkdir "$CG2/bpfdump-snap-$$" 2>/dev/null && mkdir "$CG2/bpfdump-snap-$$/inner"; then
	CG="$CG2/bpfdump-snap-$$/inner"
	at_exit "rmdir '$CG2/bpfdump-snap-$$'"
	at_exit "rmdir '$CG'"
	at_exit "echo $P > '$CG2/cgroup.procs'"
	echo "$P" >"$CG/cgroup.procs" || CG=""
fi
[ -n "$CG" ] || skip "cgroup2: no writable cgroup2 mount; the cgroup is the one the target has"

# ground truth first, then the snapshot, then ground truth again (it must not have moved)
truth() {
	local d=$1 f
	mkdir -p "$d"
	for f in status stat maps cgroup limits; do cat "/proc/$P/$f" >"$d/$f"; done
	for f in /proc/$P/fd/*; do echo "$(basename "$f") $(readlink "$f")"; done >"$d/fd"
	for f in /proc/$P/fdinfo/*; do echo "== $(basename "$f")"; cat "$f"; done >"$d/fdinfo"
	for f in /proc/$P/ns/*; do echo "$(basename "$f") $(readlink "$f")"; done >"$d/ns"
	for f in /proc/$P/task/*; do echo "$(basename "$f") $(cat "$f/comm")"; done >"$d/threads"
	ss -tanueH >"$d/ss_inet" 2>/dev/null
	ss -xanH >"$d/ss_unix" 2>/dev/null
}
truth "$TMP/g1"
snap "snapshot -J of the target exits 0" "$TMP/snap.json" -J "$P"
truth "$TMP/g2"
moved=""
for f in status maps fd fdinfo cgroup; do
	# context switch counts move, and SigQ counts the signals queued to all of the
	# user's processes; the rest of what the waiting target has must not
	cmp -s <(grep -v '^\(voluntary_ctxt\|nonvoluntary_ctxt\|SigQ\)' "$TMP/g1/$f") \
		<(grep -v '^\(voluntary_ctxt\|nonvoluntary_ctxt\|SigQ\)' "$TMP/g2/$f") || moved+=" $f"
done
expect_eq "ground truth stable around the snapshot (status, maps, fd, fdinfo, cgroup)" "" "$moved"

# the two programs: built for this kernel (no CO-RE) where the build id matches, and the
# CO-RE one (BPFDUMP_SNAPSHOT_CORE=1) that runs on every other kernel, give the same
timeout 120 "$BPFDUMP" -vv snapshot -o files,sockets,memory,namespaces "$P" >"$TMP/v1" 2>"$TMP/v1.err"
BPFDUMP_SNAPSHOT_CORE=1 timeout 120 "$BPFDUMP" -vv snapshot -o files,sockets,memory,namespaces "$P" \
	>"$TMP/v2" 2>"$TMP/v2.err"
variant=$(grep -c 'built for this kernel' "$TMP/v1.err"; grep -c 'built for this kernel' "$TMP/v2.err")
if [ "$(echo $variant)" == "0 0" ]; then
	skip "the program built for this kernel: not this kernel (another build id), CO-RE only"
else
	expect_eq "the program built for this kernel is used here, the CO-RE one when forced" "1 0" "$(echo $variant)"
fi
check "files, sockets, memory, namespaces: the same from both programs" cmp -s "$TMP/v1" "$TMP/v2"

/usr/bin/python3 "$PYDIR/snapshot_check.py" "$TMP" "$P" "$CG2" "$CG"

# sections, threads, text
snap "-o files,sockets exits 0" "$TMP/fs.json" -J -o files,sockets "$P"
keys=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(k for k in ("task","creds","memory","files","sockets","cgroups","namespaces","limits") if k in d))' "$TMP/fs.json")
expect_eq "-o files,sockets: only those sections" "files sockets" "$keys"
snap "--all-threads exits 0" "$TMP/at.json" -J --all-threads "$P"
out=$(/usr/bin/python3 "$PYDIR/snapshot_threads.py" "$TMP/at.json")
expect_eq "--all-threads: each thread's own task and creds" \
	"snap_worker_a:0 snap_worker_b:0 snap_worker_c:0" "$out"
TID=$(ls /proc/$P/task | sort -n | tail -1)
snap "a thread id exits 0" "$TMP/tid.json" -J "$TID"
out=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["pid"], d["task"]["pid"], len(d["task"]["threads"]))' "$TMP/tid.json")
expect_eq "a thread id: the snapshot of its process, every thread" "$P $P $(ls /proc/$P/task | wc -l)" "$out"
snap "text report exits 0" "$TMP/snap.txt" "$P"
hdr=$(grep '^== ' "$TMP/snap.txt" | tr '\n' ' ')
expect_eq "text report: the sections in order" \
	"== task == == creds == == memory == == files == == sockets == == cgroups == == namespaces == == limits == " "$hdr"
n=$(awk '/^-- files/ { getline; f = 1; next } /^$/ { f = 0 } f' "$TMP/snap.txt" | wc -l)
expect_eq "text report: one files row per fd" "$(wc -l <"$TMP/g1/fd")" "$n"

# a big process: ~20000 fds (as many as the hard RLIMIT_NOFILE allows) and 20000 mappings,
# no loss with the ring sized from the process
nfd=$(($(ulimit -Hn) - 100))
[ "$nfd" -gt 20000 ] && nfd=20000
start_target "$TMP/big" fds "$nfd" vmas 20000
B=$TPID
t0=$(date +%s%N)
snap "snapshot of a process with $nfd extra fds and 20000 extra vmas exits 0" "$TMP/big.json" -J "$B"
t1=$(date +%s%N)
echo "# snapshot of the big process: $(((t1 - t0) / 1000000)) ms" >&2
out=$(/usr/bin/python3 "$PYDIR/snapshot_big.py" "$TMP/big.json" "$B" "$nfd")
expect_eq "big process: 0 lost, every fd and every vma there" "0 True True True" "$out"
timeout 120 "$BPFDUMP" snapshot -J --ring-size 65536 "$B" >"$TMP/small.json" 2>"$TMP/small.err"
rc=$?
lost=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["lost"] > 0, d["complete"])' "$TMP/small.json" 2>&1)
expect_eq "a ring too small: exit 1, lost > 0 in the JSON, not complete" "1 True False" "$rc $lost"
check "a ring too small: stderr says how many records were lost" grep -q "records lost" "$TMP/small.err"

# the ring is sized from /proc/PID/status (fds, threads) plus 512 KiB for mappings: 20000
# mappings and no fds do not fit, so the pass runs again with the size it measured
start_target "$TMP/vm" vmas 20000
V=$TPID
timeout 120 "$BPFDUMP" -v snapshot -J "$V" >"$TMP/vm.json" 2>"$TMP/vm.json.err"
expect_eq "20000 mappings, a ring sized from status: exits 0" 0 $?
check "... the first pass did not fit: it ran again with a bigger ring (-v says so)" \
	grep -q "did not fit .* again with" "$TMP/vm.json.err"
out=$(/usr/bin/python3 "$PYDIR/snapshot_vmas.py" "$TMP/vm.json" "$V")
expect_eq "... and nothing is lost: every vma of /proc/PID/maps" "0 True True" "$out"

# several processes, one loaded program: in order, a gone pid named and skipped
G0=$(sh -c 'echo $$')
timeout 120 "$BPFDUMP" snapshot -J "$P" "$G0" "$V" "$B" >"$TMP/many.json" 2>"$TMP/many.err"
rc=$?
out=$(/usr/bin/python3 "$PYDIR/snapshot_many.py" "$TMP/many.json")
expect_eq "snapshot P GONE V B -J: three documents, one per line, in order, files = /proc/PID/fd" \
	"3 $P $V $B True True" "$out"
expect_eq "... exit 1, one stderr line naming the gone pid" \
	"1 1 process $G0: no such process" "$rc $(wc -l <"$TMP/many.err") $(sed 's/^bpfdump: //' "$TMP/many.err")"
timeout 120 "$BPFDUMP" snapshot -o task,files "$P" "$V" >"$TMP/many.txt" 2>/dev/null
expect_eq "two text reports, one after another: their pid lines" "pid $P|pid $V" \
	"$(awk '$1 == "pid" { print $1, $2 }' "$TMP/many.txt" | paste -sd'|')"
expect_eq "... each under a line naming the process as /proc/PID/comm does" \
	"=== process $P ($(cat /proc/$P/comm)) ===|=== process $V ($(cat /proc/$V/comm)) ===" \
	"$(grep '^=== process' "$TMP/many.txt" | paste -sd'|')"
# a name with control bytes: escaped as dump's tables do, no line forged
/usr/bin/python3 "$PYDIR/snapshot_ctl_name.py" &
CB=$!
at_exit "kill $CB"
for _ in $(seq 50); do [ "$(head -c 1 /proc/$CB/comm)" = a ] && break; sleep 0.1; done
timeout 120 "$BPFDUMP" snapshot -o task "$CB" "$V" >"$TMP/cb.txt" 2>/dev/null
expect_eq "a comm with a newline and an escape: title and comm line as \\xNN" \
	"=== process $CB (a\\x0a1 0 root\\x1b[31m) ===|comm a\\x0a1 0 root\\x1b[31m" \
	"$(sed -n "/^=== process $CB /p; /^comm /{s/  */ /;p;q}" "$TMP/cb.txt" | paste -sd'|')"
check "... and no control byte in the whole report" \
	test "$(tr -d '\n' <"$TMP/cb.txt" | LC_ALL=C grep -c '[[:cntrl:]]')" = 0

# kernel thread, zombie, gone, bad input, no privilege
kt=$(ps -eo pid=,comm= | awk '$2 == "kthreadd" { print $1; exit }')
if [ -n "$kt" ]; then
	snap "kernel thread (kthreadd) exits 0" "$TMP/kt.json" -J "$kt"
	out=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["task"]["kernel_thread"], "memory" in d["absent"], "memory" in d)' "$TMP/kt.json")
	expect_eq "kernel thread: memory absent and said so" "True True False" "$out"
	timeout 60 "$BPFDUMP" snapshot "$kt" 2>/dev/null | grep -q '^absent: .*memory' &&
		ok "kernel thread: the report names the absent sections" ||
		fail "kernel thread: no 'absent:' line in the report"
else
	skip "kernel thread: no kthreadd in this pid namespace"
fi
/usr/bin/python3 "$PYDIR/snapshot_zombie.py" >"$TMP/zpid" &
ZP=$!
at_exit "kill $ZP"
for _ in $(seq 200); do [ -s "$TMP/zpid" ] && break; sleep 0.05; done	# written, not just created
Z=$(cat "$TMP/zpid")
snap "zombie exits 0" "$TMP/z.json" -J "$Z"
out=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["task"]["state"], ",".join(d["absent"]))' "$TMP/z.json")
expect_eq "zombie: state Z, memory/files/sockets/namespaces absent" "Z (zombie) memory,files,sockets,namespaces" "$out"
kill $ZP 2>/dev/null
# (not 'sleep & kill': a subshell killed before its exec would run our EXIT trap)
G=$(sh -c 'echo $$')
bad_input "a pid that exited" "no such process" "$BPFDUMP" snapshot "$G"
bad_input "a pid that never existed" "no such process" "$BPFDUMP" snapshot 2147483646
bad_input "PID not a number" "'abc' is not a positive number" "$BPFDUMP" snapshot abc
bad_input "no PID" "needs a PID" "$BPFDUMP" snapshot
bad_input "unknown section" "section 'bogus': unknown" "$BPFDUMP" snapshot -o files,bogus "$P"
bad_input "ring size not a power of 2" "not a power of 2" "$BPFDUMP" snapshot --ring-size 5000 "$P"
bad_input "as nobody" "needs root" setpriv --reuid=65534 --regid=65534 --clear-groups "$BPFDUMP" snapshot "$P"
# exits while we look: each run is either whole or 'no such process', never a crash or a hang
bad=""
for i in 1 2 3 4 5; do
	S=$(sh -c "sleep 0.0$i >/dev/null & echo \$!")
	timeout 60 "$BPFDUMP" snapshot -J "$S" >"$TMP/race.json" 2>"$TMP/race.err"
	rc=$?
	if [ $rc -eq 0 ]; then
		python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/race.json" || bad="$bad run $i: bad JSON;"
	elif [ $rc -ne 1 ] || ! grep -q "no such process" "$TMP/race.err"; then
		bad="$bad run $i: exit $rc $(head -c 100 "$TMP/race.err");"
	fi
done
expect_eq "a process that exits during the snapshot: whole or 'no such process'" "" "$bad"
