#!/usr/bin/python3
# sql_property.sh: random SQL over the test's processes, bpfdump sql against SQLite over the same rows (seeded)
import json, os, random, re, sqlite3, subprocess, sys

bpfdump, n, seed, pids = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), [int(p) for p in sys.argv[4:]]
rnd = random.Random(seed)
base = "pid IN (%s)" % ", ".join(map(str, pids))
tables = {
    "task": ["pid", "tid", "ppid", "uid", "state", "comm", '"task->prio"', '"task->flags"'],
    "task_file": ["pid", "comm", "fd", "path", '"file->f_flags"', '"file->f_inode->i_nlink"'],
}

def run(sql, pushdown):
    env = dict(os.environ, BPFDUMP_SQL_PUSHDOWN="1" if pushdown else "0")
    p = subprocess.run([bpfdump, "-v", "sql", "-J", sql], capture_output=True, text=True,
                       env=env, timeout=60)
    if p.returncode:
        return None, p.stderr.strip()
    rows = sorted(json.dumps(json.loads(l), sort_keys=True) for l in p.stdout.splitlines())
    return rows, p.stderr

def values(rows, col):
    key = col.strip('"')
    return sorted({r[key] for r in rows})

def atom(table, rows):
    col = rnd.choice(tables[table])
    vals = values(rows, col) or [0]
    v = rnd.choice(vals)
    kind = rnd.random()
    if isinstance(v, str):
        lit = lambda x: "'" + str(x).replace("'", "''") + "'"
        c = rnd.choice([lit(v), lit(v + "x"), lit(v[:3]), "'bdprop_a'", "5", "''"])
        op = rnd.choice(["=", "!=", "=", "<", ">=", "IS", "IS NOT"])
    else:
        c = rnd.choice([v, v, v + 1, v - 1, -1, 0, 1 << 40, -(1 << 40), "'%d'" % v, "1.5"])
        op = rnd.choice(["=", "!=", "<", "<=", ">", ">=", "IS", "IS NOT"])
    if kind < 0.12:
        lst = [rnd.choice(vals) for _ in range(rnd.randint(0, 3))]
        fmt = lambda x: "'" + x.replace("'", "''") + "'" if isinstance(x, str) else str(x)
        return "%s %sIN (%s)" % (col, rnd.choice(["", "NOT "]), ", ".join(map(fmt, lst)))
    if kind < 0.18:
        return "%s IS %sNULL" % (col, rnd.choice(["", "NOT "]))
    if kind < 0.22 and table == "task":
        return "pid = tid"  # a compare of two columns: SQLite's
    return "%s %s %s" % (col, op, c)

def expr(table, rows, depth=0):
    r = rnd.random()
    if depth < 2 and r < 0.35:
        return "(%s %s %s)" % (expr(table, rows, depth + 1), rnd.choice(["AND", "AND", "OR"]),
                               expr(table, rows, depth + 1))
    if depth < 2 and r < 0.42:
        return "NOT (%s)" % expr(table, rows, depth + 1)
    return atom(table, rows)

# the unfiltered rows of the test's processes, read once per table, into SQLite
db = sqlite3.connect(":memory:")
full = {}
for t, cols in tables.items():
    sel = "SELECT %s FROM %s WHERE %s" % (", ".join(cols), t, base)
    rows, err = run(sel, False)
    if rows is None:
        print("FAIL %s: unfiltered read: %s" % (t, err)); sys.exit(0)
    full[t] = [json.loads(r) for r in rows]
    db.execute("CREATE TABLE %s (%s)" % (t, ", ".join(cols)))  # no types: no affinity, as ours
    keys = [c.strip('"') for c in cols]
    db.executemany("INSERT INTO %s VALUES (%s)" % (t, ", ".join("?" * len(cols))),
                   [[r[k] for k in keys] for r in full[t]])

bad, pushed, cases = [], 0, 0
for i in range(n):
    t = rnd.choice(list(tables))
    where = "%s AND %s" % (base, expr(t, full[t])) if rnd.random() < 0.8 else \
            "%s AND (%s)" % (expr(t, full[t]), base)
    sql = "SELECT %s FROM %s WHERE %s" % (", ".join(tables[t]), t, where)
    on, err_on = run(sql, True)
    off, err_off = run(sql, False)
    want = sorted(json.dumps(dict(zip([c.strip('"') for c in tables[t]], r)), sort_keys=True)
                  for r in db.execute(sql))
    cases += 1
    if on is None or off is None:
        bad.append("%s: error: %s" % (sql, err_on if on is None else err_off))
    elif not (on == off == want):
        bad.append("%s: on %d rows, off %d, SQLite %d" % (sql, len(on), len(off), len(want)))
    else:
        # beyond the pid list every filter starts with: something of the random part
        got = re.findall(r"pushed down: (.*); SQLite evaluates", err_on)
        if any(g != "nothing" and (" && " in g or not g.startswith("(task->tgid ==")) for g in got):
            pushed += 1
    if any(g != "nothing" for g in re.findall(r"pushed down: (.*); SQLite", err_off or "")):
        bad.append("%s: BPFDUMP_SQL_PUSHDOWN=0 pushed something down" % sql)

if bad:
    print("FAIL push-down on = off = SQLite on %d random filters (seed %d): %d differ, e.g. %s"
          % (cases, seed, len(bad), bad[0][:600]))
else:
    print("ok push-down on = off = SQLite on %d random filters (seed %d)" % (cases, seed))
# about a third of random filters push something beyond the pid list (28 to 51 of 120
# over the seeds seen); an eighth is far below chance and still catches push-down lost
if pushed >= cases // 8:
    print("ok %d of the %d filters pushed a part of the random filter down" % (pushed, cases))
else:
    print("FAIL only %d of the %d filters pushed something down" % (pushed, cases))

# Joins (a value of the outer table looked up in an index of the inner's kept rows) and
# GROUP BY (rows handed on group after group): on = off = SQLite, groups in SQLite's order.
def run_raw(sql, pushdown):
    env = dict(os.environ, BPFDUMP_SQL_PUSHDOWN="1" if pushdown else "0")
    p = subprocess.run([bpfdump, "-v", "sql", "-J", sql], capture_output=True, text=True,
                       env=env, timeout=60)
    if p.returncode:
        return None, p.stderr.strip()
    return [json.dumps(json.loads(l), sort_keys=True) for l in p.stdout.splitlines()], p.stderr

def as_json(cols, r):
    return json.dumps(dict(zip(cols, ["" if x is None else x for x in r])), sort_keys=True)

bad, cases, indexed, grouped, scanned = [], 0, 0, 0, 0
fb = "f." + base
# the first two, over all the test's fds: GROUP BY keys task_file's rows come in (by pid,
# then fd: scanned in order, no index) and keys they do not (fd starts again at 0 in
# every process: grouped by an index)
fixed_groups = [["pid", "fd"], ["fd"]]
for i in range(max(16, n // 6)):
    if i < len(fixed_groups) or rnd.random() < 0.5:
        t = "task_file" if i < len(fixed_groups) else rnd.choice(list(tables))
        g = fixed_groups[i] if i < len(fixed_groups) else rnd.sample(tables[t], rnd.randint(1, 2))
        agg = rnd.choice(["count(*)", "min(pid)", "max(comm)", "sum(pid)"])
        w = " AND " + expr(t, full[t]) if i >= len(fixed_groups) and rnd.random() < 0.5 else ""
        sql = "SELECT %s, %s AS a FROM %s WHERE %s%s GROUP BY %s" % (
            ", ".join(g), agg, t, base, w, ", ".join(g))
        cols = [c.strip('"') for c in g] + ["a"]
        ordered = True
    else:
        on = rnd.choice(["f.pid = t.pid", "f.comm = t.comm", "f.fd = t.tid",
                         'f."file->f_flags" = t.uid', "t.pid = f.pid AND f.fd = 1"])
        sql = ("SELECT t.pid, t.tid, t.comm, f.fd, f.path FROM task t %s task_file f ON %s "
               "AND %s WHERE t.%s" % (rnd.choice(["JOIN", "LEFT JOIN"]), on, fb, base))
        cols = ["pid", "tid", "comm", "fd", "path"]
        ordered = False
    on_rows, err_on = run_raw(sql, True)
    off_rows, err_off = run_raw(sql, False)
    want = [as_json(cols, r) for r in db.execute(sql)]
    cases += 1
    if on_rows is None or off_rows is None:
        bad.append("%s: error: %s" % (sql, err_on if on_rows is None else err_off))
        continue
    if not ordered:
        on_rows, off_rows, want = sorted(on_rows), sorted(off_rows), sorted(want)
    if not (on_rows == off_rows == want):
        bad.append("%s: on %d rows, off %d, SQLite %d" % (sql, len(on_rows), len(off_rows),
                                                        len(want)))
    indexed += "indexed on" in err_on
    grouped += "for GROUP BY" in err_on
    scanned += "already in GROUP BY order" in err_on
    if re.search("indexed on|for GROUP BY|in GROUP BY order", err_off):
        bad.append("%s: BPFDUMP_SQL_PUSHDOWN=0 used an index or the rows' order" % sql)
if bad:
    print("FAIL joins and GROUP BY: on = off = SQLite on %d random statements (seed %d): %d "
          "differ, e.g. %s" % (cases, seed, len(bad), bad[0][:600]))
else:
    print("ok joins and GROUP BY: on = off = SQLite, groups in SQLite's order, on %d random "
          "statements (seed %d)" % (cases, seed))
if indexed and grouped and scanned:
    print("ok %d joins looked up in an index, %d GROUP BY grouped by one, %d scanned in the "
          "rows' order" % (indexed, grouped, scanned))
else:
    print("FAIL joins looked up in an index: %d, GROUP BY grouped by one: %d, scanned in the "
          "rows' order: %d" % (indexed, grouped, scanned))
