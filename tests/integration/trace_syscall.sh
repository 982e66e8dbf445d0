#!/usr/bin/env bash
# syscall:NAME as one event: the openat() calls of a helper (sc_opens: raw syscalls with
# known flags, on files the test made; it prints each call as it made it, its result
# from the kernel and the error's name from libc) against bpfdump's strace-like lines,
# -J's numbers and symbols, predicates on arguments and 'return' (names of constants
# too), --agg BY return, --latency, and syscall:GLOB seeing the helper's known sequence.
# More than 4 syscalls (syscall:*, a list, a glob) take one raw_syscalls program pair:
# their lines and -J fields are the single syscall's; bpfdump's own calls never show.
# SC_LIST: the SPEC for the sequence check (syscall:* by default; tests/kernels uses a
# short list, as a slow VM loads each syscall's two programs slowly). SC_QUICK=1 (the
# kernels' run, under TCG): not the checks whose code paths others here already take.
source "$(dirname "$0")/../lib.sh"
SC=$HELPERS/sc_opens
[ -x "$SC" ] || { skip "sc_opens not built (make $BUILD/tests/sc_opens)"; exit 0; }
SC_LIST=${SC_LIST:-'syscall:*'}
QUICK=${SC_QUICK:-0}
if ! "$BPFDUMP" info tp:syscalls:sys_enter_openat >/dev/null 2>"$TMP/info.err"; then
	if grep -q '\[confidentiality\]' /sys/kernel/security/lockdown 2>/dev/null; then
		timeout 60 "$BPFDUMP" trace -d 1 'syscall:open*' >/dev/null 2>"$TMP/err"
		rc=$?
		check "lockdown=confidentiality: syscall: refused in one line naming it ($(head -c 200 "$TMP/err"))" \
			sh -c "[ $rc -ne 0 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'lockdown=confidentiality' '$TMP/err'"
		exit 0
	fi
	skip "no syscall tracepoints here: $(head -c 200 "$TMP/info.err")"
	exit 0
fi
D=$TMP/d
mkdir -p "$D"
: >"$D/exists"

# run_sc OUT SPEC... : bpfdump trace SPEC... -- sc_opens D; the helper's truth in OUT.truth
run_sc() {
	local out=$1
	shift
	rm -f "$D/new"
	timeout 120 "$BPFDUMP" trace "$@" -- "$SC" "$D" >"$out" 2>"$out.err"
	echo $? >"$out.rc"
	grep -v '^[a-z_0-9]* [0-9]* [a-z_0-9]*(\|^{' "$out" >"$out.truth"
	grep '^[a-z_0-9]* [0-9]* [a-z_0-9]*(\|^{' "$out" >"$out.ev"
}
pid_of() { awk -F'\t' '$1 == "seq" { print $4 }' "$1.truth"; }

# --- the default line, every argument: exactly the helper's calls --------------------------
run_sc "$TMP/all" 'syscall:openat'
expect_eq "syscall:openat -- CMD exits as the command" 0 "$(cat "$TMP/all.rc")"
P=$(pid_of "$TMP/all")
want=$(awk -F'\t' -v p="$P" '$1 != "seq" {
	printf "sc_opens %s openat(%s, \"%s\", %s%s) = %s\n", p, $1, $2, $3, $3 ~ /O_CREAT/ ? ", " $4 : "", $5 }' "$TMP/all.truth")
expect_eq "syscall:openat: the helper's 7 calls, as strace prints them (dirfd, path, flags, mode with O_CREAT, fd or -ERRNO)" \
	"$want" "$(grep "^sc_opens $P openat(" "$TMP/all.ev" | tail -n 7)"
n=$(grep -c "^sc_opens $P openat(" "$TMP/all.ev")
check "syscall:openat: no event of another process (-- CMD)" \
	[ "$(grep -vc "^sc_opens $P " "$TMP/all.ev")" = 0 ]
check "syscall:openat: the loader's opens before main too ($n events, at least 7)" [ "$n" -ge 7 ]

# --- -J: numbers as the kernel has them, symbols beside -----------------------------------
LAT=
[ "$QUICK" = 1 ] && LAT=--latency	# the --latency -J check below, in this run
run_sc "$TMP/json" -J $LAT 'syscall:openat(dfd, filename, flags, mode, return)'
r=$(/usr/bin/python3 "$PYDIR/trace_syscall_json.py" "$TMP/json.ev" "$TMP/json.truth" 2>&1)
expect_eq "-J: each call's filename, flags, mode, return as numbers; flags, AT_FDCWD, -ERRNO as symbols" ok "$r"

# --- predicates: on 'return', and with names of constants -----------------------------------
run_sc "$TMP/neg" 'syscall:openat(filename, return < 0)'
P=$(pid_of "$TMP/neg")
want=$(awk -F'\t' -v p="$P" '$1 != "seq" && $5 ~ /^-/ { printf "sc_opens %s openat(\"%s\") = %s\n", p, $2, $5 }' "$TMP/neg.truth")
expect_eq "return < 0: only the helper's failed opens, nothing else of it" "$want" "$(cat "$TMP/neg.ev")"

[ "$QUICK" = 1 ] || {
run_sc "$TMP/creat" 'syscall:openat(filename, flags, flags & O_CREAT != 0)'
P=$(pid_of "$TMP/creat")
want=$(awk -F'\t' -v p="$P" '$1 != "seq" && $3 ~ /O_CREAT/ { printf "sc_opens %s openat(\"%s\", %s) = %s\n", p, $2, $3, $5 }' "$TMP/creat.truth")
expect_eq "flags & O_CREAT != 0: the opens with O_CREAT (the name made a number)" "$want" "$(cat "$TMP/creat.ev")"

run_sc "$TMP/eexist" 'syscall:openat(filename, return == -EEXIST)'
P=$(pid_of "$TMP/eexist")
want=$(awk -F'\t' -v p="$P" '$5 == "-EEXIST" { printf "sc_opens %s openat(\"%s\") = %s\n", p, $2, $5 }' "$TMP/eexist.truth")
expect_eq "return == -EEXIST: the one open that found the file made" "$want" "$(cat "$TMP/eexist.ev")"
}

run_sc "$TMP/str" "syscall:openat(flags, filename == \"$D/exists\")"
P=$(pid_of "$TMP/str")
want=$(awk -F'\t' -v p="$P" -v f="$D/exists" '$2 == f { printf "sc_opens %s openat(%s) = %s\n", p, $3, $5 }' "$TMP/str.truth")
expect_eq "filename == \"DIR/exists\": the string compared in the kernel, the one open of that path" \
	"$want" "$(cat "$TMP/str.ev")"

[ "$QUICK" = 1 ] || {
# --- in-kernel counts by the result ----------------------------------------------------------
run_sc "$TMP/agg" -J --agg 'count BY return' 'syscall:openat(dfd != -100)'
want=$(awk -F'\t' '$1 ~ /^[0-9]+$/ { r = $5; if (r == "-ENOENT") r = -2; if (r == "-EEXIST") r = -17; print r ":1" }' "$TMP/agg.truth" | sort | tr '\n' ' ')
got=$(/usr/bin/python3 "$PYDIR/trace_syscall_agg.py" "$TMP/agg.ev" 2>&1)
expect_eq "--agg 'count BY return' (dfd != AT_FDCWD): one per result of the helper's dirfd opens" "$want" "$got"

# --- --latency: the strace -T suffix; with -J latency_ns, > 0 --------------------------------
if [ "$QUICK" != 1 ]; then
	run_sc "$TMP/lat" --latency 'syscall:openat(filename)'
	P=$(pid_of "$TMP/lat")
	bad=$(grep "^sc_opens $P openat(" "$TMP/lat.ev" | grep -vc ' <[0-9]*\.[0-9]\{6\}>$')
	check "--latency: every event ends with its duration <s.us>" [ "$bad" = 0 -a -s "$TMP/lat.ev" ]
fi
run_sc "$TMP/latj" -J --latency 'syscall:openat(filename)'
}
[ "$QUICK" = 1 ] && cp "$TMP/json.ev" "$TMP/latj.ev"
r=$(/usr/bin/python3 "$PYDIR/trace_syscall_latency.py" "$TMP/latj.ev" 2>&1)
expect_eq "--latency -J: every event has latency_ns > 0" ok "$r"

# --- several syscalls: the helper's last three in a row --------------------------------------
run_sc "$TMP/seq" "$SC_LIST"
P=$(pid_of "$TMP/seq")
want=$(awk -F'\t' -v p="$P" '$1 == "seq" { printf "sc_opens %s getppid() = %s\nsc_opens %s close(-1) = %s\nsc_opens %s getpid() = %s\n", p, $2, p, $3, p, $4 }' "$TMP/seq.truth")
got=$(grep "^sc_opens $P " "$TMP/seq.ev" | grep -B1 -A1 "close(-1) = -EBADF" | tail -n 3)
expect_eq "$SC_LIST: getppid, close(-1) = -EBADF, getpid, one after the other with their results" "$want" "$got"
got=$(grep "^sc_opens $P openat(" "$TMP/seq.ev" | tail -n 7 | sed 's/ = .*//' | cut -d' ' -f3-)
want=$(awk -F'\t' '$1 != "seq" { printf "openat(%s, \"%s\", %s%s)\n", $1, $2, $3, $3 ~ /O_CREAT/ ? ", " $4 : "" }' "$TMP/seq.truth")
expect_eq "$SC_LIST: the helper's openat calls among them" "$want" "$got"

# --- aggregate keys in symbols, as the event lines print them --------------------------------
# sc_counts: N1 opens failing with ENOENT, N2 succeeding (each closed: the same fd), N3
# failing with EEXIST, all relative to a directory fd (dfd != -100 leaves the loader's
# opens out); it prints each group's flags and result as names (libc's errno names)
SCC=$HELPERS/sc_counts
if [ "$QUICK" = 1 ]; then
	:	# the kernels' run: key printing is user space, the same on any kernel
elif [ ! -x "$SCC" ]; then
	skip "sc_counts not built (make $BUILD/tests/sc_counts)"
else
read -r N1 N2 N3 <<<"$(shuf -i 2-40 -n 3 | paste -sd' ')"
# run_cnt OUT ARGS...: bpfdump trace ARGS -- sc_counts D N1 N2 N3; the helper's lines in OUT.truth
run_cnt() {
	local out=$1
	shift
	timeout 120 "$BPFDUMP" trace "$@" -- "$SCC" "$D" $N1 $N2 $N3 >"$out" 2>"$out.err"
	echo $? >"$out.rc"
	grep -P '^\d+\t' "$out" >"$out.truth"
	grep -vP '^\d+\t' "$out" >"$out.agg"
}
run_cnt "$TMP/kr" --agg 'count BY return' 'syscall:openat(dfd != -100)'
expect_eq "count BY return: exit 0, the helper's 3 groups" "0 3" "$(cat "$TMP/kr.rc") $(wc -l <"$TMP/kr.truth")"
expect_eq "count BY return: -ENOENT x$N1, the fd x$N2, -EEXIST x$N3, named as the events name them" \
	"$(awk -F'\t' '{ printf "@count[%s]: %s\n", $6, $8 }' "$TMP/kr.truth" | sort)" \
	"$(grep '^@count\[' "$TMP/kr.agg" | sort)"

run_cnt "$TMP/kf" --agg 'count BY flags, return, mode' 'syscall:openat(dfd != -100)'
expect_eq "count BY flags, return, mode: O_RDONLY|O_CLOEXEC, -ENOENT, 0 x$N1 ... (mode in octal)" \
	"$(awk -F'\t' '{ printf "@count[%s, %s, %s]: %s\n", $3, $6, $5, $8 }' "$TMP/kf.truth" | sort)" \
	"$(grep '^@count\[' "$TMP/kf.agg" | sort)"

run_cnt "$TMP/kj" -J --agg 'count BY flags, return, mode, dfd' 'syscall:openat(dfd != -100)'
r=$(/usr/bin/python3 "$PYDIR/trace_syscall_aggsym.py" "$TMP/kj.agg" "$TMP/kj.truth" 2>&1)
expect_eq "-J count BY flags, return, mode, dfd: numbers in \"key\", the names in \"symbolic\" (no name for an fd)" ok "$r"

run_cnt "$TMP/kh" --agg 'hist(return) BY flags' 'syscall:openat(dfd != -100)'
expect_eq "hist(return) BY flags: one histogram per flags, named as the events name them, with its count" \
	"$(awk -F'\t' '{ printf "@hist[%s]: %s\n", $3, $8 }' "$TMP/kh.truth" | sort)" \
	"$(awk '/^@hist\[/ { k = $0; next } /\|.*\|$/ { split($0, a, "|"); n = split(a[1], b, " "); s[k] += b[n] }
		END { for (k in s) print k, s[k] }' "$TMP/kh.agg" | sort)"

run_cnt "$TMP/kt" --top 1 --agg 'count BY return' 'syscall:openat(dfd != -100)'
expect_eq "--top 1 count BY return: only the largest group, named" \
	"$(sort -t"$(printf '\t')" -k8,8n "$TMP/kt.truth" | awk -F'\t' 'END { printf "@count[%s]: %s", $6, $8 }')" \
	"$(grep '^@count\[' "$TMP/kt.agg")"
fi
# --- more than 4 syscalls: one raw_syscalls pair, the same lines -------------------------------
# ground truth: the helper's own openat results and its getppid/close(-1)/getpid sequence
# raw_check NAME RUN: RUN's events are the helper's, as syscall:openat would print them
raw_check() {
	local name=$1 run=$2 p want got
	p=$(pid_of "$run")
	check "$name: one raw_syscalls program pair ($(grep -m1 'raw_syscalls' "$run.err"))" \
		grep -q 'tracing [0-9]* syscalls with raw_syscalls:sys_enter and sys_exit' "$run.err"
	want=$(awk -F'\t' -v p="$p" '$1 != "seq" {
		printf "sc_opens %s openat(%s, \"%s\", %s%s) = %s\n", p, $1, $2, $3, $3 ~ /O_CREAT/ ? ", " $4 : "", $5 }' "$run.truth")
	expect_eq "$name: the helper's 7 openat calls, the same lines as syscall:openat's (results, errno names)" \
		"$want" "$(grep "^sc_opens $p openat(" "$run.ev" | tail -n 7)"
	want=$(awk -F'\t' -v p="$p" '$1 == "seq" { printf "sc_opens %s getppid() = %s\nsc_opens %s close(-1) = %s\nsc_opens %s getpid() = %s\n", p, $2, p, $3, p, $4 }' "$run.truth")
	got=$(grep "^sc_opens $p " "$run.ev" | grep -B1 -A1 "close(-1) = -EBADF" | tail -n 3)
	expect_eq "$name: getppid, close(-1) = -EBADF, getpid in a row, their results the helper's" "$want" "$got"
	check "$name: no event of another process (-- CMD)" \
		[ "$(grep -vc "^sc_opens $p " "$run.ev")" = 0 ]
}
run_sc "$TMP/rawall" 'syscall:*'
raw_check "syscall:*" "$TMP/rawall"
[ "$QUICK" = 1 ] || {
run_sc "$TMP/rawlist" 'syscall:getppid,close,getpid,openat,read'
raw_check "syscall:LIST of 5" "$TMP/rawlist"
run_sc "$TMP/rawglob" 'syscall:get*,close,openat'
raw_check "syscall:GLOB (get*) and names" "$TMP/rawglob"
check "syscall:GLOB: nothing of a syscall it does not name (write, read)" \
	sh -c "! grep -q ' write(\| read(' '$TMP/rawglob.ev'"
}

# -J over the raw pair: the helper's openat numbers and symbols, the keys of syscall:openat's
run_sc "$TMP/rawj" -J 'syscall:*'
grep '"func":"syscall:openat"' "$TMP/rawj.ev" >"$TMP/rawj.open"
r=$(/usr/bin/python3 "$PYDIR/trace_syscall_json.py" "$TMP/rawj.open" "$TMP/rawj.truth" 2>&1)
expect_eq "syscall:* -J: each openat's filename, flags, mode, return as numbers; symbols beside" ok "$r"
run_sc "$TMP/onej" -J 'syscall:openat'
expect_eq "syscall:* -J: an openat event has the keys syscall:openat's has" \
	"$(/usr/bin/python3 "$PYDIR/trace_syscall_keys.py" "$TMP/onej.ev")" \
	"$(/usr/bin/python3 "$PYDIR/trace_syscall_keys.py" "$TMP/rawj.ev")"

# --- never bpfdump's own syscalls (it makes them all the time: bpf(), epoll_wait, write) -----
# (a tracer that sees its own writes never drains its ring: the watchdog ends it)
( exec "$BPFDUMP" trace -d 3 'syscall:*' >"$TMP/self" 2>"$TMP/self.err" ) &
self=$!
( sleep 20; kill "$self" 2>/dev/null ) &
dog=$!
sleep 1
"$SC" "$D" >"$TMP/self.truth"
wait "$self"
kill "$dog" 2>/dev/null
sp=$(awk -F'\t' '$1 == "seq" { print $4 }' "$TMP/self.truth")
check "syscall:* without -- CMD: the helper's calls seen (pid $sp)" grep -q "^sc_opens $sp getppid() = " "$TMP/self"
check "syscall:*: no event of bpfdump itself (pid $self)" \
	sh -c "! grep -q '^[^ ]* $self ' '$TMP/self'"
[ "$QUICK" = 1 ] || {
( exec "$BPFDUMP" trace -d 3 -c 1000 'syscall:epoll_wait,epoll_pwait,epoll_pwait2,write' >"$TMP/self1" 2>&1 ) &
self=$!
wait "$self"
check "syscall:LIST of 4, one pair each: no event of bpfdump itself (pid $self; it polls)" \
	sh -c "! grep -q '^[^ ]* $self ' '$TMP/self1'"
}
