#!/usr/bin/python3
# snapshot_sockets.sh: every key the helper wrote, per fd, against the snapshot's tcp rows
import json, sys
label, snap, truthf = sys.argv[1:4]
d = json.load(open(snap))
rows = {r["fd"]: r for r in d.get("tcp", [])}
truth, roles = {}, {}
for line in open(truthf):
    a = line.split()
    if a[0] in ("client", "accepted", "pending"):
        roles[a[0]] = int(a[1])
        continue
    truth.setdefault(int(a[0]), {})[a[1]] = a[2]
def show(v):
    return "true" if v is True else "false" if v is False else str(v)
for fd, kv in sorted(truth.items()):
    r = rows.get(fd)
    role = "listener" if "port" in kv else [k for k, v in roles.items() if v == fd][0]
    if r is None:
        print("FAIL snapshot_sockets: %s: fd %d (%s): no tcp row" % (label, fd, role))
        continue
    bad = []
    for k, v in sorted(kv.items()):
        if k in ("port", "inq", "outq", "tcpi_snd_wnd"):
            continue
        got = r.get(k)
        if k == "ca_state":
            v = ["open", "disorder", "cwr", "recovery", "loss"][int(v)]
        if show(got) != v:
            bad.append("%s %s, kernel says %s" % (k, show(got), v))
    # the windows TCP_INFO reports too
    if "tcpi_snd_wnd" in kv and show(r.get("snd_wnd")) != kv["tcpi_snd_wnd"]:
        bad.append("snd_wnd %s, TCP_INFO says %s" % (show(r.get("snd_wnd")), kv["tcpi_snd_wnd"]))
    # what ss shows as Recv-Q/Send-Q is the same sequence arithmetic
    if "inq" in kv and (r["rcv_nxt"] - r["copied_seq"]) % 2**32 != int(kv["inq"]):
        bad.append("rcv_nxt - copied_seq != SIOCINQ %s" % kv["inq"])
    if "outq" in kv and (r["write_seq"] - r["snd_una"]) % 2**32 != int(kv["outq"]):
        bad.append("write_seq - snd_una != SIOCOUTQ %s" % kv["outq"])
    n = len([k for k in kv if k not in ("port",)])
    if bad:
        print("FAIL snapshot_sockets: %s: fd %d (%s): %s" % (label, fd, role, "; ".join(bad)))
    else:
        print("ok snapshot_sockets: %s: fd %d (%s): %d values as the kernel reports them" % (label, fd, role, n))
pend = rows.get(roles.get("pending"))
if pend is None or pend["state"] != "ESTAB" or pend["mss"] in (None, 0):
    print("FAIL snapshot_sockets: %s: pending client: %s" % (label, pend))
else:
    print("ok snapshot_sockets: %s: the connection not accepted is listed with its state" % label)
