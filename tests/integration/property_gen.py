#!/usr/bin/env python3
"""Generated-code property test (driven by property.sh).

For random predicates over real BTF fields, the program bpfdump generates must pass the
verifier, and the rows it returns must agree with this file's own evaluation of the same
predicate on the rows of unfiltered dumps.

Per case: A = unfiltered dump (key columns + every column the predicate uses), B = the same
dump with -w PRED, C = unfiltered again. Checks: B succeeded; every row of B satisfies PRED
(evaluated here on B's own values); every row stable in A and C (same key, same values) is
in B exactly when it satisfies PRED. Rows race (processes come and go, and the program reads
the predicate's fields apart from the columns), so a case that disagrees is dumped again, up
to 3 times, and fails when every attempt disagrees.

Usage: property_gen.py BPFDUMP SEED CASES   (prints one "ok"/"FAIL" line per case)
Set BPFDUMP_PROP_WRONG=1 to evaluate '<' as '<=' here, or =sign to compare signed fields as
unsigned: the test must then fail.
"""
import json
import os
import random
import subprocess
import sys

TEST = "property"


class F:
    """A field: column name, path, kind and (for integers) width and signedness.

    kinds: int (width bits, signed), bit (bitfield, width bits), chr (char, as a one-char
    string in JSON), str (char array of size bytes), ptr (hex string in JSON), ip4 (__be32
    address, dotted string in JSON)."""

    def __init__(self, name, path, kind, bits=0, signed=False, size=0, volatile=False,
                 enum=None):
        self.name, self.path, self.kind = name, path, kind
        self.bits, self.signed, self.size = bits, signed, size
        self.volatile = volatile  # changes often: never a predicate leaf
        self.enum = enum  # an enum: JSON shows the enumerator's name

    def num(self, v):
        """The JSON cell as the integer the kernel holds."""
        if self.enum and isinstance(v, str):
            return self.enum[v]
        if self.kind == "chr":
            return ord(v) if v else 0
        if self.kind == "ptr":
            return int(v, 16)
        return v


def I(name, path, bits, signed=False):
    return F(name, path, "int", bits=bits, signed=signed)


SK = "udp_sk->inet.sk.__sk_common."
SS = {"SS_FREE": 0, "SS_UNCONNECTED": 1, "SS_CONNECTING": 2, "SS_CONNECTED": 3,
      "SS_DISCONNECTING": 4}
TARGETS = {
    "task": {
        "key": ["pid"],
        "fields": [
            I("pid", "task->pid", 32, True),
            I("tgid", "task->tgid", 32, True),
            I("prio", "task->prio", 32, True),
            I("static_prio", "task->static_prio", 32, True),
            I("normal_prio", "task->normal_prio", 32, True),
            I("exit_signal", "task->exit_signal", 32, True),
            I("flags", "task->flags", 32),
            I("policy", "task->policy", 32),
            I("nr_cpus", "task->nr_cpus_allowed", 32, True),
            I("ppid", "task->real_parent->pid", 32, True),
            I("total_vm", "task->mm->total_vm", 64),
            I("uid", "task->cred->uid.val", 32),
            I("euid", "task->cred->euid.val", 32),
            F("reset_on_fork", "task->sched_reset_on_fork", "bit", bits=1),
            F("comm", "task->comm", "str", size=16),
            F("comm0", "task->comm[0]", "chr", bits=8),
            F("mm", "task->mm", "ptr", bits=64),
            I("cpus0", "task->cpus_mask.bits[0]", 64),
        ],
        "consts": {"flags": [("PF_KTHREAD", 0x00200000), ("PF_EXITING", 0x4)]},
    },
    "task_file": {
        "key": ["tgid", "fd"],
        "fields": [
            I("tgid", "task->tgid", 32, True),
            I("fd", "fd", 32),
            I("f_flags", "file->f_flags", 32),
            I("f_mode", "file->f_mode", 32),
            I("i_mode", "file->f_inode->i_mode", 16),
            I("i_ino", "file->f_inode->i_ino", 64),
            I("i_nlink", "file->f_inode->i_nlink", 32),
            I("f_pos", "file->f_pos", 64, True),
            I("i_size", "file->f_inode->i_size", 64, True),
            F("i_pipe", "file->f_inode->i_pipe", "ptr", bits=64),
            # a char * read with bpf_probe_read_kernel_str: at most 127 bytes compare
            F("dname", "file->f_path.dentry->d_name.name", "str", size=127),
            I("dlen", "file->f_path.dentry->d_name.len", 32),
            F("comm", "task->comm", "str", size=16),
        ],
        "consts": {"f_flags": [("O_WRONLY", 1), ("O_RDWR", 2), ("O_APPEND", 0o2000),
                               ("O_NONBLOCK", 0o4000), ("O_CLOEXEC", 0o2000000)]},
    },
    "task_vma": {
        "key": ["vm_start"],
        "args": ["--pid", os.environ.get("BPFDUMP_PROP_PID", "1")],
        "fields": [
            I("vm_start", "vma->vm_start", 64),
            I("vm_end", "vma->vm_end", 64),
            I("vm_flags", "vma->vm_flags", 64),
            I("vm_pgoff", "vma->vm_pgoff", 64),
            F("vm_file", "vma->vm_file", "ptr", bits=64),
        ],
        "consts": {"vm_flags": [("VM_READ", 1), ("VM_WRITE", 2), ("VM_EXEC", 4),
                                ("VM_SHARED", 8), ("VM_GROWSDOWN", 0x100)]},
    },
    "tcp": {
        "key": None,  # the whole row
        "fields": [
            I("family", "sk_common->skc_family", 16),
            I("state", "sk_common->skc_state", 8),
            I("lport", "sk_common->skc_num", 16),
            I("rport", "sk_common->skc_dport", 16),  # __be16, host order
            F("laddr", "sk_common->skc_rcv_saddr", "ip4"),
            F("raddr", "sk_common->skc_daddr", "ip4"),
            I("bound_dev_if", "sk_common->skc_bound_dev_if", 32, True),
            I("uid", "uid", 32),
        ],
        "consts": {"state": [("TCP_LISTEN", 10), ("TCP_ESTABLISHED", 1)],
                   "family": [("AF_INET", 2), ("AF_INET6", 10)]},
    },
    "udp": {
        "key": None,
        "fields": [
            I("family", SK + "skc_family", 16),
            I("lport", SK + "skc_num", 16),
            I("rport", SK + "skc_dport", 16),
            F("laddr", SK + "skc_rcv_saddr", "ip4"),
            F("raddr", SK + "skc_daddr", "ip4"),
            I("uid", "uid", 32),
            # socket_state, an enum: by name in JSON and in literals
            F("sock_state", "udp_sk->inet.sk.sk_socket->state", "int", bits=32, enum=SS),
        ],
        "consts": {"family": [("AF_INET", 2), ("AF_INET6", 10)],
                   "sock_state": list(SS.items())},
    },
}

# a deliberately wrong evaluator, to see the checks fail: 1 takes '<' as '<=', sign compares
# signed fields as unsigned 64-bit numbers
WRONG = os.environ.get("BPFDUMP_PROP_WRONG", "")
DEPTH = int(os.environ.get("BPFDUMP_PROP_DEPTH", "3"))  # deepest boolean tree
ARITH = os.environ.get("BPFDUMP_PROP_ARITH", "1") != "0"  # 0: no arithmetic leaves


def dump(bpfdump, target, fields, pred=None):
    cols = ",".join("%s=%s" % (f.name, f.path) for f in fields)
    cmd = [bpfdump, "dump", target, "-o", cols, "-J"] + TARGETS[target].get("args", [])
    if pred is not None:
        cmd += ["-w", pred]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    if r.returncode != 0:
        err = r.stderr.strip().splitlines()
        return None, "exit %d: %s" % (r.returncode, err[0] if err else "(no stderr)")
    try:
        return [json.loads(l) for l in r.stdout.splitlines() if l.strip()], None
    except ValueError as e:
        return None, "bad JSON: %s" % e


# ---- predicates: trees of ("cmp", f, op, lit, text) ("val", f) ("str", f, op, s)
# ("ip", f, op, s) ("null", f, op) ("and", a, b) ("or", a, b) ("not", a)

OPS = ["==", "!=", "<", "<=", ">", ">="]


def pick(rng, items):
    """One of items, drawing one number whatever their count (random.choice draws more
    for some lengths): a seed then makes the same choices when live rows differ in number."""
    return items[min(int(rng.random() * len(items)), len(items) - 1)]


def int_lits(rng, f, seen):
    """Literals for an integer field: values seen, their neighbours, and the type's bounds."""
    bits = f.bits
    if f.kind == "bit":
        lo, hi = 0, (1 << bits) - 1
    elif f.signed:
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    else:
        lo, hi = 0, (1 << bits) - 1
    c = [0, 1, hi, lo]
    if f.kind != "bit":
        c += [-1]
        if bits < 64 and rng.random() < 0.3:  # refused: see out_of_range()
            c += [hi + 1, lo - 1]
    if seen:
        v = pick(rng, seen)
        c += [v, v, v, v - 1, v + 1]
    return c


def render_int(rng, v):
    if rng.random() < 0.3:
        return hex(v)  # -0x1 for negatives
    return str(v)


def gen_leaf(rng, tgt, rows):
    fields = [f for f in tgt["fields"] if not f.volatile]
    f = pick(rng, fields)
    seen = [f.num(r[f.name]) for r in rows if f.name in r] if f.kind not in ("str", "ip4") else \
        [r[f.name] for r in rows if f.name in r]
    if f.kind == "ptr":
        return ("null", f, pick(rng, ["==", "!=", "bare", "not"]))
    if f.kind == "str":
        choices = [s for s in seen if s and '"' not in s and "\\" not in s and s.isprintable()
                   and len(s) <= f.size]
        s = pick(rng, choices + ["nosuchcomm", "x" * (f.size - 1), "y" * f.size]
                       if choices else ["nosuchcomm"])
        if rng.random() < 0.1:
            return ("val", f)
        return ("str", f, pick(rng, ["==", "!="]), s, rng.random() < 0.2)
    if f.kind == "ip4":
        s = pick(rng, seen + ["127.0.0.1", "0.0.0.0", "10.255.255.254"]) if seen else "127.0.0.1"
        return ("ip", f, pick(rng, ["==", "!="]), s)
    r = rng.random()
    if r < 0.08:
        return ("val", f)
    consts = tgt["consts"].get(f.name)
    if r < 0.3 and f.kind == "int" and not f.signed:
        if consts and rng.random() < 0.6:
            name, v = pick(rng, consts)
            return ("cmp", f, "&", v, name)
        base = pick(rng, seen) if seen else 1
        bitsv = [b for b in range(f.bits) if base >> b & 1] or [0]
        v = 1 << pick(rng, bitsv)
        if rng.random() < 0.3:
            v |= 1 << rng.randrange(f.bits)
        return ("cmp", f, "&", v, render_int(rng, v))
    op = pick(rng, OPS)
    if consts and rng.random() < 0.3:
        name, v = pick(rng, consts)
        return ("cmp", f, op, v, name)
    v = pick(rng, int_lits(rng, f, seen))
    return ("cmp", f, op, v, render_int(rng, v))


# ---- arithmetic leaves: ("arith", A, op, B), A an operand tree ("abin", aop, x, y),
# ("afield", f) or ("alit", v, text), compiled by bpfdump to 64-bit BPF arithmetic

AOPS = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"]
M64 = (1 << 64) - 1


def render_lit(rng, v):
    """v as a C literal: decimal, hex, octal (leading 0) or binary."""
    r = rng.random()
    if v <= 0 or r < 0.4:
        return str(v)
    if r < 0.6:
        return hex(v)
    if r < 0.8:
        return "0%o" % v
    return "0b{:b}".format(v)


def gen_operand(rng, tgt, rows, depth, bin_only=False):
    ints = [f for f in tgt["fields"] if not f.volatile and f.kind in ("int", "bit")]
    if not bin_only and (depth == 0 or rng.random() < 0.4):
        if ints and rng.random() < 0.6:
            return ("afield", pick(rng, ints))
        v = pick(rng, [0, 1, 2, 3, 5, 7, 8, 12, 63, 64, 255, 4096, 0o170000, -1, -5, 1 << 40])
        return ("alit", v, render_lit(rng, v))
    return ("abin", pick(rng, AOPS), gen_operand(rng, tgt, rows, max(depth - 1, 0)),
            gen_operand(rng, tgt, rows, max(depth - 1, 0)))


def atext(a):
    if a[0] == "afield":
        return a[1].path
    if a[0] == "alit":
        return a[2]
    return "(%s %s %s)" % (atext(a[2]), a[1], atext(a[3]))


def aval(a, row):
    """The operand as bpfdump's program computes it: 64 bits, wrapping; fields sign-extended
    when signed; / % >> unsigned; x / 0 = 0 and x % 0 = x (BPF); shift counts mod 64."""
    if a[0] == "afield":
        return a[1].num(row[a[1].name]) & M64
    if a[0] == "alit":
        return a[1] & M64
    op, x, y = a[1], aval(a[2], row), aval(a[3], row)
    if op == "/":
        return x // y if y else 0
    if op == "%":
        return x % y if y else x
    if op == "<<":
        return (x << (y & 63)) & M64
    if op == ">>":
        return x >> (y & 63)
    return {"+": x + y, "-": x - y, "*": x * y, "&": x & y, "|": x | y, "^": x ^ y}[op] & M64


def asigned(a):
    """Compared signed: a signed field, a negative literal or a subtraction in either side."""
    if a[0] == "afield":
        return a[1].signed
    if a[0] == "alit":
        return a[1] < 0
    return a[1] == "-" or asigned(a[2]) or asigned(a[3])


def afields(a, acc):
    if a[0] == "afield" and a[1] not in acc:
        acc.append(a[1])
    elif a[0] == "abin":
        afields(a[2], acc)
        afields(a[3], acc)
    return acc


def gen_arith(rng, tgt, rows):
    # the left side is always an operation: "field op literal" is a plain compare
    return ("arith", gen_operand(rng, tgt, rows, 2, bin_only=True), pick(rng, OPS),
            gen_operand(rng, tgt, rows, 1))


def gen(rng, tgt, rows, depth):
    if ARITH and rng.random() < 0.25:
        return gen_arith(rng, tgt, rows)
    if depth == 0 or rng.random() < 0.3:
        return gen_leaf(rng, tgt, rows)
    k = rng.random()
    if k < 0.15:
        return ("not", gen(rng, tgt, rows, depth - 1))
    return ("and" if k < 0.6 else "or", gen(rng, tgt, rows, depth - 1),
            gen(rng, tgt, rows, depth - 1))


def text(p, top=True):
    k = p[0]
    if k == "arith":
        return "%s %s %s" % (atext(p[1]), p[2], atext(p[3]))
    if k == "cmp":
        return "%s %s %s" % (p[1].path, p[2], p[4])
    if k == "val":
        return p[1].path
    if k == "str" and p[4]:
        return 'str(%s) %s "%s"' % (p[1].path, p[2], p[3])
    if k in ("str", "ip"):
        return '%s %s "%s"' % (p[1].path, p[2], p[3])
    if k == "null":
        op = p[2]
        return p[1].path if op == "bare" else "!" + p[1].path if op == "not" else \
            "%s %s NULL" % (p[1].path, op)
    if k == "not":
        return "!(%s)" % text(p[1], False)
    s = "%s %s %s" % (text(p[1], False), "&&" if k == "and" else "||", text(p[2], False))
    return s if top else "(%s)" % s


def fields_of(p, acc):
    if p[0] in ("and", "or"):
        fields_of(p[1], acc)
        fields_of(p[2], acc)
    elif p[0] == "not":
        fields_of(p[1], acc)
    elif p[0] == "arith":
        afields(p[1], acc)
        afields(p[3], acc)
    elif p[1] not in acc:
        acc.append(p[1])
    return acc


def lit_for(f, v):
    """The literal as the kernel value it stands for: on an unsigned field of W bits, a
    negative literal is its W-bit two's complement (-1: all ones)."""
    if not f.signed and v < 0:
        return v % (1 << f.bits)
    return v


def out_of_range(p):
    """The leaves bpfdump must refuse: compares with a literal the field cannot hold
    (unsigned W bits: -2^(W-1) .. 2^W-1; signed: any signed 64-bit literal)."""
    k = p[0]
    if k in ("and", "or"):
        return out_of_range(p[1]) + out_of_range(p[2])
    if k == "not":
        return out_of_range(p[1])
    if k != "cmp" or p[2] == "&":
        return []
    f, v = p[1], p[3]
    if f.signed:
        bad = v >= 1 << 63
    else:
        bad = v >= 1 << f.bits or v < -(1 << (f.bits - 1))
    return [text(p)] if bad else []


def holds(p, row):
    k = p[0]
    if k == "and":
        return holds(p[1], row) and holds(p[2], row)
    if k == "or":
        return holds(p[1], row) or holds(p[2], row)
    if k == "not":
        return not holds(p[1], row)
    if k == "arith":
        x, y = aval(p[1], row), aval(p[3], row)
        op = "<=" if p[2] == "<" and WRONG == "1" else p[2]
        if (asigned(p[1]) or asigned(p[3])) and WRONG != "sign":
            x, y = x - (x >> 63 << 64), y - (y >> 63 << 64)
        return {"==": x == y, "!=": x != y, "<": x < y, "<=": x <= y,
                ">": x > y, ">=": x >= y}[op]
    f = p[1]
    cell = row[f.name]
    if k == "val":
        return bool(cell) if f.kind == "str" else f.num(cell) != 0
    if k == "null":
        nn = f.num(cell) != 0
        return {"==": not nn, "!=": nn, "bare": nn, "not": not nn}[p[2]]
    if k in ("str", "ip"):
        return (cell == p[3]) == (p[2] == "==")
    v, op, lit = f.num(cell), p[2], lit_for(f, p[3])
    if op == "&":
        return (v & lit) != 0
    if op == "<" and WRONG == "1":
        op = "<="
    if f.signed and WRONG == "sign":
        v, lit = v % (1 << 64), lit % (1 << 64)
    return {"==": v == lit, "!=": v != lit, "<": v < lit, "<=": v <= lit,
            ">": v > lit, ">=": v >= lit}[op]


def keyed(tgt, fields, rows):
    names = tgt["key"] or [f.name for f in fields]
    out = {}
    for r in rows:
        k = tuple(r[n] for n in names)
        t = tuple(r[f.name] for f in fields)
        out.setdefault(k, []).append(t)
    return out


def run_case(bpfdump, rng, n, seed, target):
    tgt = TARGETS[target]
    key = [f for f in tgt["fields"] if f.name in (tgt["key"] or [])]
    probe, err = dump(bpfdump, target, tgt["fields"])
    if err:
        return "FAIL", "unfiltered dump: %s" % err
    pred = gen(rng, tgt, probe, rng.randint(1, DEPTH))
    ptxt = text(pred)
    fields = key + [f for f in fields_of(pred, []) if f not in key]
    if not tgt["key"]:
        fields = tgt["fields"]
    name = "case %d seed %d: %s -w '%s'" % (n, seed, target, ptxt)
    why = None
    for _attempt in range(3):
        a, err = dump(bpfdump, target, fields)
        if err:
            return "FAIL", "%s: unfiltered dump: %s" % (name, err)
        b, err = dump(bpfdump, target, fields, ptxt)
        oor = out_of_range(pred)
        if oor:
            if err and err.startswith("exit 1: ") and "literal out of range" in err:
                return "ok", "%s (refused: %s)" % (name, oor[0])
            return "FAIL", "%s: '%s' has a literal out of range, expected a refusal, got %s" % (
                name, oor[0], err or "%d rows" % len(b))
        if err:
            return "FAIL", "%s: filtered dump (verifier?): %s" % (name, err)
        c, err = dump(bpfdump, target, fields)
        if err:
            return "FAIL", "%s: unfiltered dump: %s" % (name, err)
        bad = [r for r in b if not holds(pred, r)]
        if bad:
            # the predicate reads its fields apart from the columns: a value that changed in
            # between shows once; a wrong program shows every time
            why = "row returned that does not satisfy it: %s" % json.dumps(bad[0])
            continue
        ka, kb, kc = keyed(tgt, fields, a), keyed(tgt, fields, b), keyed(tgt, fields, c)
        stable = {k: v for k, v in ka.items() if kc.get(k) == v and len(v) == 1}
        why = None
        sel = 0
        for k, (t,) in stable.items():
            row = dict(zip([f.name for f in fields], t))
            if holds(pred, row):
                sel += 1
                if k not in kb:
                    why = "stable row satisfying it is missing: %s" % json.dumps(row)
            elif k in kb:
                why = "stable row not satisfying it was returned: %s (as %s)" % (
                    json.dumps(row), kb[k])
        if not stable:
            why = "no stable rows (A and C share none)"
        if why is None:
            return "ok", "%s (%d of %d rows)" % (name, sel, len(stable))
    return "FAIL", "%s: %s (3 attempts)" % (name, why)


def main():
    bpfdump, seed, cases = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    targets = sys.argv[4].split(",") if len(sys.argv) > 4 else list(TARGETS)
    fails = 0
    for n in range(1, cases + 1):
        # one generator per case: a case reproduces from the seed alone
        rng = random.Random(seed * 1000003 + n)
        target = targets[(n - 1) % len(targets)]
        res, msg = run_case(bpfdump, rng, n, seed, target)
        fails += res == "FAIL"
        print("%s %s: %s" % (res, TEST, msg), flush=True)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
