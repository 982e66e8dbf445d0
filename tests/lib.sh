# Shared by the integration tests: result lines and helpers.
# Every check prints exactly one line: "ok NAME", "FAIL NAME: why" or "skip NAME: why".
# shellcheck shell=bash
set -u
BUILD=${BUILD:-build}
BPFDUMP=${BPFDUMP:-$PWD/$BUILD/bpfdump}
HELPERS=$PWD/$BUILD/tests
TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d /tmp/bpfdump-test.XXXXXX)
# A test's Python checks live beside it (NAME_*.py), run by the system's interpreter:
# /usr/bin/python3, never a shim on PATH (pyenv's fails for other users and in VMs).
PYDIR=$(cd "$(dirname "$0")" && pwd)
_CLEANUP=()

ok() { echo "ok $TEST_NAME: $1"; }
fail() { echo "FAIL $TEST_NAME: $1"; }
skip() { echo "skip $TEST_NAME: $1"; }

# check NAME CONDITION-COMMAND...: ok when the command succeeds
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name"; fi
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

at_exit() { _CLEANUP+=("$*"); }
_run_cleanup() {
	local i
	for ((i = ${#_CLEANUP[@]} - 1; i >= 0; i--)); do eval "${_CLEANUP[i]}" >/dev/null 2>&1; done
	rm -rf "$TMP"
}
trap _run_cleanup EXIT

# bad_input NAME EXPECTED-SUBSTRING CMD...: non-zero exit, one line on stderr naming the problem
bad_input() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	rc=$?
	if [ $rc -eq 0 ]; then
		fail "$name: exit 0 (stderr: $(head -c 200 "$TMP/bad.err"))"
	elif [ $rc -gt 2 ]; then
		fail "$name: exit $rc (crash?): $(head -c 300 "$TMP/bad.err")"
	else
		judge_message "$name" "$want"
	fi
}

# judge_message NAME EXPECTED-SUBSTRING: $TMP/bad.err is one line holding it
judge_message() {
	local lines
	lines=$(wc -l <"$TMP/bad.err")
	if [ "$lines" -ne 1 ]; then
		fail "$1: $lines lines on stderr: $(head -c 300 "$TMP/bad.err")"
	elif ! grep -qF -- "$2" "$TMP/bad.err"; then
		fail "$1: message lacks '$2': $(cat "$TMP/bad.err")"
	else
		ok "$1"
	fi
}

# JSON lines validated by a real parser; prints them as a Python list repr
# wait_file PATH: until PATH exists (a helper process says it is ready); 1 after 30 s
wait_file() {
	local _
	for _ in $(seq 300); do [ -e "$1" ] && return 0; sleep 0.1; done
	return 1
}

json_valid() { python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin if l.strip()]' ; }

# start_held: a process holding a listening TCP socket on 127.0.0.1 and $TMP/held open
# and mapped, killed at exit; sets HOLD (its pid) and PORT; fails when it did not start
start_held() {
	local py=/usr/bin/python3
	[ -x $py ] || py=python3
	$py -c '
import mmap, os, socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
f = open(sys.argv[1], "w+b"); f.write(b"x" * 8192); f.flush()
m = mmap.mmap(f.fileno(), 8192)
print(s.getsockname()[1], flush=True)
time.sleep(7200)' "$TMP/held" >"$TMP/port" &
	HOLD=$!
	at_exit "kill $HOLD"
	for _ in $(seq 300); do [ -s "$TMP/port" ] && break; sleep 0.1; done
	PORT=$(cat "$TMP/port")
	[ -n "$PORT" ]
}
