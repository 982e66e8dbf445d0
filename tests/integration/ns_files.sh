#!/usr/bin/env bash
# Namespace files: --netns/--pidns/--mntns (dump, pin) and snapshot --pidns given
# something that is no namespace file (a FIFO above all: opening one for reading
# blocks until a writer comes) end at once with one line naming the problem; a
# namespace made with `ip netns add` still scopes a dump to what ss sees inside it.
source "$(dirname "$0")/../lib.sh"

B="timeout 10 $BPFDUMP"
R=$$
PIN=/sys/fs/bpf/bdnsf-$R
at_exit "rm -rf $PIN"

# ---- files that are no namespace file --------------------------------------------------------
mkfifo "$TMP/fifo"
ln -s "$TMP/fifo" "$TMP/fifo-link"
echo data >"$TMP/regular"
mkdir "$TMP/dir"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$TMP/sock"
check "fixtures: a FIFO, a symlink to it, a file, a directory, a socket file" \
	test -p "$TMP/fifo" -a -L "$TMP/fifo-link" -a -f "$TMP/regular" -a -d "$TMP/dir" -a -S "$TMP/sock"

# ns_bad NAME MESSAGE ARGS...: bpfdump ARGS under timeout 10: exit 1 or 2 (124 is a hang),
# exactly one line on stderr holding MESSAGE, nothing on stdout
ns_bad() {
	local name=$1 msg=$2 rc lines
	shift 2
	$B "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	lines=$(wc -l <"$TMP/err")
	if [ "$rc" -eq 124 ]; then
		fail "$name: hung (timeout 10 ended it)"
	elif [ "$rc" -ne 1 ] && [ "$rc" -ne 2 ]; then
		fail "$name: exit $rc, not 1 or 2: $(head -c 300 "$TMP/err")"
	elif [ "$lines" -ne 1 ]; then
		fail "$name: $lines lines on stderr: $(head -c 300 "$TMP/err" | tr '\n' ' ')"
	elif ! grep -qF -- "$msg" "$TMP/err"; then
		fail "$name: message lacks '$msg': $(cat "$TMP/err")"
	elif [ -s "$TMP/out" ]; then
		fail "$name: printed rows: $(head -c 200 "$TMP/out")"
	else
		ok "$name ($(cat "$TMP/err"))"
	fi
}

NOT="not a namespace file"
for f in fifo fifo-link regular dir sock; do
	ns_bad "dump tcp --netns ($f)" "--netns '$TMP/$f': $NOT (give /proc/PID/ns/net or /run/netns/NAME)" \
		dump tcp --netns "$TMP/$f"
done
ns_bad "dump tcp --netns /dev/null" "--netns '/dev/null': $NOT" dump tcp --netns /dev/null
ns_bad "dump tcp --netns (a missing path)" "--netns '$TMP/missing': No such file or directory" \
	dump tcp --netns "$TMP/missing"
ns_bad "dump tcp --netns of a pid namespace" "a pid namespace, not a network namespace" \
	dump tcp --netns /proc/self/ns/pid
ns_bad "dump task --pidns (fifo)" "--pidns '$TMP/fifo': $NOT (give /proc/PID/ns/pid)" \
	dump task --pidns "$TMP/fifo"
ns_bad "dump task --mntns (symlink to a fifo)" "--mntns '$TMP/fifo-link': $NOT" \
	dump task --mntns "$TMP/fifo-link"
ns_bad "dump task --pidns /dev/null" "--pidns '/dev/null': $NOT" dump task --pidns /dev/null
ns_bad "pin tcp --netns (fifo)" "--netns '$TMP/fifo': $NOT" pin tcp "$PIN/tcp" --netns "$TMP/fifo"
ns_bad "pin task --pidns (fifo)" "--pidns '$TMP/fifo': $NOT" pin task "$PIN/task" --pidns "$TMP/fifo"
check "refused pins left nothing in bpffs" test ! -e "$PIN/tcp" -a ! -e "$PIN/task"
ns_bad "snapshot --pidns (fifo)" "--pidns '$TMP/fifo': $NOT" snapshot --pidns "$TMP/fifo" 1
ns_bad "snapshot --pidns (socket file)" "--pidns '$TMP/sock': $NOT" snapshot --pidns "$TMP/sock" 1
ns_bad "snapshot --pidns of a network namespace" "a network namespace, not a pid namespace" \
	snapshot --pidns /proc/self/ns/net 1
# the FIFO is still there, unopened by anyone: a writer opening it non-blocking finds no reader
check "no process holds the FIFO open for reading" \
	/usr/bin/python3 "$PYDIR/ns_files_no_reader.py" "$TMP/fifo"

# the attack: an unprivileged user plants a FIFO where root is told a namespace file is
U=bdsec$R
if useradd -M -N -r -s /usr/sbin/nologin $U 2>"$TMP/uerr"; then
	at_exit "userdel $U"
	PUB=$(mktemp -d /tmp/bdnsf-pub.XXXXXX)
	at_exit "rm -rf $PUB"
	chown $U "$PUB"
	runuser -u $U -- mkfifo "$PUB/net"
	check "user $U made a FIFO of its own ($(stat -c '%U %F' "$PUB/net" 2>&1))" \
		test -p "$PUB/net" -a "$(stat -c %U "$PUB/net" 2>/dev/null)" = $U
	ns_bad "dump tcp --netns on $U's FIFO" "--netns '$PUB/net': $NOT" dump tcp --netns "$PUB/net"
	ns_bad "pin tcp --netns on $U's FIFO" "--netns '$PUB/net': $NOT" \
		pin tcp "$PIN/tcp" --netns "$PUB/net"
	ns_bad "snapshot --pidns on $U's FIFO" "--pidns '$PUB/net': $NOT" snapshot --pidns "$PUB/net" 1
else
	skip "attack as an unprivileged user: useradd: $(cat "$TMP/uerr")"
fi

# ---- a real network namespace ---------------------------------------------------------------
NS=bdnsf$R
if ! ip netns add $NS 2>"$TMP/nserr"; then
	skip "netns: cannot make a network namespace: $(cat "$TMP/nserr")"
	exit 0
fi
at_exit ip netns del $NS
ip netns exec $NS ip link set lo up
# a listener inside on a port the kernel picks; it writes the port, then waits
ip netns exec $NS /usr/bin/python3 "$PYDIR/ns_files_listener.py" "$TMP/port" &
LST=$!
at_exit "kill $LST"
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
PORT=$(cat "$TMP/port" 2>/dev/null)
want=$(ip netns exec $NS ss -tlnH | awk '{ n = split($4, l, ":"); print l[n] }' | sort -n | xargs)
check "ss inside $NS shows exactly the test's listener (${want:-none} = ${PORT:-none})" \
	[ -n "$PORT" ] && [ "$want" = "$PORT" ]
$B dump tcp --netns /run/netns/$NS -r -n -o 'state=tcpstate(sk_common->skc_state),lport=sk_common->skc_num' \
	>"$TMP/rows" 2>"$TMP/err"
rc=$?
expect_eq "dump tcp --netns /run/netns/$NS exits 0 ($(head -c 200 "$TMP/err"))" 0 "$rc"
got=$(awk '$1 == "LISTEN" { print $2 }' "$TMP/rows" | sort -n | xargs)
expect_eq "dump tcp --netns /run/netns/$NS lists the listeners ss lists inside" "$want" "$got"
expect_eq "dump tcp --netns /run/netns/$NS: one row in all (the listener)" 1 "$(grep -c . "$TMP/rows")"
$B dump tcp --netns /proc/$LST/ns/net -r -n -o 'lport=sk_common->skc_num' >"$TMP/rows2" 2>"$TMP/err"
expect_eq "dump tcp --netns /proc/PID/ns/net (a magic link) of the listener: the same port" \
	"$PORT" "$(xargs <"$TMP/rows2")"
