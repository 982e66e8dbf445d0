#!/usr/bin/env bash
# Run the tests that need fentry/fexit and kprobes inside shared/vm (a stock
# Debian kernel under QEMU). When the VM cannot start, say so: "skip vm: ...".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
VM=${VM_RUN:-../shared/vm/run}

if [ "${VM_GUEST:-0}" = 1 ]; then
	for t in tests/vm/*_vm.sh; do bash "$t"; done
	exit 0
fi
if [ ! -x "$VM" ]; then
	echo "skip vm: $VM not found (shared/vm is expected beside the project)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "skip vm: the VM runner needs root"
	exit 0
fi
out=$(mktemp /tmp/bpfdump-vm.XXXXXX)
timeout -k 10 900 "$VM" --timeout 800 -- env BUILD="$BUILD" bash tests/vm/run.sh >"$out" 2>&1
rc=$?
grep -E '^(ok|FAIL|skip) ' "$out"
if [ $rc -eq 125 ] || [ $rc -eq 124 ] || ! grep -qE '^(ok|FAIL|skip) ' "$out"; then
	echo "skip vm: the VM did not run the tests (exit $rc): $(grep -v -E '^(ok|FAIL|skip) ' "$out" | tail -3 | tr '\n' ' ')"
fi
rm -f "$out"
exit 0
