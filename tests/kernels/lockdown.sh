#!/usr/bin/env bash
# lockdown=confidentiality (the kernel forbids bpf_probe_read_kernel, kprobes and tracefs):
# every target dumps its default columns, -o/-w through pointers the verifier does not
# type, pin + cat + bpfdump cat + rm, a view mount, and the one-line messages for what
# cannot work. Ground truth: a process the test starts (/proc/PID/status, fd, maps, exe),
# its listener as ss shows it, a map the test fills with bpftool.
# Runs where /sys/kernel/security/lockdown says [confidentiality]; elsewhere only with
# BPFDUMP_LOCKDOWN=confidentiality (bpfdump then generates the same code, for a kernel
# that would still allow probe reads), else it skips.
source "$(dirname "$0")/../lib.sh"
TEST_NAME=lockdown
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
MODE=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown 2>/dev/null)
if [ "$MODE" = confidentiality ]; then
	how="the kernel's lockdown=confidentiality"
elif [ "${BPFDUMP_LOCKDOWN:-}" = confidentiality ]; then
	how="BPFDUMP_LOCKDOWN=confidentiality on a kernel in lockdown mode '${MODE:-none}'"
	export BPFDUMP_LOCKDOWN
else
	skip "the kernel is not locked down to confidentiality (lockdown: ${MODE:-none}); BPFDUMP_LOCKDOWN=confidentiality forces the same code"
	exit 77
fi
echo "info $TEST_NAME: $how"
ip link set lo up 2>/dev/null
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

# The process under test: a listening TCP socket, an open file, a mapped file.
start_held || { fail "the test process did not start"; exit 1; }

# ---- every target with its default columns ------------------------------------------------
MAP=bdlock$$
MAPPIN=/sys/fs/bpf/$MAP
if bpftool map create "$MAPPIN" type hash key 4 value 8 entries 8 name "$MAP" 2>/dev/null; then
	at_exit "rm -f $MAPPIN"
	bpftool map update pinned "$MAPPIN" key 7 0 0 0 value 42 0 0 0 0 0 0 0 2>/dev/null
fi
n_ok=0 n_all=0 bad="" other=""
for t in $($BPFDUMP targets 2>/dev/null); do
	args=()
	case $t in
	bpf_map_elem) args=(--map "$MAP") ;;
	bpf_sk_storage_map|sockmap) continue ;;	# need a map of sockets: tests/vm/sk_maps_vm.sh
	esac
	n_all=$((n_all + 1))
	if out=$(timeout 120 $BPFDUMP dump "$t" "${args[@]}" 2>&1) &&
	   ! grep -q '^bpfdump:' <<<"$out"; then
		n_ok=$((n_ok + 1))
	elif grep -q "^bpfdump: field list '.*has no member" <<<"$out"; then
		# a preset this kernel's BTF lacks: the same without lockdown (tests/kernels/core.sh)
		other+=" $t"
		n_all=$((n_all - 1))
	else
		bad+=" $t ($(grep -m1 '^bpfdump:' <<<"$out" | cut -c1-160))"
	fi
done
if [ -z "$bad" ] && [ $n_all -gt 5 ]; then
	ok "every target dumps its default columns ($n_ok of $n_all; sk_storage/sockmap need socket maps)"
else
	fail "default columns: $n_ok of $n_all dumped; failed:$bad"
fi
[ -z "$other" ] || skip "default columns of$other: a preset member this kernel's BTF lacks (not a lockdown matter)"

# ---- default columns against ground truth -------------------------------------------------
st() { sed -n "s/^$1:[[:space:]]*//p" /proc/$HOLD/status | awk '{ print $1 }'; }
want="$HOLD $HOLD $(st PPid) $(st Uid) $(st State) $(st Name)"
got=$($BPFDUMP dump task -n -w "task->tgid == $HOLD" 2>&1 | xargs)
expect_eq "task default columns = /proc/PID/status (pid tid ppid uid state name)" "$want" "$got"
want=$(for fd in /proc/$HOLD/fd/*; do echo "$(basename "$fd") $(readlink "$fd")"; done | sort -n)
got=$($BPFDUMP dump task_file --pid $HOLD -n 2>&1 | awk '{ print $3, $4 }' | sort -n)
expect_eq "task_file default columns: fds and paths = /proc/PID/fd" "$want" "$got"
got=$($BPFDUMP dump tcp -n -w "sk_common->skc_num == $PORT" 2>&1 | awk '{ print $2, $3, $4 }')
want="$(ss -Htln "sport = :$PORT" | awk '{ print $1 }' | sed 's/LISTEN/LISTEN/') $(ss -Htln "sport = :$PORT" | awk '{ split($4, a, ":"); print a[1], a[2] }')"
expect_eq "tcp default columns: state, address, port = ss -tln" "$want" "$got"
if [ -e "$MAPPIN" ]; then
	got=$($BPFDUMP dump bpf_map_elem --map "$MAP" -n 2>&1 | xargs)
	expect_eq "bpf_map_elem of the test's map: key 7, value 42 (bytes, no BTF), as bpftool put them" \
		"07 00 00 00 2a 00 00 00 00 00 00 00" "$got"
fi

# ---- -o/-w through untyped pointers: fd table, char * names, walked paths -----------------
got=$($BPFDUMP dump task -n -o 'exe=path(task->mm->exe_file),n=task->mm->exe_file->f_path.dentry->d_name.name' \
	-w "task->tgid == $HOLD" 2>&1 | xargs)
exe=$(readlink /proc/$HOLD/exe)
expect_eq "task -o path(task->mm->exe_file), its dentry's name = /proc/PID/exe" "$exe $(basename "$exe")" "$got"
fd=$(for f in /proc/$HOLD/fd/*; do [ "$(readlink "$f")" = "$TMP/held" ] && basename "$f"; done | head -1)
got=$($BPFDUMP dump task -n -o "n=task->files->fdt->fd[$fd]->f_path.dentry->d_name.name,ino=task->files->fdt->fd[$fd]->f_inode->i_ino" \
	-w "task->tgid == $HOLD" 2>&1 | xargs)
expect_eq "task -o task->files->fdt->fd[N]->...: the held file's name and inode (stat)" \
	"held $(stat -c %i "$TMP/held")" "$got"
got=$($BPFDUMP dump task_file --pid $HOLD -n -o 'fd,fs=file->f_inode->i_sb->s_type->name' -w "fd == $fd" 2>&1 | xargs)
expect_eq "task_file -o file->...->s_type->name (a char *) = stat -f" "$fd $(stat -f -c %T "$TMP/held" | sed 's/^ext2\/ext3$/ext4/')" "$got"
want=$(awk -v f="$TMP/held" '$6 == f { split($1, a, "-"); print a[1] }' /proc/$HOLD/maps | sed 's/^0*//' | sort | xargs)
got=$($BPFDUMP dump task_vma --pid $HOLD -n -o 'start=hex(vma->vm_start),n=vma->vm_file->f_path.dentry->d_name.name' \
	-w 'vma->vm_file->f_path.dentry->d_name.name == "held"' 2>&1 | awk '{ print $1 }' |
	sed 's/^0x//; s/^0*//' | sort | xargs)
expect_eq "task_vma -w on a dentry name: the held file's mappings = /proc/PID/maps" "$want" "$got"
got=$($BPFDUMP dump tcp -n -o 'lport=sk_common->skc_num,netns=sk_common->skc_net.net->ns.inum' \
	-w "sk_common->skc_num == $PORT" 2>&1 | xargs)
expect_eq "tcp -o through skc_net: port and netns inode = /proc/self/ns/net" \
	"$PORT $(stat -L -c %i /proc/$HOLD/ns/net)" "$got"

# ---- pin, cat, bpfdump cat, rm ------------------------------------------------------------
P=/sys/fs/bpf/bdlock-$$
at_exit "rm -rf $P"
if $BPFDUMP pin task_file "$P/files" --pid $HOLD -o 'fd,path=path(file)' --mode 0444 2>"$TMP/pin.err"; then
	want=$(ls /proc/$HOLD/fd | sort -n | xargs)
	expect_eq "pin task_file: cat of the pin = /proc/PID/fd" "$want" \
		"$(tail -n +2 "$P/files" | awk '{ print $1 }' | sort -n | xargs)"
	expect_eq "pin task_file: cat shows the held file's path" "$TMP/held" \
		"$(awk -v f="$fd" '$1 == f { print $2 }' "$P/files")"
	expect_eq "pin task_file: bpfdump cat = /proc/PID/fd" "$want" \
		"$($BPFDUMP cat "$P/files" -n 2>&1 | awk '{ print $1 }' | sort -n | xargs)"
	check "pin task_file: rm removes it and its twins" \
		sh -c "'$BPFDUMP' rm '$P/files' && [ -z \"\$(ls '$P')\" ]"
else
	fail "pin task_file --pid: $(cat "$TMP/pin.err")"
fi

# ---- a view mount ---------------------------------------------------------------------------
[ -c /dev/fuse ] || modprobe fuse 2>/dev/null
if [ -c /dev/fuse ]; then
	M=$TMP/mnt
	mkdir -p "$M"
	"$BPFDUMP" view mount "$M" -f 2>"$TMP/view.err" &
	VD=$!
	at_exit "umount -l $M 2>/dev/null; kill $VD 2>/dev/null"
	for _ in $(seq 300); do mountpoint -q "$M" && break; sleep 0.1; done
	if mountpoint -q "$M"; then
		got=$(awk -v p=$HOLD '$1 == p { print $1 }' "$M/task/_default" | head -1)
		expect_eq "view: task/_default lists the process" "$HOLD" "$got"
		umount "$M"
	else
		fail "view mount: $(head -c 300 "$TMP/view.err")"
	fi
else
	skip "view: no /dev/fuse"
fi

# ---- what cannot work: one line naming lockdown and the alternative -------------------------
one_line() {	# NAME WANT... -- CMD...
	local name=$1 out rc
	shift
	local want=()
	while [ "$1" != -- ]; do want+=("$1"); shift; done
	shift
	out=$(timeout 60 "$@" 2>&1)
	rc=$?
	for w in "${want[@]}"; do
		grep -q -- "$w" <<<"$out" || { fail "$name: no '$w' in: $out"; return; }
	done
	if [ $rc -eq 0 ] || [ $rc -eq 124 ] || [ "$(wc -l <<<"$out")" -ne 1 ]; then
		fail "$name: exit $rc, $(wc -l <<<"$out") lines: $out"
	else
		ok "$name: one line, exit $rc: $out"
	fi
}
one_line "trace --mode kprobe" "lockdown=confidentiality" "fentry" "tp_btf" -- \
	$BPFDUMP trace --mode kprobe 'do_sys_openat2' --duration 1
one_line "a tracefs tracepoint" "lockdown=confidentiality" "tp_btf" -- \
	$BPFDUMP trace 'tp:syscalls:sys_enter_openat' --duration 1
out=$($BPFDUMP --version 2>&1)
check "--version: lockdown mode and bpf_rdonly_cast" grep -qE '^ *lockdown: .*' <<<"$out"

# snapshot: its classic iterators' programs built to read through bpf_rdonly_cast, the
# process's task, threads, fds and mappings as /proc says (tests/kernels/snapshot.sh
# checks every field); a kernel without bpf_rdonly_cast says so in one line
if $BPFDUMP --version 2>/dev/null | grep -q 'bpf_rdonly_cast: yes'; then
	if out=$(timeout 120 $BPFDUMP -v snapshot -J $HOLD 2>"$TMP/snap.err"); then
		check "snapshot: the programs that read through bpf_rdonly_cast ran" \
			grep -q 'forbids bpf_probe_read_kernel: loads through bpf_rdonly_cast' "$TMP/snap.err"
		got=$($PY "$PYDIR/lockdown_snapshot.py" "$out" 2>&1)
		want="$HOLD $(st Name) $(ls /proc/$HOLD/task | wc -l) [$(ls /proc/$HOLD/fd | sort -n | paste -sd, | sed 's/,/, /g')] $(grep -vc '\[vsyscall\]' /proc/$HOLD/maps) [] 0"
		expect_eq "snapshot -J: tgid, comm, threads, fds, mappings as /proc, none absent or lost" "$want" "$got"
	else
		fail "snapshot: $(grep -v '^libbpf' "$TMP/snap.err" | tail -1 | head -c 300)"
	fi
else
	one_line "snapshot without bpf_rdonly_cast" "lockdown=confidentiality" "bpf_rdonly_cast" -- \
		$BPFDUMP snapshot $HOLD
fi
