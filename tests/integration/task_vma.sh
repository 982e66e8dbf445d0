#!/usr/bin/env bash
# task_vma target vs /proc/PID/maps: a process the test starts maps files and anonymous regions.
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


# The helper reserves a 64-page PROT_NONE area and maps into it with MAP_FIXED (gaps keep the
# mappings apart): a file MAP_SHARED rw at page offset 2, the same file MAP_PRIVATE r at offset 0,
# a file with spaces in its name r-x at offset 1, a file that is then unlinked, anonymous rw
# private, anonymous shared, and leaves PROT_NONE gaps. It runs one extra thread.
cp "$PYDIR/task_vma_helper.py" "$TMP/helper.py"
python3 "$TMP/helper.py" "$TMP" </dev/null >/dev/null 2>"$TMP/helper.err" &
P=$!
at_exit "kill $P"
if ! wait_file "$TMP/maps.json"; then
	fail "helper process did not start: $(head -c 300 "$TMP/helper.err")"
	exit 1
fi

cp /proc/$P/maps "$TMP/maps1"
dump_ok "dump task_vma --pid -J exits 0" "$TMP/pid.json" dump task_vma --pid "$P" -J
check "JSON parses" json_valid <"$TMP/pid.json"
dump_ok "dump task_vma -J (all tasks) exits 0" "$TMP/all.json" dump task_vma -J
dump_ok "dump task_vma with dev(), ino() of vm_file exits 0" "$TMP/ino.json" dump task_vma --pid "$P" -J \
	-o 'start=vma->vm_start,ino=ino(vma->vm_file),dev=dev(vma->vm_file)'
cp /proc/$P/maps "$TMP/maps2"
check "ground truth stable during the dumps" cmp -s "$TMP/maps1" "$TMP/maps2"

/usr/bin/python3 "$PYDIR/task_vma_check.py" "$TMP" "$P"

a=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["maps"]["file_shared_rw"][0])' "$TMP/maps.json")
out=$(timeout 60 "$BPFDUMP" dump task_vma -r -n -o 'pid=task->tgid,perms=vmflags(vma->vm_flags),pgoff=vma->vm_pgoff' -w "vma->vm_start == $a")
expect_eq "-w 'vma->vm_start == ADDR' over all tasks selects one VMA" "$P rw-s 2" "$out"
out=$(timeout 60 "$BPFDUMP" dump task_vma -r -n -o 'pgoff=fileoff(vma),pages=vma->vm_pgoff' -w "vma->vm_start == $a")
expect_eq "fileoff(vma) is vm_pgoff in bytes for a file mapping" "0x2000 2" "$out"
# the kernel-side text writer (a pinned dumper read by cat) prints the same as dump -r
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
PIN=/sys/fs/bpf/bpfdump-vma-$$
at_exit "rm -rf $PIN"
if timeout 60 "$BPFDUMP" pin task_vma "$PIN/maps" --pid "$P" 2>"$TMP/pin.err"; then
	cat "$PIN/maps" >"$TMP/vcat.txt"
	timeout 60 "$BPFDUMP" dump task_vma --pid "$P" -r >"$TMP/vdump.txt"
	# paths aside: -r writes a space in one as \x20, the kernel-side writer as is
	check "pinned task_vma's cat equals dump -r row for row (pid to pgoff)" \
		cmp -s <(cut -d" " -f1-5 "$TMP/vcat.txt") <(cut -d" " -f1-5 "$TMP/vdump.txt")
	# offsets in bytes, as /proc/PID/maps (the [vsyscall] gate area is no VMA of the mm)
	/usr/bin/python3 "$PYDIR/task_vma_offsets.py" "$TMP/vcat.txt" /proc/$P/maps >"$TMP/vcat.off" 2>&1
	expect_eq "pinned task_vma's pgoff equals /proc/PID/maps' offset on every row" "same" "$(cat "$TMP/vcat.off")"
else
	fail "pin task_vma: $(head -c 300 "$TMP/pin.err")"
fi
n=$(timeout 60 "$BPFDUMP" dump task_vma --pid "$P" -n -w 'vma->vm_file == NULL' | wc -l)
expect_eq "-w 'vma->vm_file == NULL' counts anonymous VMAs" "$(awk '$5 == 0 && $1 !~ /^ffffffffff600000/' "$TMP/maps1" | wc -l)" "$n"
out=$(timeout 60 "$BPFDUMP" dump task_vma --pid "$P" -r -n -w "vma->vm_start == $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["maps"]["space_rx"][0])' "$TMP/maps.json")" | awk '{print $NF}')
expect_eq "-r escapes spaces in the path" "$TMP/with\\x20space" "$out"
hdr=$(timeout 60 "$BPFDUMP" dump task_vma --pid "$P" -r | head -1)
expect_eq "table header" "PID START END PERMS PGOFF PATH" "$hdr"

# A file mapped through an overlay mount (a container's root is one): /proc/PID/maps names
# the file the user opened (the overlay's device and inode, the merged path), not the
# layer's file the kernel maps (a backing file on kernels that have them).
O=$TMP/ovl
mkdir -p "$O/lower" "$O/upper" "$O/work" "$O/merged"
head -c 16384 /dev/zero >"$O/lower/low"
if ! mount -t overlay overlay -o "lowerdir=$O/lower,upperdir=$O/upper,workdir=$O/work" "$O/merged" \
	2>"$TMP/ovl.err"; then
	skip "overlay: cannot mount an overlay here: $(head -c 200 "$TMP/ovl.err")"
	exit 0
fi
at_exit "umount -l '$O/merged'"
head -c 8192 /dev/zero >"$O/merged/up"
/usr/bin/python3 "$PYDIR/task_vma_ovl_holder.py" "$O" </dev/null >/dev/null 2>"$TMP/ovl_helper.err" &
OP=$!
at_exit "kill $OP"
if ! wait_file "$O/ready"; then
	fail "overlay: helper did not start: $(head -c 300 "$TMP/ovl_helper.err")"
	exit 1
fi
grep " $O/merged/" /proc/$OP/maps | while read -r _ _ _ dev ino path; do
	echo "$(( (16#${dev%%:*} << 20) | 16#${dev#*:} )) $ino $path"
done | sort >"$TMP/ovl.want"
timeout 60 "$BPFDUMP" dump task_vma --pid "$OP" -r -n -o 'dev=dev(vma->vm_file),ino=ino(vma->vm_file),path=path(vma->vm_file)' \
	2>"$TMP/ovl.err" | grep " $O/merged/" | sort >"$TMP/ovl.got"
expect_eq "overlay: both mapped files are in /proc/PID/maps" 2 "$(wc -l <"$TMP/ovl.want")"
expect_eq "overlay: dev(), ino(), path() of a file mapped from an overlay equal /proc/PID/maps" \
	"$(cat "$TMP/ovl.want")" "$(cat "$TMP/ovl.got")"
