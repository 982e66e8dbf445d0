#!/usr/bin/python3
# trace_vm.sh: checks of the ip_send_skb(skb->len == 128) events
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mode, out, pid = sys.argv[2], open(sys.argv[3]).read(), int(sys.argv[4])
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace-vm: %s: %s" % (mode, n) + ("" if ok else ": " + str(why)[:300]))

res("ip_send_skb(skb->len == 128): the two 100-byte datagrams", len(ev) == 2 and all(e["values"]["skb->len"] == 128 for e in ev), ev)
res("skb pretty-printed by BTF", ev and ev[0]["values"]["skb"].startswith("(struct sk_buff){"), ev)
