#!/usr/bin/python3
# trace_vm.sh: checks of the stashed do_sys_openat2 events: only the failing open
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mode, out, pid = sys.argv[2], open(sys.argv[3]).read(), int(sys.argv[4])
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "trace-vm: %s: %s" % (mode, n) + ("" if ok else ": " + str(why)[:300]))

mine = [e for e in ev if e["values"].get("ustr(filename)") == "/nonexistent-bpfdump-vm"]
res("stash mode: the failing open appears once, with its file name", len(mine) == 1, ev)
res("stash mode: return = -2 (ENOENT), event at return", mine and mine[0]["values"].get("return") == -2 and mine[0]["event"] == "return", mine)
res("stash mode: no successful open is emitted (%d events)" % len(ev), all(e["values"].get("return", 0) < 0 for e in ev) and not any(e["values"].get("ustr(filename)") == "/etc/hostname" for e in ev), ev)
