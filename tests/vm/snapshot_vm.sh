#!/usr/bin/env bash
# The snapshot's CO-RE program on another kernel (the VM's stock Debian kernel): the
# host suite runs the variant built for the host kernel, so only here does libbpf
# relocate the program against a kernel it was not compiled for.
source "$(dirname "$0")/../lib.sh"
TEST_NAME=snapshot-vm
/usr/bin/python3 "$PYDIR/snapshot_vm_holder.py" "$TMP/ready" &
P=$!
at_exit "kill $P"
for _ in $(seq 100); do [ -e "$TMP/ready" ] && break; sleep 0.1; done
"$BPFDUMP" -vv snapshot -J "$P" >"$TMP/s.json" 2>"$TMP/s.err"
check "snapshot -J exits 0 ($(grep -v '^libbpf' "$TMP/s.err" | tail -1 | head -c 200))" [ $? -eq 0 ]
check "the CO-RE program ran (another kernel build than the host's)" \
	bash -c "! grep -q 'built for this kernel' '$TMP/s.err'"
check "-v says which way ran ($(grep -o 'snapshot: [a-z-]* iterators' "$TMP/s.err" | head -1))" \
	grep -q 'snapshot: \(open-coded\|classic\) iterators' "$TMP/s.err"
# the classic iterators' programs, CO-RE as well, on this kernel too
BPFDUMP_SNAPSHOT_CLASSIC=1 "$BPFDUMP" -v snapshot -J "$P" >"$TMP/c.json" 2>"$TMP/c.err"
check "classic iterators: snapshot -J exits 0 ($(tail -1 "$TMP/c.err" | head -c 200))" [ $? -eq 0 ]
for doc in s c; do
/usr/bin/python3 "$PYDIR/snapshot_vm_check.py" "$TMP/$doc.json" "$P" "$doc"
done
