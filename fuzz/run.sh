#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Build every fuzz/<name>_fuzz.c harness with libFuzzer, ASan and UBSan, and
# run each for FUZZ_SECONDS on a copy of fuzz/corpus/<name>/ (the repository's
# corpus is never modified). A harness names its extra sources and libraries
# near its top:
#	// FUZZ_SRCS: src/lib/query.c ...
#	// FUZZ_LIBS: -lbpf -lelf -lz
# Prints "ok fuzz <name>: N execs, cov C" or "FAIL fuzz <name>: ..." per harness
# and exits 1 if any failed.
#
# Environment: BUILD (default build), FUZZ_SECONDS (default 30), CLANG.
set -u

cd "$(dirname "$0")/.." || exit 2

BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
CLANG=${CLANG:-clang}
CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
-fno-sanitize-recover=all -DBPFDUMP_VERSION=\"fuzz\" -Iinclude -Isrc/lib -Isrc/bpf"
OUT=$BUILD/fuzz

if ! [[ $FUZZ_SECONDS =~ ^[0-9]+$ ]]; then
	echo "FUZZ_SECONDS must be a number of seconds, not '$FUZZ_SECONDS'" >&2
	exit 2
fi

# The value of a "// KEY: ..." line among the first 20 lines of a file.
header_value() {
	head -n 20 "$1" | sed -n "s|^// $2:[[:space:]]*||p" | head -n 1
}

# run_one HARNESS: build and run one harness; returns 1 on failure.
run_one() {
	local src=$1 name srcs libs bin log corpus artifacts rc execs cov crash

	name=$(basename "$src" _fuzz.c)
	srcs=$(header_value "$src" FUZZ_SRCS)
	libs=$(header_value "$src" FUZZ_LIBS)
	bin=$OUT/${name}_fuzz
	log=$OUT/$name.log
	corpus=$OUT/corpus/$name
	artifacts=$OUT/artifacts/$name

	# shellcheck disable=SC2086 # word splitting of flags and source lists is intended
	if ! $CLANG $CFLAGS -o "$bin" "$src" $srcs $libs >"$log" 2>&1; then
		echo "FAIL fuzz $name: build failed (see $log)"
		return 1
	fi

	rm -rf "$corpus" "$artifacts"
	mkdir -p "$corpus" "$artifacts"
	if [ -d "fuzz/corpus/$name" ]; then
		cp -r "fuzz/corpus/$name/." "$corpus/"
	fi

	timeout -k 10 $((FUZZ_SECONDS + 60)) "$bin" -max_total_time="$FUZZ_SECONDS" \
		-print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >>"$log" 2>&1
	rc=$?

	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "FAIL fuzz $name: hung past $((FUZZ_SECONDS + 60)) s (see $log)"
		return 1
	fi
	if [ "$rc" -ne 0 ]; then
		crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		echo "FAIL fuzz $name: crash (see ${crash:-$log})"
		return 1
	fi

	execs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	echo "ok fuzz $name: ${execs:-?} execs, cov ${cov:-?}"
	return 0
}

mkdir -p "$OUT"
failed=0
found=0
for src in fuzz/*_fuzz.c; do
	[ -e "$src" ] || continue
	found=1
	run_one "$src" || failed=1
done

if [ "$found" -eq 0 ]; then
	echo "FAIL fuzz: no fuzz/*_fuzz.c harness found"
	exit 1
fi
exit "$failed"
