#!/usr/bin/python3
# snapshot_sockets.sh: each queued datagram, in order, with its source, cut at MAX bytes
import base64, json, sys
label, snap, cap, truthf = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
d, truth = json.load(open(snap)), json.load(open(truthf))
for kind, (fd, sent) in sorted(truth.items()):
    bufs = [q for q in d["queued"] if q["fd"] == fd and "index" in q]
    end = [q for q in d["queued"] if q["fd"] == fd and "buffers" in q]
    bad, left, want_bufs = [], cap, []
    for i, (src, hx) in enumerate(sent):
        b = bytes.fromhex(hx)
        if left <= 0 and want_bufs and want_bufs[-1][3]:
            break
        n = min(len(b), left)
        want_bufs.append((i, src, b[:n], n < len(b)))
        left -= n
        if n < len(b):
            break
    got = [(q["index"], q["source"], base64.b64decode(q["data"]), q["cut"]) for q in bufs]
    if got != want_bufs:
        bad.append("buffers %s, sent %s" % ([(g[0], g[1], len(g[2]), g[3]) for g in got],
                                             [(w[0], w[1], len(w[2]), w[3]) for w in want_bufs]))
    total = sum(len(bytes.fromhex(h)) for _, h in sent)
    if len(end) != 1 or end[0]["buffers"] != len(sent) or end[0]["bytes"] != total or \
       end[0]["cut"] != (total > cap):
        bad.append("summary %s, sent %d datagrams of %d bytes" % (end, len(sent), total))
    if bad:
        print("FAIL snapshot_sockets: %s: %s fd %d: %s" % (label, kind, fd, "; ".join(bad)))
    else:
        print("ok snapshot_sockets: %s: %s fd %d: %d datagrams in order with their sources, "
              "%d bytes copied" % (label, kind, fd, len(sent), sum(len(w[2]) for w in want_bufs)))
