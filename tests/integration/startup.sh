#!/usr/bin/env bash
# What a command's start is made of, checked by counts rather than times: the kernel's
# BTF copied into huge pages (one fault per 2 MiB, not per 4 KiB page), the HTTP
# library left to `serve`, and an aggregating trace's maps allocated as keys come.
source "$(dirname "$0")/../lib.sh"

BTF=/sys/kernel/btf/vmlinux
THP=/sys/kernel/mm/transparent_hugepage/enabled

# minor page faults of one command (GNU time's %R)
faults_of() { /usr/bin/time -f '%R' "$@" 2>&1 >/dev/null | tail -1; }

if [ ! -x /usr/bin/time ]; then
	skip "no /usr/bin/time (scripts/install-deps.sh installs it)"
elif [ ! -r "$BTF" ] || [ ! -r "$THP" ] || grep -q '\[never\]' "$THP"; then
	skip "BTF copy in huge pages: no $BTF or transparent huge pages off"
else
	pages=$(( $(stat -c %s "$BTF") / 4096 ))
	base=$(faults_of "$BPFDUMP" --help)
	f=$(faults_of "$BPFDUMP" targets)
	echo "info $TEST_NAME: minor faults: 'bpfdump targets' $f, 'bpfdump --help' $base; the BTF is $pages pages of 4 KiB"
	check "the BTF copy is in huge pages ($f - $base faults < a quarter of its $pages pages)" \
		test $((f - base)) -lt $((pages / 4))
fi

check "the command is not linked with libmicrohttpd (serve opens it)" \
	sh -c "! readelf -d '$BPFDUMP' | grep -q libmicrohttpd"

# --agg: the aggregation hash is BPF_F_NO_PREALLOC and the ring a few pages
if [ "$(id -u)" != 0 ] || ! command -v bpftool >/dev/null; then
	skip "aggregation maps: needs root and bpftool"
else
	"$BPFDUMP" trace --agg 'count BY comm' tp:raw_syscalls:sys_enter 2>"$TMP/agg.err" >/dev/null &
	T=$!
	at_exit "kill $T"
	for _ in $(seq 300); do grep -q '^bpfdump: tracing' "$TMP/agg.err" && break; sleep 0.1; done
	# the trace's own maps: their ids from its fds, their names from bpftool
	bpftool -j map show >"$TMP/maps.json"
	/usr/bin/python3 "$PYDIR/startup_maps.py" "$TMP/maps.json" "$T" >"$TMP/maps.txt"
	kill -INT $T; wait $T
	echo "info $TEST_NAME: maps of the trace: $(tr '\n' ';' <"$TMP/maps.txt")"
	expect_eq "the aggregation hash allocates as keys come (BPF_F_NO_PREALLOC)" "bpfdump_agg 1" \
		"$(awk '$1 == "bpfdump_agg" { print $1, $2 }' "$TMP/maps.txt")"
	expect_eq "the aggregating trace's ring is 64 KiB" 65536 \
		"$(awk '$1 == "bpfdump_rb" { print $3 }' "$TMP/maps.txt")"
fi
