#!/usr/bin/env bash
# The field language of -o and -w against the kernel's own account: C literals (octal, binary,
# hex), column names used as fields. A process the test starts opens files with and without
# O_PATH; /proc/PID/fdinfo gives each fd's file->f_flags in octal.
source "$(dirname "$0")/../lib.sh"

# wait_file PATH: poll (bounded) until PATH exists

# bd ARGS...: bpfdump, bounded; stderr to $TMP/bd.err
bd() { timeout 60 "$BPFDUMP" "$@" 2>"$TMP/bd.err"; }

# The helper opens /dev/null through libc's open(2) three times with O_PATH (010000000) and
# three times without, then waits.
cp "$PYDIR/fields_helper.py" "$TMP/helper.py"
python3 "$TMP/helper.py" "$TMP" </dev/null >/dev/null 2>&1 &
P=$!
at_exit "kill $P"
if ! wait_file "$TMP/ready"; then
	fail "helper process did not start"
	exit 1
fi

# fds whose fdinfo flags (octal: the file's f_flags, plus O_CLOEXEC from the fd table) have
# a bit of MASK set (WANT 1) or none (WANT 0)
fdinfo_fds() {
	local mask=$1 want=$2 f flags
	for f in /proc/$P/fdinfo/*; do
		flags=$(awk '$1 == "flags:" { print $2 }' "$f")
		if [ $(( (8#$flags & mask) != 0 )) -eq "$want" ]; then echo "${f##*/}"; fi
	done | sort -n | tr '\n' ' '
}
# fds of -w FILTER
dump_fds() { bd dump task_file --pid "$P" -r -n -o fd -w "$1" | sort -n | tr '\n' ' '; }

opath=$(fdinfo_fds 8#10000000 1)
others=$(fdinfo_fds 8#10000000 0)
if [ -z "$opath" ] || [ -z "$others" ]; then
	fail "helper has fds with and without O_PATH (fdinfo: '$opath' / '$others')"
fi
# A leading 0 is octal as in C: read as decimal 10000000 the mask has O_LARGEFILE's bit
# (0100000), which every opened file on a 64-bit kernel carries, and would list every fd.
expect_eq "-w 'file->f_flags & 010000000' (octal) lists the O_PATH fds of /proc/PID/fdinfo" \
	"$opath" "$(dump_fds 'file->f_flags & 010000000')"
expect_eq "-w '!(file->f_flags & 010000000)' lists the others" \
	"$others" "$(dump_fds '!(file->f_flags & 010000000)')"
expect_eq "the same mask as 0x200000" "$opath" "$(dump_fds 'file->f_flags & 0x200000')"
expect_eq "the same mask as 0b1000000000000000000000" "$opath" \
	"$(dump_fds 'file->f_flags & 0b1000000000000000000000')"
# decimal 10000000 without the O_CLOEXEC bit, which fdinfo adds from the fd table
m=$((10000000 & ~8#2000000))
expect_eq "decimal $m stays decimal (fdinfo flags & $m)" \
	"$(fdinfo_fds $m 1)" "$(dump_fds "file->f_flags & $m")"
# an octal == against one O_PATH fd's fdinfo flags, written as fdinfo writes them
first=${opath%% *}
oflags=$(awk '$1 == "flags:" { print $2 }' "/proc/$P/fdinfo/$first")
want=$(for f in /proc/$P/fdinfo/*; do
	[ "$(awk '$1 == "flags:" { print $2 }' "$f")" == "$oflags" ] && echo "${f##*/}"
done | sort -n | tr '\n' ' ')
expect_eq "-w 'file->f_flags == $oflags' (octal ==) lists the fds fdinfo shows so" \
	"$want" "$(dump_fds "file->f_flags == $oflags")"
# the fdinfo flags in octal, printed by -o as a number, equal the kernel's f_flags
# without the close-on-exec bit fdinfo adds from the fd table
bad=0
while read -r fd flags; do
	want=$(awk '$1 == "flags:" { print $2 }' "/proc/$P/fdinfo/$fd")
	if [ $(( 8#$want & ~8#2000000 )) -ne $(( flags & ~8#2000000 )) ]; then bad=$((bad + 1)); fi
done < <(bd dump task_file --pid "$P" -r -n -o 'fd,file->f_flags')
expect_eq "file->f_flags equals fdinfo flags: on every fd" 0 "$bad"

# ---- a default column's name stands for its expression ----
got=$(bd dump task --pid "$P" -r -n -o pid,comm,tid -w "tid == $P")
want="$(awk '$1 == "Tgid:" { print $2 }' /proc/$P/status) $(cat /proc/$P/comm) $P"
expect_eq "dump task -o pid,comm,tid -w 'tid == PID' equals /proc/PID/status Tgid, comm, pid" "$want" "$got"
expect_eq "-o pid,comm: headers are the names" "PID COMM" \
	"$(bd dump task --pid "$P" -r -o pid,comm | head -1)"
expect_eq "-o x=tid: a column name renamed" "$P" \
	"$(bd dump task --pid "$P" -r -n -o 'x=tid' -w "tid == $P")"

PORT=$(cat "$TMP/port")
# ss: the sockets on the helper's port, as "port state" lines (listener and both ends)
want=$(ss -Htan "( sport = :$PORT )" | awk '{ print $1 }' | sort | tr '\n' ' ')
got=$(bd dump tcp -r -n -o state -w "lport == $PORT" | sort | tr '\n' ' ')
expect_eq "dump tcp -w 'lport == PORT': the states ss -tan shows for sport PORT" "$want" "$got"
expect_eq "-w 'lport == PORT' and -w 'sk_common->skc_num == PORT' agree" \
	"$(bd dump tcp -r -n -w "sk_common->skc_num == $PORT" | sort)" \
	"$(bd dump tcp -r -n -w "lport == $PORT" | sort)"
expect_eq "-w 'state == TCP_LISTEN && lport == PORT': the listener alone" "$PORT LISTEN" \
	"$(bd dump tcp -r -n -o lport,state -w "state == TCP_LISTEN && lport == $PORT")"
expect_eq "-w 'rport == PORT': the client end, as ss -tan dport PORT" \
	"$(ss -Htan "( dport = :$PORT )" | wc -l)" \
	"$(bd dump tcp -r -n -w "rport == $PORT" | wc -l)"

bad_input "a formatted column in a predicate is refused, naming its function" \
	"column 'state' is taskstate(...): cannot be used in a predicate" \
	timeout 60 "$BPFDUMP" dump task -w 'state == 0'
bad_input "an unknown name lists the fields and the columns" \
	"has no field 'nosuch'; its fields: task; its columns: pid, tid, ppid, uid, state, comm" \
	timeout 60 "$BPFDUMP" dump task -o nosuch

# ---- arithmetic, field-to-field compares, parentheses on either side (compiled to BPF) ----
others=$(ls /proc/$P/task | grep -vx "$P" | sort -n | tr '\n' ' ')
expect_eq "-w 'task->pid == task->tgid': the thread group leader" "$P" \
	"$(bd dump task --pid "$P" -r -n -o tid -w 'task->pid == task->tgid')"
expect_eq "-w 'task->pid != task->tgid': the other threads of /proc/PID/task" "$others" \
	"$(bd dump task --pid "$P" -r -n -o tid -w 'task->pid != task->tgid' | sort -n | tr '\n' ' ')"
socks=$(for f in /proc/$P/fd/*; do
	case "$(readlink "$f")" in socket:*) echo "${f##*/}" ;; esac
done | sort -n | tr '\n' ' ')
expect_eq "-w '(file->f_inode->i_mode & 0170000) == 0140000': the socket fds of /proc/PID/fd" \
	"$socks" "$(dump_fds '(file->f_inode->i_mode & 0170000) == 0140000')"
expect_eq "-w '0140000 == (file->f_inode->i_mode & 0170000)': parentheses on the right" \
	"$socks" "$(dump_fds '0140000 == (file->f_inode->i_mode & 0170000)')"
expect_eq "-w '!((file->f_inode->i_mode >> 12) - 014)' (shift, subtraction, octal)" \
	"$socks" "$(dump_fds '!((file->f_inode->i_mode >> 12) - 014)')"
expect_eq "-w 'fd * 3 % 7 == (fd * 3) % 7 && fd + 1 - 1 == fd': every fd" \
	"$(ls /proc/$P/fd | sort -n | tr '\n' ' ')" "$(dump_fds 'fd * 3 % 7 == (fd * 3) % 7 && fd + 1 - 1 == fd')"
all_tids=$(ls /proc/$P/task | sort -n | tr '\n' ' ')
expect_eq "division by zero gives 0, modulo by zero the dividend (BPF): every thread" \
	"$all_tids" \
	"$(bd dump task --pid "$P" -r -n -o tid -w 'tid / 0 == 0 && tid % 0 == tid' | sort -n | tr '\n' ' ')"
expect_eq "-w 'lport * 2 == 2 * PORT' equals -w 'lport == PORT'" \
	"$(bd dump tcp -r -n -w "lport == $PORT" | sort)" \
	"$(bd dump tcp -r -n -w "lport * 2 == $((2 * PORT))" | sort)"
expect_eq "-w 'lport - 1 == PORT - 1' equals -w 'lport == PORT'" \
	"$(bd dump tcp -r -n -w "lport == $PORT" | sort)" \
	"$(bd dump tcp -r -n -w "lport - 1 == $PORT - 1" | sort)"

bad_input "a string in arithmetic is refused" "a string cannot be used in arithmetic" \
	timeout 60 "$BPFDUMP" dump task -w 'pid + "x" == 1'
bad_input "a char array in arithmetic is refused" "cannot use char[16] in arithmetic" \
	timeout 60 "$BPFDUMP" dump task -w 'comm + 1 == 2'
bad_input "an operand tree too deep for the registers is refused" "more than 6 registers" \
	timeout 60 "$BPFDUMP" dump task -w '1 == (1 + (1 + (1 + (1 + (1 + (1 + pid))))))'

# ---- enumerators as array indexes; a hint for a near-miss name ----
mm_anon=$(bpftool btf dump file /sys/kernel/btf/vmlinux format raw 2>/dev/null |
	awk -F"val=" "/'MM_ANONPAGES' val=/ { print \$2; exit }")
if [ -z "$mm_anon" ]; then
	skip "rss_stat[MM_ANONPAGES]: bpftool does not show MM_ANONPAGES"
else
	# 6.2 on: rss_stat is percpu_counter rss_stat[NR_MM_COUNTERS]; before: struct mm_rss_stat
	for path in 'task->mm->rss_stat[%s].count' 'task->mm->rss_stat.count[%s].counter'; do
		# shellcheck disable=SC2059
		byname=$(printf "$path" MM_ANONPAGES) bynum=$(printf "$path" "$mm_anon")
		want=$(bd dump task --pid "$P" -r -n -o "a=$bynum" -w "tid == $P") && break
	done
	if [ -z "$want" ]; then
		fail "rss_stat[$mm_anon]: neither rss_stat layout resolves: $(head -c 200 "$TMP/bd.err")"
	else
		expect_eq "$byname equals $bynum (bpftool: MM_ANONPAGES val=$mm_anon)" "$want" \
			"$(bd dump task --pid "$P" -r -n -o "a=$byname" -w "tid == $P")"
	fi
fi
bad_input "a near-miss constant name gets a hint" "unknown name 'LISTEN'" \
	timeout 60 "$BPFDUMP" dump tcp -w 'sk_common->skc_state == LISTEN'
judge_message "the hint names TCP_LISTEN" "did you mean 'TCP_LISTEN'?"
bad_input "a near-miss index name gets a hint" "did you mean 'MM_ANONPAGES'?" \
	timeout 60 "$BPFDUMP" dump task -o 'task->mm->rss_stat[MM_ANON]'
