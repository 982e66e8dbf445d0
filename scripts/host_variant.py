#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""The snapshot program's variant for the kernel it is built on.

  host_variant.py strip-core IN.bpf.o OUT.bpf.o
      a copy of the object without its CO-RE relocations (.BTF.ext's core_relo_len
      set to 0): its offsets are vmlinux.h's, which is this kernel's, so libbpf has
      nothing to search for at load (about 35 ms of a snapshot's start here).
  host_variant.py build-id SNAPSHOT_H
      the running kernel's GNU build id (from /sys/kernel/notes) as a C header:
      the library uses the variant only on the very kernel build it was made for;
      with the BTF ids, in that kernel's BTF, of the kernel functions the program
      calls and of its attach target (names from SNAPSHOT_H), so that loading the
      variant needs no BTF at all.
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

def header_names(snapshot_h):
    text = open(snapshot_h).read()
    kfuncs = re.search(r"#define SNAP_KFUNC_NAMES \{(.*?)\}", text, re.S).group(1)
    attach = re.search(r'#define SNAP_ATTACH_FUNC "(\w+)"', text).group(1)
    casts = re.search(r"#define SNAP_CAST_NAMES \{(.*?)\}", text, re.S).group(1)
    return re.findall(r'"(\w+)"', kfuncs), attach, re.findall(r'"(\w+)"', casts)


def build_id(snapshot_h):
    try:
        notes = open("/sys/kernel/notes", "rb").read()
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
    kfuncs, attach, casts = header_names(snapshot_h)
    anon = [("vm_area_struct", "anon_name"), ("anon_vma_name", "name")]
    backing = ("backing_file", "user_path")
    ids, offs = btf_scan("/sys/kernel/btf/vmlinux", set(kfuncs + [attach]), anon + [backing],
                         set(casts)) if found else ({}, {})
    if len(ids) != len(kfuncs) + 1 + len(casts):
        found = ""  # no build id, or a function or struct missing: no host variant
    user_path = offs.pop(backing, 0)
    if len(offs) != 2:
        offs = {}   # CONFIG_ANON_VMA_NAME off: no names
    print("/* generated by scripts/host_variant.py: the kernel vmlinux.h was made from */")
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
    elif len(sys.argv) == 3 and sys.argv[1] == "build-id":
        build_id(sys.argv[2])
    else:
        sys.exit(__doc__)
