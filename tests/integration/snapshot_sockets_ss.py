#!/usr/bin/python3
# snapshot_sockets.sh: the snapshot's mss and wscale against ss -tie
import json, re, sys
label, snap, ssf = sys.argv[1:4]
d = json.load(open(snap))
socks = {(s["local"], s["remote"]): s["fd"] for s in d["sockets"] if s.get("local")}
tcp = {r["fd"]: r for r in d["tcp"]}
text = open(ssf).read()
# ss -e prints a connection's line and its info on the next line(s)
entries = re.split(r"\n(?=\S)", text.strip())
if not any("mss:" in e for e in entries):
    print("skip snapshot_sockets: %s: ss -tie shows no TCP info here (no inet_diag?)" % label)
    sys.exit(0)
n = 0
for e in entries:
    f = e.split()
    local, remote = (f[2], f[3]) if f[0].isdigit() else (f[3], f[4])
    fd = socks.get((local, remote))
    if fd is None:
        continue
    r = tcp[fd]
    m = re.search(r"\bmss:(\d+)", e)
    w = re.search(r"\bwscale:(\d+),(\d+)", e)
    want = (m and int(m.group(1)), w and (int(w.group(1)), int(w.group(2))))
    got = (r["mss"], (r["snd_wscale"], r["rcv_wscale"]))
    if want != got:
        print("FAIL snapshot_sockets: %s: %s: ss -tie says mss, wscale %s, snapshot %s" % (label, local, want, got))
    else:
        n += 1
print(("ok snapshot_sockets: %s: mss and wscale as ss -tie shows them (%d sockets)" % (label, n))
      if n >= 3 else "FAIL snapshot_sockets: %s: only %d sockets matched in ss -tie" % (label, n))
