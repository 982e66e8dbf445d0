#!/usr/bin/python3
# pin.sh: show -J of the test's pins: target, ids, parameters and mode, against bpftool
import json, sys, subprocess
rows = {r["path"]: r for r in map(json.loads, open(sys.argv[1]))}
d, pid = sys.argv[2], sys.argv[3]
def res(n, ok, why=""): print(("ok " if ok else "FAIL ") + "pin: " + n + ("" if ok else ": " + why))
res("show lists the three dumpers", set(rows) == {d + "/task_file/open_files", d + "/tcp/listen", d + "/task/mine"}, str(list(rows)))
r = rows.get(d + "/task_file/open_files", {})
res("show: target and params", r.get("target") == "task_file" and r.get("params") == "pid=" + pid, str(r))
res("show: mode 0444 on the tcp dumper", rows.get(d + "/tcp/listen", {}).get("mode") == "0444")
links = json.loads(subprocess.check_output(["bpftool", "link", "show", "-j"]))
ids = {l["id"]: l for l in links}
ok = all(x["link_id"] in ids and ids[x["link_id"]]["prog_id"] == x["prog_id"] for x in rows.values())
res("show's link and prog ids match bpftool link show", ok)
