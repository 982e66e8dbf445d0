#!/usr/bin/env bash
# Sockets and their owners: the inode column of tcp, udp, unix and task_file against
# /proc/net/{tcp,tcp6,udp,unix} and /proc/PID/fd, and the listening and connections views
# against ss -tlnp/-ulnp/-tnp and lsof -i. A process the test starts holds a TCP listener
# (IPv4 and, when the machine has it, IPv6), a bound UDP socket, an accepted connection and
# a unix listener; a forked child shares them all, so every socket has two owners.
source "$(dirname "$0")/../lib.sh"

bd() { timeout 60 "$BPFDUMP" "$@" 2>"$TMP/bd.err"; }


PY=/usr/bin/python3
[ -x $PY ] || PY=python3
cp "$PYDIR/sql_owners_helper.py" "$TMP/helper.py"
$PY "$TMP/helper.py" "$TMP" </dev/null >/dev/null 2>&1 &
P=$!
at_exit "kill $P"
if ! wait_file "$TMP/ports"; then
	fail "helper process did not start"
	exit 1
fi
read -r LPORT L6PORT UPORT CPORT C <"$TMP/ports"
at_exit "kill $C"

# ---- the inode columns ----
# /proc/net/FILE: "lport rport inode" of the rows whose local port is one of PORTS
proc_net() { # FILE PORTS...
	$PY "$PYDIR/sql_owners_proc_net.py" "$@"
}
want=$(proc_net tcp "$LPORT" "$CPORT" | sort)
got=$(bd dump tcp -r -n -o lport,rport,inode -w "lport == $LPORT || lport == $CPORT" | sort)
expect_eq "tcp inode: /proc/net/tcp's, listener and both ends of a connection" "$want" "$got"
if [ "$L6PORT" != 0 ]; then
	# (another process may hold the same port number over IPv4)
	want=$( (proc_net tcp "$L6PORT"; proc_net tcp6 "$L6PORT") | sort)
	got=$(bd dump tcp -r -n -o lport,rport,inode -w "lport == $L6PORT" | sort)
	expect_eq "tcp inode: /proc/net/tcp6's for an IPv6 listener" "$want" "$got"
else
	skip "tcp inode over IPv6: no ::1 here"
fi
want=$(proc_net udp "$UPORT")
got=$(bd dump udp -r -n -o lport,rport,inode -w "lport == $UPORT")
expect_eq "udp inode: /proc/net/udp's" "$want" "$got"
want=$(awk -v p="$TMP/ux.sock" '$8 == p { print $7 }' /proc/net/unix)
got=$(bd dump unix -r -n -o path,inode | awk -v p="$TMP/ux.sock" '$1 == p { print $2 }')
check "unix inode: /proc/net/unix's ($want)" [ -n "$want" ] && [ "$want" == "$got" ]

# task_file's inode: what stat -L of /proc/PID/fd/N says (socket:[N] for a socket)
want=$(for f in /proc/$P/fd/*; do echo "${f##*/} $(stat -L -c %i "$f")"; done | sort -n)
got=$(bd dump task_file --pid $P -r -n -o fd,inode | sort -n)
expect_eq "task_file inode: stat -L /proc/PID/fd/N of every fd" "$want" "$got"
sock_fd() { # PORT: the fd of the helper holding the socket with local port PORT (from /proc)
	local ino
	ino=$(proc_net "$2" "$1" | awk '$2 == 0 { print $3 }' | head -1)
	for f in /proc/$P/fd/*; do
		[ "$(readlink "$f")" == "socket:[$ino]" ] && echo "${f##*/}"
	done
}
LFD=$(sock_fd "$LPORT" tcp)
UFD=$(sock_fd "$UPORT" udp)

# a join on the inode finds the holders: the helper and its child, same fd
got=$(bd sql -r -n "SELECT f.pid, f.fd FROM tcp t JOIN task_file f ON f.inode = t.inode
	WHERE t.lport = $LPORT AND t.state = 'LISTEN' ORDER BY f.pid")
want=$(printf '%s\n' "$P $LFD" "$C $LFD" | sort -n)
expect_eq "sql: tcp JOIN task_file ON inode gives the listener's holders" "$want" "$got"

# ---- the views against ss and lsof ----
# ss -H ... -p: "pid fd lport [rport]" of the helper and its child
ss_rows() { # WITH_RPORT SS-ARGS...
	local r=$1
	shift
	ss -H "$@" -p 2>/dev/null | $PY "$PYDIR/sql_owners_ss.py" "$r" "$P" "$C" | sort
}
if ! ss -H -tln >/dev/null 2>&1; then
	skip "views against ss: no ss -H here"
else
	want=$( (ss_rows 0 -tln; ss_rows 0 -uln) | sort)
	got=$(bd sql -r -n "SELECT pid, fd, lport FROM listening WHERE pid IN ($P, $C)" | sort)
	expect_eq "listening: the helper's and child's rows of ss -tlnp and ss -ulnp" "$want" "$got"
	n=$(echo "$got" | grep -c " $LFD $LPORT\$")
	expect_eq "listening: a listener shared after fork() has a row per owner" 2 "$n"
	got=$(bd sql -r -n "SELECT pid, comm, proto, state, laddr FROM listening
		WHERE lport = $UPORT AND pid = $P")
	expect_eq "listening: the UDP socket (comm, proto, state, address)" \
		"$P $(cat /proc/$P/comm) udp UNCONN 127.0.0.1" "$got"
	want=$(ss_rows 1 -tn)
	got=$(bd sql -r -n "SELECT pid, fd, lport, rport FROM connections WHERE pid IN ($P, $C)" |
		sort)
	expect_eq "connections: the helper's and child's rows of ss -tnp" "$want" "$got"
	check "connections: both ends of the helper's connection ($(echo "$got" | wc -l) rows)" \
		[ "$(echo "$got" | grep -c " $CPORT $LPORT\$")" -eq 2 ] && \
		[ "$(echo "$got" | grep -c " $LPORT $CPORT\$")" -eq 2 ]
	got=$(bd sql -r -n "SELECT count(*) FROM connections WHERE lport = $LPORT AND state = 'LISTEN'")
	expect_eq "connections: no listener" 0 "$got"
fi

# lsof -i: the helper's internet fds, "fd port"
if command -v lsof >/dev/null; then
	want=$(timeout 60 lsof -a -i -n -P -p "$P" -F fn 2>/dev/null | $PY "$PYDIR/sql_owners_lsof.py" | sort -u)
	got=$(bd sql -r -n "SELECT fd, lport FROM listening WHERE pid = $P UNION
		SELECT fd, lport FROM connections WHERE pid = $P" | sort -u)
	expect_eq "listening + connections: lsof -i -p PID's fds and ports" "$want" "$got"
else
	skip "views against lsof -i: no lsof"
fi

got=$(bd sql --views | grep -c '^listening\|^connections')
expect_eq "sql --views lists listening and connections" 2 "$got"
