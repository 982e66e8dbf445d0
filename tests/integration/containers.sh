#!/usr/bin/env bash
# Container scopes: --netns against `ss` run inside a network namespace the test made,
# --pidns against NSpid of /proc/PID/status of a pid namespace it made, --cgroup against
# cgroup.procs of cgroups it made; pinned dumpers keep the scope; trace --cgroup; bad input.
source "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
[ -x $PY ] || PY=python3

wait_file() {
	local _
	for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done
	return 1
}
# rows ARGS...: bpfdump ARGS -r -n, sorted
rows() { timeout 60 "$BPFDUMP" "$@" -r -n 2>"$TMP/err" | sort; }

if ! command -v ip >/dev/null || ! command -v unshare >/dev/null || ! command -v nsenter >/dev/null
then
	skip "needs ip (iproute2), unshare and nsenter (util-linux)"
	exit 77
fi

# ---- network namespace: sockets inside and outside -------------------------------------
NS=bdct$$
if ! ip netns add $NS 2>"$TMP/err"; then
	skip "netns: cannot make a network namespace: $(cat "$TMP/err")"
else
	at_exit ip netns del $NS
	ip netns exec $NS ip link set lo up
	# inside: a listener, a connected pair, a bound UDP socket; outside: a listener
	ip netns exec $NS $PY "$PYDIR/containers_sockets.py" "$TMP/in.ports" &
	IN=$!
	at_exit kill $IN
	$PY "$PYDIR/containers_sockets.py" "$TMP/out.ports" &
	OUT=$!
	at_exit kill $OUT
	wait_file "$TMP/in.ports" && wait_file "$TMP/out.ports"
	read -r IN_L IN_C IN_U <"$TMP/in.ports"
	read -r OUT_L OUT_C OUT_U <"$TMP/out.ports"
	NSF=/run/netns/$NS

	got=$(rows dump tcp --netns $NSF -o 'state=tcpstate(sk_common->skc_state),lport=sk_common->skc_num,rport=sk_common->skc_dport')
	want=$(ip netns exec $NS ss -tanH | awk '{ n = split($4, l, ":"); m = split($5, r, ":");
		st = $1 == "ESTAB" ? "ESTAB" : $1 == "LISTEN" ? "LISTEN" : $1;
		print st, l[n], (r[m] == "*" ? 0 : r[m]) }' | sort)
	expect_eq "--netns: tcp rows are what ss shows inside the namespace" "$want" "$got"
	check "--netns: the namespace's listener $IN_L and pair are there (3 rows)" \
		test "$(echo "$got" | grep -c .)" -eq 3 -a -n "$(echo "$got" | grep "LISTEN $IN_L 0")"
	check "--netns: the host's listener $OUT_L is not" sh -c "! echo '$got' | grep -q ' $OUT_L '"
	# listeners only: other processes' connections may use the namespace's port number
	host=$(rows dump tcp -w 'sk_common->skc_state == TCP_LISTEN' -o 'lport=sk_common->skc_num')
	check "without --netns: the host's listener, not the namespace's" \
		sh -c "echo '$host' | grep -qx '$OUT_L' && ! echo '$host' | grep -qx '$IN_L' || \
		       [ $IN_L = $OUT_L ]"
	got=$(rows dump tcp --target-pid $IN -o 'state=tcpstate(sk_common->skc_state),lport=sk_common->skc_num,rport=sk_common->skc_dport')
	expect_eq "--target-pid of a process in the namespace: the same rows" "$want" "$got"
	got=$(rows dump udp --netns $NSF -o 'lport=udp_sk->inet.sk.__sk_common.skc_num')
	want=$(ip netns exec $NS ss -uanH | awk '{ n = split($4, l, ":"); print l[n] }' | sort)
	expect_eq "--netns: udp rows are what ss -uan shows inside ($IN_U)" "$want" "$got"
	got=$(rows dump unix --netns $NSF -o 'path=sunpath(unix_sk)' | grep -c .)
	want=$(ip netns exec $NS ss -xanH | grep -c .)
	expect_eq "--netns: as many unix sockets as ss -xan shows inside" "$want" "$got"

	# a pinned dumper: the predicate on the namespace's inode keeps it
	PIN=/sys/fs/bpf/bdct-test-$$
	at_exit rm -rf $PIN
	if "$BPFDUMP" pin tcp $PIN/tcp --netns $NSF -o 'lport=sk_common->skc_num' 2>"$TMP/err"; then
		expect_eq "pinned --netns: cat from the host lists nothing (not the host's sockets)" \
			"LPORT" "$(cat $PIN/tcp)"
		got=$(nsenter --net=$NSF cat $PIN/tcp | tail -n +2 | sort | tr '\n' ' ')
		want=$(ip netns exec $NS ss -tanH | awk '{ n = split($4, l, ":"); print l[n] }' | sort | tr '\n' ' ')
		expect_eq "pinned --netns: a reader inside the namespace gets its sockets" "$want" "$got"
		got=$("$BPFDUMP" cat -r -n $PIN/tcp | sort | tr '\n' ' ')
		expect_eq "pinned --netns: bpfdump cat enters the namespace again" "$want" "$got"
	else
		fail "pin tcp --netns: $(cat "$TMP/err")"
	fi
fi

# ---- pid namespace ----------------------------------------------------------------------
unshare --pid --fork --kill-child sh -c 'sleep 3600 & sleep 3600 & exec sleep 3601' &
UNS=$!
at_exit kill -9 $UNS	# unshare --fork ignores SIGTERM; --kill-child takes the namespace down
for _ in $(seq 100); do
	INIT=$(pgrep -P $UNS -x sleep | head -1)
	[ -n "$INIT" ] && [ "$(pgrep -P "$INIT" | wc -l)" -eq 2 ] && break
	sleep 0.05
done
PNS=/proc/$INIT/ns/pid
PNS_INO=$(stat -L -c %i $PNS)
# ground truth: every host process in that namespace: host pid, ns pid, ns ppid, comm
truth() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(stat -L -c %i $p/ns/pid 2>/dev/null)" = "$PNS_INO" ] || continue
		awk -v h=${p#/proc/} '/^NSpid:/ { print h, $NF } /^PPid:/ { pp = $2 } END { print "PP", h, pp }' \
			$p/status 2>/dev/null
	done | awk '$1 == "PP" { pp[$2] = $3; next } { ns[$1] = $2 }
		END { for (h in ns) print h, ns[h], (pp[h] in ns ? ns[pp[h]] : 0) }' | sort -n
}
want=$(truth)
got=$(rows dump task --pidns $PNS -o 'host=task->tgid,pid=nstgid(task),ppid=nstgid(task->real_parent)' | sort -n)
expect_eq "--pidns: host pid, ns pid and ns ppid of every task are NSpid/PPid of /proc" "$want" "$got"
check "--pidns: the namespace's 3 processes, pids 1..3" \
	test "$(echo "$got" | awk '{ print $2 }' | sort -n | tr '\n' ' ')" = "1 2 3 "
got=$(rows dump task --pidns $PNS -o 'pid=nstgid(task)' | tr '\n' ' ')
check "--pidns: our own reader is not one of the tasks listed ($got)" test "$got" = "1 2 3 "
got=$("$BPFDUMP" dump task --pidns $PNS -J | $PY "$PYDIR/containers_pidns_rows.py")
want=$(echo "$(truth)" | awk '{ print $2 ":" $3 }' | sort -n | tr '\n' ' ')
expect_eq "--pidns: the default columns number pids as the namespace does" "${want% }" "$(echo $got | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')"
got=$(rows dump task --pidns $PNS --pid 2 -o 'pid=nstgid(task),host=task->tgid')
want=$(truth | awk '$2 == 2 { print 2, $1 }')
expect_eq "--pidns --pid 2: the namespace's pid 2" "$want" "$got"
got=$(rows dump task_file --target-pid $INIT --pid 1 -o 'pid=nstgid(task),fd=fd')
want=$(ls /proc/$INIT/fd | sort -n | sed 's/^/1 /')
expect_eq "--target-pid, task_file --pid 1: the fds of the namespace's init" "$want" "$(echo "$got" | sort -k2 -n)"
h3=$(truth | awk '$2 == 3 { print $1 }')
got=$("$BPFDUMP" snapshot --pidns $PNS 3 -J -o task | $PY -c 'import json, sys; print(json.load(sys.stdin)["task"]["pid"])')
expect_eq "snapshot --pidns FILE 3: the process the namespace calls 3" "$h3" "$got"
PIN=/sys/fs/bpf/bdct-test-$$
at_exit rm -rf $PIN
if "$BPFDUMP" pin task $PIN/pidns --pidns $PNS -o 'pid=nstgid(task),host=task->tgid' 2>"$TMP/err"; then
	want=$(truth | awk '{ print $2, $1 }' | sort -n)
	expect_eq "pinned --pidns: cat from the host shows just the namespace, its numbering" \
		"$want" "$(tail -n +2 $PIN/pidns | sort -n)"
	expect_eq "pinned --pidns: bpfdump cat the same" "$want" "$("$BPFDUMP" cat -r -n $PIN/pidns | sort -n)"
else
	fail "pin task --pidns: $(cat "$TMP/err")"
fi

# ---- cgroup subtree -------------------------------------------------------------------------
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [ -z "$CG2" ] || ! mkdir -p "$CG2/bdct-$$/sub" 2>"$TMP/err"; then
	skip "cgroup: no writable cgroup2 mount ($(cat "$TMP/err" 2>/dev/null))"
else
	CG=$CG2/bdct-$$
	# the killed sleepers leave their cgroups a moment later
	at_exit "for _ in \$(seq 50); do rmdir $CG/sub $CG 2>/dev/null; [ -d $CG ] || break; sleep 0.1; done"
	for c in $CG $CG $CG/sub; do
		sleep 3600 &
		at_exit kill $!
		echo $! >$c/cgroup.procs
	done
	want=$(cat $CG/cgroup.procs $CG/sub/cgroup.procs | sort -n)
	got=$(rows dump task --cgroup $CG -o 'pid=task->tgid' | sort -n)
	expect_eq "--cgroup: the tasks of the subtree are cgroup.procs of it and below" "$want" "$got"
	want=$(sort -n $CG/sub/cgroup.procs)
	got=$(rows dump task --cgroup $CG/sub -o 'pid=task->tgid')
	expect_eq "--cgroup of the leaf: its cgroup.procs" "$want" "$got"
	got=$(cd / && rows dump task --cgroup bdct-$$/sub -o 'pid=task->tgid')
	expect_eq "--cgroup NAME relative to the cgroup2 mount: its cgroup.procs" "$want" "$got"
	got=$(rows dump task --container "$want" -o 'pid=task->tgid')
	expect_eq "--container PID: the tasks of PID's cgroup (and namespaces)" "$want" "$got"
	got=$(rows dump task_file --cgroup $CG/sub -o 'pid=task->tgid,fd=fd' | awk '{ print $2 }' | sort -n)
	expect_eq "task_file --cgroup: the leaf's process's fds" "$(ls /proc/$want/fd | sort -n)" "$got"
	if "$BPFDUMP" pin task $PIN/cg --cgroup $CG -o 'pid=task->tgid' 2>"$TMP/err"; then
		expect_eq "pinned --cgroup: cat shows the subtree's tasks" \
			"$(cat $CG/cgroup.procs $CG/sub/cgroup.procs | sort -n)" "$(tail -n +2 $PIN/cg | sort -n)"
	else
		fail "pin task --cgroup: $(cat "$TMP/err")"
	fi
	# a view bound to the pid namespace, for a cgroup holding the namespace's processes
	mkdir $CG/ns
	# the namespace's processes are killed by a cleanup that runs later: move them out first
	at_exit "for p in \$(cat $CG/ns/cgroup.procs); do echo \$p >$CG2/cgroup.procs; done;" \
		"for _ in \$(seq 50); do rmdir $CG/ns 2>/dev/null; [ -d $CG/ns ] || break; sleep 0.1; done"
	for p in $(truth | awk '{ print $1 }'); do echo $p >$CG/ns/cgroup.procs; done
	M=$TMP/mnt CONF=$TMP/views.conf
	mkdir -p $M
	if ! "$BPFDUMP" view add nsprocs 'pid=nstgid(task),ppid=nstgid(task->real_parent)' -t task \
		--pidns $PNS --config $CONF 2>"$TMP/err"; then
		fail "view add --pidns: $(cat "$TMP/err")"
	elif ! command -v fusermount3 >/dev/null && ! command -v fusermount >/dev/null; then
		skip "view --pidns: no fusermount (fuse3)"
	else
		timeout 60 "$BPFDUMP" view mount $M -f --config $CONF >"$TMP/view.log" 2>&1 &
		VM=$!
		at_exit "fusermount3 -u $M || fusermount -u $M; kill $VM"
		for _ in $(seq 100); do mountpoint -q $M && break; sleep 0.05; done
		got=$(tail -n +2 $M/cgroup/bdct-$$/ns/nsprocs 2>&1 | awk '{ print $1, $2 }' | sort -n)
		want=$(truth | awk '{ print $2, $3 }' | sort -n)
		expect_eq "view bound to a pid namespace: its tasks in the cgroup, its numbering" \
			"$want" "$got"
		fusermount3 -u $M 2>/dev/null || fusermount -u $M
	fi

	# trace --cgroup: two execs inside the subtree, one outside, each of its own name
	cp /bin/true "$TMP/bdct_in"; cp /bin/true "$TMP/bdct_out"
	timeout 60 "$BPFDUMP" trace --cgroup $CG -J -d 30 'tp:sched:sched_process_exec(p->comm)' \
		>"$TMP/tr.json" 2>"$TMP/tr.err" &
	TR=$!
	for _ in $(seq 400); do grep -q tracing "$TMP/tr.err" && break; sleep 0.05; done
	sh -c "echo \$\$ > $CG/sub/cgroup.procs && exec $TMP/bdct_in"
	sh -c "echo \$\$ > $CG/cgroup.procs && exec $TMP/bdct_in"
	"$TMP/bdct_out"
	sleep 0.5
	kill -INT $TR; wait $TR
	n_in=$(grep -c '"p->comm":"bdct_in"' "$TMP/tr.json"); n_out=$(grep -c '"p->comm":"bdct_out"' "$TMP/tr.json")
	check "trace --cgroup: both execs inside the subtree, not the one outside ($n_in/$n_out)" \
		test "$n_in" -eq 2 -a "$n_out" -eq 0
fi

# ---- chroot: paths end at the reader's root, as d_path's ---------------------------------
# In a mount namespace of its own (nothing leaks): a directory with /usr bound in, proc and
# sys, and a sleep chrooted there. Paths bpfdump walks itself (task->mm->exe_file,
# task->fs->pwd/root: no bpf_d_path there) and task_vma's, read inside the chroot and out,
# against readlink of /proc/PID/{exe,cwd,root} and /proc/PID/maps read the same way.
if ! command -v chroot >/dev/null; then
	skip "chroot: no chroot command"
else
	CR=$TMP/chroot
	mkdir -p "$CR/root/usr" "$CR/root/proc" "$CR/root/sys"
	ln -s usr/bin "$CR/root/bin"
	ln -s usr/lib "$CR/root/lib"
	ln -s usr/lib64 "$CR/root/lib64"
	cp "$BPFDUMP" "$CR/root/bpfdump"
	cat >"$CR/run.sh" <<'SH'
set -e
R=$1 OUT=$2
mount --make-rprivate /
mount --bind /usr "$R/usr"
mount -t proc proc "$R/proc"
mount --rbind /sys "$R/sys"
chroot "$R" /bin/sleep 60 &
S=$!
# asleep: exec'd, loaded and its locale read
for _ in $(seq 200); do
	[ "$(readlink /proc/$S/exe)" = "$R/usr/bin/sleep" ] &&
		[ "$(cut -d' ' -f3 /proc/$S/stat)" = S ] && break
	sleep 0.05
done
Q='path(task->mm->exe_file),path(task->fs->pwd),path(task->fs->root)'
for who in $S $PPID; do
	chroot "$R" readlink /proc/$who/exe /proc/$who/cwd /proc/$who/root >"$OUT/in.$who.truth"
	chroot "$R" /bpfdump dump task --pid $who -o "$Q" -J >"$OUT/in.$who.json"
	readlink /proc/$who/exe /proc/$who/cwd /proc/$who/root >"$OUT/out.$who.truth"
	"$R/bpfdump" dump task --pid $who -o "$Q" -J >"$OUT/out.$who.json"
done
chroot "$R" cat /proc/$S/maps >"$OUT/in.maps"
chroot "$R" /bpfdump dump task_vma --pid $S -J >"$OUT/in.vma.json"
echo $S >"$OUT/sleep.pid"
kill $S
SH
	if ! unshare -m bash "$CR/run.sh" "$CR/root" "$CR" >"$TMP/err" 2>&1; then
		fail "chroot: the setup failed: $(head -c 300 "$TMP/err")"
	else
		S=$(cat "$CR/sleep.pid")
		walked() { /usr/bin/python3 "$PYDIR/containers_walked.py" <"$1"; }
		expect_eq "chroot: a chrooted task's exe/cwd/root read in the chroot match readlink there" \
			"$(cat "$CR/in.$S.truth")" "$(walked "$CR/in.$S.json")"
		expect_eq "chroot: ... and read outside it, readlink outside" \
			"$(cat "$CR/out.$S.truth")" "$(walked "$CR/out.$S.json")"
		check "chroot: inside, the exe is /usr/bin/sleep" grep -qx /usr/bin/sleep "$CR/in.$S.truth"
		pp=$(ls "$CR"/in.*.truth | grep -v "in.$S.truth" | sed 's/.*in\.\(.*\)\.truth/\1/')
		expect_eq "chroot: a task outside it, read in the chroot (d_path gives its full path)" \
			"$(cat "$CR/in.$pp.truth")" "$(walked "$CR/in.$pp.json")"
		expect_eq "chroot: task_vma's paths read in the chroot match its /proc/PID/maps" \
			"$(awk 'NF>=6 && $6 ~ /^\// {print $6}' "$CR/in.maps" | sort -u)" \
			"$(/usr/bin/python3 "$PYDIR/containers_vma_paths.py" \
				<"$CR/in.vma.json" | grep '^/')"
	fi
fi

# ---- bad input ---------------------------------------------------------------------------------
bad_input "--netns of a file that is no namespace" "not a namespace file" \
	"$BPFDUMP" dump tcp --netns /etc/hostname
bad_input "--netns of a pid namespace" "a pid namespace, not a network namespace" \
	"$BPFDUMP" dump tcp --netns /proc/self/ns/pid
bad_input "--pidns of a network namespace" "a network namespace, not a pid namespace" \
	"$BPFDUMP" dump task --pidns /proc/self/ns/net
bad_input "--netns on a global target" "this target is global" \
	"$BPFDUMP" dump bpf_prog --netns /proc/self/ns/net
bad_input "--netns on a task target" "task targets take --pidns" \
	"$BPFDUMP" dump task --netns /proc/self/ns/net
bad_input "--pidns on a socket target" "socket targets take --netns" \
	"$BPFDUMP" dump tcp --pidns /proc/self/ns/pid
bad_input "--target-pid on a global target" "is global" \
	"$BPFDUMP" dump ksym --target-pid 1
sh -c 'exit 0' &
gone=$!
wait $gone
bad_input "--target-pid of a process that exited" "no such process" \
	"$BPFDUMP" dump tcp --target-pid $gone
bad_input "--netns of a missing file" "No such file" "$BPFDUMP" dump tcp --netns /nonexistent/ns
bad_input "--pidns --pid of a pid the namespace lacks" "has no process 999" \
	"$BPFDUMP" dump task --pidns $PNS --pid 999
bad_input "snapshot --pidns of a pid the namespace lacks" "has no process 999" \
	"$BPFDUMP" snapshot --pidns $PNS 999
bad_input "--cgroup of a directory that is no cgroup2" "not a cgroup2 directory" \
	"$BPFDUMP" dump task --cgroup /tmp
bad_input "trace --cgroup of a directory that is no cgroup2" "not a cgroup2 directory" \
	"$BPFDUMP" trace --cgroup /tmp -d 1 'tp:sched:sched_process_exec'
bad_input "pin --mntns" "cannot keep" "$BPFDUMP" pin task_file /sys/fs/bpf/x --mntns /proc/self/ns/mnt
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	bad_input "--netns without privilege" "root" \
		setpriv --reuid nobody --regid nogroup --clear-groups "$BPFDUMP" dump tcp --netns /proc/1/ns/net
fi
check "no pin left behind" test ! -e /sys/fs/bpf/x
