#!/usr/bin/env bash
# bpfdump serve and bpfdump metrics against the real Prometheus: the values Prometheus
# scraped equal ground truth the test made (TCP sockets in a network namespace of its own
# counted by `ss -tan`, a process's fds in /proc/PID/fd); promtool checks the page; load
# (50 concurrent and 1,000 sequential scrapes) leaves fds, RSS and BPF objects flat; bad
# configs, a port in use, malformed HTTP and a query that times out.
source "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ]; then skip "needs root"; exit 77; fi
for t in prometheus promtool curl ss unshare python3; do
	if ! command -v $t >/dev/null; then skip "no $t (scripts/install-deps.sh installs it)"; exit 77; fi
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_for CMD...: up to 30 s (a hang detector, not a time limit on the code)
wait_for() { local i; for i in $(seq 300); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
scrape() { curl -s --max-time 20 "$@"; }
fds_of() { ls /proc/$1/fd | wc -l; }
rss_kb() { awk '/^VmRSS:/ {print $2}' /proc/$1/status; }
# the programs the daemon holds (a link of a run in flight names its program too)
prog_ids() { grep -h '^prog_id:' /proc/$1/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -nu | xargs; }

# ---- ground truth: a process in its own network namespace with known sockets and fds ----
cp "$PYDIR/serve_holder.py" "$TMP/holder.py"
mkdir "$TMP/h"
unshare -n sh -c 'ip link set lo up && exec python3 "$1" "$2"' sh "$TMP/holder.py" "$TMP/h" &
H=$!
at_exit "kill $H"
wait_for test -s "$TMP/h/ready" || { fail "holder did not start"; exit 1; }
NS=/proc/$H/ns/net

cat >"$TMP/serve.conf" <<EOF
# bpfdump serve test config
[tcp_sockets]
help  = TCP sockets by state, in the test's network namespace
type  = gauge
query = SELECT state, count(*) AS value FROM tcp('$NS') GROUP BY state

[holder_fds]
help = Open fds of the test's process "holder" \\ (escaped)
query = SELECT comm, count(*) AS value
	FROM task_file($H)
	GROUP BY comm
timeout = 5

[tasks]
type  = counter
query = SELECT count(*) AS value FROM task WHERE pid = $H

[holder_label]
help  = Label escaping: a backslash, a quote and a newline
query = SELECT 'a\\b"c' || char(10) || 'd' AS odd, 1 AS value

[fds_top]
query = SELECT pid, comm, count(*) FROM task_file GROUP BY pid, comm ORDER BY 3 DESC LIMIT 5
EOF

PORT=$(free_port)
"$BPFDUMP" serve --config "$TMP/serve.conf" --listen 127.0.0.1:$PORT 2>"$TMP/serve.err" &
S=$!
at_exit "kill $S"
if ! wait_for scrape -o /dev/null "http://127.0.0.1:$PORT/metrics"; then
	fail "serve did not answer: $(head -c 300 "$TMP/serve.err")"
	exit 1
fi
ok "serve answers on 127.0.0.1:$PORT"
FD_START=$(fds_of $S)

# ---- the page ---------------------------------------------------------------------------------
scrape "http://127.0.0.1:$PORT/metrics" >"$TMP/page.txt"
if promtool check metrics <"$TMP/page.txt" >"$TMP/promtool.out" 2>&1; then
	ok "promtool check metrics passes on the page"
else
	fail "promtool check metrics: $(head -c 300 "$TMP/promtool.out")"
fi
check "labels escaped (\\\\, \\\", \\n)" grep -qxF 'bpfdump_holder_label{odd="a\\b\"c\nd"} 1' "$TMP/page.txt"
check "a counter's samples end in _total" grep -q '^bpfdump_tasks_total 1$' "$TMP/page.txt"
check "a query without a value column: its last column is the value" \
	grep -q '^bpfdump_fds_top{pid="[0-9]*",comm="[^"]*"} [0-9][0-9]*$' "$TMP/page.txt"
scrape -D "$TMP/om.hdr" -H 'Accept: application/openmetrics-text; version=1.0.0' \
	"http://127.0.0.1:$PORT/metrics" >"$TMP/om.txt"
check "OpenMetrics when asked: its content type" grep -qi '^content-type: application/openmetrics-text' "$TMP/om.hdr"
expect_eq "OpenMetrics when asked: ends in # EOF" "# EOF" "$(tail -n1 "$TMP/om.txt")"
check "OpenMetrics: a counter's family has no _total" grep -q '^# TYPE bpfdump_tasks counter$' "$TMP/om.txt"
expect_eq "404 for an unknown path" 404 "$(scrape -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metricsX")"
expect_eq "405 for POST" 405 "$(scrape -o /dev/null -w '%{http_code}' -X POST -d 'SELECT 1' "http://127.0.0.1:$PORT/metrics")"
expect_eq "405 for PUT" 405 "$(scrape -o /dev/null -w '%{http_code}' -X PUT "http://127.0.0.1:$PORT/metrics")"
expect_eq "HEAD: 200, no body" "200 0" "$(scrape -I -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$PORT/metrics")"
check "listens on 127.0.0.1 only" sh -c "ss -Htln 'sport = :$PORT' | awk '{print \$4}' | grep -qx '127.0.0.1:$PORT'"

# ---- the real Prometheus scrapes it every second ----------------------------------------------
PPORT=$(free_port)
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: bpfdump
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOF
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address=127.0.0.1:$PPORT >"$TMP/prometheus.log" 2>&1 &
P=$!
at_exit "kill $P"
# promql QUERY: the values of an instant query, "labels value" per series, sorted
promql() {
	curl -s --max-time 10 "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1" |
	/usr/bin/python3 "$PYDIR/serve_promql.py" | sort
}
three_scrapes() { [ "$(promql 'count_over_time(up{job="bpfdump"}[1m])' | awk '{print $NF}')" -ge 3 ] 2>/dev/null; }
if ! wait_for three_scrapes; then
	fail "Prometheus did not scrape bpfdump three times: $(tail -c 300 "$TMP/prometheus.log")"
	exit 1
fi
expect_eq "Prometheus: up == 1" " 1" "$(promql 'up{job="bpfdump"}')"
want=$(nsenter --net="$NS" ss -Htan | awk '{print $1}' | sort | uniq -c |
       awk '{print "state=" $2, $1}' | sed 's/=ESTAB /=ESTAB /' | sort)
got=$(promql bpfdump_tcp_sockets)
expect_eq "Prometheus: bpfdump_tcp_sockets by state = ss -tan in the namespace" "$want" "$got"
expect_eq "ground truth has 5 LISTEN, 6 ESTAB" "state=ESTAB 6 state=LISTEN 5" "$(echo $want)"
want="comm=python3 $(fds_of $H)"
expect_eq "Prometheus: bpfdump_holder_fds = /proc/PID/fd" "$want" "$(promql bpfdump_holder_fds)"
expect_eq "Prometheus: no query errors" \
	"$(printf 'metric=bpfdump_%s 0\n' fds_top holder_fds holder_label tasks_total tcp_sockets)" \
	"$(promql bpfdump_query_errors_total)"
check "Prometheus: a duration per metric" test "$(promql bpfdump_query_duration_seconds | wc -l)" -eq 5

# ---- load: fds, RSS and BPF objects flat ------------------------------------------------------
kill $P
wait $P 2>/dev/null	# its scrapes would be in flight while the counts are taken
# closed connections: the server's threads close their sockets a moment later
fds_settled() { [ "$(fds_of $S)" -le "$FD_START" ]; }
fds_back() { wait_for fds_settled; fds_of $S; }
cp "$PYDIR/serve_scrapes.py" "$TMP/scrapes.py"
concurrent() {
	local i bad=0
	for i in $(seq 50); do scrape -o "$TMP/c$i.txt" -w '%{http_code}\n' "http://127.0.0.1:$PORT/metrics" >"$TMP/c$i.code" & done
	wait $(jobs -p | grep -v -e "^$H\$" -e "^$S\$") 2>/dev/null
	for i in $(seq 50); do
		[ "$(cat "$TMP/c$i.code")" = 200 ] && grep -q 'bpfdump_holder_fds{' "$TMP/c$i.txt" || bad=$((bad + 1))
	done
	echo $bad
}
expect_eq "50 concurrent scrapes: each a 200 with the metrics" 0 "$(concurrent)"
fd0=$(fds_back) rss0=$(rss_kb $S) ids0=$(prog_ids $S) sys0=$("$HELPERS/bpf_ids" 2>/dev/null)
expect_eq "1,000 sequential scrapes: each a 200 with the metrics" 0 \
	"$(timeout 600 python3 "$TMP/scrapes.py" "http://127.0.0.1:$PORT/metrics" 1000)"
expect_eq "50 concurrent scrapes again" 0 "$(concurrent)"
fd1=$(fds_back) rss1=$(rss_kb $S) ids1=$(prog_ids $S) sys1=$("$HELPERS/bpf_ids" 2>/dev/null)
echo "info $TEST_NAME: serve fds $fd0 -> $fd1, RSS ${rss0} kB -> ${rss1} kB, programs held [$ids0] -> [$ids1], system progs/maps/links $sys0 -> $sys1"
expect_eq "fds flat over 1,050 scrapes (as at start)" "$FD_START $FD_START" "$fd0 $fd1"
check "RSS flat over 1,050 scrapes (within 2 MiB)" test "$rss1" -le $((rss0 + 2048))
expect_eq "the same programs kept (never reloaded by a scrape)" "$ids0" "$ids1"
check "programs loaded at start are held" test -n "$ids0"

# ---- malformed HTTP: never a crash --------------------------------------------------------------
cp "$PYDIR/serve_fuzz.py" "$TMP/fuzz.py"
timeout 300 python3 "$TMP/fuzz.py" $PORT 300 >"$TMP/fuzz.out" 2>&1
check "malformed HTTP (300 requests): the daemon lives" kill -0 $S
expect_eq "after malformed HTTP: a scrape still works" 200 "$(scrape -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics")"
expect_eq "after malformed HTTP: fds back to $FD_START" "$FD_START" "$(fds_back)"

# ---- bpfdump metrics --textfile ----------------------------------------------------------------
mkdir "$TMP/textfile"
if timeout 60 "$BPFDUMP" metrics --config "$TMP/serve.conf" --textfile "$TMP/textfile" 2>"$TMP/m.err"; then
	ok "metrics --textfile exits 0"
else
	fail "metrics --textfile: $(cat "$TMP/m.err")"
fi
expect_eq "metrics --textfile: only bpfdump.prom in DIR (no temporary left)" bpfdump.prom "$(ls -A "$TMP/textfile")"
if promtool check metrics <"$TMP/textfile/bpfdump.prom" >"$TMP/promtool2.out" 2>&1; then
	ok "metrics --textfile: promtool check metrics passes"
else
	fail "metrics --textfile: promtool: $(head -c 300 "$TMP/promtool2.out")"
fi
expect_eq "metrics --textfile: holder fds = /proc/PID/fd" "bpfdump_holder_fds{comm=\"python3\"} $(fds_of $H)" \
	"$(grep '^bpfdump_holder_fds{' "$TMP/textfile/bpfdump.prom")"
expect_eq "metrics --textfile: mode 0644" 644 "$(stat -c %a "$TMP/textfile/bpfdump.prom")"

# ---- bad input --------------------------------------------------------------------------------
printf '[ok]\nquery = SELECT 1 AS value\nquery SELECT 2\n' >"$TMP/bad1.conf"
bad_input "config: a line that is not KEY = VALUE names file:line" "$TMP/bad1.conf:3: expected KEY = VALUE" \
	timeout 60 "$BPFDUMP" serve --config "$TMP/bad1.conf" --listen 127.0.0.1:$(free_port)
printf '[ok]\nquery = SELECT 1 AS value\ncolour = red\n' >"$TMP/bad2.conf"
bad_input "config: an unknown key" "$TMP/bad2.conf:3: unknown key 'colour'" \
	timeout 60 "$BPFDUMP" metrics --config "$TMP/bad2.conf"
printf '[9lives]\nquery = SELECT 1 AS value\n' >"$TMP/bad3.conf"
bad_input "config: a bad metric name" "$TMP/bad3.conf:1: metric name '9lives'" \
	timeout 60 "$BPFDUMP" metrics --config "$TMP/bad3.conf"
printf '[good]\nquery = SELECT 1 AS value\n\n[broken]\nquery = SELECT nosuch, count(*) AS value FROM task\n' >"$TMP/bad4.conf"
bad_input "a query that does not compile: named at start" "$TMP/bad4.conf:4: metric [broken]: query does not compile" \
	timeout 60 "$BPFDUMP" serve --config "$TMP/bad4.conf" --listen 127.0.0.1:$(free_port)
printf '[lbl]\nquery = SELECT comm AS "bad-label", 1 AS value FROM task LIMIT 1\n' >"$TMP/bad5.conf"
bad_input "a column that is not a label name" "column 'bad-label' is not a label name" \
	timeout 60 "$BPFDUMP" metrics --config "$TMP/bad5.conf"
printf '[w]\nquery = DELETE FROM task\n' >"$TMP/bad6.conf"
bad_input "a statement that writes" "metric [w]: query does not compile" \
	timeout 60 "$BPFDUMP" metrics --config "$TMP/bad6.conf"
bad_input "a port in use" "cannot listen on 127.0.0.1:$PORT: Address already in use" \
	timeout 60 "$BPFDUMP" serve --config "$TMP/serve.conf" --listen 127.0.0.1:$PORT

# a query that times out: its series dropped, its errors counted, the page served
cat >"$TMP/slow.conf" <<'EOF'
[slow]
query = WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) AS value FROM c
timeout = 0.2
[fast]
query = SELECT 42 AS value
EOF
PORT2=$(free_port)
"$BPFDUMP" serve --config "$TMP/slow.conf" --listen 127.0.0.1:$PORT2 2>"$TMP/slow.err" &
S2=$!
at_exit "kill $S2"
if wait_for scrape -o /dev/null "http://127.0.0.1:$PORT2/metrics"; then
	errors_slow() { awk -F'} ' '/^bpfdump_query_errors_total\{metric="bpfdump_slow"\}/ {print $2}' "$1"; }
	scrape "http://127.0.0.1:$PORT2/metrics" >"$TMP/slow0.txt"
	scrape "http://127.0.0.1:$PORT2/metrics" >"$TMP/slow1.txt"
	check "a query that times out: the other metrics served" grep -qx 'bpfdump_fast 42' "$TMP/slow1.txt"
	check "a query that times out: its series dropped" sh -c "! grep -q '^bpfdump_slow ' '$TMP/slow1.txt'"
	e0=$(errors_slow "$TMP/slow0.txt") e1=$(errors_slow "$TMP/slow1.txt")
	for i in $(seq 10); do scrape -o /dev/null "http://127.0.0.1:$PORT2/metrics" & done
	wait $(jobs -p | grep -v -e "^$H\$" -e "^$S\$" -e "^$S2\$") 2>/dev/null
	scrape "http://127.0.0.1:$PORT2/metrics" >"$TMP/slow2.txt"
	e2=$(errors_slow "$TMP/slow2.txt")
	echo "info $TEST_NAME: slow query errors $e1 -> $e2 over 10 concurrent scrapes + 1"
	check "a query that times out: one error per scrape ($e0 -> $e1)" test "$e1" -eq $((e0 + 1))
	check "10 concurrent scrapes share runs of the slow query (fewer than 10 new errors)" \
		test $((e2 - e1)) -ge 2 -a $((e2 - e1)) -le 8
	check "a query that times out: said on stderr once" test "$(grep -c 'interrupted after its timeout' "$TMP/slow.err")" -eq 1
else
	fail "serve with a slow query did not answer: $(head -c 300 "$TMP/slow.err")"
fi
kill $S2 $S
wait $S 2>/dev/null
expect_eq "SIGTERM: serve exits 0" 0 "$?"

# ---- the systemd unit: what make install and the .deb install ----
UNIT=$(dirname "$0")/../../debian/bpfdump-exporter.service
if command -v systemd-analyze >/dev/null; then
	sed "s#@BINDIR@#$(dirname "$BPFDUMP")#" "$UNIT" >"$TMP/bpfdump-exporter.service"
	# man:bpfdump-serve(8) is not installed here: that line of verify's is no failure
	systemd-analyze verify "$TMP/bpfdump-exporter.service" 2>&1 | grep -v "man bpfdump-serve(8)" >"$TMP/verify.out"
	if [ -s "$TMP/verify.out" ]; then fail "systemd-analyze verify: $(head -c 300 "$TMP/verify.out")"
	else ok "systemd-analyze verify: the unit is clean"; fi
	grep -q '^CapabilityBoundingSet=CAP_BPF CAP_PERFMON CAP_SYS_ADMIN CAP_SYS_RESOURCE' "$UNIT" &&
	grep -q '^NoNewPrivileges=yes' "$UNIT" && grep -q '^ProtectSystem=strict' "$UNIT" &&
	grep -q '^ProtectHome=yes' "$UNIT" && grep -q '^PrivateTmp=yes' "$UNIT" &&
		ok "the unit bounds capabilities and sets NoNewPrivileges, ProtectSystem=strict, ProtectHome, PrivateTmp" ||
		fail "the unit lacks a capability bound or a hardening setting"
	echo "info $TEST_NAME: $(systemd-analyze security --offline=yes "$TMP/bpfdump-exporter.service" 2>/dev/null | grep 'Overall exposure')"
else
	skip "systemd-analyze: not installed"
fi
