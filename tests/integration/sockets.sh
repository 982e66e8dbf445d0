#!/usr/bin/env bash
# tcp, udp and unix targets vs /proc/net/{tcp,tcp6,udp,udp6,unix} and ss, on sockets the test makes.
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


# The helper picks random free ports and makes:
#  tcp: a listener on 127.0.0.1:T4 with an established pair, a listener on [::1]:T6 with a pair
#       whose client then shuts down writing (FIN-WAIT-2 / CLOSE-WAIT), an inet6 socket connected
#       to the v4 listener (::ffff:127.0.0.1), a listener created with euid nobody
#  udp: unconnected 127.0.0.1:U4, [::1]:U6 connected to [::1]:U4, one created with euid nobody
#  unix: stream listener whose path has a space, a client connected to it, seqpacket listener,
#       dgram bound to a path (euid nobody), abstract dgram
# Every TCP socket has SO_LINGER 0, so the kernel resets them at exit (no TIME-WAIT left behind).
cp "$PYDIR/sockets_helper.py" "$TMP/helper.py"
python3 "$TMP/helper.py" "$TMP" </dev/null >/dev/null 2>"$TMP/helper.err" &
P=$!
at_exit "kill $P"
if ! wait_file "$TMP/ports.json"; then
	fail "helper did not start: $(head -c 300 "$TMP/helper.err")"
	exit 1
fi
port() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TMP/ports.json" "$1"; }
T4=$(port t4) T6=$(port t6) C6=$(port c6) U4=$(port u4) U6=$(port u6)

# the half-closed pair settles once the FIN is acked: wait for that state (bounded), not for time
for _ in $(seq 100); do
	ss -tanH state fin-wait-2 "( sport = :$C6 )" | grep -q . && break
	sleep 0.05
done

snap() {
	cat /proc/net/tcp /proc/net/tcp6 >"$TMP/$1.tcp"
	cat /proc/net/udp /proc/net/udp6 >"$TMP/$1.udp"
	cat /proc/net/unix >"$TMP/$1.unix"
	ss -tanH >"$TMP/$1.sst"; ss -uanH >"$TMP/$1.ssu"; ss -xanH >"$TMP/$1.ssx"
}
snap a
dump_ok "dump tcp -J exits 0" "$TMP/tcp.json" dump tcp -J
dump_ok "dump udp -J exits 0" "$TMP/udp.json" dump udp -J
dump_ok "dump unix -J exits 0" "$TMP/unix.json" dump unix -J
dump_ok "dump unix with the socket inode exits 0" "$TMP/unixino.json" dump unix -J -o 'ino=unix_sk->sk.sk_socket->file->f_inode->i_ino,type=socktype(unix_sk->sk),sk_type=unix_sk->sk.sk_type,state=tcpstate(unix_sk->sk.__sk_common.skc_state),uid=uid,path=sunpath(unix_sk)'
snap b
check "JSON parses (tcp, udp, unix)" json_valid < <(cat "$TMP/tcp.json" "$TMP/udp.json" "$TMP/unix.json")

/usr/bin/python3 "$PYDIR/sockets_check.py" "$TMP"

# predicates compiled into the program
out=$(timeout 60 "$BPFDUMP" dump tcp -r -n -o 'state=tcpstate(sk_common->skc_state),lport=sk_common->skc_num' -w "sk_common->skc_num == $T4" | sort)
expect_eq "tcp -w 'skc_num == PORT': listener + accepted sockets" "$(printf 'ESTAB %s\nESTAB %s\nLISTEN %s' "$T4" "$T4" "$T4")" "$out"
n=$(timeout 60 "$BPFDUMP" dump tcp -r -n -w "sk_common->skc_num == $T4 || sk_common->skc_dport == $T4" | wc -l)
expect_eq "tcp -w on local or remote port counts like ss" "$(ss -tanH "( sport = :$T4 or dport = :$T4 )" | wc -l)" "$n"
out=$(timeout 60 "$BPFDUMP" dump tcp -r -n -o 'lport=sk_common->skc_num' -w "sk_common->skc_family == AF_INET6 && sk_common->skc_state == TCP_LISTEN && sk_common->skc_num == $T6")
expect_eq "tcp -w with named constants AF_INET6, TCP_LISTEN" "$T6" "$out"
out=$(timeout 60 "$BPFDUMP" dump udp -r -n -o 'lport=udp_sk->inet.sk.__sk_common.skc_num,rport=udp_sk->inet.sk.__sk_common.skc_dport' -w "udp_sk->inet.sk.__sk_common.skc_num == $U6")
expect_eq "udp -w on the local port" "$U6 $U4" "$out"
out=$(timeout 60 "$BPFDUMP" dump unix -r -n -o 'type=unix_sk->sk.sk_type' -w "unix_sk->addr->name[0].sun_path == \"$TMP/seqpacket\"")
expect_eq "unix -w on sun_path" "5" "$out"
out=$(timeout 60 "$BPFDUMP" dump unix -r -n -o 'type=socktype(unix_sk->sk),state=tcpstate(unix_sk->sk.__sk_common.skc_state)' -w "unix_sk->addr->name[0].sun_path == \"$TMP/seqpacket\"")
expect_eq "unix socktype() and tcpstate() as ss -xa names them" "$(ss -xlH src "$TMP/seqpacket" | awk '{print $1, $2}')" "$out"
out=$(timeout 60 "$BPFDUMP" dump unix -r -n -o type,path -w "type == SOCK_SEQPACKET && unix_sk->addr->name[0].sun_path == \"$TMP/seqpacket\"")
expect_eq "unix -w 'type == SOCK_SEQPACKET': the default column compares sk_type" "u_seq $TMP/seqpacket" "$out"
out=$(timeout 60 "$BPFDUMP" dump unix -r -n -o type -w "type == SOCK_STREAM && unix_sk->addr->name[0].sun_path == \"$TMP/seqpacket\"")
expect_eq "unix -w 'type == SOCK_STREAM' leaves the seqpacket socket out" "" "$out"
# the kernel-side text writer (a pinned dumper read by cat) names them the same
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
PIN=/sys/fs/bpf/bpfdump-sockets-$$
at_exit "rm -rf $PIN"
W="unix_sk->addr->name[0].sun_path == \"$TMP/seqpacket\" || unix_sk->addr->name[0].sun_path == \"$TMP/dgram-nobody\""
if timeout 60 "$BPFDUMP" pin unix "$PIN/unix" -w "$W" 2>"$TMP/pin.err"; then
	check "pinned unix dumper's cat (type, state names) equals dump -r" \
		cmp -s <(cat "$PIN/unix") <(timeout 60 "$BPFDUMP" dump unix -r -w "$W")
	out=$(awk 'NR > 1 {print $1, $2}' "$PIN/unix" | sort | tr '\n' ' ')
	expect_eq "pinned unix dumper shows u_dgr UNCONN and u_seq LISTEN" "u_dgr UNCONN u_seq LISTEN " "$out"
else
	fail "pin unix: $(head -c 300 "$TMP/pin.err")"
fi
out=$(timeout 60 "$BPFDUMP" dump unix -r -n -o 'path=unix_sk->addr->name[0].sun_path' -w "unix_sk->addr->name[0].sun_path == \"$TMP/stream sock\" && unix_sk->sk.__sk_common.skc_state == TCP_LISTEN")
expect_eq "unix -r escapes the space in a path" "$TMP/stream\\x20sock" "$out"

