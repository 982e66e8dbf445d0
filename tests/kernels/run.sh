#!/usr/bin/env bash
# The kernel matrix (make check-kernels): the portable test set tests/kernels/*.sh on this
# host's kernel and, through shared/vm/run, on Debian 12's 6.1, on 6.12, and on 6.12
# booted with lockdown=confidentiality. Each result line gets the kernel's name in front
# ("ok [6.1] targets: ..."), so the matrix reads per kernel. A kernel whose VM cannot
# start is one "skip [NAME]: why" line, never a silent pass.
#
# Environment: BUILD (build), KERNELS (a subset of: host 6.1 6.12 6.12-lockdown),
# VM_RUN (../shared/vm/run), KERNEL_TIMEOUT (seconds per kernel, 900).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
export BUILD
VM=${VM_RUN:-../shared/vm/run}
KERNELS=${KERNELS:-host 6.1 6.12 6.12-lockdown}
TO=${KERNEL_TIMEOUT:-900}

# Inside a guest (or on the host): every portable test, each under a timeout.
if [ "${1:-}" = --here ]; then
	label=$2
	# the distribution's tools first: a pyenv shim on PATH hangs in a guest
	export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
	echo "info [$label]: kernel $(uname -r), lockdown: $(cat /sys/kernel/security/lockdown 2>/dev/null || echo unknown)"
	for t in tests/kernels/*.sh; do
		case $(basename "$t") in run.sh | count.sh) continue ;; esac
		out=$(timeout -k 10 600 bash "$t" 2>&1)
		rc=$?
		grep -E '^(ok|FAIL|skip|info) ' <<<"$out" | sed "s/^\(ok\|FAIL\|skip\|info\) /\1 [$label] /"
		name=$(basename "$t" .sh)
		if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			echo "FAIL [$label] $name: timed out after 600 s"
		elif [ $rc -ne 0 ] && [ $rc -ne 77 ] && ! grep -q '^FAIL ' <<<"$out"; then
			echo "FAIL [$label] $name: exit $rc without a FAIL line: $(tail -2 <<<"$out" | tr '\n' ' ')"
		elif ! grep -qE '^(ok|FAIL|skip) ' <<<"$out"; then
			echo "FAIL [$label] $name: printed no result: $(tail -2 <<<"$out" | tr '\n' ' ')"
		fi
	done
	exit 0
fi

vm_args() {
	case $1 in
	6.1) echo "--kernel-pkg linux-image-6.1.0-56-amd64" ;;
	6.12) echo "" ;;
	6.12-lockdown) echo "--append lockdown=confidentiality" ;;
	esac
}

for k in $KERNELS; do
	start=$(date +%s)
	if [ "$k" = host ]; then
		bash tests/kernels/run.sh --here host
	elif [ ! -x "$VM" ]; then
		echo "skip [$k]: $VM not found (shared/vm is expected beside the project)"
	elif [ "$(id -u)" != 0 ]; then
		echo "skip [$k]: the VM runner needs root"
	else
		out=$(mktemp /tmp/bpfdump-kernels.XXXXXX)
		# shellcheck disable=SC2046
		timeout -k 10 $((TO + 60)) "$VM" $(vm_args "$k") --timeout "$TO" -- \
			env BUILD="$BUILD" bash tests/kernels/run.sh --here "$k" >"$out" 2>&1
		rc=$?
		grep -E '^(ok|FAIL|skip|info) \[' "$out"
		if [ $rc -eq 125 ] || [ $rc -eq 124 ] || ! grep -qE '^(ok|FAIL|skip) \[' "$out"; then
			echo "skip [$k]: the VM did not run the tests (exit $rc): $(grep -vE '^(ok|FAIL|skip|info) ' "$out" | tail -3 | tr '\n' ' ')"
		fi
		rm -f "$out"
	fi
	echo "info [$k]: $(( $(date +%s) - start )) s"
done
exit 0
