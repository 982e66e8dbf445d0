#!/usr/bin/env bash
# What root trusts in a pinned dumper, attacked by an unprivileged user the test makes:
# twins that are root's 0600 whatever --owner says, a rewritten or swapped @meta, twins
# replaced by symlinks (read by root's cat and by the view daemon), a pin swapped for a
# symlink while root sets its mode and owner, a @meta with an oversized value, and the
# leftovers of an interrupted pin. Ground truth: ls -l/stat, the kernel's own refusal
# (plain cat as the user), bpftool, and the rows of the dumpers the test pinned.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v useradd >/dev/null; then
	skip "needs root and useradd"
	exit 77
fi
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
U=bdpt$$
useradd -M -N -r -s /usr/sbin/nologin "$U" || { skip "useradd failed"; exit 77; }
at_exit "userdel $U"
AS_U=(setpriv --reuid="$U" --regid=nogroup --clear-groups)
D=/sys/fs/bpf/bdpt-$$
mkdir -p "$D/private" "$D/user"
chmod 700 "$D/private"
chown "$U" "$D/user"
at_exit "rm -rf $D"
chmod 0711 "$TMP"

# The user's own process: its open files are what the harmless dumper shows.
sleep 300 &
MINE=$!
at_exit "kill $MINE"

# ---- 1. twins belong to root, 0600, whatever --owner and --mode say -------------------------
"$BPFDUMP" pin task_file "$D/user/x" --pid $MINE --mode 0444 --owner "$U"
expect_eq "--owner: the visible pin is the user's, mode 0444" "$U 444" "$(stat -c '%U %a' "$D/user/x")"
expect_eq "--owner: @meta stays root's 0600" "root 600" "$(stat -c '%U %a' "$D/user/x@meta")"
expect_eq "--owner: @bin stays root's 0600" "root 600" "$(stat -c '%U %a' "$D/user/x@bin")"
"${AS_U[@]}" cat "$D/user/x@bin" >/dev/null 2>"$TMP/err"
check "the pin owner cannot read @bin (kernel: Permission denied)" grep -q "Permission denied" "$TMP/err"
"$BPFDUMP" cat "$D/user/x" -n >"$TMP/x.rows"
fds=$(ls /proc/$MINE/fd | sort -n | xargs)
got=$(awk '{ print $3 }' "$TMP/x.rows" | sort -n | xargs)
expect_eq "bpfdump cat of the user's dumper = /proc/PID/fd" "$fds" "$got"

# root's private dumper: every process's files
"$BPFDUMP" pin task_file "$D/private/files"
"${AS_U[@]}" cat "$D/private/files" >/dev/null 2>"$TMP/err"
check "the kernel refuses the private dumper to the user" grep -q "Permission denied" "$TMP/err"

# ---- 2. a @meta someone else could write is not trusted --------------------------------------
chown "$U" "$D/user/x@meta"
bad_input "cat refuses a @meta the pin owner could rewrite" "not root's with mode 0600" \
	"$BPFDUMP" cat "$D/user/x"
chown root "$D/user/x@meta"
chmod 0644 "$D/user/x@meta"
bad_input "cat refuses a group/other-readable @meta" "not root's with mode 0600" \
	"$BPFDUMP" cat "$D/user/x"
chmod 0600 "$D/user/x@meta"
check "cat works again once @meta is root's 0600" sh -c "'$BPFDUMP' cat '$D/user/x' -n >/dev/null"

# a root-made @meta of another dumper, moved next to x: the ids do not match
"$BPFDUMP" pin tcp "$D/private/other"
rm -f "$D/user/x@meta"
mv "$D/private/other@meta" "$D/user/x@meta" 2>/dev/null
if [ -e "$D/user/x@meta" ] && [ ! -e "$D/private/other@meta" ]; then
	bad_input "cat refuses a @meta of another dumper (link ids)" "belongs to another dumper" \
		"$BPFDUMP" cat "$D/user/x"
else
	skip "bpffs did not move @meta across directories"
fi
"$BPFDUMP" rm "$D/user/x" 2>/dev/null; rm -f "$D/user/x" "$D/user/x@meta" "$D/user/x@bin"
"$BPFDUMP" rm "$D/private/other" 2>/dev/null; rm -f "$D/private/other"*

# ---- 3. twins replaced by symlinks to root's private dumper ----------------------------------
"$BPFDUMP" pin task_file "$D/user/x" --pid $MINE --mode 0444 --owner "$U"
M=$TMP/mnt
DAEMON=
if [ -c /dev/fuse ]; then
	mkdir -p "$M"
	"$BPFDUMP" view mount "$M" -f --allow-other --config "$TMP/views.conf" --bpffs "$D" \
		2>>"$TMP/daemon.log" &
	DAEMON=$!
	at_exit "umount -l $M; kill $DAEMON"
	for _ in $(seq 100); do mountpoint -q "$M" && break; sleep 0.1; done
	mountpoint -q "$M" || { fail "view: mount did not come up: $(tail -2 "$TMP/daemon.log")"; DAEMON=; }
fi
if [ -n "$DAEMON" ]; then
	got=$(timeout 30 "${AS_U[@]}" cat "$M/task_file/x" | awk 'NR > 1 { print $3 }' | sort -n | xargs)
	expect_eq "view: before the attack the user reads x = /proc/PID/fd" "$fds" "$got"
fi
# the user owns the directory: replaces the twins (what a user with a writable bpffs
# directory can do) with links to the private dumper's twins
"${AS_U[@]}" sh -c "rm -f '$D/user/x@meta' '$D/user/x@bin' &&
	ln -s '$D/private/files@meta' '$D/user/x@meta' &&
	ln -s '$D/private/files@bin' '$D/user/x@bin'" 2>"$TMP/err"
if [ -L "$D/user/x@meta" ] && [ -L "$D/user/x@bin" ]; then
	ok "the user replaced both twins with symlinks (the attack is possible)"
	bad_input "root's cat refuses symlinked twins" "not root's with mode 0600, or not a bpffs file" \
		"$BPFDUMP" cat "$D/user/x"
	"$BPFDUMP" cat "$D/private/files" -n >"$TMP/private.rows" 2>/dev/null
	check "the private dumper itself still reads for root" test -s "$TMP/private.rows"
	if [ -n "$DAEMON" ]; then
		if true; then
			out=$(timeout 30 "${AS_U[@]}" cat "$M/task_file/x" 2>&1)
			rc=$?
			[ $rc -ne 124 ] || fail "view: reading x hung"
			if [ $rc -ne 0 ] && ! grep -q "kthreadd\|systemd" <<<"$out"; then
				ok "view: the user cannot read root's dumper through symlinked twins (rc $rc)"
			else
				fail "view: the user read through symlinked twins: $(head -c 200 <<<"$out")"
			fi
			out=$(timeout 30 "${AS_U[@]}" cat "$M/task_file/files" 2>&1)
			rc=$?
			if [ $rc -ne 0 ]; then ok "view: the private dumper is refused to the user"
			else fail "view: the user read the private dumper: $(head -c 200 <<<"$out")"; fi
			umount "$M"
		fi
	else
		skip "view: no /dev/fuse or no mount"
	fi
else
	fail "could not set up the symlink attack: $(cat "$TMP/err")"
fi
rm -f "$D/user/x" "$D/user/x@meta" "$D/user/x@bin"

# ---- 4. the pin swapped for a symlink while root sets its mode and owner ---------------------
# The user owns the directory and keeps exchanging the name y with a symlink to a file of
# root's (renameat2 RENAME_EXCHANGE, as fast as it can), so that half the time y is the
# link; root pins y with --mode and --owner many times. Following y would hand the victim
# to the user (an earlier pin_fd() did, within a few pins); the victim must stay root's.
victim=$TMP/victim
echo secret >"$victim"
chmod 0600 "$victim"
cp "$PYDIR/pin_trust_swap.py" "$TMP/swap.py"
chmod 0644 "$TMP/swap.py"
"${AS_U[@]}" /usr/bin/python3 "$TMP/swap.py" "$D/user" "$victim" "$TMP/stop" >"$TMP/swaps" 2>"$TMP/swap.err" &
SWAP=$!
refused=0
for _ in $(seq 40); do
	"$BPFDUMP" pin task "$D/user/y" --mode 0444 --owner "$U" 2>>"$TMP/pin.err" || refused=$((refused + 1))
	rm -f "$D/user/y" "$D/user/y@meta" "$D/user/y@bin"
	ln -sfn "$victim" "$D/user/t"	# re-arm: t may hold the last pin after an exchange
done
touch "$TMP/stop"
wait $SWAP
expect_eq "race: the victim keeps root's owner and mode 0600 after 40 pins" "root 600" "$(stat -c '%U %a' "$victim")"
swaps=$(cat "$TMP/swaps")
echo "info pin_trust: the user exchanged y $swaps times; $refused of 40 pins refused" \
	"($(sort "$TMP/pin.err" | uniq -c | sort -rn | head -1 | cut -c1-120))"
if [ "${swaps:-0}" -gt 0 ] 2>/dev/null; then ok "race: the swapper really exchanged y"
else fail "race: the swapper never ran: $(head -c 200 "$TMP/swap.err")"; fi

# ---- 5. a @meta whose value is larger than a query record -------------------------------------
"$BPFDUMP" pin task "$D/private/big"
rm -f "$D/private/big@meta"
bpftool map create "$D/private/big@meta" type array key 4 value 65536 entries 1 name bpfdump_meta
/usr/bin/python3 "$PYDIR/pin_trust_fill_meta.py" "$D/private/big@meta" 2>/dev/null
bad_input "cat: a 64 KiB @meta is refused, not read into 8 KiB" "not a bpfdump query record" \
	"$BPFDUMP" cat "$D/private/big"
"$BPFDUMP" show "$D/private" >"$TMP/show.out" 2>"$TMP/show.err"
rc=$?
[ $rc -le 1 ] && ok "show with a 64 KiB @meta: no crash (exit $rc)" || fail "show crashed: exit $rc"
bpftool map create "$D/private/hash@meta" type hash key 4 value 8192 entries 1 name bpfdump_meta
"$BPFDUMP" pin task "$D/private/hash2"
rm -f "$D/private/hash2@meta"
mv "$D/private/hash@meta" "$D/private/hash2@meta"
bad_input "cat: a hash map as @meta is refused" "not a bpfdump query record" \
	"$BPFDUMP" cat "$D/private/hash2"
rm -f "$D/private/big"* "$D/private/hash"*

# ---- 7. an interrupted pin: twins without the visible pin ------------------------------------
"$BPFDUMP" pin tcp "$D/private/half"
rm -f "$D/private/half"	# what kill -9 between the pins leaves
"$BPFDUMP" show -J "$D/private" >"$TMP/show.json"
/usr/bin/python3 "$PYDIR/pin_trust_half.py" "$TMP/show.json" "$D/private/half"
bad_input "pin without --force over an interrupted pin" "an interrupted pin left" \
	"$BPFDUMP" pin tcp "$D/private/half"
check "pin --force over an interrupted pin" "$BPFDUMP" pin tcp "$D/private/half" --force
check "the new dumper reads" sh -c "'$BPFDUMP' cat '$D/private/half' -n >/dev/null"
rm -f "$D/private/half"
check "rm of an interrupted pin's name removes its twins" "$BPFDUMP" rm "$D/private/half"
left=$(ls "$D/private" | grep -c '^half')
expect_eq "nothing of it is left in bpffs" "0" "$left"
rm -f "$D/private/half"*

# ---- a dumper pinned before link ids were recorded ---------------------------------------------
"$BPFDUMP" pin task "$D/private/old"
id=$(bpftool map show pinned "$D/private/old@meta" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
bpftool map dump id "$id" -j >/dev/null 2>&1
/usr/bin/python3 "$PYDIR/pin_trust_old_meta.py" "$D/private/old@meta"
bad_input "cat of a record without link ids asks for a new pin" "pin it again" \
	"$BPFDUMP" cat "$D/private/old"
rm -f "$D/private/old"*
