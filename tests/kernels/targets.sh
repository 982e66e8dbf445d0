#!/usr/bin/env bash
# Every iterator target this kernel offers dumps with its default columns, as a table and
# as JSON, never an error (a preset member the kernel lacks is replaced or left out), and
# agrees with the kernel's own ground truth where there is one: task vs /proc, tcp
# listeners vs ss, bpf_link/bpf_map/bpf_prog vs bpftool. Portable: runs on any kernel
# (the host, or a guest of tests/kernels/run.sh).
source "$(dirname "$0")/../lib.sh"
# the system's python first: a pyenv shim (python3 via bash and pyenv exec) was seen to
# hang in the 6.1 guest
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH

if [ "$(id -u)" != 0 ]; then
	skip "needs root (iterators)"
	exit 77
fi
if [ ! -x "$BPFDUMP" ]; then
	fail "no $BPFDUMP: build first"
	exit 1
fi

# a pinned dumper gives a link, a program and maps that stay while the test runs
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
PIN=/sys/fs/bpf/bdtargets-$$	# bpffs takes no '.' in names
mkdir "$PIN" 2>/dev/null || PIN=
at_exit "rm -rf '$TMP'"
if [ -n "$PIN" ]; then
	at_exit "rmdir '$PIN' 2>/dev/null"
	if timeout 60 "$BPFDUMP" pin task "$PIN/task" 2>"$TMP/pin.err"; then
		at_exit "'$BPFDUMP' rm '$PIN/task' 2>/dev/null"
	else
		skip "no pinned dumper for the bpf_* checks: $(head -c 200 "$TMP/pin.err")"
	fi
fi
if command -v bpftool >/dev/null && [ -n "$PIN" ] &&
	bpftool map create "$PIN/map" type hash key 4 value 8 entries 4 name bdtgt_map 2>/dev/null; then
	at_exit "rm -f '$PIN/map'"
fi
# a process and a listener of known identity
sleep 600 </dev/null &
SP=$!
at_exit "kill $SP 2>/dev/null"
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
time.sleep(600)' "$TMP/port" </dev/null >/dev/null 2>&1 &
LP=$!
at_exit "kill $LP 2>/dev/null"
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.1; done

ls /proc | grep -E '^[0-9]+$' >"$TMP/pids.before"
ss -Htln >"$TMP/ss.before" 2>/dev/null
targets=$(timeout 60 "$BPFDUMP" targets 2>"$TMP/targets.err")
if [ -z "$targets" ]; then
	fail "bpfdump targets listed nothing: $(head -c 200 "$TMP/targets.err")"
	exit 1
fi
ok "this kernel offers $(wc -w <<<"$targets") targets: $(tr '\n' ' ' <<<"$targets")"

# dump_target T ARGS...: table and JSON with the default columns; both exit 0, say nothing
# on stderr but -v notes, and the JSON parses
dump_target() {
	local t=$1 rc rcj
	shift
	timeout "${DUMP_TIMEOUT:-120}" "$BPFDUMP" -v dump "$t" "$@" >"$TMP/$t.txt" 2>"$TMP/$t.err"
	rc=$?
	timeout "${DUMP_TIMEOUT:-120}" "$BPFDUMP" dump "$t" -J "$@" >"$TMP/$t.json" 2>"$TMP/$t.jerr"
	rcj=$?
	grep "left out" "$TMP/$t.err" | sed "s/^/info $TEST_NAME: /"
	if [ $rc -ne 0 ] || [ $rcj -ne 0 ]; then
		fail "$t: default columns: exit $rc (table), $rcj (-J): $(head -1 "$TMP/$t.err") $(head -1 "$TMP/$t.jerr")"
		return 1
	fi
	if [ -s "$TMP/$t.jerr" ]; then
		fail "$t -J: said on stderr: $(head -c 200 "$TMP/$t.jerr")"
		return 1
	fi
	if ! json_valid <"$TMP/$t.json" 2>/dev/null; then
		fail "$t -J: not JSON lines: $(head -c 200 "$TMP/$t.json")"
		return 1
	fi
	ok "$t: default columns dump, table ($(($(wc -l <"$TMP/$t.txt") - 1)) rows) and -J ($(wc -l <"$TMP/$t.json") rows)"
}

# a refused iterator (this kernel or its config) is a skip naming why, not a pass
refused() {
	grep -qiE "operation not permitted|not supported|refus" "$TMP/$1.err" "$TMP/$1.jerr"
}

for t in $targets; do
	case $t in
	bpf_map_elem)
		if [ ! -e "$PIN/map" ]; then
			skip "$t: no map to read (bpftool map create failed)"
			continue
		fi
		if ! dump_target "$t" --map bdtgt_map >/dev/null && refused "$t"; then
			skip "$t: this kernel refuses the iterator: $(head -1 "$TMP/$t.err")"
		else
			dump_target "$t" --map bdtgt_map
		fi
		continue
		;;
	bpf_sk_storage_map | sockmap)
		skip "$t: needs a socket map (tests/vm/sk_maps_vm.sh makes one)"
		continue
		;;
	esac
	dump_target "$t"
done
ls /proc | grep -E '^[0-9]+$' >"$TMP/pids.after"
ss -Htln >"$TMP/ss.after" 2>/dev/null

# ground truth
python3 - "$TMP" "$SP" "$$" "$(cat "$TMP/port" 2>/dev/null)" <<'PY'
import json, os, subprocess, sys
tmp, sp, me, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def res(name, good, why=""):
    print(("ok " if good else "FAIL ") + "targets: " + name + ("" if good else ": " + why))
def load(t):
    try:
        return [json.loads(l) for l in open("%s/%s.json" % (tmp, t)) if l.strip()]
    except (OSError, ValueError):
        return None
def bpftool(*a):
    try:
        return json.loads(subprocess.run(["bpftool", "-j"] + list(a), capture_output=True,
                                         text=True, timeout=60).stdout or "null")
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None

rows = load("task")
if rows is not None:
    pids = {r.get("pid") for r in rows}
    def ns(p):
        try:
            return os.readlink("/proc/%s/ns/pid" % p)
        except OSError:
            return None
    # processes of this pid namespace alive before and after the dumps are all in them
    both = set(open(tmp + "/pids.before").read().split()) & set(open(tmp + "/pids.after").read().split())
    mine = ns("self")
    stable = sorted(int(p) for p in both if ns(p) == mine)
    miss = [p for p in stable if p not in pids]
    res("task: every process of /proc alive before and after the dumps is in them (%d)" % len(stable),
        stable and not miss, str(miss[:5]))
    r = [x for x in rows if x.get("pid") == sp and x.get("tid") == sp]
    st = open("/proc/%d/status" % sp).read()
    ppid = int([l.split()[1] for l in st.splitlines() if l.startswith("PPid:")][0])
    uid = int([l.split()[1] for l in st.splitlines() if l.startswith("Uid:")][0])
    res("task: the test's sleep has /proc's ppid, uid, state S and comm",
        len(r) == 1 and r[0].get("ppid") == ppid and r[0].get("uid") == uid and
        r[0].get("state") == "S" and r[0].get("comm") == "sleep", str(r))

rows = load("tcp")
if rows is not None and port:
    mine = [x for x in rows if x.get("lport") == int(port) and x.get("state") == "LISTEN"]
    res("tcp: the test's listener on 127.0.0.1:%s is LISTEN" % port,
        len(mine) == 1 and mine[0].get("laddr") == "127.0.0.1", str(mine))
    def ports(f):
        try:
            return {int(l.split()[3].rsplit(":", 1)[1]) for l in open(tmp + "/" + f) if l.strip()}
        except (OSError, ValueError, IndexError):
            return None
    before, after = ports("ss.before"), ports("ss.after")
    if not before:
        print("skip targets: tcp vs ss -tln: no ss output")
    else:
        got = {x.get("lport") for x in rows if x.get("state") == "LISTEN"}
        res("tcp: listening ports equal ss -tln's (%d in both of its runs, %d dumped)" % (len(before & after), len(got)),
            before & after <= got <= before | after,
            "missing %s, extra %s" % (sorted((before & after) - got), sorted(got - (before | after))))

def compare(target, tool, keys, what):
    rows = load(target)
    if rows is None:
        return
    truth = bpftool(*tool)
    if truth is None:
        print("skip targets: %s vs bpftool: no bpftool output" % target)
        return
    after = bpftool(*tool) or []
    ids_after = {x["id"] for x in after}
    stable = [x for x in truth if x["id"] in ids_after]
    by = {r.get("id"): r for r in rows}
    bad = []
    for x in stable:
        r = by.get(x["id"])
        if r is None:
            # made after the dump started
            continue
        for k, tk in keys:
            if r.get(k) != x.get(tk):
                bad.append((x["id"], k, r.get(k), x.get(tk)))
    seen = [x for x in stable if x["id"] in by]
    res("%s: %s equal bpftool's (%d of %d objects in both)" % (target, what, len(seen), len(stable)),
        seen and not bad, str(bad[:4]) if bad else "no object in both")

compare("bpf_link", ["link", "show"], [("prog_id", "prog_id")], "ids and prog ids")
compare("bpf_map", ["map", "show"], [("name", "name"), ("key_size", "bytes_key"),
                                     ("value_size", "bytes_value"), ("max_entries", "max_entries")],
        "ids, names, key/value sizes, max entries")
compare("bpf_prog", ["prog", "show"], [("name", "name"), ("tag", "tag")], "ids, names and tags")
links = load("bpf_link") or []
res("bpf_link: attach_type is set on every link (BPF_TRACE_ITER for iterators)",
    links and all(r.get("attach_type") not in (None, "") for r in links) and
    all(r.get("attach_type") == "BPF_TRACE_ITER" for r in links if r.get("type") == "BPF_LINK_TYPE_ITER"),
    str([r for r in links if r.get("type") == "BPF_LINK_TYPE_ITER"][:2]))
PY
exit 0
