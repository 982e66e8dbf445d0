#!/usr/bin/env bash
# Generated-code property test: random predicates over real BTF fields (task, task_file,
# task_vma, tcp, udp) must pass the verifier and select exactly the rows that property_gen.py's
# own evaluation of the predicate selects on unfiltered dumps (see property_gen.py).
# BPFDUMP_PROP_SEED=N reproduces a run (every line names its seed); BPFDUMP_PROP_CASES=N
# sets how many cases (default 100); BPFDUMP_PROP_TARGETS=task,tcp limits the targets.
source "$(dirname "$0")/../lib.sh"

SEED=${BPFDUMP_PROP_SEED:-$(date +%s)}
CASES=${BPFDUMP_PROP_CASES:-100}
TARGETS=${BPFDUMP_PROP_TARGETS:-task,task_file,task_vma,tcp,udp}

# The workload gives every target rows that stay put: three processes named prop_w0..prop_w2
# with nice 0, 5 and 10 (prio 120, 125, 130), one running an extra thread (exit_signal -1),
# one with uid and euid nobody; each holds files opened with different flags (O_WRONLY|
# O_APPEND, O_RDWR|O_NONBLOCK, O_CLOEXEC, a pipe) and sockets: a TCP listener on 127.0.0.1 with
# an established pair, UDP sockets bound to 127.0.0.1 and 0.0.0.0, one connected.
cp "$PYDIR/property_work.py" "$TMP/work.py"
for i in 0 1 2; do
	python3 "$TMP/work.py" "$TMP" "$i" &
	at_exit "kill $!"
	[ "$i" = 0 ] && export BPFDUMP_PROP_PID=$!	# task_vma dumps this one (--pid)
done
for i in 0 1 2; do
	for _ in $(seq 200); do [ -s "$TMP/ready$i" ] && break; sleep 0.05; done
done
if ! [ -s "$TMP/ready0" ] || ! [ -s "$TMP/ready1" ] || ! [ -s "$TMP/ready2" ]; then
	fail "workload: the helper processes did not start"
	exit 1
fi

echo "# property: seed $SEED, $CASES cases (BPFDUMP_PROP_SEED=$SEED reproduces)"
/usr/bin/python3 "$PYDIR/property_gen.py" "$BPFDUMP" "$SEED" "$CASES" "$TARGETS"
