#!/usr/bin/env bash
# make check-asan: the unit tests and the main integration tests against binaries built
# with -fsanitize=address,undefined (BUILD=build-asan). Every sanitizer report goes to a
# file of its own (log_path), so a report fails the run even when the test only looked
# at the exit code, and does not disturb the tests that count stderr lines.
# Environment: BUILD (build-asan), ASAN_TESTS (integration scripts, without .sh).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-asan}
export BUILD
# The integration subset: the paths through parse, plan, codegen, load, read, decode,
# pin/cat, user objects, tracing, snapshots, the fault matrix, the generated-code property
# test and the attacks an unprivileged user can make on what is shared.
ASAN_TESTS=${ASAN_TESTS:-bad_input task task_file sockets pin bpf_objs faults trace property snapshot snapshot_keep pin_trust view_access output_safety ns_files}
reports=$(mktemp -d /tmp/bpfdump-asan.XXXXXX)
# exitcode 86: a sanitizer's exit cannot pass for a test's expected exit 1
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=0:exitcode=86:log_path=$reports/report"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86:log_path=$reports/report"
export LSAN_OPTIONS="exitcode=86"
pass=0 failn=0 skipn=0

run_one() { # NAME TIMEOUT CMD...
	local name=$1 to=$2 out rc r
	shift 2
	out=$(mktemp /tmp/bpfdump-asan-out.XXXXXX)
	timeout -k 10 "$to" "$@" >"$out" 2>&1
	rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "FAIL $name: timed out after ${to}s" >>"$out"
	elif [ $rc -ne 0 ] && [ $rc -ne 77 ] && ! grep -q '^FAIL ' "$out"; then
		echo "FAIL $name: exit $rc without a FAIL line" >>"$out"
	fi
	for r in "$reports"/report.*; do
		[ -e "$r" ] || continue
		echo "FAIL asan $name: $(grep -m1 -E 'ERROR|runtime error' "$r" | sed 's/^=*[0-9=]*//')" \
			>>"$out"
		sed 's/^/# /' "$r" | head -n 40 >>"$out"
		mv "$r" "$reports/seen.$name.${r##*.}"
	done
	grep -qE '^(ok|FAIL|skip) ' "$out" || echo "FAIL $name: printed no result" >>"$out"
	grep -E '^(ok|FAIL|skip|#) ' "$out"
	pass=$((pass + $(grep -c '^ok ' "$out")))
	failn=$((failn + $(grep -c '^FAIL ' "$out")))
	skipn=$((skipn + $(grep -c '^skip ' "$out")))
	rm -f "$out"
}

for t in "$BUILD"/tests/*_test; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" 300 "$t"
done
for n in $ASAN_TESTS; do
	[ -f "tests/integration/$n.sh" ] || continue
	run_one "$n" 600 bash "tests/integration/$n.sh"
done

echo
echo "asan: $pass passed, $failn failed, $skipn skipped$([ $failn -eq 0 ] || echo " (reports in $reports)")"
[ $failn -eq 0 ] && rm -rf "$reports"
[ $failn -eq 0 ]
