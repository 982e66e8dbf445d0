#!/usr/bin/env bash
# ksym, kmem_cache, netlink, ipv6_route, cgroup and dmabuf targets vs what /proc and /sys say.
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

# ---- ksym vs /proc/kallsyms
cp /proc/kallsyms "$TMP/kallsyms.a"
dump_ok "dump ksym -J exits 0" "$TMP/ksym.json" dump ksym -J
cp /proc/kallsyms "$TMP/kallsyms.b"
/usr/bin/python3 "$PYDIR/kernel_lists_ksym.py" "$TMP"
sym=$(awk '$2 == "T" && $3 == "vfs_read" { print $1; exit }' /proc/kallsyms)
out=$(timeout 60 "$BPFDUMP" dump ksym -r -n -o 'addr=hex(ksym->value),name=ksym->name' -w 'ksym->name == "vfs_read"')
expect_eq "ksym -w on the name finds vfs_read at its kallsyms address" "0x$sym vfs_read" "$out"

# ---- kmem_cache vs /proc/slabinfo and /sys/kernel/slab
tail -n +3 /proc/slabinfo | awk '{ print $1, $4 }' | sort >"$TMP/slab.a"
dump_ok "dump kmem_cache -J exits 0" "$TMP/kmem.json" dump kmem_cache -J
tail -n +3 /proc/slabinfo | awk '{ print $1, $4 }' | sort >"$TMP/slab.b"
/usr/bin/python3 "$PYDIR/kernel_lists_kmem.py" "$TMP"
out=$(timeout 60 "$BPFDUMP" dump kmem_cache -r -n -o 'name=s->name,os=s->object_size' -w 's->name == "kmalloc-64"')
expect_eq "kmem_cache -w on the name" "kmalloc-64 $(cat /sys/kernel/slab/kmalloc-64/object_size)" "$out"

# ---- netlink vs /proc/net/netlink, on sockets a helper opens: two NETLINK_USERSOCK sockets,
# the second connected to the first and having sent it 100 bytes (rmem), and a NETLINK_GENERIC one
cp "$PYDIR/kernel_lists_nl.py" "$TMP/nl.py"
python3 "$TMP/nl.py" "$TMP/nl.ids" </dev/null >/dev/null 2>&1 &
NLP=$!
at_exit "kill $NLP"
if wait_file "$TMP/nl.ids"; then
	cp /proc/net/netlink "$TMP/nl.a"
	dump_ok "dump netlink -J exits 0" "$TMP/nl.json" dump netlink -J
	cp /proc/net/netlink "$TMP/nl.b"
	/usr/bin/python3 "$PYDIR/kernel_lists_netlink.py" "$TMP"
	a=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0])' "$TMP/nl.ids")
	n=$(timeout 60 "$BPFDUMP" dump netlink -r -n -o 'p=sk->sk.sk_protocol' -w "sk->dst_portid == $a" | wc -l)
	expect_eq "netlink -w 'sk->dst_portid == PORTID' finds the connected socket" 1 "$n"
else
	fail "netlink helper did not start"
fi

# ---- ipv6_route: the host's table, and a private network namespace with routes the test adds
cp /proc/net/ipv6_route "$TMP/r6.host.a"
dump_ok "dump ipv6_route -J exits 0" "$TMP/r6.host.json" dump ipv6_route -J
cp /proc/net/ipv6_route "$TMP/r6.host.b"
M1=$((RANDOM % 1000 + 10)) M2=$((RANDOM % 1000 + 2000)) SUB=$(printf '%x' $((RANDOM % 65000 + 1)))
cat >"$TMP/netns.sh" <<EOF
set -e
ip link set lo up
ip link add bdt0 type veth peer name bdt1
ip link set bdt0 up; ip link set bdt1 up
ip -6 addr add 2001:db8:ff::1/64 dev bdt0 nodad
ip -6 route add 2001:db8:$SUB::/48 via 2001:db8:ff::2 dev bdt0 metric $M1
ip -6 route add 2001:db8:$SUB:1::5/128 dev bdt1 metric $M2
ip -6 route add 2001:db8:$SUB:2::/64 dev bdt0 table 100
cat /proc/net/ipv6_route >"$TMP/r6.ns"
"$BPFDUMP" dump ipv6_route -J >"$TMP/r6.ns.json"
EOF
# the namespace, its veth pair and routes vanish when unshare's shell exits
if timeout 60 unshare -n bash "$TMP/netns.sh" 2>"$TMP/netns.err"; then ns=1; else ns=0; fi
check "netns with veth and routes set up, bpfdump ran inside ($(head -c 200 "$TMP/netns.err"))" [ $ns -eq 1 ]
/usr/bin/python3 "$PYDIR/kernel_lists_netns.py" "$TMP" "$SUB" "$M1" "$M2"

# ---- cgroup: a subtree the test makes under the cgroup2 mount
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$CG2" ]; then
	fail "cgroup: no cgroup2 mount in /proc/mounts"
	exit 0
fi
# level of the mount's root: its depth in the hierarchy (mountinfo field 4)
ROOTLV=$(awk -v m="$CG2" '$5 == m { r = $4; gsub("[^/]", "", r); print (r == "/" ? 0 : length(r)); exit }' /proc/self/mountinfo)
T=bdt_cg_$$
D=$CG2/$T
at_exit "rmdir $D/a/b/c $D/a/b $D/a/e $D/a $D/f $D"
mkdir -p "$D/a/b/c" "$D/a/e" "$D/f"
ino() { stat -c %i "$1"; }
lv() { local r=${1#"$CG2"} s; s=${r//[^\/]/}; echo $((ROOTLV + ${#s})); }
row() { echo "$(ino "$1") $(lv "$1") $(basename "$1")"; }
find "$CG2" -type d >"$TMP/cgdirs" 2>/dev/null
dump_ok "dump cgroup -J exits 0" "$TMP/cg.json" dump cgroup -J
check "JSON parses (cgroup)" json_valid <"$TMP/cg.json"
out=$(timeout 60 "$BPFDUMP" dump cgroup --cgroup "$D" --order self -r -n)
expect_eq "--order self: exactly the one cgroup, id = inode, level, name" "$(row "$D")" "$out"
exp=$(for p in "$D" "$D/a" "$D/a/b" "$D/a/b/c" "$D/a/e" "$D/f"; do row "$p"; done | sort)
out=$(timeout 60 "$BPFDUMP" dump cgroup --cgroup "$D" --order descendants_pre -r -n)
expect_eq "--order descendants_pre lists the subtree (ids = stat -c %i, levels, names)" "$exp" "$(sort <<<"$out")"
/usr/bin/python3 "$PYDIR/kernel_lists_cg_pre.py" "$out" "$(ino "$D") $(ino "$D/a") $(ino "$D/a/b") $(ino "$D/a/b/c") $(ino "$D/a/e") $(ino "$D/f")" pre
out=$(timeout 60 "$BPFDUMP" dump cgroup --cgroup "$D" --order descendants_post -r -n)
/usr/bin/python3 "$PYDIR/kernel_lists_cg_post.py" "$out" "$(ino "$D") $(ino "$D/a") $(ino "$D/a/b") $(ino "$D/a/b/c") $(ino "$D/a/e") $(ino "$D/f")"
out=$(timeout 60 "$BPFDUMP" dump cgroup --cgroup "$D/a/b/c" --order ancestors_up -r -n -o 'id=cgroup->kn->id')
exp=$(p=$D/a/b/c; while :; do ino "$p"; [ "$p" = "$CG2" ] && break; p=$(dirname "$p"); done)
# above the mount's root (a cgroup namespace) there may be more ancestors
expect_eq "--order ancestors_up: c, b, a, the test dir ... up to the mount root" "$exp" "$(head -n "$(wc -l <<<"$exp")" <<<"$out")"
out=$(timeout 60 "$BPFDUMP" dump cgroup --cgroup "$D" -r -n -o 'name=cgroup->kn->name' -w 'cgroup->level == '"$(lv "$D/a/b")")
expect_eq "-w on the level inside the subtree" "$(printf 'b\ne')" "$(sort <<<"$out")"
/usr/bin/python3 "$PYDIR/kernel_lists_cgroups.py" "$TMP/cg.json" "$CG2" "$ROOTLV" "$TMP/cgdirs"
rmdir "$D/f"
out=$(timeout 60 "$BPFDUMP" dump cgroup --cgroup "$D" --order descendants_pre -r -n -o 'name=cgroup->kn->name' | sort | tr '\n' ' ')
expect_eq "a removed cgroup is gone" "$(printf '%s\n' a b c e "$T" | sort | tr '\n' ' ')" "$out"

# ---- dmabuf: there may be none; each /proc/*/fdinfo entry with exp_name is one
dump_ok "dump dmabuf -J exits 0" "$TMP/dmabuf.json" dump dmabuf -J
check "dmabuf JSON parses" json_valid <"$TMP/dmabuf.json"
nbuf=$(cat /proc/[0-9]*/fdinfo/* 2>/dev/null | grep -c '^exp_name:')
if [ "$nbuf" -eq 0 ]; then
	expect_eq "dmabuf: no dma-bufs open anywhere, so no JSON rows" 0 "$(grep -c . "$TMP/dmabuf.json")"
	out=$(timeout 60 "$BPFDUMP" dump dmabuf -r)
	expect_eq "dmabuf: table has only the header" "SIZE EXP_NAME NAME INODE" "$out"
else
	n=$(grep -c . "$TMP/dmabuf.json")
	check "dmabuf: at least one row per distinct buffer in fdinfo ($n rows, $nbuf fd refs)" [ "$n" -ge 1 ]
fi
