#!/usr/bin/python3
# snapshot_data.sh: one line per queue: the --data bytes against the truth, cut at MAX
import base64, hashlib, json, sys
label, snapf, truthf, cap = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
# --data-dir DIR: the bytes are in files there, each buffer names its file and offset
files = sys.argv[5] if len(sys.argv) > 5 else None
d, t = json.load(open(snapf)), json.load(open(truthf))
dirn = truthf.rsplit("/", 1)[0]
wrote = open("%s/wrote%d" % (dirn, t["phase"]), "rb").read()
def q(fd, name):
    bufs = [x for x in d["queued"] if x["fd"] == fd and x["queue"] == name and "index" in x]
    end = [x for x in d["queued"] if x["fd"] == fd and x["queue"] == name and "buffers" in x]
    if files:
        data = b"".join(open("%s/%s" % (files, x["file"]), "rb").read()[x["offset"]:x["offset"] + x["copied"]]
                        for x in bufs)
    else:
        data = b"".join(base64.b64decode(x["data"]) for x in bufs)
    return bufs, end, data
def h(b):
    return hashlib.sha256(b).hexdigest()[:12]
def one(what, fd, name, want):
    bufs, end, data = q(fd, name)
    bad = []
    exp = want[:cap]
    if data != exp:
        bad.append("%d bytes copied (sha256 %s), want %d (%s)" % (len(data), h(data), len(exp), h(exp)))
    if len(end) != 1 or end[0]["bytes"] != len(want) or end[0]["cut"] != (len(want) > cap):
        bad.append("summary %s, the queue holds %d bytes" % (end, len(want)))
    if any(x["torn"] or x["skipped"] for x in bufs):
        bad.append("torn or skipped buffers")
    if bad:
        print("FAIL snapshot-data-kernel: %s: %s: %s" % (label, what, "; ".join(bad)))
    else:
        print("ok snapshot-data-kernel: %s: %s: %d of %d bytes in %d buffers, sha256 %s as written" %
              (label, what, len(data), len(want), len(bufs), h(data)))
inq, outq = t["inq"], t["outq"]
if inq + outq != len(wrote):
    print("FAIL snapshot-data-kernel: %s: SIOCINQ %d + SIOCOUTQ %d != %d written" % (label, inq, outq, len(wrote)))
one("TCP receiver (never reads): the first SIOCINQ=%d bytes written" % inq, t["receiver"], "receive", wrote[:inq])
one("TCP sender: the SIOCOUTQ=%d bytes not acknowledged, the tail written" % outq, t["sender"], "send", wrote[inq:])
if t["peek"]:
    # the repair-mode peek's sha256 against the bytes the snapshot copied
    bufs, end, data = q(t["sender"], "send")
    if hashlib.sha256(data).hexdigest() == t["peek"] and len(data) == outq:
        print("ok snapshot-data-kernel: %s: TCP sender: its send queue as a repair-mode peek reads it "
              "(%d bytes, sha256 %s)" % (label, outq, t["peek"][:12]))
    else:
        print("FAIL snapshot-data-kernel: %s: TCP sender: %d bytes copied (sha256 %s), a repair-mode "
              "peek reads %d (%s)" % (label, len(data), h(data), outq, t["peek"][:12]))
one("pipe: the bytes written, never read", t["pipe"], "pipe", open(dirn + "/pipe", "rb").read())
one("FIFO: the bytes written, never read", t["fifo"], "pipe", open(dirn + "/fifo.bytes", "rb").read())
if files:
    # each queue's file holds its buffers' bytes and nothing else, readable by root alone
    import os, stat
    bad = []
    for f in sorted(os.listdir(files)):
        st = os.lstat("%s/%s" % (files, f))
        mine = [x for x in d["queued"] if x.get("file") == f]
        size = sum(x["copied"] for x in mine)
        if not stat.S_ISREG(st.st_mode) or stat.S_IMODE(st.st_mode) != 0o600 or st.st_size != size:
            bad.append("%s: mode %o, %d bytes, the output names %d" % (f, st.st_mode, st.st_size, size))
    named = {x["file"] for x in d["queued"] if "file" in x}
    if bad or not named or named - set(os.listdir(files)):
        print("FAIL snapshot-data-kernel: %s: files: %s; named %s" % (label, "; ".join(bad), sorted(named)))
    else:
        print("ok snapshot-data-kernel: %s: %d files, each mode 0600 holding exactly its buffers" %
              (label, len(named)))
