#!/usr/bin/env bash
# Map elements (dump bpf_map_elem, sockmap, bpf_sk_storage_map) on any kernel: where the
# kernel refuses the map-element iterator (this host), bpfdump reads the map with the map
# syscalls; where it allows it (the VM), both ways must print the same rows
# (BPFDUMP_MAP_SYSCALLS=1 forces the syscalls: batch lookups; =nextkey: one at a time).
# Ground truth: maps the test creates (bpftool map create; tests/bpf/map_elems.bpf.o for
# maps with BTF) and the keys and values it inserts, decoded here with Python's struct;
# then bpftool map dump -j on the same maps.
source "$(dirname "$0")/../lib.sh"
TEST_NAME=map_elems
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
OBJ=$BUILD/tests/map_elems.bpf.o
[ -f "$OBJ" ] || make -s "$OBJ" >/dev/null 2>&1
[ -x "$HELPERS/bpf_hold" ] || make -s "$HELPERS/bpf_hold" >/dev/null 2>&1
[ -x "$HELPERS/sk_maps_hold" ] || make -s "$HELPERS/sk_maps_hold" >/dev/null 2>&1
if [ ! -f "$OBJ" ] || [ ! -x "$HELPERS/bpf_hold" ] || [ ! -x "$HELPERS/sk_maps_hold" ]; then
	fail "needs $OBJ, $HELPERS/bpf_hold and $HELPERS/sk_maps_hold (make $BUILD/tests/...)"
	exit 1
fi
D=/sys/fs/bpf/bdme$$
mkdir -p "$D"
at_exit "rm -rf $D"

probe=$("$HELPERS/bpf_hold" --probe-iter bpf_map_elem 2>/dev/null)
if [ "$probe" = ok ]; then ITER=1; else ITER=0; fi
echo "info $TEST_NAME: the bpf_map_elem iterator here: ${probe:-no answer}"

# maps without BTF (bytes as hex), and the object's maps with BTF
for m in "hash hash 4 8 16" "array array 4 8 4" "pcpu percpu_hash 4 4 16" "lru lru_hash 8 4 16" \
	"big hash 4 8 2048"; do
	set -- $m
	bpftool map create "$D/$1" type "$2" key "$3" value "$4" entries "$5" name "bdme_$1" ||
		{ fail "bpftool map create $2"; exit 1; }
done
bpftool prog loadall "$OBJ" "$D/p" pinmaps "$D/b" 2>"$TMP/load.err" ||
	{ fail "bpftool prog loadall $OBJ: $(head -c 200 "$TMP/load.err")"; exit 1; }

# The elements: written for bpftool batch, and kept as the truth (hex bytes)
$PY "$PYDIR/map_elems_truth.py" "$D" "$TMP/truth.json" "$TMP/batch" || { fail "truth generation"; exit 1; }
bpftool batch file "$TMP/batch" >/dev/null 2>"$TMP/batch.err" ||
	{ fail "bpftool batch (inserting the elements): $(tail -c 300 "$TMP/batch.err")"; exit 1; }

map_id() { bpftool map show pinned "$1" -j | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }

# judge KIND PATH ROWS.json [bpftool.json]: bpfdump's rows against the truth (and bpftool's)
judge() {
	$PY "$PYDIR/map_elems_judge.py" "$@" "$TMP/truth.json"
}

for path in "$D/hash" "$D/array" "$D/pcpu" "$D/lru" "$D/big" "$D/b/bdme_hash" "$D/b/bdme_arr" \
	"$D/b/bdme_pcpu" "$D/b/bdme_lru"; do
	n=${path##*/}
	id=$(map_id "$path")
	timeout 60 "$BPFDUMP" -v dump bpf_map_elem --map "$id" -J >"$TMP/$n.json" 2>"$TMP/$n.err"
	rc=$?
	[ $rc -eq 0 ] || cp "$TMP/$n.err" "$TMP/why"
	check "$n: dump bpf_map_elem --map ID exits 0$( [ $rc -eq 0 ] || echo " ($(head -c 200 "$TMP/why"))")" [ $rc -eq 0 ]
	judge truth "$path" "$TMP/$n.json"
	bpftool map dump id "$id" -j >"$TMP/$n.tool"
	judge tool "$path" "$TMP/$n.json" "$TMP/$n.tool"
	BPFDUMP_MAP_SYSCALLS=1 timeout 60 "$BPFDUMP" dump bpf_map_elem --map "$id" -J 2>&1 | sort >"$TMP/$n.batch"
	BPFDUMP_MAP_SYSCALLS=nextkey timeout 60 "$BPFDUMP" dump bpf_map_elem --map "$id" -J 2>&1 | sort >"$TMP/$n.next"
	check "$n: batch lookups and one-by-one lookups print the same rows" cmp -s "$TMP/$n.batch" "$TMP/$n.next"
	if [ $ITER = 1 ] && ! grep -q "reading it with the map syscalls" "$TMP/$n.err"; then
		sort "$TMP/$n.json" >"$TMP/$n.iter"
		check "$n: the iterator and the map syscalls print the same rows" cmp -s "$TMP/$n.iter" "$TMP/$n.batch"
	else
		# refused by the kernel (or, where a trivial iterator loads, bpfdump's program failed)
		check "$n: -v says the map syscalls read the map ($(grep -m1 -v syscalls "$TMP/$n.err" | head -c 160))" \
			grep -q "reading it with the map syscalls" "$TMP/$n.err"
	fi
done
id=$(map_id "$D/big")
check "big: -v names the batch lookups (2048 slots, 1500 elements: many batches)" \
	sh -c 'BPFDUMP_MAP_SYSCALLS=1 "$1" -v dump bpf_map_elem --map "$2" -n 2>&1 >/dev/null | grep -q "1500 elements read with batch lookups"' sh "$BPFDUMP" "$id"
check "big: BPFDUMP_MAP_SYSCALLS=nextkey names bpf_map_get_next_key" \
	sh -c 'BPFDUMP_MAP_SYSCALLS=nextkey "$1" -v dump bpf_map_elem --map "$2" -n 2>&1 >/dev/null | grep -q "1500 elements read with bpf_map_get_next_key"' sh "$BPFDUMP" "$id"

# the table and -r/-n: the JSON's cells, under the header KEY VALUE
id=$(map_id "$D/b/bdme_hash")
for env in 0 1; do
	BPFDUMP_MAP_SYSCALLS=$env timeout 60 "$BPFDUMP" dump bpf_map_elem --map "$id" >"$TMP/t.out"
	BPFDUMP_MAP_SYSCALLS=$env timeout 60 "$BPFDUMP" dump bpf_map_elem --map "$id" -J >"$TMP/t.json"
	BPFDUMP_MAP_SYSCALLS=$env timeout 60 "$BPFDUMP" dump bpf_map_elem --map "$id" -r -n >"$TMP/t.raw"
	$PY "$PYDIR/map_elems_table.py" "$TMP/t.out" "$TMP/t.json" "$TMP/t.raw" "$env"
done

# a deleted element disappears
bpftool map delete pinned "$D/hash" key 7 0 0 0
id=$(map_id "$D/hash")
got=$(timeout 60 "$BPFDUMP" dump bpf_map_elem --map "$id" -n -o key | sort | xargs)
expect_eq "hash: a deleted element disappears" "01 00 00 00 2c 01 00 00" "$got"

# What the syscalls cannot do: one line each. Where the iterator works, forced.
F=
[ $ITER = 1 ] && F="env BPFDUMP_MAP_SYSCALLS=1"
id=$(map_id "$D/b/bdme_hash")
bad_input "pin of a map target read by syscalls" "a syscall reader has no program to pin" \
	$F "$BPFDUMP" pin bpf_map_elem "$D/pinned" --map "$id"
check "the refused pin left nothing in bpffs" sh -c '! ls "$1" | grep -q pinned' sh "$D"
bad_input "--where with the map syscalls" "cannot evaluate --where" \
	$F "$BPFDUMP" dump bpf_map_elem --map "$id" -w 'map->max_entries > 1'
bad_input "a column of struct bpf_map with the map syscalls" "not column 'entries' (give -o key,value)" \
	$F "$BPFDUMP" dump bpf_map_elem --map "$id" -o 'key,entries=map->max_entries'

"$HELPERS/sk_maps_hold" "bdme$$" "$TMP/skids" &
at_exit "kill $!"
for _ in $(seq 50); do [ -s "$TMP/skids" ] && break; sleep 0.1; done
read -r sks skm _ _ _ sk8 <"$TMP/skids" || { fail "sk_maps_hold did not start"; exit 1; }
bad_input "bpf_sk_storage_map with the map syscalls" "cannot walk an sk_storage map (a lookup needs the socket's fd)" \
	$F "$BPFDUMP" dump bpf_sk_storage_map --map "$sks"
bad_input "sockmap of 4-byte values with the map syscalls" "cannot tell this socket map's filled slots" \
	$F "$BPFDUMP" dump sockmap --map "$skm" -o key
bad_input "sockmap: the socket's columns with the map syscalls" "give -o key" \
	$F "$BPFDUMP" dump sockmap --map "$sk8"
# an 8-byte sockmap: slots 0..2 hold sockets, slot 3 is empty (bpftool: an error entry)
got=$($F timeout 60 "$BPFDUMP" dump sockmap --map "$sk8" -o key -n | sort | xargs)
expect_eq "sockmap of cookies: -o key lists the filled slots" "00 00 00 00 01 00 00 00 02 00 00 00" "$got"
tool=$(bpftool map dump id "$sk8" -j | $PY "$PYDIR/map_elems_sockmap_slots.py")
expect_eq "sockmap of cookies: the slots bpftool reads a cookie from" "$got" "$tool"
if [ $ITER = 1 ]; then
	got2=$(timeout 60 "$BPFDUMP" dump sockmap --map "$sk8" -o key -n | sort | xargs)
	expect_eq "sockmap of cookies: the iterator lists the same slots" "$got" "$got2"
fi
exit 0
