#!/usr/bin/env bash
# Socket map iterators (bpf_sk_storage_map, sockmap) in the VM: this project's CI host
# refuses their iterator programs (EPERM before the verifier), the stock kernel does not.
# Ground truth: sockets and map elements a helper made, with their ports from getsockname.
source "$(dirname "$0")/../lib.sh"
TEST_NAME=sk-maps-vm
"$HELPERS/sk_maps_hold" bdvm "$TMP/ids" &
at_exit "kill $!"
for _ in $(seq 50); do [ -s "$TMP/ids" ] && break; sleep 0.1; done
read -r sks skm lport cport aport sk8 <"$TMP/ids" || { fail "sk_maps_hold did not start"; exit 0; }

$BPFDUMP dump bpf_sk_storage_map --map bdvm_sks -J >"$TMP/sks.json" 2>"$TMP/sks.err"
check "dump bpf_sk_storage_map --map NAME exits 0 ($(head -c 200 "$TMP/sks.err"))" [ $? -eq 0 ]
/usr/bin/python3 "$PYDIR/sk_maps_vm_storage.py" "$TMP/sks.json" "$lport" "$cport" "$aport"

$BPFDUMP dump sockmap --map "$skm" -J >"$TMP/skm.json" 2>"$TMP/skm.err"
check "dump sockmap --map ID exits 0 ($(head -c 200 "$TMP/skm.err"))" [ $? -eq 0 ]
/usr/bin/python3 "$PYDIR/sk_maps_vm_sockmap.py" "$TMP/skm.json" "$lport" "$cport" "$aport"
n=$($BPFDUMP dump sockmap --map bdvm_skm -w "sk->__sk_common.skc_num == $cport" -n | wc -l)
expect_eq "sockmap: predicate on the socket, the client's port" 1 "$n"
n=$($BPFDUMP dump sockmap --map bdvm_skm -w "sk->__sk_common.skc_num == $lport" -n | wc -l)
expect_eq "sockmap: predicate on the socket, the listener's port (listener + accepted)" 2 "$n"
bad_input "bpf_sk_storage_map: a map of another type" "cannot walk a map of type sockmap" $BPFDUMP dump bpf_sk_storage_map --map bdvm_skm

# a sockmap of 8-byte values: the iterator and the map syscalls list the same filled slots
it=$($BPFDUMP dump sockmap --map "$sk8" -o key -n | sort | xargs)
sc=$(BPFDUMP_MAP_SYSCALLS=1 $BPFDUMP dump sockmap --map "$sk8" -o key -n | sort | xargs)
expect_eq "sockmap of 8-byte values: the iterator lists the filled slots" "00 00 00 00 01 00 00 00 02 00 00 00" "$it"
expect_eq "sockmap of 8-byte values: the map syscalls list the same slots" "$it" "$sc"
bad_input "bpf_sk_storage_map: the map syscalls cannot walk it (forced)" "cannot walk an sk_storage map" \
	env BPFDUMP_MAP_SYSCALLS=1 $BPFDUMP dump bpf_sk_storage_map --map "$sks"
