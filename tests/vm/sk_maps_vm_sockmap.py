#!/usr/bin/python3
# sk_maps_vm.sh: sockmap rows: the filled slots with their sockets' state and port
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
lp, cp, ap = map(int, sys.argv[2:5])
got = sorted((r["key"], r["state"], r["lport"]) for r in rows)
# slots 0..2 hold the listener, the client, the accepted socket; slot 3 is empty: no row
want = [("00 00 00 00", "LISTEN", lp), ("01 00 00 00", "ESTAB", cp), ("02 00 00 00", "ESTAB", ap)]
ok = got == want
print(("ok " if ok else "FAIL ") + "sk-maps-vm: sockmap lists the filled slots with their sockets' state and port" + ("" if ok else ": %s vs %s" % (got, want)))
