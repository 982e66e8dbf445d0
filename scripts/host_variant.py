#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The snapshot program's variant for the kernel it is built on, and what that
kernel's BTF lacks of what the BPF sources need.

  host_variant.py strip-core IN.bpf.o OUT.bpf.o
      a copy of the object without its CO-RE relocations (.BTF.ext's core_relo_len
      set to 0): its offsets are vmlinux.h's, which is this kernel's, so libbpf has
      nothing to search for at load, and a snapshot's start skips its CO-RE pass.
  host_variant.py build-id SNAPSHOT_H [BTF [NOTES]]
      the GNU build id of the kernel BTF is from (in NOTES, that kernel's
      /sys/kernel/notes; default: the running kernel's BTF and notes) as a C header:
      the library uses the variant only on the very kernel build it was made for;
      with the BTF ids, in that kernel's BTF, of the kernel functions the program
      calls and of its attach target (names from SNAPSHOT_H), so that loading the
      variant needs no BTF at all. No notes, or a function, struct or layout the
      program needs missing from BTF (see features): an empty build id, so the
      variant never applies (the library uses the CO-RE or the classic programs).
  host_variant.py features [BTF]
      a C header of BD_HAVE_* for what src/bpf/kernel_compat.h declares when BTF
      (vmlinux.h's source) lacks it: open-coded iterator structs, their flags and
      the layouts of 6.2 to 6.7 and later that the open-coded program reads.
"""
import re
import struct
import sys

BTF_EXT_CORE_RELO_LEN = 28  # offset in struct btf_ext_header
NT_GNU_BUILD_ID = 3


def strip_core(src, dst):
    data = bytearray(open(src, "rb").read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit("%s: not a 64-bit little-endian ELF object" % src)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names_off = sections[shstrndx][4]
    for sec in sections:
        end = data.index(b"\0", names_off + sec[0])
        if bytes(data[names_off + sec[0]:end]) != b".BTF.ext":
            continue
        off = sec[4]
        magic, _, _, hdr_len = struct.unpack_from("<HBBI", data, off)
        if magic != 0xEB9F or hdr_len < BTF_EXT_CORE_RELO_LEN + 4:
            sys.exit("%s: .BTF.ext has no CO-RE relocation part" % src)
        struct.pack_into("<I", data, off + BTF_EXT_CORE_RELO_LEN, 0)
        open(dst, "wb").write(data)
        return
    sys.exit("%s: no .BTF.ext section" % src)


# bytes after the 12-byte header of a BTF type, by kind: fixed part, per-member part
BTF_KIND_STRUCT = 4
BTF_KIND_UNION = 5
BTF_KIND_FUNC = 12
BTF_EXTRA = {1: (4, 0), 3: (12, 0), 4: (0, 12), 5: (0, 12), 6: (0, 8), 13: (0, 8),
             14: (4, 0), 15: (0, 12), 17: (4, 0), 19: (0, 12)}


def btf_scan(path, funcs, members, structs=()):
    """From a raw BTF file: {name: id} of the FUNCs named in funcs and of the
    STRUCTs named in structs (their first), and {(struct, member): byte offset}
    of the struct members named in members."""
    try:
        data = open(path, "rb").read()
    except OSError:
        return {}, {}
    if len(data) < 24 or struct.unpack_from("<H", data, 0)[0] != 0xEB9F:
        return {}, {}
    hdr_len, type_off, type_len, str_off, _ = struct.unpack_from("<IIIII", data, 4)
    types, strs = hdr_len + type_off, hdr_len + str_off

    def name_at(name_off):
        return bytes(data[strs + name_off:data.index(b"\0", strs + name_off)]).decode()

    ids, by_id, off = {}, [None], types
    while off < types + type_len:
        name_off, info = struct.unpack_from("<II", data, off)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        by_id.append(off)
        if kind == BTF_KIND_FUNC and name_at(name_off) in funcs:
            ids[name_at(name_off)] = len(by_id) - 1
        if kind == BTF_KIND_STRUCT and name_off and name_at(name_off) in structs:
            ids.setdefault("struct " + name_at(name_off), len(by_id) - 1)
        fixed, per = BTF_EXTRA.get(kind, (0, 0))
        off += 12 + fixed + per * vlen

    def member_bits(tid, want):
        """bit offset of member want in struct/union tid, looking into anonymous ones"""
        t = by_id[tid]
        _, info = struct.unpack_from("<II", data, t)
        kind, vlen, kflag = (info >> 24) & 0x1F, info & 0xFFFF, info >> 31
        if kind not in (BTF_KIND_STRUCT, BTF_KIND_UNION):
            return None
        for i in range(vlen):
            m_name, m_type, m_off = struct.unpack_from("<III", data, t + 12 + 12 * i)
            bits = m_off & 0xFFFFFF if kflag else m_off
            if m_name and name_at(m_name) == want:
                return bits
            if not m_name:
                inner = member_bits(m_type, want)
                if inner is not None:
                    return bits + inner
        return None

    offs = {}
    for sname, mname in members:
        for tid in range(1, len(by_id)):
            name_off, info = struct.unpack_from("<II", data, by_id[tid])
            if (info >> 24) & 0x1F == BTF_KIND_STRUCT and name_off and name_at(name_off) == sname:
                bits = member_bits(tid, mname)
                if bits is not None:
                    offs[(sname, mname)] = bits // 8
                break
    return ids, offs

class Btf:
    """A raw BTF file's types: kinds, names, struct members, enum values."""
    MODS = (8, 9, 10, 11, 18)   # typedef, volatile, const, restrict, type_tag

    def __init__(self, path):
        self.data = data = open(path, "rb").read()
        if len(data) < 24 or struct.unpack_from("<H", data, 0)[0] != 0xEB9F:
            raise ValueError("%s: not raw BTF" % path)
        hdr_len, type_off, type_len, str_off, _ = struct.unpack_from("<IIIII", data, 4)
        types, self.strs = hdr_len + type_off, hdr_len + str_off
        self.off, off = [None], types
        while off < types + type_len:
            _, info = struct.unpack_from("<II", data, off)
            self.off.append(off)
            fixed, per = BTF_EXTRA.get((info >> 24) & 0x1F, (0, 0))
            off += 12 + fixed + per * (info & 0xFFFF)

    def name(self, name_off):
        return bytes(self.data[self.strs + name_off:self.data.index(b"\0", self.strs + name_off)]).decode()

    def info(self, tid):
        """(name, kind, vlen, kflag, type) of type tid"""
        name_off, info, typ = struct.unpack_from("<III", self.data, self.off[tid])
        return self.name(name_off), (info >> 24) & 0x1F, info & 0xFFFF, info >> 31, typ

    def find(self, name, kind):
        for tid in range(1, len(self.off)):
            n, k = self.info(tid)[:2]
            if k == kind and n == name:
                return tid
        return 0

    def resolve(self, tid):
        """tid without typedefs and modifiers"""
        while tid and self.info(tid)[1] in self.MODS:
            tid = self.info(tid)[4]
        return tid

    def member(self, tid, want):
        """the type id of member want of struct/union tid, looking into anonymous ones"""
        _, kind, vlen, _, _ = self.info(tid)
        if kind not in (BTF_KIND_STRUCT, BTF_KIND_UNION):
            return 0
        for i in range(vlen):
            m_name, m_type, _ = struct.unpack_from("<III", self.data, self.off[tid] + 12 + 12 * i)
            if m_name and self.name(m_name) == want:
                return m_type
            if not m_name:
                inner = self.member(self.resolve(m_type), want)
                if inner:
                    return inner
        return 0

    def enum_value(self, want):
        for tid in range(1, len(self.off)):
            _, kind, vlen, _, _ = self.info(tid)
            per = {6: 8, 19: 12}.get(kind)
            for i in range(vlen if per else 0):
                name_off, = struct.unpack_from("<I", self.data, self.off[tid] + 12 + per * i)
                if self.name(name_off) == want:
                    return True
        return False


BTF_KIND_ARRAY = 3
BTF_KIND_ENUM = 6


def btf_features(path):
    """[(BD_HAVE_ name, present, what)] of what src/bpf/kernel_compat.h stands in for"""
    try:
        b = Btf(path)
    except (OSError, ValueError) as e:
        sys.exit("host_variant.py: %s" % e)
    out = []
    for s in ("bpf_iter_num", "bpf_iter_task", "bpf_iter_task_vma"):
        out.append(("STRUCT_" + s.upper(), b.find(s, BTF_KIND_STRUCT) > 0, "struct " + s))
    out.append(("BPF_TASK_ITER_PROC_THREADS", b.enum_value("BPF_TASK_ITER_PROC_THREADS"),
                "bpf_iter_task_new()'s flag BPF_TASK_ITER_PROC_THREADS"))
    # mm->rss_stat: struct percpu_counter[NR_MM_COUNTERS] from 6.2 (before: an
    # mm_rss_stat of atomics)
    mm, pcpu = b.find("mm_struct", BTF_KIND_STRUCT), False
    rss = b.resolve(b.member(mm, "rss_stat")) if mm else 0
    if rss and b.info(rss)[1] == BTF_KIND_ARRAY:
        elem, = struct.unpack_from("<I", b.data, b.off[rss] + 12)
        pcpu = b.info(b.resolve(elem))[:2] == ("percpu_counter", BTF_KIND_STRUCT)
    out.append(("MM_RSS_STAT_PERCPU", pcpu, "mm_struct.rss_stat as percpu_counter[]"))
    # kernel_cap_t (cred->cap_*): a __u64 val from 6.3 (before: __u32 cap[2])
    cred = b.find("cred", BTF_KIND_STRUCT)
    cap = b.resolve(b.member(cred, "cap_effective")) if cred else 0
    out.append(("KERNEL_CAP_VAL", bool(cap and b.member(cap, "val")), "kernel_cap_t.val"))
    return out


def features(path="/sys/kernel/btf/vmlinux"):
    print("/* generated by scripts/host_variant.py: what the kernel BTF vmlinux.h is made")
    print(" * from (%s) has of what src/bpf/kernel_compat.h declares otherwise */" % path)
    for name, present, what in btf_features(path):
        if present:
            print("#define BD_HAVE_%s 1" % name)
        else:
            print("/* no %s */" % what)


def header_names(snapshot_h):
    text = open(snapshot_h).read()
    kfuncs = re.search(r"#define SNAP_KFUNC_NAMES \{(.*?)\}", text, re.S).group(1)
    attach = re.search(r'#define SNAP_ATTACH_FUNC "(\w+)"', text).group(1)
    casts = re.search(r"#define SNAP_CAST_NAMES \{(.*?)\}", text, re.S).group(1)
    return re.findall(r'"(\w+)"', kfuncs), attach, re.findall(r'"(\w+)"', casts)


def build_id(snapshot_h, btf_path="/sys/kernel/btf/vmlinux", notes_path="/sys/kernel/notes"):
    try:
        notes = open(notes_path, "rb").read() if notes_path else b""
    except OSError:
        notes = b""
    off, found = 0, ""
    while off + 12 <= len(notes):
        namesz, descsz, ntype = struct.unpack_from("<III", notes, off)
        name = notes[off + 12:off + 12 + namesz].rstrip(b"\0")
        desc_off = off + 12 + (namesz + 3) // 4 * 4
        if name == b"GNU" and ntype == NT_GNU_BUILD_ID:
            found = notes[desc_off:desc_off + descsz].hex()
            break
        off = desc_off + (descsz + 3) // 4 * 4
    why = "" if found else "no GNU build id of the kernel (notes: %s)" % (notes_path or "none given")
    # what kernel_compat.h stands in for has other offsets than that kernel's (or none):
    # only CO-RE can place it
    lacks = [what for _, present, what in btf_features(btf_path) if not present]
    if found and lacks:
        found, why = "", "the kernel's BTF has no " + ", ".join(lacks)
    kfuncs, attach, casts = header_names(snapshot_h)
    anon = [("vm_area_struct", "anon_name"), ("anon_vma_name", "name")]
    backing = ("backing_file", "user_path")
    ids, offs = btf_scan(btf_path, set(kfuncs + [attach]), anon + [backing],
                         set(casts)) if found else ({}, {})
    if found and len(ids) != len(kfuncs) + 1 + len(casts):
        missing = [n for n in kfuncs + [attach] if n not in ids] + \
                  ["struct " + n for n in casts if "struct " + n not in ids]
        found, why = "", "the kernel's BTF has no " + ", ".join(missing)
    user_path = offs.pop(backing, 0)
    if len(offs) != 2:
        offs = {}   # CONFIG_ANON_VMA_NAME off: no names
    print("/* generated by scripts/host_variant.py: the kernel vmlinux.h was made from */")
    if why:
        print("/* no host variant: %s */" % why)
    print('#define BD_HOST_KERNEL_BUILD_ID "%s"' % found)
    print("/* BTF ids in that kernel: SNAP_KFUNC_NAMES, then SNAP_ATTACH_FUNC */")
    print("#define BD_HOST_BTF_IDS { %s }" % ", ".join(str(ids.get(n, 0)) for n in kfuncs + [attach]))
    print("/* BTF ids in that kernel: SNAP_CAST_NAMES (structs) */")
    print("#define BD_HOST_CAST_IDS { %s }" % ", ".join(str(ids.get("struct " + n, 0)) for n in casts))
    print("/* where vm_area_struct keeps anon_name and anon_vma_name its name (0: none) */")
    print("#define BD_HOST_ANON_NAME_OFF %d" % offs.get(anon[0], 0))
    print("#define BD_HOST_ANON_VMA_NAME_NAME_OFF %d" % offs.get(anon[1], 0))
    print("/* where backing_file keeps user_path (0: no backing files shown as the user's) */")
    print("#define BD_HOST_USER_PATH_OFF %d" % user_path)

if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "strip-core":
        strip_core(sys.argv[2], sys.argv[3])
    elif 3 <= len(sys.argv) <= 5 and sys.argv[1] == "build-id":
        build_id(*sys.argv[2:])
    elif len(sys.argv) <= 3 and sys.argv[1:2] == ["features"]:
        features(*sys.argv[2:])
    else:
        sys.exit(__doc__)
