#!/usr/bin/env bash
# The build on other kernels than this one: make all against the BTF (and build id
# notes) of Debian 12's 6.1 and of 6.12, as a machine running them would (VMLINUX_BTF,
# VMLINUX_NOTES). The BTF comes from the kernels themselves, booted in the VM
# (../shared/vm/run) once and cached under /var/cache/bpfdump-test-btf/. Checked:
# the build exits 0; what it found the BTF lacks, and the host variant it made,
# against bpftool's reading of the same BTF; the binary on this host runs
# (--version, targets as the normal build's) and snapshots with the CO-RE program,
# never the host variant of another kernel, against /proc; in each kernel's own VM,
# that binary snapshots the way the kernel allows (6.12: the host variant built
# for it; 6.1: the classic iterators) against the guest's /proc.
#
# Environment: BUILD (build), VM_RUN (../shared/vm/run), NO_VM (set: cached BTF
# only, no guest runs), BTF_CACHE (/var/cache/bpfdump-test-btf).
source "$(dirname "$0")/../lib.sh"
TEST_NAME=build_kernels
VM=${VM_RUN:-../shared/vm/run}
CACHE=${BTF_CACHE:-/var/cache/bpfdump-test-btf}
KFUNCS=$(sed -n '/#define SNAP_KFUNC_NAMES/,/}/p' src/bpf/snapshot.h | grep -o '"[a-z_]*"' | tr -d '"')

# snap_check LABEL BPFDUMP WANT: a snapshot (-vv) of a process with 3 threads, a pipe
# and a mapped file against /proc; WANT: host (the host variant ran), core (the
# open-coded program with CO-RE), classic
snap_check() {
	local label=$1 bin=$2 want=$3 p rc way
	/usr/bin/python3 "$PYDIR/build_kernels_target.py" "$bin" "$TMP/ready.$label" &
	p=$!
	for _ in $(seq 100); do [ -e "$TMP/ready.$label" ] && break; sleep 0.1; done
	timeout 120 "$bin" -vv snapshot -J "$p" >"$TMP/snap.json" 2>"$TMP/snap.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$label: snapshot exits $rc: $(grep -v '^libbpf' "$TMP/snap.err" | tail -1 | head -c 300)"
		kill $p
		return
	fi
	way=core
	grep -q 'snapshot program: built for this kernel' "$TMP/snap.err" && way=host
	grep -q 'snapshot: classic iterators' "$TMP/snap.err" && way=classic
	expect_eq "$label: the snapshot program that ran ($(grep -o 'snapshot: [a-z-]* iterators' "$TMP/snap.err" | head -1))" \
		"$want" "$way"
	/usr/bin/python3 "$PYDIR/build_kernels_snapshot.py" "$TMP/snap.json" "$p" "$label"
	kill $p
}

# In a guest (the VM of KERNEL): the binary built from KERNEL's BTF snapshots there.
if [ "${1:-}" = --guest ]; then
	k=$2 dir=$3
	want=classic
	bpftool btf dump file /sys/kernel/btf/vmlinux | grep -q "FUNC 'bpf_iter_task_new'" && want=host
	snap_check "[$k] in its VM ($(uname -r))" "$dir/bpfdump" "$want"
	exit 0
fi

[ -x "$BUILD/bpfdump" ] || { skip "no $BUILD/bpfdump (build first)"; exit 77; }
command -v bpftool >/dev/null || { skip "no bpftool"; exit 77; }

# build_id_of NOTES: the GNU build id in a kernel's /sys/kernel/notes, in hex
build_id_of() {
	/usr/bin/python3 "$PYDIR/build_kernels_build_id.py" "$1"
}

# fetch NAME VM-ARGS...: NAME's BTF and notes in $CACHE/NAME (from its VM once)
fetch() {
	local dir=$CACHE/$1
	shift
	[ -s "$dir/vmlinux" ] && [ -s "$dir/notes" ] && return 0
	if [ -n "${NO_VM:-}" ]; then
		echo "NO_VM is set and $dir has no BTF"
		return 1
	elif [ ! -x "$VM" ]; then
		echo "$VM not found (shared/vm is expected beside the project)"
		return 1
	fi
	mkdir -p "$CACHE" && rm -rf "$dir.tmp" && mkdir "$dir.tmp" || return 1
	timeout -k 10 360 "$VM" "$@" --rw "$CACHE" --timeout 300 -- sh -c \
		"cp /sys/kernel/btf/vmlinux /sys/kernel/notes '$dir.tmp/' && uname -r >'$dir.tmp/release'" \
		>"$TMP/vm.out" 2>&1
	local rc=$?
	if [ $rc -ne 0 ] || [ ! -s "$dir.tmp/vmlinux" ]; then
		echo "the VM did not start or copy its BTF (exit $rc): $(grep -v KVM "$TMP/vm.out" | tail -2 | tr '\n' ' ')"
		rm -rf "$dir.tmp"
		return 1
	fi
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

# The normal build (this kernel's BTF): its host variant is this kernel's
hid=$(build_id_of /sys/kernel/notes)
bid=$(sed -n 's/#define BD_HOST_KERNEL_BUILD_ID "\(.*\)"/\1/p' "$BUILD/host_kernel.h")
if bpftool btf dump file /sys/kernel/btf/vmlinux | grep -q "FUNC 'bpf_iter_task_new'"; then
	expect_eq "normal build: host_kernel.h has this kernel's build id" "$hid" "$bid"
	snap_check "normal build on this host" "$BUILD/bpfdump" host
else
	expect_eq "normal build: no host variant (this kernel has no open-coded iterators)" "" "$bid"
	snap_check "normal build on this host" "$BUILD/bpfdump" classic
fi
HOST_WAY=core
bpftool btf dump file /sys/kernel/btf/vmlinux | grep -q "FUNC 'bpf_iter_task_new'" || HOST_WAY=classic
"$BUILD/bpfdump" targets >"$TMP/targets.want" 2>&1

for k in 6.1 6.12; do
	case $k in
	6.1) pkg=linux-image-6.1.0-56-amd64 args=(--kernel-pkg "$pkg") ;;
	6.12) pkg=$(timeout 60 "$VM" --print-kernel 2>/dev/null | awk '{print $1}')
		pkg=${pkg:-$(ls -d "$CACHE"/linux-image-6.12.* 2>/dev/null | tail -1 | xargs -r basename)}
		args=() ;;
	esac
	if [ -z "$pkg" ]; then
		skip "[$k]: no 6.12 kernel package known (--print-kernel failed, none cached)"
		continue
	fi
	if ! why=$(fetch "$pkg" "${args[@]}"); then
		skip "[$k]: no BTF of $pkg: $why"
		continue
	fi
	btf=$CACHE/$pkg/vmlinux notes=$CACHE/$pkg/notes
	B=$BUILD/kernel-btf/$k
	timeout -k 10 900 make -j2 WERROR=1 BUILD="$B" VMLINUX_BTF="$btf" VMLINUX_NOTES="$notes" all \
		>"$TMP/make.out" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "[$k]: make all against $pkg's BTF exits $rc: $(grep -m1 -E 'error|Error' "$TMP/make.out" | head -c 300)"
		continue
	fi
	ok "[$k]: make all against $pkg's BTF ($(cat "$CACHE/$pkg/release" 2>/dev/null)) exits 0"

	# what the build found missing, as bpftool reads the same BTF
	bpftool btf dump file "$btf" >"$TMP/btf.txt"
	bad=""
	for s in bpf_iter_num bpf_iter_task bpf_iter_task_vma; do
		have=0 said=0
		grep -q "STRUCT '$s' " "$TMP/btf.txt" && have=1
		grep -q "BD_HAVE_STRUCT_${s^^} " "$B/vmlinux_features.h" && said=1
		[ $have = $said ] || bad+=" $s: BTF $have, vmlinux_features.h $said;"
		if [ $have = 1 ]; then
			size=$(grep -o "STRUCT '$s' size=[0-9]*" "$TMP/btf.txt" | head -1 | cut -d= -f2)
			n=$(sed -n "/^struct $s {/,/}/p" src/bpf/kernel_compat.h | grep -o '__opaque\[[0-9]*\]' | tr -dc 0-9)
			[ "$size" = $((n * 8)) ] || bad+=" $s: size $size in BTF, $((n * 8)) in kernel_compat.h;"
		fi
	done
	check "[$k]: vmlinux_features.h says which iterator structs the BTF has (bpftool), kernel_compat.h their sizes${bad:+:$bad}" \
		[ -z "$bad" ]
	missing=""
	for f in $KFUNCS; do grep -q "FUNC '$f' " "$TMP/btf.txt" || missing+=" $f"; done
	bid=$(sed -n 's/#define BD_HOST_KERNEL_BUILD_ID "\(.*\)"/\1/p' "$B/host_kernel.h")
	if [ -z "$missing" ]; then
		expect_eq "[$k]: the host variant is for $pkg's build id" "$(build_id_of "$notes")" "$bid"
	else
		check "[$k]: no host variant (the BTF has no$(cut -c1-60 <<<"$missing")...), host_kernel.h says why" \
			[ -z "$bid" -a -n "$(grep 'no host variant: ' "$B/host_kernel.h")" ]
	fi

	# on this host: it runs, and its snapshot program is the CO-RE one
	"$B/bpfdump" --version >"$TMP/version" 2>&1
	rc=$?
	check "[$k]: bpfdump --version on this host exits 0 ($(head -1 "$TMP/version"))" \
		[ $rc -eq 0 -a "$(head -c 8 "$TMP/version")" = "bpfdump " ]
	"$B/bpfdump" targets >"$TMP/targets.got" 2>&1
	rc=$?
	check "[$k]: bpfdump targets on this host exits 0 ($(wc -l <"$TMP/targets.got") lines)" \
		[ $rc -eq 0 -a -s "$TMP/targets.got" ]
	check "[$k]: ... lists what the normal build lists" cmp -s "$TMP/targets.want" "$TMP/targets.got"
	snap_check "[$k] on this host" "$B/bpfdump" $HOST_WAY

	# in its own kernel
	if [ -n "${NO_VM:-}" ]; then
		skip "[$k]: in its VM: NO_VM is set"
	elif [ ! -x "$VM" ]; then
		skip "[$k]: in its VM: $VM not found"
	else
		timeout -k 10 360 "$VM" "${args[@]}" --timeout 300 -- \
			env BUILD="$BUILD" bash tests/integration/build_kernels.sh --guest "$k" "$B" \
			>"$TMP/guest.out" 2>&1
		rc=$?
		grep -E '^(ok|FAIL|skip) ' "$TMP/guest.out"
		if ! grep -qE '^(ok|FAIL|skip) ' "$TMP/guest.out"; then
			skip "[$k]: in its VM: the VM did not run (exit $rc): $(grep -v KVM "$TMP/guest.out" | tail -2 | tr '\n' ' ')"
		fi
	fi
done
exit 0
