#!/usr/bin/env bash
# Run every test: unit binaries, integration scripts, fuzz smoke; count the result lines.
# Checks the global BPF prog/map/link counts around each integration test (no leaks).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
pass=0 failn=0 skipn=0
log=$(mktemp /tmp/bpfdump-results.XXXXXX)

count_lines() {
	local p f s
	p=$(grep -c '^ok ' "$1"); f=$(grep -c '^FAIL ' "$1"); s=$(grep -c '^skip ' "$1")
	pass=$((pass + p)); failn=$((failn + f)); skipn=$((skipn + s))
}

run_one() { # NAME TIMEOUT CMD...
	local name=$1 to=$2 out rc
	shift 2
	out=$(mktemp /tmp/bpfdump-out.XXXXXX)
	timeout -k 10 "$to" "$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "FAIL $name: timed out after ${to}s" | tee -a "$out"
	elif [ $rc -ne 0 ] && [ $rc -ne 77 ] && ! grep -q '^FAIL ' "$out"; then
		echo "FAIL $name: exit $rc without a FAIL line" | tee -a "$out"
	fi
	# 77: the whole test skipped (automake's convention); its skip line says why
	if ! grep -qE '^(ok|FAIL|skip) ' "$out"; then
		if [ $rc -eq 77 ]; then
			echo "skip $name: exit 77 without a reason" | tee -a "$out"
		else
			echo "FAIL $name: printed no result" | tee -a "$out"
		fi
	fi
	count_lines "$out"
	cat "$out" >>"$log"
	rm -f "$out"
}

for t in "$BUILD"/tests/*_test; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" 300 "$t"
done

ids=$BUILD/tests/bpf_ids
for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	before=$($ids)
	# building for other kernels compiles the tree twice more; load.sh runs every
	# command a thousand times
	to=600
	case $(basename "$t") in build_kernels.sh | load.sh) to=1500 ;; esac
	run_one "$(basename "$t" .sh)" $to bash "$t"
	sleep 0.2	# links are freed after the last fd closes, asynchronously
	after=$($ids)
	[ "$before" != "$after" ] && { sleep 1; after=$($ids); }
	# a leak is more objects after than before (others may free theirs meanwhile)
	read -r bp bm bl <<<"$before"; read -r ap am al <<<"$after"
	if [ "$ap" -le "$bp" ] && [ "$am" -le "$bm" ] && [ "$al" -le "$bl" ]; then
		echo "ok leaks $(basename "$t" .sh): progs/maps/links $after"; pass=$((pass + 1))
	else
		echo "FAIL leaks $(basename "$t" .sh): progs/maps/links before '$before' after '$after'"
		failn=$((failn + 1))
	fi
done

run_one bench-smoke 300 make -s bench-smoke BUILD="$BUILD"

if [ -z "${NO_FUZZ:-}" ]; then
	run_one fuzz "$(( ${FUZZ_SECONDS:-20} * 4 + 300 ))" env FUZZ_SECONDS="${FUZZ_SECONDS:-20}" fuzz/run.sh
fi

if [ -z "${NO_VM:-}" ] && [ -d tests/vm ]; then
	run_one vm 1200 tests/vm/run.sh
	run_one kernels 3000 tests/kernels/run.sh
fi

rm -f "$log"
echo
echo "$pass passed, $failn failed, $skipn skipped"
[ $failn -eq 0 ]
