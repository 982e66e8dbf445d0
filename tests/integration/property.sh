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
cat >"$TMP/work.py" <<'PY'
import os, socket, sys, threading, time, struct
d, i = sys.argv[1], int(sys.argv[2])
with open("/proc/self/comm", "w") as c:
    c.write("prop_w%d" % i)
os.nice(5 * i)
keep = [os.open("/dev/null", os.O_RDONLY),
        os.open(d + "/w%d" % i, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
        os.open(d + "/rw%d" % i, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK, 0o600),
        os.open("/dev/zero", os.O_RDONLY | os.O_CLOEXEC)]
keep += list(os.pipe())
os.write(keep[2], b"x" * (100 * (i + 1)))   # f_pos and i_size differ per process
lin = struct.pack("ii", 1, 0)   # SO_LINGER 0: reset at exit, no TIME-WAIT left behind
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, lin)
l.bind(("127.0.0.1", 0)); l.listen(4)
c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, lin)
c.connect(l.getsockname())
a, _ = l.accept()
a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, lin)
u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u1.bind(("127.0.0.1", 0))
u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u2.bind(("0.0.0.0", 0))
u2.connect(u1.getsockname())
keep += [l, c, a, u1, u2]
if i == 1:
    threading.Thread(target=lambda: time.sleep(3600), daemon=True).start()
ready = open(d + "/ready%d" % i, "w")   # opened before dropping root, written after
if i == 2:
    os.setresuid(65534, 65534, 65534)
ready.write("1"); ready.close()
time.sleep(3600)
PY
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
python3 "$(dirname "$0")/property_gen.py" "$BPFDUMP" "$SEED" "$CASES" "$TARGETS"
