#!/usr/bin/python3
# snapshot_sockets.sh: the --data bytes of the TCP queues against what the helper wrote
import base64, json, sys
d = json.load(open(sys.argv[1]))
t, roles = {}, {}
for l in open(sys.argv[2]):
    a = l.split()
    if a[0] in ("client", "accepted"):
        roles[a[0]] = int(a[1])
    elif a[0].isdigit() and a[1] in ("inq", "outq"):
        t.setdefault(int(a[0]), {})[a[1]] = int(a[2])
want = {roles["client"]: open(sys.argv[3], "rb").read(), roles["accepted"]: b"x" * 20480}
for fd, kv in sorted(t.items()):
    for queue, n in (("receive", kv["inq"]), ("send", kv["outq"])):
        end = [q for q in d["queued"] if q["fd"] == fd and q["queue"] == queue and "buffers" in q]
        bufs = [q for q in d["queued"] if q["fd"] == fd and q["queue"] == queue and "index" in q]
        data = b"".join(base64.b64decode(q["data"]) for q in bufs)
        exp = want[fd] if queue == "receive" else b""
        ok = len(end) == 1 and end[0]["bytes"] == n == len(exp) and data == exp
        print(("ok" if ok else "FAIL") + " snapshot_sockets: --data: TCP fd %d %s queue: %s bytes "
              "as SIOCINQ/SIOCOUTQ say (%d), %d copied, %s as written" % (
                  fd, queue, end[0]["bytes"] if end else None, n, len(data),
                  "the same" if data == exp else "NOT the same"))
