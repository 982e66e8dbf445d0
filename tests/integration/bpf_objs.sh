#!/usr/bin/env bash
# bpf_map, bpf_map_elem, bpf_prog and bpf_link targets vs bpftool, on objects the test creates:
# maps made with bpftool (pinned), and programs, a link and a BTF-typed map held by
# build/tests/bpf_hold.
source "$(dirname "$0")/../lib.sh"

# as lib.sh's, but a multi-line value is shown with \n so the result stays on one line
expect_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else fail "$1: expected '${2//$'\n'/\\n}', got '${3//$'\n'/\\n}'"; fi
}

# dump_ok NAME OUTFILE ARGS...: run bpfdump ARGS (bounded), one result line, stderr shown on failure
dump_ok() {
	local name=$1 out=$2 rc
	shift 2
	timeout 60 "$BPFDUMP" "$@" >"$out" 2>"$TMP/dump.err"
	rc=$?
	if [ $rc -eq 0 ]; then ok "$name"; else fail "$name: exit $rc: $(head -c 300 "$TMP/dump.err")"; fi
}

if ! command -v bpftool >/dev/null; then
	skip "bpftool not installed"
	exit 77
fi
[ -x "$HELPERS/bpf_hold" ] || make -s "$BUILD/tests/bpf_hold" >/dev/null 2>&1
if [ ! -x "$HELPERS/bpf_hold" ]; then
	fail "helper $HELPERS/bpf_hold missing (make $BUILD/tests/bpf_hold)"
	exit 1
fi
if ! grep -q '^[^ ]* /sys/fs/bpf bpf ' /proc/mounts; then
	mount -t bpf bpf /sys/fs/bpf && at_exit "umount /sys/fs/bpf"
fi
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$CG2" ]; then
	fail "no cgroup2 mount in /proc/mounts"
	exit 1
fi

R=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
H=bdt_$R	# hash map, no BTF, BPF_F_NO_PREALLOC
A=bdta_$R	# array map
PH=/sys/fs/bpf/bdt_$R PA=/sys/fs/bpf/bdta_$R
at_exit "rm -f $PH $PA"
bpftool map create "$PH" type hash key 4 value 8 entries 16 name "$H" flags 1 &&
	bpftool map update pinned "$PH" key 1 0 0 0 value 1 2 3 4 5 6 7 8 &&
	bpftool map update pinned "$PH" key 2 0 0 0 value 0xff 0 0 0 0 0 0 0x80 &&
	bpftool map update pinned "$PH" key 4 3 2 1 value 0 0 0 0 0 0 0 0 &&
	bpftool map create "$PA" type array key 4 value 4 entries 4 name "$A" &&
	bpftool map update pinned "$PA" key 2 0 0 0 value 0xaa 0xbb 0xcc 0xdd
rc=$?
check "bpftool created the test maps" [ $rc -eq 0 ]
[ $rc -eq 0 ] || exit 1

mkdir "$CG2/bdt_objs_$R" && at_exit "rmdir $CG2/bdt_objs_$R"
"$HELPERS/bpf_hold" "bdt$R" "$CG2/bdt_objs_$R" "$TMP/ids" </dev/null >/dev/null 2>"$TMP/hold.err" &
HOLD=$!
at_exit "kill $HOLD; wait $HOLD"
if ! wait_file "$TMP/ids"; then
	fail "bpf_hold did not start: $(head -c 300 "$TMP/hold.err")"
	exit 1
fi
read -r SF_ID CG_ID LINK_ID BTF_ID <"$TMP/ids"
HID=$(bpftool map show pinned "$PH" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
AID=$(bpftool map show pinned "$PA" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

for o in map prog link; do bpftool $o show -j >"$TMP/$o.before"; done
dump_ok "dump bpf_map -J exits 0" "$TMP/map.json" dump bpf_map -J
dump_ok "dump bpf_prog -J exits 0" "$TMP/prog.json" dump bpf_prog -J
dump_ok "dump bpf_link -J exits 0" "$TMP/link.json" dump bpf_link -J
for o in map prog link; do bpftool $o show -j >"$TMP/$o.after"; done
check "JSON parses (bpf_map, bpf_prog, bpf_link)" json_valid < <(cat "$TMP/map.json" "$TMP/prog.json" "$TMP/link.json")

/usr/bin/python3 "$PYDIR/bpf_objs_vs_bpftool.py" "$TMP" "$HID" "$AID" "$BTF_ID" "$SF_ID" "$CG_ID" "$LINK_ID" "$R"

# -w compiled into the program
out=$(timeout 60 "$BPFDUMP" dump bpf_map -r -n -o 'id=map->id,name=map->name' -w "map->id == $HID")
expect_eq "bpf_map -w 'map->id == ID'" "$HID $H" "$out"
out=$(timeout 60 "$BPFDUMP" dump bpf_map -r -n -o 'id=map->id' -w "map->name == \"$A\"")
expect_eq "bpf_map -w on the name" "$AID" "$out"
out=$(timeout 60 "$BPFDUMP" dump bpf_prog -r -n -o 'id=prog->aux->id,name=prog->aux->name' -w "prog->aux->id == $CG_ID || prog->aux->id == $SF_ID" | sort -n)
expect_eq "bpf_prog -w on ids" "$(printf '%s\n%s\n' "$SF_ID bdt${R}_sf" "$CG_ID bdt${R}_cg" | sort -n)" "$out"
out=$(timeout 60 "$BPFDUMP" dump bpf_link -r -n -o 'id=link->id' -w "link->prog->aux->id == $CG_ID")
expect_eq "bpf_link -w through link->prog" "$LINK_ID" "$out"
out=$(timeout 60 "$BPFDUMP" dump bpf_link -r -n -o 'pname=link->prog->aux->name' -w 'link->type == BPF_LINK_TYPE_ITER')
nit=$(python3 -c 'import json,sys; print(sum(1 for o in json.load(open(sys.argv[1])) if o.get("type") == "iter"))' "$TMP/link.before")
check "bpf_link -w 'link->type == BPF_LINK_TYPE_ITER': bpfdump's own link (bd_*) plus $nit others ('$out')" \
	[ "$(grep -c '^bd_' <<<"$out")" -ge 1 -a "$(wc -l <<<"$out")" -eq $((nit + 1)) ]

# ---- a user object's map declared LIBBPF_PIN_BY_NAME (tests/bpf/pinned_map.bpf.c) ------------
# libbpf alone pins it as /sys/fs/bpf/bd_pin_probe, or binds to a map pinned there and
# writes into it. bpfdump run/pin must do neither unless --pin-maps DIR asks (then under DIR).
OBJ=$BUILD/tests/pinned_map.bpf.o
[ -e "$OBJ" ] || make -s "$OBJ" >/dev/null 2>&1
if [ ! -e "$OBJ" ]; then
	fail "test object $OBJ missing (make $OBJ)"
else
# the map's name is fixed by the object: one test at a time uses /sys/fs/bpf/bd_pin_probe
exec 9>/run/bpfdump-test-bd_pin_probe.lock
flock 9
BYNAME=/sys/fs/bpf/bd_pin_probe
PM=/sys/fs/bpf/bdpm_$R PM2=/sys/fs/bpf/bdpm2_$R POBJ=/sys/fs/bpf/bdpo_$R
rm -f "$BYNAME"
at_exit "rm -rf $BYNAME $PM $PM2 $POBJ $POBJ@meta"
# map_value PIN: key 0's value as bpftool reads it (its 8 bytes, little-endian), or "none"
map_value() {
	bpftool map dump pinned "$1" -j 2>/dev/null |
		python3 -c 'import json,sys; e=json.load(sys.stdin)[0]; print(int.from_bytes(bytes(int(b, 16) for b in e["value"]), "little"))' 2>/dev/null ||
		echo none
}
count_of() { sed -n 's/^count \([0-9]*\)$/\1/p' "$1"; }

dump_ok "run OBJ with a map pinned by name" "$TMP/pm1.out" run "$OBJ"
n=$(count_of "$TMP/pm1.out")
check "run OBJ: the program counted tasks into its map (count ${n:-none})" [ "${n:-0}" -gt 0 ]
check "run OBJ: nothing left at $BYNAME (ls: $(ls /sys/fs/bpf | grep -c bd_pin_probe) entries)" \
	test ! -e "$BYNAME"

# a map anyone may have pinned under that name, compatible with the object's: 10^9 at key 0
BIG=1000000000
rm -f "$BYNAME"	# what a run left (the check above said so)
bpftool map create "$BYNAME" type array key 4 value 8 entries 1 name bd_pin_probe 2>"$TMP/bt.err" &&
	bpftool map update pinned "$BYNAME" key 0 0 0 0 value 0x00 0xca 0x9a 0x3b 0 0 0 0 2>>"$TMP/bt.err"
check "bpftool pinned a compatible map at $BYNAME holding $BIG" [ "$(map_value "$BYNAME")" = "$BIG" ]
dump_ok "run OBJ with a map pinned at $BYNAME" "$TMP/pm2.out" run "$OBJ"
n=$(count_of "$TMP/pm2.out")
check "run OBJ: its map is its own, not the pinned one (count ${n:-none} < $BIG)" \
	[ -n "$n" ] && [ "${n:-$BIG}" -lt "$BIG" ] && [ "${n:-0}" -gt 0 ]
expect_eq "run OBJ: the map pinned at $BYNAME is unchanged (bpftool map dump)" "$BIG" "$(map_value "$BYNAME")"

rm -f "$POBJ"
dump_ok "pin OBJ PATH with a map pinned at $BYNAME" "$TMP/pm3.out" pin "$OBJ" "$POBJ"
timeout 60 cat "$POBJ" >"$TMP/pm3.cat" 2>&1
n=$(count_of "$TMP/pm3.cat")
check "pin OBJ: reading the pin counts into its own map (count ${n:-none} < $BIG)" \
	[ -n "$n" ] && [ "${n:-$BIG}" -lt "$BIG" ]
expect_eq "pin OBJ: the map pinned at $BYNAME is unchanged after a read" "$BIG" "$(map_value "$BYNAME")"
check "pin OBJ: the pin is the link only, no map pinned beside it or under another name" \
	sh -c '[ "$(ls /sys/fs/bpf | grep -c "bd_pin_probe\|bdpm")" -eq 1 ]'
rm -f "$POBJ"

mkdir -p "$PM"
dump_ok "run OBJ --pin-maps $PM" "$TMP/pm4.out" run "$OBJ" --pin-maps "$PM"
n=$(count_of "$TMP/pm4.out")
check "run --pin-maps: the map stays pinned as $PM/bd_pin_probe" test -e "$PM/bd_pin_probe"
expect_eq "run --pin-maps: the pinned map holds the count the program printed" "${n:-no count}" \
	"$(map_value "$PM/bd_pin_probe")"
expect_eq "run --pin-maps: the map pinned at $BYNAME is unchanged" "$BIG" "$(map_value "$BYNAME")"
dump_ok "run OBJ --pin-maps=$PM again" "$TMP/pm5.out" run "$OBJ" --pin-maps="$PM"
m=$(count_of "$TMP/pm5.out")
check "run --pin-maps again: the pinned map is reused (count ${m:-none} > ${n:-none})" \
	[ -n "$m" ] && [ -n "$n" ] && [ "${m:-0}" -gt "${n:-0}" ]
expect_eq "run --pin-maps again: bpftool reads the new count" "${m:-no count}" "$(map_value "$PM/bd_pin_probe")"

# a map under DIR the object's does not fit: the load fails and pins nothing new
mkdir -p "$PM2"
bpftool map create "$PM2/bd_pin_probe" type array key 4 value 4 entries 1 name bd_pin_probe 2>"$TMP/bt.err"
bad_input "run --pin-maps with an incompatible map pinned there" "cannot load" \
	timeout 60 "$BPFDUMP" run "$OBJ" --pin-maps "$PM2"
expect_eq "run --pin-maps refused: $PM2 holds only the map it had" "bd_pin_probe" "$(ls "$PM2" | xargs)"
bad_input "run --pin-maps outside bpffs" "not in bpffs" timeout 60 "$BPFDUMP" run "$OBJ" --pin-maps "$TMP"
check "no pin of the object's map left at $BYNAME but bpftool's" \
	[ "$(map_value "$BYNAME")" = "$BIG" ]
exec 9>&-
fi

# map elements: through the iterator, or (where this kernel refuses every bpf_map_elem
# iterator program) through the map syscalls; the same rows either way (map_elems.sh)
# bpftool's bytes as bpfdump prints them without BTF: "01 00 00 00"
bytes() { /usr/bin/python3 "$PYDIR/bpf_objs_tool_bytes.py" | sort; }
elems() { /usr/bin/python3 "$PYDIR/bpf_objs_dump_elems.py" | sort; }
truth=$(bpftool map dump pinned "$PH" -j | bytes)
got=$(timeout 60 "$BPFDUMP" dump bpf_map_elem --map "$H" -J | elems)
expect_eq "bpf_map_elem --map NAME: the inserted keys/values" "$truth" "$got"
got=$(timeout 60 "$BPFDUMP" dump bpf_map_elem --map "$HID" -J | elems)
expect_eq "bpf_map_elem --map ID: same rows" "$truth" "$got"
truth=$(bpftool map dump pinned "$PA" -j | bytes)
got=$(timeout 60 "$BPFDUMP" dump bpf_map_elem --map "$AID" -J | elems)
expect_eq "bpf_map_elem array map lists every index" "$truth" "$got"
timeout 60 "$BPFDUMP" dump bpf_map_elem --map "$BTF_ID" -J >"$TMP/btf.json" 2>"$TMP/btf.err"
bpftool map dump id "$BTF_ID" -j >"$TMP/btf.tool"
/usr/bin/python3 "$PYDIR/bpf_objs_btf_elems.py" "$TMP/btf.json" "$TMP/btf.tool"
bpftool map delete pinned "$PH" key 2 0 0 0
truth=$(bpftool map dump pinned "$PH" -j | bytes)
got=$(timeout 60 "$BPFDUMP" dump bpf_map_elem --map "$H" -J | elems)
expect_eq "bpf_map_elem deleted element disappears" "$truth" "$got"


# Only a path is a file: in a directory holding a BPF object named "tcp", "pin tcp" pins
# the tcp target and "pin ./tcp" the object (user_iter.bpf.o: SEC("iter/task_file")).
mkdir -p "$TMP/shadow" && cp "$BUILD/tests/user_iter.bpf.o" "$TMP/shadow/tcp"
SH=/sys/fs/bpf/bdt_sh_$R
at_exit "'$BPFDUMP' rm ${SH}_word; rm -f ${SH}_path ${SH}_path@meta"
(cd "$TMP/shadow" && timeout 60 "$BPFDUMP" pin tcp "${SH}_word" && timeout 60 "$BPFDUMP" pin ./tcp "${SH}_path") \
	2>"$TMP/shadow.err"
expect_eq "pin tcp beside a file named tcp pins the tcp target" "tcp" \
	"$(bpftool link show pinned "${SH}_word" -j 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("target_name"))' 2>/dev/null)"
expect_eq "pin ./tcp pins the object file (its target task_file)" "task_file" \
	"$(bpftool link show pinned "${SH}_path" -j 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("target_name"))' 2>/dev/null)"
