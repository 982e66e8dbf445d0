#!/usr/bin/env bash
# Map iterators (bpf_map_elem) in the VM: this project's CI host refuses every
# map-element iterator program (EPERM before the verifier), the stock kernel does not.
# There, bpfdump reads maps with the map syscalls; here both ways must print the same
# rows (BPFDUMP_MAP_SYSCALLS=1 forces the syscalls: batch; =nextkey: one at a time).
source "$(dirname "$0")/../lib.sh"
TEST_NAME=maps-vm
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
M=/sys/fs/bpf/bdvm_hash
bpftool map create $M type hash key 4 value 8 entries 16 name bdvm_hash || { fail "bpftool map create"; exit 0; }
at_exit "rm -f $M"
for k in 1 2 3; do
	bpftool map update pinned $M key $k 0 0 0 value $((k * 10)) 0 0 0 0 0 0 $k
done
$BPFDUMP dump bpf_map_elem --map bdvm_hash -J >"$TMP/e.json" 2>"$TMP/e.err"
check "dump bpf_map_elem --map NAME exits 0 ($(head -c 200 "$TMP/e.err"))" [ $? -eq 0 ]
/usr/bin/python3 "$PYDIR/maps_vm_elems.py" "$TMP/e.json"
id=$(bpftool map show pinned $M -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
n=$($BPFDUMP dump bpf_map_elem --map "$id" -n | wc -l)
expect_eq "bpf_map_elem --map ID" 3 "$n"
bad_input "bpf_map_elem: a map that does not exist" "no map with this name" $BPFDUMP dump bpf_map_elem --map nosuchmap_vm

# the iterator and the map syscalls: the same rows, in the table and in JSON
for fmt in -J -n; do
	$BPFDUMP dump bpf_map_elem --map bdvm_hash $fmt 2>&1 | sort >"$TMP/it"
	BPFDUMP_MAP_SYSCALLS=1 $BPFDUMP dump bpf_map_elem --map bdvm_hash $fmt 2>&1 | sort >"$TMP/sc"
	BPFDUMP_MAP_SYSCALLS=nextkey $BPFDUMP dump bpf_map_elem --map bdvm_hash $fmt 2>&1 | sort >"$TMP/nk"
	check "bpf_map_elem $fmt: the iterator and batch lookups print the same 3 rows" \
		sh -c '[ "$(wc -l <"$1")" -eq 3 ] && cmp -s "$1" "$2"' sh "$TMP/it" "$TMP/sc"
	check "bpf_map_elem $fmt: the iterator and get_next_key lookups print the same rows" cmp -s "$TMP/it" "$TMP/nk"
done
check "the iterator ran where the kernel has it (-v names no syscalls)" \
	sh -c '! "$1" -v dump bpf_map_elem --map bdvm_hash 2>&1 >/dev/null | grep -q "map syscalls"' sh "$BPFDUMP"
check "BPFDUMP_MAP_SYSCALLS=1: -v says the map syscalls ran" \
	sh -c 'BPFDUMP_MAP_SYSCALLS=1 "$1" -v dump bpf_map_elem --map bdvm_hash 2>&1 >/dev/null | grep -q "read with batch lookups"' sh "$BPFDUMP"
# the portable test (maps with BTF, per-CPU, LRU, big; both ways compared) on this kernel
bash "$(dirname "$0")/../integration/map_elems.sh"
