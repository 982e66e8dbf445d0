#!/usr/bin/env bash
# View access (issue 20): what a view mount shows other users is what the kernel lets them
# open themselves, no user can starve the daemon or block view add/rm, a view's where
# cannot escape its cgroup, and a killed daemon or view add leaves nothing in the way.
# Every attack runs as users the test makes; the truth is the kernel's answer to them.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ]; then
	skip "needs root and /dev/fuse"
	exit 77
fi
for t in useradd groupadd runuser flock /usr/bin/python3; do
	command -v "$t" >/dev/null || { skip "needs $t"; exit 77; }
done
PY=/usr/bin/python3	# a user cannot run root's pyenv shims
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
CGROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
PINS=/sys/fs/bpf/view-access-$$
CONFDIR=$TMP/conf
CONF=$CONFDIR/views.conf
M=$TMP/mnt
U1=bdva$$
U2=bdvb$$
G=bdvg$$
chmod 0711 "$TMP"	# the users reach the mount point and the config directory
mkdir -p "$M" "$PINS" "$CONFDIR"
at_exit "rm -rf $PINS"

groupadd -r "$G" || { skip "groupadd failed"; exit 77; }
at_exit "groupdel $G"
useradd -M -N -r -s /usr/sbin/nologin -G "$G" "$U1" || { skip "useradd failed"; exit 77; }
at_exit "userdel $U1"
useradd -M -N -r -s /usr/sbin/nologin "$U2" || { skip "useradd failed"; exit 77; }
at_exit "userdel $U2"
as1() { runuser -u "$U1" -- "$@"; }
as2() { runuser -u "$U2" -- "$@"; }

# mount_fg: a foreground daemon as view.sh starts it (fd limit 1024, as in the report)
mount_fg() {
	(ulimit -n 1024; exec "$BPFDUMP" view mount "$M" -f --allow-other --config "$CONF" \
		--bpffs "$PINS" "$@") 2>>"$TMP/daemon.log" &
	DAEMON=$!
	for _ in $(seq 100); do mountpoint -q "$M" && return 0; sleep 0.1; done
	return 1
}
umount_wait() {
	umount "$M" || return 1
	for _ in $(seq 100); do kill -0 "$DAEMON" 2>/dev/null || { wait "$DAEMON" 2>/dev/null; return 0; }; sleep 0.1; done
	return 1
}
at_exit "umount -l $M"

sleep 300 &
S1=$!
at_exit "kill $S1"

# dumpers: one in a private directory, one behind search-only, one for a group
mkdir -m 0700 "$PINS/private"
mkdir -m 0711 "$PINS/search"
mkdir -m 0755 "$PINS/grp"
"$BPFDUMP" pin task_file "$PINS/private/files" --mode 0444
"$BPFDUMP" pin task "$PINS/search/one" --mode 0444 -o 'pid=task->tgid,comm=task->comm' \
	-w "task->pid == $S1"
"$BPFDUMP" pin task "$PINS/grp/gone" --mode 0440 --group "$G" -o 'pid=task->tgid' \
	-w "task->pid == $S1"
mount_fg
check "view mount --allow-other mounts" mountpoint -q "$M"

# 1a. a 0444 pin in a 0700 directory: the kernel refuses the users, so does the view
as1 cat "$PINS/private/files" >/dev/null 2>"$TMP/k.err"
check "truth: $U1 cannot open the private pin (kernel: Permission denied)" \
	grep -q 'Permission denied' "$TMP/k.err"
out=$(as1 cat "$M/task_file/files" 2>"$TMP/v.err")
check "private pin: $U1 cannot open it through the view (and reads no row)" \
	bash -c "[ -z \"\$1\" ] && grep -qE 'No such file|Permission denied' '$TMP/v.err'" _ "$out"
check "private pin: not in $U1's listing" bash -c "! runuser -u $U1 -- ls '$M/task_file' | grep -q '^files'"
as1 stat "$M/task_file/files" >/dev/null 2>"$TMP/v.err"
check "private pin: stat by $U1 says ENOENT (no name leaks)" grep -q 'No such file' "$TMP/v.err"
check "private pin: root lists it" bash -c "ls '$M/task_file' | grep -qx files"
check "private pin: root reads it (a row of the test's sleep)" \
	bash -c "awk -v p=$S1 '\$1 == p' '$M/task_file/files' | grep -q ."

# 1b. a 0444 pin behind a 0711 directory: the kernel lets the users in, so does the view
as1 cat "$PINS/search/one" >"$TMP/k.out" 2>&1
check "truth: $U1 opens the pin behind a 0711 directory" grep -q "$S1" "$TMP/k.out"
"$BPFDUMP" cat "$PINS/search/one" >"$TMP/one.cat"
as1 cat "$M/task/one" >"$TMP/u1.cat" 2>&1
check "0711 directory: $U1 reads the dumper, the same rows as root's bpfdump cat" \
	bash -c "grep -q $S1 '$TMP/one.cat' && cmp -s '$TMP/one.cat' '$TMP/u1.cat'"
check "0711 directory: in $U1's listing" bash -c "runuser -u $U1 -- ls '$M/task' | grep -qx one"

# 1c. ACLs where bpffs has them; else supplementary groups
"$BPFDUMP" cat "$PINS/grp/gone" >"$TMP/root.cat"
if command -v setfacl >/dev/null && setfacl -m "u:$U2:r" "$PINS/grp/gone" 2>/dev/null; then
	as2 cat "$PINS/grp/gone" >"$TMP/k.out" 2>&1
	check "truth: an ACL lets $U2 open the group pin" grep -q "$S1" "$TMP/k.out"
	as2 cat "$M/task/gone" >"$TMP/u2.cat" 2>&1
	check "ACL: $U2 reads the group pin through the view, as root's bpfdump cat" \
		cmp -s "$TMP/root.cat" "$TMP/u2.cat"
	setfacl -b "$PINS/grp/gone"
else
	skip "ACLs: bpffs has no POSIX ACLs (setfacl: not supported or missing); groups instead"
fi
as1 cat "$PINS/grp/gone" >"$TMP/k.out" 2>&1
check "truth: $U1 (in $G) opens the 0440 group pin" grep -q "$S1" "$TMP/k.out"
as2 cat "$PINS/grp/gone" >/dev/null 2>"$TMP/k.err"
check "truth: $U2 (not in $G) cannot" grep -q 'Permission denied' "$TMP/k.err"
as1 cat "$M/task/gone" >"$TMP/u1.cat" 2>&1
check "group pin: $U1 reads it through the view, as root's bpfdump cat" \
	bash -c "grep -q $S1 '$TMP/root.cat' && cmp -s '$TMP/root.cat' '$TMP/u1.cat'"
as2 cat "$M/task/gone" >"$TMP/u2.cat" 2>"$TMP/v.err"
check "group pin: $U2 gets EACCES through the view, and no row" \
	bash -c "grep -q 'Permission denied' '$TMP/v.err' && [ ! -s '$TMP/u2.cat' ]"
check "group pin: in $U1's listing" bash -c "runuser -u $U1 -- ls '$M/task' | grep -qx gone"
check "group pin: not in $U2's listing" bash -c "! runuser -u $U2 -- ls '$M/task' | grep -qx gone"

# 6. starvation: U1 holds as many opens as it can; root and U2 are served throughout
expect_eq "the daemon's fd limit was raised to its hard limit" \
	"$(awk '/^Max open files/ { print $5 }' /proc/$DAEMON/limits)" \
	"$(awk '/^Max open files/ { print $4 }' /proc/$DAEMON/limits)"
# the holder says how far it got, then keeps its files open (its line is the marker)
install -m 0644 "$PYDIR/view_access_holder.py" "$TMP/holder.py"
as1 "$PY" "$TMP/holder.py" "$M/task/one" >"$TMP/hold.out" 2>&1 &
HOLDER=$!
at_exit "kill $HOLDER"
for _ in $(seq 600); do [ -s "$TMP/hold.out" ] && break; kill -0 $HOLDER 2>/dev/null || break; sleep 0.1; done
read -r held held_err PYPID <"$TMP/hold.out"
at_exit "kill ${PYPID:-$HOLDER}"
expect_eq "starvation: $U1's opens stop with EMFILE at the per-user limit" "64 EMFILE" \
	"$held $held_err"
expect_eq "starvation: root still lists every dumper" "one gone" \
	"$(ls "$M/task" | grep -vE '^_default|\.json$' | sort -r | xargs)"
check "starvation: root still reads the private dumper" \
	bash -c "awk -v p=$S1 '\$1 == p' '$M/task_file/files' | grep -q ."
as2 cat "$M/task/one" >"$TMP/u2.cat" 2>&1
check "starvation: $U2 still reads the dumper (as root's bpfdump cat)" \
	cmp -s "$TMP/one.cat" "$TMP/u2.cat"
check "starvation: $U2 still lists it" bash -c "runuser -u $U2 -- ls '$M/task' | grep -qx one"
expect_eq "starvation: $U1 held its 64 files throughout" 64 \
	"$(ls -l /proc/"${PYPID:-0}"/fd 2>/dev/null | grep -c " $M/task/one\$")"
kill "${PYPID:-$HOLDER}" $HOLDER
wait $HOLDER 2>/dev/null
again=
for _ in $(seq 100); do
	as1 cat "$M/task/one" >/dev/null 2>&1 && { again=yes; break; }
	sleep 0.1
done
check "starvation: once $U1 closes its files it opens again" [ -n "$again" ]

# 10. flock on the config directory and on the lock file cannot hang view add/rm
"$BPFDUMP" view add first 'pid=task->tgid' --target task --config "$CONF"
expect_eq "the lock file is root's, 0600" "600 0 regular empty file" \
	"$(stat -c '%a %u %F' "$CONFDIR/.views.lock")"
as1 flock -x "$CONFDIR" sleep 60 &
FL1=$!
at_exit "kill $FL1"
for _ in $(seq 50); do flock -n "$CONFDIR" true || break; sleep 0.1; done
check "truth: $U1 holds a flock on the config directory" bash -c "! flock -n '$CONFDIR' true"
as1 flock -x "$CONFDIR/.views.lock" true 2>"$TMP/fl.err"
check "truth: $U1 cannot open the lock file to flock it" grep -q 'Permission denied' "$TMP/fl.err"
timeout 10 "$BPFDUMP" view add second 'pid=task->tgid' --target task --config "$CONF"
expect_eq "view add under $U1's flock: done, no hang" 0 $?
timeout 10 "$BPFDUMP" view rm second --config "$CONF"
expect_eq "view rm under $U1's flock: done, no hang" 0 $?
kill $FL1
mkdir -p "$TMP/badlock"
install -m 0644 /dev/null "$TMP/badlock/.views.lock"
bad_input "view add: a lock file others can read is refused" "mode 0600" \
	"$BPFDUMP" view add x 'pid=task->tgid' --target task --config "$TMP/badlock/v.conf"

# 14b. a view add killed while writing left views.conf.tmpXXXXXX: the next writer removes it
printf '# half\n' >"$CONFDIR/views.conf.tmpAb12Cd"
check "truth: a dead writer's temporary file is there" [ -e "$CONFDIR/views.conf.tmpAb12Cd" ]
"$BPFDUMP" view add third 'pid=task->tgid' --target task --config "$CONF"
expect_eq "view add removed the dead writer's temporary file" "" \
	"$(ls -A "$CONFDIR" | grep '^views\.conf\.tmp')"
expect_eq "... and the config has every view" "first third" \
	"$(grep '^\[' "$CONF" | tr -d '[]' | xargs)"

# 12. a where that closes the view's parenthesis is refused; a legit one stays in its cgroup
bad_input "view add: a where that escapes the cgroup scope is refused" "trailing input" \
	"$BPFDUMP" view add esc 'pid=task->tgid' --target task \
	-w 'task->pid > 0) || (task->pid > 0' --config "$CONF"
check "the refused view is not in the config" bash -c "! grep -q '^\[esc\]' '$CONF'"
if [ -n "$CGROOT" ]; then
	C=$CGROOT/bdva-$$
	mkdir "$C"
	sleep 300 &
	S2=$!
	sleep 300 &
	S3=$!
	at_exit "rmdir $C"
	at_exit "kill $S2 $S3"
	echo $S2 >"$C/cgroup.procs"
	echo $S3 >"$C/cgroup.procs"
	"$BPFDUMP" view add orv 'pid=task->tgid' --target task --mode 0444 \
		-w 'task->pid > 0 || task->pid == 0' --config "$CONF"
	check "view add of a where with || (it parses alone)" [ $? -eq 0 ]
	expect_eq "a view whose where is 'A || B' shows only its cgroup's tasks (cgroup.procs)" \
		"$(sort -n "$C/cgroup.procs" | xargs)" \
		"$(as1 cat "$M/cgroup/bdva-$$/orv" | awk 'NR > 1 { print $1 }' | sort -nu | xargs)"
	expect_eq "... and the root cgroup's copy has none of them" "" \
		"$(awk -v a=$S2 -v b=$S3 'NR > 1 && ($1 == a || $1 == b)' "$M/cgroup/orv")"
	kill $S2 $S3
	wait $S2 $S3 2>/dev/null
	for _ in $(seq 50); do [ -s "$C/cgroup.procs" ] || break; sleep 0.1; done
	rmdir "$C"
else
	skip "no cgroup2 mount: the scope of a legit where not checked"
fi

# 14a. kill -9 of the daemon leaves a dead mount; view mount replaces it
disown "$DAEMON"	# no job notice for the kill
kill -9 "$DAEMON"
for _ in $(seq 100); do kill -0 "$DAEMON" 2>/dev/null || break; sleep 0.1; done
stat "$M" >/dev/null 2>"$TMP/dead.err"
check "truth: the killed daemon's mount is dead (ENOTCONN)" \
	grep -q 'Transport endpoint is not connected' "$TMP/dead.err"
: >"$TMP/daemon.log"
mount_fg
check "view mount over the dead mount mounts" mountpoint -q "$M"
check "... with a note on stderr" grep -q 'died' "$TMP/daemon.log"
check "... and serves ($U1 reads the dumper)" bash -c "runuser -u $U1 -- cat '$M/task/one' | grep -q $S1"
expect_eq "... one mount at the mount point (the dead one detached)" 1 \
	"$(awk -v m="$M" '$5 == m' /proc/self/mountinfo | wc -l)"
check "umount: the daemon exits" umount_wait
for p in private/files search/one grp/gone; do "$BPFDUMP" rm "$PINS/$p"; done
