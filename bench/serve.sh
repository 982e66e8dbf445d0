#!/usr/bin/env bash
# bpfdump serve at scale (issue 24): scrapes over 10,000 TCP sockets (5,000 listening,
# 5,000 established) and 1,000 processes (10 fds each) that this script creates, against
# the peers measured in the same run:
#   A   bpfdump serve, one scrape of 5 SQL metrics (tcp x2, task, task_file x2)
#   A2  bpfdump serve, one scrape of the 2 metrics node_exporter also answers
#       (TCP sockets by state, threads by state)
#   B   the same 5 queries run by `bpfdump sql --interval` (programs loaded once: no
#       start-up), each round timed from its start (the round's "time" field, 1 ms
#       resolution) to the arrival of its last row; summed over the 5 queries
#   C   node_exporter's tcpstat (netlink) and processes (/proc) collectors, one scrape
#   ss -s, ss -tan | wc -l (the lines counted here), cat /proc/net/tcp /proc/net/tcp6,
#   and bench/proc_fds (every process's fds from /proc: what the task_file metrics read)
# Each round runs every method once in this order (A A2 B C ...: interleaved, so a busy
# moment of the machine hits all of them); medians over the rounds, and for each peer its
# time divided by A's in the same round: median (min-max) of those ratios.
# Memory: each exporter's VmRSS before and every quarter of N sequential scrapes, and
# VmHWM after; each command's peak RSS (GNU time). No thresholds are checked.
#
#   bench/serve.sh [--quick|--full] [OUTDIR]   results also in OUTDIR/serve.txt
#
# Environment: BUILD (build), BENCH_SERVE_TCP ("5000 5000": listening, established),
# BENCH_SERVE_PROCS ("1000 10": processes, fds each), BENCH_SERVE_ROUNDS (10),
# BENCH_SERVE_SCRAPES (1000). Needs root; bench/run.sh runs it (make bench).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
BPFDUMP=$ROOT/$BUILD/bpfdump
WORKLOAD=$ROOT/$BUILD/bench/workload
PROC_FDS=$ROOT/$BUILD/bench/proc_fds
PY=/usr/bin/python3
QUICK=
OUTDIR=

say() { echo "bench-serve: $*" >&2; }
for a in "$@"; do
	case $a in
	--quick) QUICK=1 ;;
	--full) QUICK= ;;
	-h | --help) sed -n '2,24s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) say "unknown option $a"; exit 2 ;;
	*) OUTDIR=$a ;;
	esac
done
if [ -n "$QUICK" ]; then
	read -r TL TE <<<"${BENCH_SERVE_TCP:-1000 1000}"
	read -r NP NF <<<"${BENCH_SERVE_PROCS:-200 10}"
	ROUNDS=${BENCH_SERVE_ROUNDS:-4}
	SCRAPES=${BENCH_SERVE_SCRAPES:-200}
else
	read -r TL TE <<<"${BENCH_SERVE_TCP:-5000 5000}"
	read -r NP NF <<<"${BENCH_SERVE_PROCS:-1000 10}"
	ROUNDS=${BENCH_SERVE_ROUNDS:-10}
	SCRAPES=${BENCH_SERVE_SCRAPES:-1000}
fi

[ "$(id -u)" = 0 ] || { say "needs root (BPF iterators)"; exit 1; }
for f in "$BPFDUMP" "$WORKLOAD" "$PROC_FDS" "$PY" /usr/bin/time; do
	[ -x "$f" ] || { say "$f is not built (make bench-bins)"; exit 1; }
done
command -v ss >/dev/null || { say "ss is missing (iproute2)"; exit 1; }
NODE_EXPORTER=$(command -v prometheus-node-exporter || command -v node_exporter || true)
[ -n "$NODE_EXPORTER" ] ||
	say "no node_exporter (scripts/install-deps.sh --bench installs prometheus-node-exporter): C is left out"

WORK=$(mktemp -d /tmp/bpfdump-bench-serve.XXXXXX)
PIDS=()	# workloads (each leads its own process group) and daemons
cleanup() {
	local p i
	trap - EXIT INT TERM
	for p in "${PIDS[@]}"; do
		kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		for ((i = 0; i < 300; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL -- "-$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT
trap 'say terminated; exit 143' TERM

# workload NAME ARGS...: bench/workload in its own process group, until DIR/ready
workload() {
	local name=$1 i
	shift
	mkdir -p "$WORK/$name"
	setsid "$WORKLOAD" "$@" "$WORK/$name" </dev/null &
	PIDS+=("$!")
	for ((i = 0; i < 3000; i++)); do
		[ -f "$WORK/$name/ready" ] && return 0
		kill -0 "$!" 2>/dev/null || { say "workload $* failed"; return 1; }
		sleep 0.1
	done
	say "workload $* not ready after 300 s"
	return 1
}
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_http URL: up to 30 s for the first answer (a hang detector, not a measurement)
wait_http() {
	local i
	for ((i = 0; i < 300; i++)); do
		"$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=20).read()' \
			"$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# serve NAME CONF: start bpfdump serve on a free port; sets SERVE_PID, SERVE_PORT
serve() {
	SERVE_PORT=$(free_port)
	"$BPFDUMP" serve --config "$2" --listen "127.0.0.1:$SERVE_PORT" 2>"$WORK/$1.err" &
	SERVE_PID=$!
	PIDS+=("$SERVE_PID")
	wait_http "http://127.0.0.1:$SERVE_PORT/metrics" ||
		{ say "bpfdump serve ($1) did not answer: $(head -c 300 "$WORK/$1.err")"; return 1; }
}

say "workloads: $TL listening + $TE established TCP sockets, $NP processes x $NF fds"
workload tcp tcp "$TL" "$TE" || exit 1
workload fds fds "$NP" "$NF" || exit 1

cat >"$WORK/serve.conf" <<'EOF'
# bench/serve.sh: 5 metrics over tcp (2), task (1) and task_file (2)
[tcp_sockets]
help  = TCP sockets by state
query = SELECT state, count(*) AS value FROM tcp GROUP BY state

[tcp_sockets_by_uid]
help  = TCP sockets by owner
query = SELECT uid, count(*) AS value FROM tcp GROUP BY uid

[tasks]
help  = Threads by state
query = SELECT state, count(*) AS value FROM task GROUP BY state

[open_fds_top]
help  = Open fds of the 5 processes with most
query = SELECT pid, comm, count(*) AS value FROM task_file
	GROUP BY pid, comm ORDER BY value DESC LIMIT 5

[open_fds_by_comm]
help  = Open fds by command name, top 10
query = SELECT comm, count(*) AS value FROM task_file GROUP BY comm ORDER BY value DESC LIMIT 10
EOF
# the two node_exporter's tcpstat and processes collectors answer
sed -n '/^\[tcp_sockets\]/,/^$/p; /^\[tasks\]/,/^$/p' "$WORK/serve.conf" >"$WORK/serve2.conf"

serve a "$WORK/serve.conf" || exit 1
A_PID=$SERVE_PID A_PORT=$SERVE_PORT
serve a2 "$WORK/serve2.conf" || exit 1
A2_PID=$SERVE_PID A2_PORT=$SERVE_PORT
C_URL=- C_PID=0
if [ -n "$NODE_EXPORTER" ]; then
	C_PORT=$(free_port)
	"$NODE_EXPORTER" --web.listen-address="127.0.0.1:$C_PORT" --collector.disable-defaults \
		--collector.tcpstat --collector.processes 2>"$WORK/node.err" &
	C_PID=$!
	PIDS+=("$C_PID")
	C_URL=http://127.0.0.1:$C_PORT/metrics
	wait_http "$C_URL" || { say "node_exporter did not answer: $(tail -c 300 "$WORK/node.err")"; exit 1; }
fi

cat >"$WORK/measure.py" <<'PY'
import datetime, http.client, json, os, statistics, subprocess, sys, time

(bpfdump, proc_fds, conf, a_port, a_pid, a2_port, a2_pid, c_url, c_pid, rounds, scrapes,
 tl, te, np_, nf) = sys.argv[1:]
a_port, a_pid, a2_port, a2_pid, c_pid = map(int, (a_port, a_pid, a2_port, a2_pid, c_pid))
rounds, scrapes = int(rounds), int(scrapes)
HZ = os.sysconf("SC_CLK_TCK")
BLOCK = 5	# scrapes (and command runs) per method per round: their median
SQL_ROUNDS = 6	# rounds of each `sql --interval` process: the first is not counted

def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read().rsplit(")", 1)[1].split()
    return int(s[11]) + int(s[12])	# utime + stime

def status_kib(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for l in f:
            if l.startswith(key + ":"):
                return int(l.split()[1])

def queries():
    qs = []
    for line in open(conf):
        if line.startswith("query"):
            qs.append(line.split("=", 1)[1].strip())
        elif line[:1] in (" ", "\t") and qs:
            qs[-1] += " " + line.strip()
    return qs
QS = queries()

class Scraper:
    def __init__(self, port, pid):
        self.port, self.pid = port, pid
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    def get(self):
        t0 = time.perf_counter()
        self.c.request("GET", "/metrics")
        r = self.c.getresponse()
        body = r.read()
        t = time.perf_counter() - t0
        if r.status != 200:
            sys.exit("bench-serve: HTTP %d from port %d" % (r.status, self.port))
        return t, body.decode()
    def block(self):
        return statistics.median(self.get()[0] for _ in range(BLOCK))

def peak_rss(argv):
    """Peak RSS KiB of one run, by GNU time: a child of this (large) python would report
    python's RSS too (Linux carries the peak across exec)."""
    r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", "/dev/stderr", "--"] + argv,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        return int(r.stderr.decode().split()[-1])
    except (ValueError, IndexError):
        return -1

def run(name, argv, count_lines=False):
    """One run of a command, its output read here: seconds (and lines read)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    n = 0
    while True:
        b = p.stdout.read(65536)
        if not b:
            break
        if count_lines:
            n += b.count(b"\n")
    rc = p.wait()
    t = time.perf_counter() - t0
    if rc != 0:
        sys.exit("bench-serve: %s exited with status %d" % (" ".join(argv), rc))
    return t, n

def cmd_block(name, argv):
    return statistics.median(run(name, argv)[0] for _ in range(BLOCK))

sql_cpu = [0, 0]	# ticks, rounds
def sql_round_times(q):
    """Seconds each counted round of `bpfdump sql --interval` took: from its start
    ("time", in ms, truncated: 0.5 ms is added back on average) to its last row here."""
    p = subprocess.Popen([bpfdump, "sql", "-J", "--interval", "0.05", "--rounds",
                          str(SQL_ROUNDS), q], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    start, end, cpu = {}, {}, {}
    for line in p.stdout:
        now = time.time()
        o = json.loads(line)
        r = o["round"]
        if r not in start:
            start[r] = datetime.datetime.strptime(o["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
            cpu[r] = cpu_ticks(p.pid)	# the round's rows are written after it ran
        end[r] = now
    err = p.stderr.read().decode()
    if p.wait() != 0 or len(end) != SQL_ROUNDS:
        sys.exit("bench-serve: bpfdump sql %r failed: %s" % (q, err[:300]))
    sql_cpu[0] += cpu[SQL_ROUNDS] - cpu[1]
    sql_cpu[1] += SQL_ROUNDS - 1
    return [end[r] - (start[r] + 0.0005) for r in range(2, SQL_ROUNDS + 1)]

def ms(x):
    return "%.2f" % (x * 1e3)

def spread(xs, unit=" ms", scale=1e3):
    return "%.2f%s (%.2f-%.2f)" % (statistics.median(xs) * scale, unit, min(xs) * scale,
                                   max(xs) * scale)

A = Scraper(a_port, a_pid)
A2 = Scraper(a2_port, a2_pid)
C = None
if c_url != "-":
    C = Scraper(int(c_url.split(":")[2].split("/")[0]), c_pid)

# what the page says against ss's count (the workload's sockets are most of them)
page = A.get()[1]
tcp_total = sum(float(l.rsplit(" ", 1)[1]) for l in page.splitlines()
                if l.startswith("bpfdump_tcp_sockets{"))
top = [l for l in page.splitlines() if l.startswith("bpfdump_open_fds_top{")][:1]
ss_lines = run("ss -tan | wc -l", ["ss", "-tan"], count_lines=True)[1]
print("workload: %s listening + %s established TCP sockets, %s processes x %s fds"
      % (tl, te, np_, nf))
print("counts: bpfdump_tcp_sockets sum %d, ss -tan %d sockets; %s"
      % (tcp_total, ss_lines - 1, top[0] if top else "no open_fds_top series"))

METHODS = [
    ("A", "bpfdump serve, 5 metrics (one scrape)", A.block),
    ("A2", "bpfdump serve, the 2 node_exporter answers", A2.block),
    ("B", "bpfdump sql --interval, the 5 queries", lambda: sum(
        statistics.median(sql_round_times(q)) for q in QS)),
]
if C:
    METHODS.append(("C", "node_exporter tcpstat+processes", C.block))
COMMANDS = (("ss -s", ["ss", "-s"]), ("ss -tan | wc -l", ["ss", "-tan"]),
            ("cat /proc/net/tcp{,6}", ["cat", "/proc/net/tcp", "/proc/net/tcp6"]),
            ("/proc fd reader", [proc_fds]))
for name, argv in COMMANDS:
    METHODS.append((name, name, (lambda n, a: lambda: cmd_block(n, a))(name, argv)))

t = {m[0]: [] for m in METHODS}
for i in range(rounds):
    for key, _, f in METHODS:
        t[key].append(f())
    print("round %d: %s" % (i + 1, ", ".join("%s %s ms" % (k, ms(t[k][-1])) for k, _, _ in METHODS)),
          file=sys.stderr)

print("interleaved: %d rounds of A A2 B C ... in turn; each scrape or command %d times a round"
      " (median), B each query's median of %d rounds, summed" % (rounds, BLOCK, SQL_ROUNDS - 1))
print()
print("| method | median ms (min-max over rounds) | this / A (min-max) | this / A2 (min-max) |")
print("|---|---|---|---|")
for key, label, _ in METHODS:
    ra = [x / a for x, a in zip(t[key], t["A"])]
    ra2 = [x / a for x, a in zip(t[key], t["A2"])]
    print("| %s | %s | %s | %s |" % (key if key == label else key + ": " + label,
          spread(t[key], ""), spread(ra, "x", 1), spread(ra2, "x", 1)))
print()
ratio = [a / b for a, b in zip(t["A"], t["B"])]
print("A / B (the issue's target: <= 1.2): %s" % spread(ratio, "x", 1))
if sql_cpu[1]:
    print("B CPU per round of one query: %.2f ms (x%d queries = %.2f ms)"
          % (sql_cpu[0] / HZ / sql_cpu[1] * 1e3, len(QS), len(QS) * sql_cpu[0] / HZ / sql_cpu[1] * 1e3))

def sequential(s, name):
    rss = [status_kib(s.pid, "VmRSS")]
    c0 = cpu_ticks(s.pid)
    ts = []
    for i in range(1, scrapes + 1):
        ts.append(s.get()[0])
        if i % max(1, scrapes // 4) == 0:
            rss.append(status_kib(s.pid, "VmRSS"))
    cpu = (cpu_ticks(s.pid) - c0) / HZ / scrapes
    print("%s, %d sequential scrapes: median %s ms, CPU %.2f ms a scrape (%d Hz ticks), "
          "VmRSS KiB %s, VmHWM %d KiB" % (name, scrapes, ms(statistics.median(ts)), cpu * 1e3, HZ,
          " -> ".join(map(str, rss)), status_kib(s.pid, "VmHWM")))

print()
sequential(A, "A bpfdump serve (5 metrics)")
sequential(A2, "A2 bpfdump serve (2 metrics)")
if C:
    sequential(C, "C node_exporter")
rss = [("B: bpfdump sql, one query (%s)" % QS[i].split(" FROM ")[1].split()[0],
        peak_rss([bpfdump, "sql", QS[i]])) for i in (0, 2, 3)]
rss += [(name, peak_rss(argv)) for name, argv in COMMANDS]
print("peak RSS of one run (GNU time, KiB): " + "; ".join("%s %d" % kv for kv in rss))
PY

say "measuring: $ROUNDS interleaved rounds, then $SCRAPES sequential scrapes of each exporter"
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "machine: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {print $2, $3}' /proc/meminfo); kernel $(uname -r)"
	echo "bpfdump: $("$BPFDUMP" --version 2>/dev/null | head -1) ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))"
	[ -n "$NODE_EXPORTER" ] && echo "node_exporter: $("$NODE_EXPORTER" --version 2>&1 | head -1)"
	echo "ss: $(ss -V)"
	"$PY" "$WORK/measure.py" "$BPFDUMP" "$PROC_FDS" "$WORK/serve.conf" "$A_PORT" "$A_PID" \
		"$A2_PORT" "$A2_PID" "$C_URL" "$C_PID" "$ROUNDS" "$SCRAPES" "$TL" "$TE" "$NP" "$NF"
} >"$WORK/serve.txt"
rc=$?
for p in "$A_PID" "$A2_PID"; do
	kill -0 "$p" 2>/dev/null || { say "bpfdump serve (pid $p) died: $(head -c 300 "$WORK"/a*.err)"; rc=1; }
done
cat "$WORK/serve.txt"
if [ -n "$OUTDIR" ]; then
	mkdir -p "$OUTDIR" && cp "$WORK/serve.txt" "$OUTDIR/serve.txt"
fi
exit $rc
