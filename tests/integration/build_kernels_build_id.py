#!/usr/bin/python3
# build_kernels.sh: the GNU build id in a kernel's notes file (/sys/kernel/notes), in hex
import struct, sys
d, off = open(sys.argv[1], "rb").read(), 0
while off + 12 <= len(d):
    nsz, dsz, typ = struct.unpack_from("<III", d, off)
    desc = off + 12 + (nsz + 3) // 4 * 4
    if d[off + 12:off + 12 + nsz].rstrip(b"\0") == b"GNU" and typ == 3:
        print(d[desc:desc + dsz].hex())
    off = desc + (dsz + 3) // 4 * 4
